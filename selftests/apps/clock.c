// SPDX-License-Identifier: GPL-2.0
/*
 * clock: read the monotonic clock N times (N from the command line,
 * default 10000) and fail if it ever goes back; report the wall clock and
 * the monotonic clock for the test to compare with the host's.
 */
#include "app.h"

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	solo5_time_t prev, now, wall;
	char word[32];
	int64_t n = 10000, i;

	if (app_word(&cursor, word, sizeof(word)) && !app_number(word, &n))
		return 1;
	prev = solo5_clock_monotonic();
	for (i = 0; i < n; i++) {
		now = solo5_clock_monotonic();
		if (now < prev) {
			app_fail("monotonic clock went back");
			app_kv("prev", prev);
			app_kv("now", now);
			return 1;
		}
		prev = now;
	}
	wall = solo5_clock_wall();
	app_kv("reads", n);
	app_kv("monotonic", prev);
	app_kv("wall", wall);
	return 0;
}
