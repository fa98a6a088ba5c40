// SPDX-License-Identifier: ISC
/*
 * run.c: from the seal to the unikernel. Built -fno-stack-protector and
 * without libc calls: the filter is live before the jump, and launch.S
 * clears %fs (glibc's thread pointer) on its way.
 */
#include <sys/prctl.h>

#include "raw.h"
#include "tender.h"

/* A fixed message and exit status 1, with raw system calls only. */
#define RAW_FAIL(msg) do {						\
	static const char __m[] = "nabla-run: " msg "\n";		\
	nabla_raw3(__NR_write, 2, (long)__m, sizeof(__m) - 1);		\
	nabla_raw_exit_group(1);					\
} while (0)

void nabla_run(const struct nabla_setup *setup, uint64_t entry, uint64_t sp,
	       const struct nabla_boot_info *bi)
{
	if (setup->seal() < 0)
		RAW_FAIL("sealing the device failed");
	if (nabla_raw5(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		RAW_FAIL("prctl(PR_SET_NO_NEW_PRIVS) failed");
	if (nabla_filter_install() != 0)
		RAW_FAIL("installing the seccomp filter failed");
	nabla_launch(entry, sp, bi, !!(bi->flags & NABLA_BOOT_F_FSGSBASE));
}
