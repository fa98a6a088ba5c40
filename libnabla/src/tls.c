// SPDX-License-Identifier: ISC
/*
 * tls.c: thread-local storage for the application, x86_64 (TLS variant II).
 *
 * A TLS block is the program's PT_TLS segment (the .tdata image, then .tbss
 * zeroed) ending at the thread pointer tp, followed by the thread control
 * block at tp. The executable's code reaches its TLS variables at fixed
 * negative offsets from %fs, which the static linker computed as
 * roundup(p_memsz, p_align) (glibc's rule for the first module, including
 * the case of a p_vaddr not aligned to p_align), so the block must keep
 * exactly that layout. Only the executable's own TLS is covered (in a
 * static binary this includes libc's); a shared library's TLS, reached
 * through __tls_get_addr, is not.
 *
 * The TCB starts with the self pointer (what Solo5 and the x86_64 ABI
 * require at %fs:0) and repeats it at %fs:16 as glibc does; it also copies
 * glibc's stack guard (%fs:0x28) and pointer guard (%fs:0x30), so that code
 * built with -fstack-protector, and setjmp/longjmp, keep working after the
 * application moves %fs.
 *
 * The layout is computed at start-up (nabla_tls_prepare); the solo5_tls_*
 * calls run confined and only do arithmetic and copies.
 */
#define _GNU_SOURCE
#include <link.h>
#include <string.h>
#include <sys/auxv.h>

#include "internal.h"

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE		(1 << 1)
#endif

#define TCB_SIZE		64
#define TCB_SELF		0
#define TCB_SELF2		16
#define TCB_STACK_GUARD		0x28
#define TCB_POINTER_GUARD	0x30
/* The TCB holds pointers: tp is at least this aligned. */
#define TCB_ALIGN		16

static struct {
	uintptr_t image;	/* the .tdata initialization image */
	size_t filesz;		/* .tdata bytes */
	size_t memsz;		/* .tdata + .tbss bytes */
	size_t align;		/* alignment of tp */
	size_t offset;		/* tp - start of the TLS data */
	uintptr_t stack_guard;
	uintptr_t pointer_guard;
	bool fsgsbase;
} tls;

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
			tls.image = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
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
		tls.filesz = pt_tls->p_filesz;
		tls.memsz = pt_tls->p_memsz;
		firstbyte = -pt_tls->p_vaddr & (align - 1);
	}
	tls.offset = roundup(tls.memsz - firstbyte, align) + firstbyte;
	tls.align = align > TCB_ALIGN ? align : TCB_ALIGN;
	/* Still glibc's thread pointer: read its guards. */
	asm volatile ("mov %%fs:0x28, %0" : "=r" (tls.stack_guard));
	asm volatile ("mov %%fs:0x30, %0" : "=r" (tls.pointer_guard));
	tls.fsgsbase = getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE;
	return 0;
}

/* Room for the data, the TCB, and aligning tp in a block of any address. */
size_t solo5_tls_size(void)
{
	return tls.offset + TCB_SIZE + tls.align - 1;
}

uintptr_t solo5_tls_tp_offset(uintptr_t tls_block)
{
	return roundup(tls_block + tls.offset, tls.align);
}

solo5_result_t solo5_tls_init(uintptr_t tls_block)
{
	uintptr_t tp, data;

	if (!tls_block)
		return SOLO5_R_EINVAL;
	tp = solo5_tls_tp_offset(tls_block);
	data = tp - tls.offset;
	memcpy((void *)data, (const void *)tls.image, tls.filesz);
	memset((void *)(data + tls.filesz), 0, tls.offset - tls.filesz);
	memset((void *)tp, 0, TCB_SIZE);
	*(uintptr_t *)(tp + TCB_SELF) = tp;
	*(uintptr_t *)(tp + TCB_SELF2) = tp;
	*(uintptr_t *)(tp + TCB_STACK_GUARD) = tls.stack_guard;
	*(uintptr_t *)(tp + TCB_POINTER_GUARD) = tls.pointer_guard;
	return SOLO5_R_OK;
}

/*
 * Load %fs with WRFSBASE, which needs no system call but needs the CPU and
 * the kernel (5.9+) to allow it. Without it this fails: the other way,
 * arch_prctl(ARCH_SET_FS), would have to be allowed by the filter, and
 * libnabla does not allow it.
 */
solo5_result_t solo5_set_tls_base(uintptr_t base)
{
	if (!tls.fsgsbase)
		return SOLO5_R_EUNSPEC;
	/* A non-canonical base would fault (#GP) in WRFSBASE. */
	if ((uintptr_t)((intptr_t)(base << 16) >> 16) != base)
		return SOLO5_R_EINVAL;
	asm volatile ("wrfsbase %0" : : "r" (base) : "memory");
	return SOLO5_R_OK;
}
