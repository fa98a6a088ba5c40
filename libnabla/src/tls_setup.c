// SPDX-License-Identifier: ISC
/*
 * tls_setup.c: the TLS layout (nabla_tls, tls.c) of a libnabla program,
 * from its PT_TLS segment, and the guards of glibc's TCB to carry over.
 * Only the executable's own TLS is covered (in a static binary this
 * includes libc's); a shared library's TLS, reached through
 * __tls_get_addr, is not.
 */
#define _GNU_SOURCE
#include <link.h>
#include <sys/auxv.h>

#include "internal.h"

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE		(1 << 1)
#endif

static uintptr_t roundup(uintptr_t x, size_t align)
{
	return (x + align - 1) & ~(uintptr_t)(align - 1);
}

/* dl_iterate_phdr() reports the main program first: look only at it. */
static int find_pt_tls(struct dl_phdr_info *info, size_t size, void *data)
{
	const ElfW(Phdr) **found = data;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		if (info->dlpi_phdr[i].p_type == PT_TLS) {
			*found = &info->dlpi_phdr[i];
			nabla_tls.image = info->dlpi_addr +
					  info->dlpi_phdr[i].p_vaddr;
			break;
		}
	}
	return 1;
}

int nabla_tls_prepare(void)
{
	const ElfW(Phdr) *pt_tls = NULL;
	size_t align = 1, firstbyte = 0;

	dl_iterate_phdr(find_pt_tls, &pt_tls);
	if (pt_tls) {
		align = pt_tls->p_align ? pt_tls->p_align : 1;
		if (align & (align - 1)) {
			nabla_err("PT_TLS has a bad alignment %zu", align);
			return -1;
		}
		nabla_tls.filesz = pt_tls->p_filesz;
		nabla_tls.memsz = pt_tls->p_memsz;
		firstbyte = -pt_tls->p_vaddr & (align - 1);
	}
	nabla_tls.offset = roundup(nabla_tls.memsz - firstbyte, align) +
			   firstbyte;
	nabla_tls.align = align > NABLA_TLS_TCB_ALIGN ? align :
			  NABLA_TLS_TCB_ALIGN;
	/* Still glibc's thread pointer: read its guards. */
	asm volatile ("mov %%fs:0x28, %0" : "=r" (nabla_tls.stack_guard));
	asm volatile ("mov %%fs:0x30, %0" : "=r" (nabla_tls.pointer_guard));
	nabla_tls.fsgsbase = getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE;
	return 0;
}
