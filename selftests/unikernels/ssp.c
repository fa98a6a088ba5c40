// SPDX-License-Identifier: GPL-2.0
/*
 * ssp: the stack protector (built with -fstack-protector-strong
 * -mstack-protector-guard=global): prints the canary (it must be random,
 * with a zero byte), then overruns a buffer: Solo5 prints "Solo5: ABORT:
 * Stack corruption detected" and exits with 255.
 */
#include "app.h"

extern uintptr_t __stack_chk_guard;

/* Not known to the compiler, which would otherwise see the overrun. */
static volatile size_t overrun = 64;

static void __attribute__((noinline)) smash(size_t n)
{
	char buf[16];
	volatile char *p = buf;
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = 'A';
	app_puts(buf[0] == 'A' ? "overrun\n" : "-\n");
}

int solo5_app_main(const struct solo5_start_info *si)
{
	(void)si;
	app_puts("guard=");
	app_put_u64(__stack_chk_guard);
	app_puts("\n");
	smash(overrun);
	app_puts("survived\n");
	return SOLO5_EXIT_FAILURE;
}
