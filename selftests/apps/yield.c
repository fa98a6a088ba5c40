// SPDX-License-Identifier: GPL-2.0
/*
 * yield: solo5_yield() with a deadline MS milliseconds ahead, then report
 * how long it took and the ready set.
 *   idle MS     no net device needed
 *   net MS      acquire net device "n0" first; print "ready" before waiting
 *               so the test knows when to send a frame
 */
#include "app.h"

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	struct solo5_net_info ni;
	solo5_handle_set_t ready = ~0ULL;
	solo5_handle_t h = 0;
	solo5_time_t start, end;
	char mode[16], word[32];
	int64_t ms;

	if (!app_word(&cursor, mode, sizeof(mode)) ||
	    !app_word(&cursor, word, sizeof(word)) || !app_number(word, &ms))
		return 1;
	if (app_streq(mode, "net")) {
		if (solo5_net_acquire("n0", &h, &ni) != SOLO5_R_OK) {
			app_fail("net_acquire n0");
			return 1;
		}
		app_kv("handle", h);
	}
	app_puts("ready\n");
	start = solo5_clock_monotonic();
	solo5_yield(start + ms * 1000000, &ready);
	end = solo5_clock_monotonic();
	app_kv("elapsed_ns", end - start);
	app_kv("ready_set", ready);
	return 0;
}
