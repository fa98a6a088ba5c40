// SPDX-License-Identifier: ISC
/*
 * vdso.c: find a function in the vDSO, so that the syscall backend reads
 * the clocks as Solo5 spt does (through the vDSO, usually without entering
 * the kernel) but without glibc's wrapper, which may write errno.
 *
 * Only start-up calls this. The vDSO is a complete ELF image mapped by the
 * kernel; its dynamic symbol table is walked linearly (DT_HASH gives the
 * number of symbols).
 */
#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>

#include "internal.h"

struct vdso_tables {
	uintptr_t bias;
	const ElfW(Sym) *symtab;
	const char *strtab;
	size_t nsyms;
};

static int vdso_tables(const ElfW(Ehdr) *eh, struct vdso_tables *t)
{
	const ElfW(Phdr) *ph = (const void *)((uintptr_t)eh + eh->e_phoff);
	const ElfW(Dyn) *dyn = NULL;
	const ElfW(Word) *hash = NULL;
	bool have_load = false;
	int i;

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !have_load) {
			t->bias = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
			have_load = true;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = (const void *)((uintptr_t)eh + ph[i].p_offset);
		}
	}
	if (!have_load || !dyn)
		return -1;
	t->symtab = NULL;
	t->strtab = NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			t->symtab = (const void *)(t->bias + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			t->strtab = (const void *)(t->bias + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_HASH)
			hash = (const void *)(t->bias + dyn->d_un.d_ptr);
	}
	if (!t->symtab || !t->strtab || !hash)
		return -1;
	t->nsyms = hash[1];	/* nchain: one entry per symbol */
	return 0;
}

/* Returns the address of @name in the vDSO, or NULL if there is none. */
void *nabla_vdso_sym(const char *name)
{
	const ElfW(Ehdr) *eh = (const void *)getauxval(AT_SYSINFO_EHDR);
	struct vdso_tables t = { 0 };
	size_t i;

	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || vdso_tables(eh, &t))
		return NULL;
	for (i = 0; i < t.nsyms; i++) {
		const ElfW(Sym) *s = &t.symtab[i];

		if (ELF64_ST_TYPE(s->st_info) != STT_FUNC ||
		    s->st_shndx == SHN_UNDEF)
			continue;
		if (!strcmp(t.strtab + s->st_name, name))
			return (void *)(t.bias + s->st_value);
	}
	return NULL;
}
