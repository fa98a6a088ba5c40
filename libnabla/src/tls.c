// SPDX-License-Identifier: ISC
/*
 * tls.c: thread-local storage for the application, x86_64 (TLS variant II).
 *
 * A TLS block is the program's PT_TLS segment (the .tdata image, then .tbss
 * zeroed) ending at the thread pointer tp, followed by the thread control
 * block at tp. The program's code reaches its TLS variables at fixed
 * negative offsets from %fs, which the static linker computed as
 * roundup(p_memsz, p_align) (glibc's rule for the first module, including
 * the case of a p_vaddr not aligned to p_align), so the block must keep
 * exactly that layout.
 *
 * The TCB starts with the self pointer (what Solo5 and the x86_64 ABI
 * require at %fs:0) and repeats it at %fs:16 as glibc does; it also holds
 * the stack guard (%fs:0x28) and pointer guard (%fs:0x30) of the startup
 * code, so that code built with glibc's -fstack-protector, and its
 * setjmp/longjmp, keep working after the application moves %fs.
 *
 * The layout (nabla_tls) is computed before the application runs: by
 * tls_setup.c in libnabla, from the bindings' linker symbols in a
 * freestanding unikernel. These calls only do arithmetic and copies.
 *
 * Confined code (confined.h): also built into the bindings.
 */
#include "confined.h"
#include "raw.h"

#define TCB_SIZE		64
#define TCB_SELF		0
#define TCB_SELF2		16
#define TCB_STACK_GUARD		0x28
#define TCB_POINTER_GUARD	0x30
#define ARCH_SET_FS		0x1002

struct nabla_tls nabla_tls = { .align = NABLA_TLS_TCB_ALIGN };

static uintptr_t roundup(uintptr_t x, size_t align)
{
	return (x + align - 1) & ~(uintptr_t)(align - 1);
}

/* Room for the data, the TCB, and aligning tp in a block of any address. */
size_t solo5_tls_size(void)
{
	return nabla_tls.offset + TCB_SIZE + nabla_tls.align - 1;
}

uintptr_t solo5_tls_tp_offset(uintptr_t tls_block)
{
	return roundup(tls_block + nabla_tls.offset, nabla_tls.align);
}

solo5_result_t solo5_tls_init(uintptr_t tls_block)
{
	uintptr_t tp, data;

	if (!tls_block)
		return SOLO5_R_EINVAL;
	tp = solo5_tls_tp_offset(tls_block);
	data = tp - nabla_tls.offset;
	__builtin_memcpy((void *)data, (const void *)nabla_tls.image,
			 nabla_tls.filesz);
	__builtin_memset((void *)(data + nabla_tls.filesz), 0,
			 nabla_tls.offset - nabla_tls.filesz);
	__builtin_memset((void *)tp, 0, TCB_SIZE);
	*(uintptr_t *)(tp + TCB_SELF) = tp;
	*(uintptr_t *)(tp + TCB_SELF2) = tp;
	*(uintptr_t *)(tp + TCB_STACK_GUARD) = nabla_tls.stack_guard;
	*(uintptr_t *)(tp + TCB_POINTER_GUARD) = nabla_tls.pointer_guard;
	return SOLO5_R_OK;
}

/*
 * Load %fs with WRFSBASE, which needs no system call but needs the CPU and
 * the kernel (5.9+) to allow it. Without it, arch_prctl(ARCH_SET_FS) where
 * the filter allows that (nabla-run does then, as Solo5 spt always does);
 * libnabla's does not, and the call fails.
 */
solo5_result_t solo5_set_tls_base(uintptr_t base)
{
	/* A non-canonical base would fault (#GP) in WRFSBASE. */
	if ((uintptr_t)((intptr_t)(base << 16) >> 16) != base)
		return SOLO5_R_EINVAL;
	if (nabla_tls.fsgsbase) {
		asm volatile ("wrfsbase %0" : : "r" (base) : "memory");
		return SOLO5_R_OK;
	}
	if (!nabla_tls.arch_prctl)
		return SOLO5_R_EUNSPEC;
	return nabla_raw3(__NR_arch_prctl, ARCH_SET_FS, base, 0) ?
	       SOLO5_R_EINVAL : SOLO5_R_OK;
}
