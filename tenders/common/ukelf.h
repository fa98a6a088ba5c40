/* SPDX-License-Identifier: ISC */
/*
 * ukelf.h: reading a unikernel's ELF file, which may be hostile: every size,
 * offset and address is checked against the file and against overflow
 * before it is used. Shared by nabla-run (load and run) and nabla-elftool
 * (query-manifest).
 */
#ifndef NABLA_TENDER_UKELF_H
#define NABLA_TENDER_UKELF_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

/* Where a unikernel may be loaded: below is the tender's low memory. */
#define ELF_MIN_LOAD		0x100000UL
#define ELF_PAGE_SIZE		0x1000UL
/* More program headers than any linker makes for a unikernel. */
#define ELF_MAX_PHDRS		64

struct elf_file {
	int fd;
	const char *path;
	uint64_t size;			/* of the file */
	Elf64_Ehdr ehdr;
	Elf64_Phdr phdr[ELF_MAX_PHDRS];
	unsigned int phnum;
};

/*
 * Open @path and check its ELF and program headers: a static x86_64
 * executable (ET_EXEC, no PT_DYNAMIC), its PT_LOAD segments within the
 * file, at or above ELF_MIN_LOAD, in ascending order, each on pages of its
 * own, none both writable and executable, the entry point in an
 * executable one. Returns 0, or -1 after printing why (warnx(3)).
 */
int elf_open(struct elf_file *f, const char *path);
void elf_close(struct elf_file *f);

/*
 * Copy the descriptor of the first note of @name and @type from the
 * PT_NOTE segments into @buf (at most @size bytes); *@len is its size.
 * Returns 0, 1 if there is no such note, -1 (printed) if a note is bad.
 */
int elf_find_note(const struct elf_file *f, const char *name, uint32_t type,
		  void *buf, size_t size, size_t *len);

/* The page-aligned range the PT_LOAD segments occupy: [*start, *end). */
void elf_image_range(const struct elf_file *f, uint64_t *start, uint64_t *end);

/*
 * Load the PT_LOAD segments at their own addresses (the unikernel's memory
 * is [0, @mem_size) of this process, mapped writable by the caller) and
 * give each page its segment's protection. Returns 0, or -1 (printed).
 */
int elf_load(const struct elf_file *f, uint64_t mem_size);

#endif /* NABLA_TENDER_UKELF_H */
