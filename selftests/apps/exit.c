// SPDX-License-Identifier: GPL-2.0
/*
 * exit: end as the command line says.
 *   return N    return N from solo5_app_main
 *   exit N      solo5_exit(N)
 *   abort       solo5_abort()
 */
#include "app.h"

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	char word[32], num[32];
	int64_t n = 0;

	if (!app_word(&cursor, word, sizeof(word)))
		return 0;
	if (app_streq(word, "abort"))
		solo5_abort();
	if (app_streq(word, "exit") || app_streq(word, "return")) {
		if (!app_word(&cursor, num, sizeof(num)) || !app_number(num, &n))
			return 1;
		if (app_streq(word, "exit"))
			solo5_exit(n);
		return n;
	}
	app_fail("unknown command");
	return 1;
}
