// SPDX-License-Identifier: GPL-2.0
/*
 * fault: what must fault, and end the unikernel with a signal.
 *   null       read address 0 (nothing is mapped below the boot page)
 *   lowmem     write the boot information (read-only)
 *   beyond     write 16 GiB up (beyond the unikernel's memory), as
 *              Solo5's test_exception does
 *   ud2        an invalid instruction
 */
#include "app.h"

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *what = si->cmdline;

	app_puts("trying\n");
	if (app_streq(what, "null"))
		app_kv("read", *(volatile uint8_t *)0);
	else if (app_streq(what, "lowmem"))
		*(volatile uint8_t *)0x10000 = 1;
	else if (app_streq(what, "beyond"))
		*(volatile uint8_t *)(2ULL << 33) = 1;
	else if (app_streq(what, "ud2"))
		asm volatile ("ud2");
	app_puts("not faulted\n");
	return SOLO5_EXIT_FAILURE;
}
