// SPDX-License-Identifier: GPL-2.0
/*
 * time: the clocks and solo5_yield() as Solo5's test_time checks them:
 * monotonic time passes; a deadline in the past returns; N sleeps of one
 * second each last at least the second, and at most SLACK_MS more; wall
 * time is 2017 or later. "N SLACK_MS" on the command line (default 5 100).
 * Prints each sleep's length (slept=NS).
 *
 * Solo5's test fails on any sleep beyond the slack. Here a minority of
 * them may be (but none by more than a second): a test host under TCG on
 * a shared machine loses its CPU now and then for longer than the slack,
 * which no tender can help; a late deadline would make most of them late.
 */
#include "app.h"

#define NSEC_PER_SEC	1000000000ULL

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	int64_t n = 5, slack_ms = 100;
	solo5_time_t ta, tb, worst = 0;
	char word[32];
	bool failed = false;
	int i, late = 0;

	if (app_word(&cursor, word, sizeof(word)) && !app_number(word, &n))
		return 100;
	if (app_word(&cursor, word, sizeof(word)) && !app_number(word, &slack_ms))
		return 100;
	ta = solo5_clock_monotonic();
	for (i = 0; i < 1000 && (tb = solo5_clock_monotonic()) == ta; i++)
		;
	if (tb <= ta) {
		app_fail("time is not passing");
		return SOLO5_EXIT_FAILURE;
	}
	ta = solo5_clock_monotonic();
	solo5_yield(ta - 1, NULL);
	solo5_yield(0, NULL);
	app_kv("past_deadline_ns", solo5_clock_monotonic() - ta);
	for (i = 0; i < n; i++) {
		ta = solo5_clock_monotonic();
		solo5_yield(ta + NSEC_PER_SEC, NULL);
		tb = solo5_clock_monotonic();
		app_kv("slept", tb - ta);
		if (tb - ta < NSEC_PER_SEC) {
			app_fail("slept too little");
			failed = true;
		} else if (tb - ta > 2 * NSEC_PER_SEC) {
			app_fail("slept more than a second too long");
			failed = true;
		} else if (tb - ta > NSEC_PER_SEC + slack_ms * 1000000ULL) {
			late++;
		}
		if (tb - ta > worst)
			worst = tb - ta;
	}
	app_kv("worst_overshoot_ns", worst > NSEC_PER_SEC ? worst - NSEC_PER_SEC : 0);
	app_kv("late", late);
	if (2 * late >= n) {
		app_fail("slept too much (most sleeps beyond the slack)");
		failed = true;
	}
	if (solo5_clock_wall() < 1483228800ULL * NSEC_PER_SEC) {
		app_fail("wall time before 2017");
		failed = true;
	}
	if (failed)
		return SOLO5_EXIT_FAILURE;
	app_puts("SUCCESS\n");
	return SOLO5_EXIT_SUCCESS;
}
