// SPDX-License-Identifier: GPL-2.0
/*
 * block: exercise block device "b0".
 *   rw SEED [LIMIT [SKEW]]
 *               write a pattern (from SEED) over the device (or its first
 *               LIMIT bytes) in pieces of 1, 2, 3... blocks and now and then
 *               3 MiB (crossing the 1 MiB transfer limit), read it back in
 *               other pieces and compare; the test then checks the file
 *               from the host. The buffers start SKEW bytes (0-4095) after
 *               a page boundary.
 *   bad         misaligned, empty and out-of-range I/O must be EINVAL
 *   write       one block write and read; prints both results
 */
#include "app.h"

#define BUF_SIZE	(3 << 20)

static uint8_t buf_mem[BUF_SIZE + 4096] __attribute__((aligned(4096)));
static uint8_t check_mem[BUF_SIZE + 4096] __attribute__((aligned(4096)));
static uint8_t *buf = buf_mem, *check = check_mem;

/* The same function is in libnabla_api_test.c. */
static uint8_t pattern(uint64_t offset, uint64_t seed)
{
	uint64_t x = (offset + 1) * 0x9e3779b97f4a7c15ULL ^ seed;

	return x >> 56;
}

static void fill(uint8_t *p, uint64_t offset, size_t len, uint64_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(offset + i, seed);
}

static size_t piece_size(unsigned int n, const struct solo5_block_info *bi,
			 uint64_t left)
{
	uint64_t size = n * bi->block_size;

	if (n % 7 == 6 || size > BUF_SIZE)
		size = BUF_SIZE;
	return size < left ? size : left;
}

static int rw(solo5_handle_t h, const struct solo5_block_info *bi,
	      uint64_t seed, uint64_t end)
{
	uint64_t off;
	unsigned int n;
	size_t size, i;

	for (off = 0, n = 1; off < end; off += size, n++) {
		size = piece_size(n, bi, end - off);
		fill(buf, off, size, seed);
		if (solo5_block_write(h, off, buf, size) != SOLO5_R_OK) {
			app_fail("block_write");
			app_kv("offset", off);
			return 1;
		}
	}
	for (off = 0, n = 1; off < end; off += size, n++) {
		size = piece_size(n + 3, bi, end - off);
		if (solo5_block_read(h, off, check, size) != SOLO5_R_OK) {
			app_fail("block_read");
			app_kv("offset", off);
			return 1;
		}
		fill(buf, off, size, seed);
		for (i = 0; i < size; i++) {
			if (buf[i] != check[i]) {
				app_fail("read back differs");
				app_kv("offset", off + i);
				return 1;
			}
		}
	}
	app_puts("rw=ok\n");
	return 0;
}

struct bad_io {
	const char *what;
	uint64_t offset;
	uint64_t size;
};

static int bad(solo5_handle_t h, const struct solo5_block_info *bi)
{
	const uint64_t bs = bi->block_size, cap = bi->capacity;
	const struct bad_io cases[] = {
		{ "offset not aligned", 1, bs },
		{ "size not aligned", 0, bs + 1 },
		{ "size smaller than a block", 0, bs - 1 },
		{ "size zero", 0, 0 },
		{ "offset at capacity", cap, bs },
		{ "end beyond capacity", cap - bs, 2 * bs },
		{ "offset far beyond", cap + (1ULL << 40), bs },
		{ "offset wraps", -bs, 2 * bs },
	};
	/* With sectors larger than 512: 512-byte alignment is not enough. */
	const struct bad_io cases_large[] = {
		{ "offset aligned to 512 only", 512, bs },
		{ "size aligned to 512 only", 0, bs + 512 },
	};
	unsigned int i, n = sizeof(cases) / sizeof(cases[0]);
	int failed = 0;

	for (i = 0; i < n + (bs > 512 ? 2 : 0); i++) {
		const struct bad_io *c = i < n ? &cases[i] : &cases_large[i - n];
		solo5_result_t rr, wr;

		rr = solo5_block_read(h, c->offset, buf, c->size);
		wr = solo5_block_write(h, c->offset, buf, c->size);
		if (rr != SOLO5_R_EINVAL || wr != SOLO5_R_EINVAL) {
			app_fail(c->what);
			app_kv("read_result", rr);
			app_kv("write_result", wr);
			failed = 1;
		}
	}
	/* An unknown handle is EINVAL too. */
	if (solo5_block_read(63, 0, buf, bs) != SOLO5_R_EINVAL ||
	    solo5_block_read(~0ULL, 0, buf, bs) != SOLO5_R_EINVAL) {
		app_fail("bad handle accepted");
		failed = 1;
	}
	/* And the good neighbours of the bad cases work. */
	if (solo5_block_read(h, cap - bs, buf, bs) != SOLO5_R_OK ||
	    solo5_block_write(h, cap - bs, buf, bs) != SOLO5_R_OK) {
		app_fail("last block refused");
		failed = 1;
	}
	if (!failed)
		app_puts("bad=ok\n");
	return failed;
}

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	struct solo5_block_info bi;
	solo5_handle_t h;
	char mode[16], word[32];
	int64_t seed = 0, limit = 0, skew = 0;

	if (!app_word(&cursor, mode, sizeof(mode)))
		return 1;
	if (app_word(&cursor, word, sizeof(word)) && !app_number(word, &seed))
		return 1;
	if (app_word(&cursor, word, sizeof(word)) && !app_number(word, &limit))
		return 1;
	if (app_word(&cursor, word, sizeof(word))) {
		if (!app_number(word, &skew) || skew < 0 || skew >= 4096)
			return 1;
		buf = buf_mem + skew;
		check = check_mem + skew;
	}
	if (solo5_block_acquire("b0", &h, &bi) != SOLO5_R_OK) {
		app_fail("block_acquire b0");
		return 1;
	}
	app_kv("capacity", bi.capacity);
	app_kv("block_size", bi.block_size);
	if (app_streq(mode, "rw")) {
		uint64_t end = bi.capacity;

		if (limit > 0 && (uint64_t)limit < end)
			end = limit - limit % bi.block_size;
		return rw(h, &bi, seed, end);
	}
	if (app_streq(mode, "bad"))
		return bad(h, &bi);
	if (app_streq(mode, "write")) {
		app_kv("write_result",
		       solo5_block_write(h, 0, buf, bi.block_size));
		app_kv("read_result", solo5_block_read(h, 0, buf, bi.block_size));
		return 0;
	}
	app_fail("unknown mode");
	return 1;
}
