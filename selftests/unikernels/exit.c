// SPDX-License-Identifier: GPL-2.0
/*
 * exit: how a unikernel ends. "exit N": solo5_exit(N); "return N": return
 * N from solo5_app_main (the same, solo5.h says); "abort": solo5_abort().
 */
#include "app.h"

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	char how[16], word[32];
	int64_t n = 0;

	if (!app_word(&cursor, how, sizeof(how)))
		return 100;
	if (app_word(&cursor, word, sizeof(word)) && !app_number(word, &n))
		return 101;
	app_puts("ending\n");
	if (app_streq(how, "exit"))
		solo5_exit(n);
	if (app_streq(how, "abort"))
		solo5_abort();
	return app_streq(how, "return") ? n : 102;
}
