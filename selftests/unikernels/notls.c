// SPDX-License-Identifier: GPL-2.0
/*
 * notls: before solo5_set_tls_base() there is no TLS: a read through %fs
 * (here the place of glibc's canary, %fs:0x28, as Solo5's test reads)
 * faults. "zero" reads %fs:0 instead.
 */
#include "app.h"

int solo5_app_main(const struct solo5_start_info *si)
{
	uint64_t v;

	app_puts("reading through %fs\n");
	if (app_streq(si->cmdline, "zero"))
		asm volatile ("movq %%fs:0, %0" : "=r" (v));
	else
		asm volatile ("movq %%fs:0x28, %0" : "=r" (v));
	app_kv("read", v);
	return SOLO5_EXIT_FAILURE;
}
