// SPDX-License-Identifier: GPL-2.0
/*
 * hello: the console and the command line. Prints its command line and
 * SUCCESS (the runner passes "Hello_Solo5", as Solo5's test does).
 */
#include "app.h"

int solo5_app_main(const struct solo5_start_info *si)
{
	app_puts("cmdline=[");
	app_puts(si->cmdline);
	app_puts("]\n");
	if (!app_streq(si->cmdline, "Hello_Solo5"))
		return SOLO5_EXIT_FAILURE;
	app_puts("SUCCESS\n");
	return SOLO5_EXIT_SUCCESS;
}
