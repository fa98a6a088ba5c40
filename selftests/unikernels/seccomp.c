// SPDX-License-Identifier: GPL-2.0
/*
 * seccomp: a system call the filter does not allow (getpid) kills the
 * unikernel with SIGSYS, as on Solo5 spt.
 */
#include "app.h"

int solo5_app_main(const struct solo5_start_info *si)
{
	long ret;

	(void)si;
	app_puts("calling getpid\n");
	asm volatile ("syscall" : "=a" (ret) : "a" (39) : "rcx", "r11", "memory");
	app_kv("survived", ret);
	return SOLO5_EXIT_FAILURE;
}
