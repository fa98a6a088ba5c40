// SPDX-License-Identifier: ISC
/*
 * ukelf.c: reading a unikernel's ELF file (ukelf.h). Nothing in the file is
 * trusted: sizes and offsets are checked against the file, addresses
 * against the unikernel's memory, all sums for overflow.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ukelf.h"

#define INVALID	"not a unikernel this tender can run"

static int read_at(const struct elf_file *f, void *buf, uint64_t len,
		   uint64_t off)
{
	ssize_t n;

	while (len) {
		n = pread(f->fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			warn("%s: read", f->path);
			return -1;
		}
		if (n == 0) {
			warnx("%s: %s: truncated", f->path, INVALID);
			return -1;
		}
		buf = (uint8_t *)buf + n;
		len -= n;
		off += n;
	}
	return 0;
}

/* [off, off + len) lies within the file. */
static bool in_file(const struct elf_file *f, uint64_t off, uint64_t len)
{
	uint64_t end;

	return !__builtin_add_overflow(off, len, &end) && end <= f->size;
}

static uint64_t page_down(uint64_t a)
{
	return a & ~(ELF_PAGE_SIZE - 1);
}

/* Rounded up, or 0 on overflow (no segment can end at 0). */
static uint64_t page_up(uint64_t a)
{
	uint64_t r;

	if (__builtin_add_overflow(a, ELF_PAGE_SIZE - 1, &r))
		return 0;
	return page_down(r);
}

static int check_ehdr(const struct elf_file *f)
{
	const Elf64_Ehdr *e = &f->ehdr;
	const char *why = NULL;

	if (memcmp(e->e_ident, ELFMAG, SELFMAG))
		why = "not an ELF file";
	else if (e->e_ident[EI_CLASS] != ELFCLASS64 ||
		 e->e_ident[EI_DATA] != ELFDATA2LSB ||
		 e->e_machine != EM_X86_64)
		why = "not an x86_64 ELF file";
	else if (e->e_type != ET_EXEC)
		why = "not a static executable (ET_EXEC)";
	else if (e->e_ident[EI_VERSION] != EV_CURRENT ||
		 e->e_version != EV_CURRENT || e->e_ehsize != sizeof(*e) ||
		 e->e_phentsize != sizeof(Elf64_Phdr))
		why = "bad ELF header";
	else if (e->e_phnum == 0 || e->e_phnum > ELF_MAX_PHDRS)
		why = "bad number of program headers";
	else if (!in_file(f, e->e_phoff,
			  (uint64_t)e->e_phnum * sizeof(Elf64_Phdr)))
		why = "program headers beyond the end of the file";
	if (why) {
		warnx("%s: %s: %s", f->path, INVALID, why);
		return -1;
	}
	return 0;
}

static const char *check_load(const struct elf_file *f, const Elf64_Phdr *p,
			      uint64_t *prev_end)
{
	uint64_t end;

	if (p->p_filesz > p->p_memsz)
		return "file size larger than memory size";
	if (!in_file(f, p->p_offset, p->p_filesz))
		return "beyond the end of the file";
	if (p->p_vaddr < ELF_MIN_LOAD)
		return "below the lowest load address (0x100000)";
	if (__builtin_add_overflow(p->p_vaddr, p->p_memsz, &end) ||
	    !page_up(end))
		return "its end overflows";
	if (p->p_align > 1 && (p->p_align & (p->p_align - 1)))
		return "alignment not a power of two";
	if (page_down(p->p_vaddr) < *prev_end)
		return "overlaps, or shares a page with, the segment before "
		       "it (or is out of order)";
	if ((p->p_flags & PF_W) && (p->p_flags & PF_X))
		return "both writable and executable";
	*prev_end = page_up(end);
	return NULL;
}

static bool entry_in_text(const struct elf_file *f)
{
	uint64_t entry = f->ehdr.e_entry;
	unsigned int i;

	for (i = 0; i < f->phnum; i++) {
		const Elf64_Phdr *p = &f->phdr[i];

		if (p->p_type == PT_LOAD && (p->p_flags & PF_X) &&
		    entry >= p->p_vaddr && entry - p->p_vaddr < p->p_memsz)
			return true;
	}
	return false;
}

static int check_phdrs(const struct elf_file *f)
{
	uint64_t prev_end = 0;
	unsigned int i, nload = 0;
	const char *why;

	for (i = 0; i < f->phnum; i++) {
		const Elf64_Phdr *p = &f->phdr[i];

		if (p->p_type == PT_DYNAMIC) {
			warnx("%s: %s: dynamically linked", f->path, INVALID);
			return -1;
		}
		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		why = check_load(f, p, &prev_end);
		if (why) {
			warnx("%s: %s: segment %u (PT_LOAD at %#llx): %s",
			      f->path, INVALID, i,
			      (unsigned long long)p->p_vaddr, why);
			return -1;
		}
		nload++;
	}
	if (!nload) {
		warnx("%s: %s: nothing to load", f->path, INVALID);
		return -1;
	}
	if (!entry_in_text(f)) {
		warnx("%s: %s: the entry point %#llx is not in an executable "
		      "segment", f->path, INVALID,
		      (unsigned long long)f->ehdr.e_entry);
		return -1;
	}
	return 0;
}

int elf_open(struct elf_file *f, const char *path)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->path = path;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		warn("%s", path);
		return -1;
	}
	if (fstat(f->fd, &st)) {
		warn("%s", path);
		goto err;
	}
	if (!S_ISREG(st.st_mode)) {
		warnx("%s: not a regular file", path);
		goto err;
	}
	f->size = st.st_size;
	if (f->size < sizeof(f->ehdr)) {
		warnx("%s: %s: too short for an ELF header", path, INVALID);
		goto err;
	}
	if (read_at(f, &f->ehdr, sizeof(f->ehdr), 0) || check_ehdr(f))
		goto err;
	f->phnum = f->ehdr.e_phnum;
	if (read_at(f, f->phdr, f->phnum * sizeof(Elf64_Phdr), f->ehdr.e_phoff) ||
	    check_phdrs(f))
		goto err;
	return 0;
err:
	elf_close(f);
	return -1;
}

void elf_close(struct elf_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

static uint64_t align4(uint64_t x)
{
	return (x + 3) & ~3ULL;
}

/*
 * The notes of one PT_NOTE segment: 4-byte aligned records of a 12-byte
 * header, the name and the descriptor, each padded to 4 bytes.
 */
static int find_in_segment(const struct elf_file *f, const Elf64_Phdr *p,
			   const char *name, uint32_t type, void *buf,
			   size_t size, size_t *len)
{
	size_t namesz = strlen(name) + 1;
	uint64_t off = 0, rec;
	Elf64_Nhdr nh;
	char nbuf[32];

	while (p->p_filesz - off >= sizeof(nh)) {
		if (read_at(f, &nh, sizeof(nh), p->p_offset + off))
			return -1;
		rec = sizeof(nh) + align4(nh.n_namesz) + align4(nh.n_descsz);
		if (rec > p->p_filesz - off) {
			warnx("%s: %s: a note runs past its segment", f->path,
			      INVALID);
			return -1;
		}
		if (nh.n_type == type && nh.n_namesz == namesz &&
		    !read_at(f, nbuf, namesz, p->p_offset + off + sizeof(nh)) &&
		    !memcmp(nbuf, name, namesz)) {
			if (nh.n_descsz > size) {
				warnx("%s: %s: the %s note is too large (%u bytes)",
				      f->path, INVALID, name, nh.n_descsz);
				return -1;
			}
			*len = nh.n_descsz;
			return read_at(f, buf, nh.n_descsz, p->p_offset + off +
				       sizeof(nh) + align4(namesz));
		}
		off += rec;
	}
	return 1;
}

int elf_find_note(const struct elf_file *f, const char *name, uint32_t type,
		  void *buf, size_t size, size_t *len)
{
	unsigned int i;
	int rc;

	for (i = 0; i < f->phnum; i++) {
		const Elf64_Phdr *p = &f->phdr[i];

		if (p->p_type != PT_NOTE)
			continue;
		if (!in_file(f, p->p_offset, p->p_filesz)) {
			warnx("%s: %s: a note segment lies beyond the end of "
			      "the file", f->path, INVALID);
			return -1;
		}
		rc = find_in_segment(f, p, name, type, buf, size, len);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

void elf_image_range(const struct elf_file *f, uint64_t *start, uint64_t *end)
{
	unsigned int i;

	*start = UINT64_MAX;
	*end = 0;
	for (i = 0; i < f->phnum; i++) {
		const Elf64_Phdr *p = &f->phdr[i];

		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		if (page_down(p->p_vaddr) < *start)
			*start = page_down(p->p_vaddr);
		if (page_up(p->p_vaddr + p->p_memsz) > *end)
			*end = page_up(p->p_vaddr + p->p_memsz);
	}
}

static int prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

int elf_load(const struct elf_file *f, uint64_t mem_size)
{
	uint64_t start, end;
	unsigned int i;

	elf_image_range(f, &start, &end);
	if (end > mem_size) {
		warnx("%s: the image (up to %#llx) does not fit in %llu MiB of "
		      "memory", f->path, (unsigned long long)end,
		      (unsigned long long)(mem_size >> 20));
		return -1;
	}
	for (i = 0; i < f->phnum; i++) {
		const Elf64_Phdr *p = &f->phdr[i];
		uint8_t *at = (uint8_t *)(uintptr_t)p->p_vaddr;
		uint64_t lo, hi;

		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		if (read_at(f, at, p->p_filesz, p->p_offset))
			return -1;
		memset(at + p->p_filesz, 0, p->p_memsz - p->p_filesz);
		lo = page_down(p->p_vaddr);
		hi = page_up(p->p_vaddr + p->p_memsz);
		if (mprotect((void *)(uintptr_t)lo, hi - lo, prot_of(p->p_flags))) {
			warn("%s: mprotect of segment %u", f->path, i);
			return -1;
		}
	}
	return 0;
}
