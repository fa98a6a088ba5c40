/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Block devices: an open block device or regular file attached to a
 * context.
 *
 * Locking: the context's transfer state (struct nabla_blkio, one per
 * context, made at its first block attach) has a mutex that serializes
 * every block transfer of the context, since they share its bio, page
 * tables and bounce pages (a Solo5 guest has one thread: nothing is lost).
 * Everything in struct nabla_block is fixed at attach, but for the stats.
 */
#ifndef _NABLA_BLOCK_H
#define _NABLA_BLOCK_H

#include <linux/bio.h>
#include <linux/bvec.h>
#include <linux/mutex.h>

#include "dev.h"
#include "stats.h"

/* Bounce pages: at most enough for the largest transfer. */
#define NABLA_BOUNCE_PAGES	DIV_ROUND_UP(NABLA_BLOCK_MAX_IO, PAGE_SIZE)
/* A largest transfer that does not start on a page boundary spans one more. */
#define NABLA_IO_PAGES		(NABLA_BOUNCE_PAGES + 1)

struct nabla_block {
	struct nabla_device dev;
	struct file *file;		/* our reference */
	struct block_device *bdev;	/* NULL for a regular file */
	u64 capacity;			/* bytes, a multiple of block_size */
	u32 block_size;			/* a power of two, >= 512 */
	bool rdonly;			/* decided at attach */
	bool written;			/* bios wrote behind the page cache */
	struct nabla_block_stats stats;
};

/*
 * One context's transfer state. Bounce pages are allocated when a transfer
 * first needs them (a buffer the device cannot take as it is), as many as
 * it needs, kept until the release and charged to the user's
 * RLIMIT_MEMLOCK (mem.c).
 */
struct nabla_blkio {
	struct mutex lock;		/* all of the below */
	struct bio bio;
	struct bio_vec bvecs[NABLA_IO_PAGES];	/* the bio's or the iov_iter's */
	struct page *upages[NABLA_IO_PAGES];	/* the caller's, pinned per call */
	unsigned int nbounce;
	struct page *bounce[NABLA_BOUNCE_PAGES];
};

static inline struct nabla_block *to_nabla_block(struct nabla_device *dev)
{
	return container_of(dev, struct nabla_block, dev);
}

void nabla_block_destroy(struct nabla_device *dev);
void nabla_blkio_free(struct nabla_ctx *ctx);

long nabla_block_attach(struct nabla_ctx *ctx, void *arg);
long nabla_block_write(struct nabla_ctx *ctx, void *arg);
long nabla_block_read(struct nabla_ctx *ctx, void *arg);
long nabla_block_info(struct nabla_ctx *ctx, void *arg);

#endif /* _NABLA_BLOCK_H */
