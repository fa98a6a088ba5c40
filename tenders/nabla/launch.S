/* SPDX-License-Identifier: ISC */
/*
 * launch.S: the tender's last instructions. Clear the thread pointer (the
 * unikernel has no TLS until solo5_set_tls_base), switch to the
 * unikernel's stack, leave nothing of the tender in the registers (x87
 * and SSE state reset too, as at a process's start), and jump to the
 * entry point with the boot information as its argument.
 *
 * void nabla_launch(uint64_t entry, uint64_t sp, void *boot_info,
 *                   int fsgsbase)
 *   rdi = entry, rsi = sp, rdx = boot_info, ecx = fsgsbase
 *
 * Without FSGSBASE, %fs is cleared with arch_prctl(ARCH_SET_FS, 0), which
 * the filter then allows (as the bindings' solo5_set_tls_base needs it).
 */
	.text
	.globl nabla_launch
	.type nabla_launch, @function
nabla_launch:
	mov	%rdi, %r12		/* entry */
	mov	%rdx, %r13		/* boot info */
	mov	%rsi, %r14		/* stack */
	test	%ecx, %ecx
	jz	1f
	xor	%eax, %eax
	wrfsbase %rax
	jmp	2f
1:	mov	$158, %eax		/* __NR_arch_prctl */
	mov	$0x1002, %edi		/* ARCH_SET_FS */
	xor	%esi, %esi
	syscall
	test	%rax, %rax
	jz	2f
	mov	$231, %eax		/* __NR_exit_group */
	mov	$1, %edi
	syscall
2:	fninit				/* a clean x87 and SSE state */
	ldmxcsr	mxcsr_default(%rip)
	.irp r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	pxor	%xmm\r, %xmm\r
	.endr
	mov	%r14, %rsp
	mov	%r13, %rdi
	mov	%r12, %rax
	xor	%ebx, %ebx
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%ebp, %ebp
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d
	jmp	*%rax
	.size nabla_launch, . - nabla_launch

	.section .rodata
	.align 4
mxcsr_default:
	.long	0x1f80			/* all exceptions masked, round to nearest */

	.section .note.GNU-stack, "", @progbits
