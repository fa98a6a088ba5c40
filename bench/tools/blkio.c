// SPDX-License-Identifier: GPL-2.0
/*
 * blkio: the block workload as an ordinary Linux process: apps/blkloop's
 * loop (the same offsets and pattern, common.h) with pread/pwrite on a
 * block device or a file, through the page cache or with O_DIRECT.
 *
 *   blkio [--direct] PATH [COUNT] [PAUSE_MS]
 *
 * Phases, announced on stdout as blkloop announces them: "blkloop: warm"
 * after 16 writes and reads, then PAUSE_MS (default 2000) of polling,
 * COUNT (default 300) 4 KiB writes then COUNT checked reads, "blkloop:
 * done N", then 60 s of polling (the benchmark stops tracing and kills
 * it). The polls are ppoll() with a zero timeout, a system call each, as
 * blkloop's yields with a past deadline are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define BLK	4096

static uint8_t buf[BLK] __attribute__((aligned(4096)));
static uint8_t want[BLK];

static void die(const char *what)
{
	fprintf(stderr, "blkloop: %s failed: %s\n", what, strerror(errno));
	exit(1);
}

static void run(int fd, uint64_t blocks, uint64_t count, uint64_t seed)
{
	uint64_t s = seed, i;
	off_t off;

	for (i = 0; i < count; i++) {
		off = (b_lcg(&s) % blocks) * BLK;
		b_fill(buf, BLK, off ^ seed);
		if (pwrite(fd, buf, BLK, off) != BLK)
			die("pwrite");
	}
	s = seed;
	for (i = 0; i < count; i++) {
		off = (b_lcg(&s) % blocks) * BLK;
		if (pread(fd, buf, BLK, off) != BLK)
			die("pread");
		b_fill(want, BLK, off ^ seed);
		if (!b_equal(buf, want, BLK)) {
			errno = EIO;
			die("read-back check");
		}
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void pause_ms(uint64_t ms)
{
	const struct timespec zero = { 0, 0 };
	uint64_t until = now_ns() + ms * 1000000ULL;

	while (now_ns() < until)
		ppoll(NULL, 0, &zero, NULL);
}

static uint64_t capacity(int fd)
{
	struct stat st;
	uint64_t size;

	if (fstat(fd, &st))
		die("fstat");
	if (!S_ISBLK(st.st_mode))
		return st.st_size;
	if (ioctl(fd, BLKGETSIZE64, &size))
		die("BLKGETSIZE64");
	return size;
}

int main(int argc, char **argv)
{
	uint64_t count = 300, pause = 2000, blocks;
	int flags = O_RDWR | O_CLOEXEC, fd, a = 1;

	if (argc > 1 && !strcmp(argv[1], "--direct")) {
		flags |= O_DIRECT;
		a++;
	}
	if (argc < a + 1 || argc > a + 3 ||
	    (argc > a + 1 && !b_number(argv[a + 1], &count)) ||
	    (argc > a + 2 && !b_number(argv[a + 2], &pause))) {
		fprintf(stderr, "usage: blkio [--direct] PATH [COUNT] [PAUSE_MS]\n");
		return 2;
	}
	fd = open(argv[a], flags);
	if (fd < 0 && errno == EINVAL && (flags & O_DIRECT)) {
		/* tmpfs before 6.6 has no O_DIRECT: nothing to measure. */
		printf("blkloop: skip: %s: O_DIRECT: %s\n", argv[a], strerror(errno));
		return 3;
	}
	if (fd < 0)
		die(argv[a]);
	blocks = capacity(fd) / BLK;
	if (blocks < 16) {
		fprintf(stderr, "blkloop: %s: less than 64 KiB\n", argv[a]);
		return 1;
	}
	/* As blkloop: the measured run has its own seed. */
	run(fd, blocks, 16, 1);
	printf("blkloop: warm\n");
	fflush(stdout);
	pause_ms(pause);
	run(fd, blocks, count, 2);
	printf("blkloop: done %llu\n", (unsigned long long)count);
	fflush(stdout);
	pause_ms(60000);
	return 0;
}
