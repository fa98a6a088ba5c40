// SPDX-License-Identifier: GPL-2.0
/*
 * odirect: the block rows of bench/apps/speed.c with pread64/pwrite64 on
 * a file opened O_DIRECT, the system calls libnabla's syscall backend
 * would make if it could open its block files with O_DIRECT (it has no
 * such option yet). A reference for the device backend at equal
 * durability: a completed write has reached the device (no page cache).
 * Unconfined (no seccomp filter), which favours it slightly.
 *
 *   odirect PATH [N]
 *
 * Prints "bench ROW n=N median=NS min=NS max=NS" lines like speed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/fs.h>

#define BIG 65536

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *row, uint64_t *s, size_t n)
{
	qsort(s, n, sizeof(*s), cmp);
	printf("bench %s n=%zu median=%llu min=%llu max=%llu\n", row, n,
	       (unsigned long long)s[n / 2], (unsigned long long)s[0],
	       (unsigned long long)s[n - 1]);
}

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 300, i, seq_n;
	uint64_t *s, seed = 42, off, t0, capacity, region;
	struct stat st;
	void *buf;
	ssize_t r;
	int fd;

	if (argc < 2 || n < 1 || n > 100000) {
		fprintf(stderr, "usage: odirect PATH [N]\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[1]);
		return 1;
	}
	capacity = st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &capacity)) {
		perror("BLKGETSIZE64");
		return 1;
	}
	if (capacity < 8 * 1048576) {
		fprintf(stderr, "odirect: %s is smaller than 8 MiB\n", argv[1]);
		return 1;
	}
	region = capacity - capacity % BIG;
	seq_n = n < 100 ? n : 100;
	s = calloc(n, sizeof(*s));
	if (!s || posix_memalign(&buf, 4096, BIG)) {
		fprintf(stderr, "odirect: out of memory\n");
		return 1;
	}
	memset(buf, 0x5a, BIG);
	for (i = 0; i < n; i++) {
		off = (lcg(&seed) % (capacity / 4096)) * 4096;
		t0 = now();
		r = pwrite(fd, buf, 4096, off);
		s[i] = now() - t0;
		if (r != 4096) {
			perror("pwrite");
			return 1;
		}
	}
	report("blk-4k-randwrite", s, n);
	for (i = 0; i < n; i++) {
		off = (lcg(&seed) % (capacity / 4096)) * 4096;
		t0 = now();
		r = pread(fd, buf, 4096, off);
		s[i] = now() - t0;
		if (r != 4096) {
			perror("pread");
			return 1;
		}
	}
	report("blk-4k-randread", s, n);
	for (i = 0; i < seq_n; i++) {
		t0 = now();
		r = pwrite(fd, buf, BIG, (i * BIG) % region);
		s[i] = now() - t0;
		if (r != BIG) {
			perror("pwrite 64k");
			return 1;
		}
	}
	report("blk-64k-seqwrite", s, seq_n);
	for (i = 0; i < seq_n; i++) {
		t0 = now();
		r = pread(fd, buf, BIG, (i * BIG) % region);
		s[i] = now() - t0;
		if (r != BIG) {
			perror("pread 64k");
			return 1;
		}
	}
	report("blk-64k-seqread", s, seq_n);
	printf("speed: end\n");
	return 0;
}
