// SPDX-License-Identifier: GPL-2.0
/* hello: print a greeting and the command line, exactly, then exit 0. */
#include "app.h"

int solo5_app_main(const struct solo5_start_info *si)
{
	app_puts("hello from a Solo5 application\n");
	app_puts("cmdline=[");
	app_puts(si->cmdline);
	app_puts("]\n");
	app_kv("heap_size", si->heap_size);
	/* The heap is ours and already backed: touch both ends. */
	((volatile char *)si->heap_start)[0] = 1;
	((volatile char *)si->heap_start)[si->heap_size - 1] = 1;
	app_puts("done\n");
	return 0;
}
