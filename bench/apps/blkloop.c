// SPDX-License-Identifier: GPL-2.0
/*
 * blkloop: the block workload of the isolation measurement: 4 KiB writes
 * then 4 KiB reads at pseudo-random aligned offsets of block device
 * "storage", each read checked against what was written.
 *
 *   blkloop --block:storage=PATH [--backend=...] -- [COUNT] [PAUSE_MS]
 *
 * Phases, each announced on the console so that a tracer can follow:
 *   "blkloop: warm"  after a warm-up of 16 writes and reads; then it
 *                    polls PAUSE_MS (default 2000) before the measured loop
 *   "blkloop: done N" after COUNT (default 300) writes and COUNT reads;
 *                    then it polls 60 s (the tracer stops and kills it)
 */
#include "bench.h"

#define BLK	4096

static uint8_t buf[BLK] __attribute__((aligned(4096)));
static uint8_t want[BLK];

static void die(const char *what)
{
	app_puts("blkloop: ");
	app_puts(what);
	app_puts(" failed\n");
	solo5_exit(1);
}

static void run(solo5_handle_t h, uint64_t blocks, uint64_t count,
		uint64_t seed)
{
	uint64_t s = seed, i, off;

	for (i = 0; i < count; i++) {
		off = (b_lcg(&s) % blocks) * BLK;
		b_fill(buf, BLK, off ^ seed);
		if (solo5_block_write(h, off, buf, BLK) != SOLO5_R_OK)
			die("block_write");
	}
	s = seed;
	for (i = 0; i < count; i++) {
		off = (b_lcg(&s) % blocks) * BLK;
		if (solo5_block_read(h, off, buf, BLK) != SOLO5_R_OK)
			die("block_read");
		b_fill(want, BLK, off ^ seed);
		/* An offset drawn twice holds the later write: same seed. */
		if (!b_equal(buf, want, BLK))
			die("read-back check");
	}
}

/*
 * Wait by polling (a yield with a deadline in the past does not sleep):
 * the tracer starts during the first pause and stops during the second,
 * and the block workloads are to measure the block path, not the
 * scheduler's sleep and wake-up, which the network workloads measure.
 * Both backends still make their yield call (ioctl or ppoll) each time.
 */
static void pause_ms(uint64_t ms)
{
	solo5_time_t until = solo5_clock_monotonic() + ms * 1000000ULL;
	solo5_handle_set_t ready;

	while (solo5_clock_monotonic() < until)
		solo5_yield(0, &ready);
}

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	uint64_t count = 300, pause = 2000;
	struct solo5_block_info bi;
	solo5_handle_t h;
	char word[32];

	if ((app_word(&cursor, word, sizeof(word)) && !b_number(word, &count)) ||
	    (app_word(&cursor, word, sizeof(word)) && !b_number(word, &pause))) {
		app_puts("usage: blkloop ... -- [COUNT] [PAUSE_MS]\n");
		return 2;
	}
	if (solo5_block_acquire("storage", &h, &bi) != SOLO5_R_OK ||
	    bi.capacity < 16 * BLK) {
		app_puts("blkloop: no block device storage of 64 KiB or more\n");
		return 1;
	}
	/*
	 * The offsets of a run depend only on its seed, and each block holds
	 * a pattern of (offset, seed), so the check holds when an offset
	 * repeats. The measured run has its own seed.
	 */
	run(h, bi.capacity / BLK, 16, 1);
	app_puts("blkloop: warm\n");
	pause_ms(pause);
	run(h, bi.capacity / BLK, count, 2);
	app_puts("blkloop: done ");
	app_put_u64(count);
	app_puts("\n");
	pause_ms(60000);
	return 0;
}
