// SPDX-License-Identifier: GPL-2.0
/*
 * clockrun: read the monotonic clock for MS milliseconds (default 500),
 * failing if it ever goes back, then report how the clocks were read
 * (libnabla_clock_vdso() at the start and at the end), the number of
 * reads, the last monotonic and the wall clock. Prints "running" once the
 * loop has started, so that a test can change the clocksource under it.
 */
#include "app.h"
#include "libnabla.h"

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	solo5_time_t start, prev, now;
	int64_t ms = 500, reads = 0;
	int vdso_start;
	char word[32];

	if (app_word(&cursor, word, sizeof(word)) && !app_number(word, &ms))
		return 1;
	vdso_start = libnabla_clock_vdso();
	start = prev = solo5_clock_monotonic();
	app_puts("running\n");
	do {
		now = solo5_clock_monotonic();
		reads++;
		if (now < prev) {
			app_fail("monotonic clock went back");
			app_kv("prev", prev);
			app_kv("now", now);
			return 1;
		}
		prev = now;
	} while (now - start < (solo5_time_t)ms * 1000000);
	app_kv("vdso_start", vdso_start);
	app_kv("vdso_end", libnabla_clock_vdso());
	app_kv("reads", reads);
	app_kv("monotonic", now);
	app_kv("wall", solo5_clock_wall());
	return 0;
}
