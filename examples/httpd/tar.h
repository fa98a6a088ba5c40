/* SPDX-License-Identifier: ISC */
/*
 * tar.h: an index of the regular files in a tar archive (POSIX ustar, with
 * GNU long names and pax "path" records), read once through a callback.
 * The files' data stay in the archive; the index says where.
 */
#ifndef HTTPD_TAR_H
#define HTTPD_TAR_H

#include <stddef.h>
#include <stdint.h>

#define TAR_BLOCK		512
#define TAR_NAME_MAX		1024

struct tar_file {
	char *name;		/* normalised: no leading "/" or "./" */
	uint64_t size;
	uint64_t offset;	/* of the data in the archive, 512-aligned */
	uint64_t mtime;		/* seconds since 1970 */
};

struct tar_index {
	struct tar_file *files;
	size_t count;
	size_t *slots;		/* hash table of file numbers + 1; 0: empty */
	size_t nslots;		/* power of two */
	uint64_t bytes;		/* total size of the files */
};

/* Read @len bytes at @off (both multiples of TAR_BLOCK); 0 on success. */
typedef int (*tar_read_fn)(void *ctx, uint64_t off, uint8_t *buf, size_t len);

/*
 * Index the archive in the first @capacity bytes behind @rd. 0 on success
 * (an archive may be empty), -1 with a console message if it is malformed,
 * unreadable, or the index does not fit in memory.
 */
int tar_index_build(struct tar_index *ix, tar_read_fn rd, void *ctx,
		    uint64_t capacity);

const struct tar_file *tar_lookup(const struct tar_index *ix,
				  const char *name, size_t len);

#endif /* HTTPD_TAR_H */
