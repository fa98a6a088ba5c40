// SPDX-License-Identifier: GPL-2.0
/*
 * The KCOV-to-AFL bridge.
 *
 * The kernel's KCOV records, per task, the address of every basic block
 * that instrumented code runs: here only nabla.ko's, the one object the
 * debug kernel instruments (KCOV_INSTRUMENT := y in kmod/Kbuild,
 * KCOV_INSTRUMENT_ALL off). Each thread of a program enables its own
 * KCOV buffer; around each operation the buffer is reset and then folded
 * into AFL's shared bitmap as edges (consecutive blocks, hashed as AFL's
 * own instrumentation does), starting from the operation's number so
 * that the same path under another operation counts apart.
 *
 * The buffers are set up once, in the fork server, and each program's
 * threads enable them (a KCOV buffer belongs to one task at a time and is
 * released when that task exits). Every address seen is also set in the
 * PC map, a file shared by all programs, for the line coverage report
 * (fuzz/cover.py): bit N stands for the module's text base + N.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kcov.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include "fuzz.h"

/* KCOV slots: the program's two threads and a forked child. */
#define NCOVER		3
/* Addresses per operation (a 300-frame injection records about 40000). */
#define COVER_WORDS	(1 << 17)
/* The module's text the PC map covers. */
#define PCMAP_SPAN	(4UL << 20)

static unsigned long *area[NCOVER];
static int kcov[NCOVER] = { -1, -1, -1 };
static uint8_t *afl_map;
static size_t afl_size;
static uint8_t *pcmap;
static uint64_t text_base;
/* Edges in AFL's map (KCOV sees about a thousand blocks of the module). */
#define AFL_MAP		(1 << 16)
static uint8_t local_map[AFL_MAP];

/* nabla.ko's text base, from /proc/modules ("nabla SIZE N - Live 0xADDR"). */
static uint64_t module_base(void)
{
	unsigned long long addr = 0;
	char line[256];
	FILE *f = fopen("/proc/modules", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "nabla ", 6) &&
		    sscanf(line, "%*s %*s %*s %*s %*s %llx", &addr) == 1)
			break;
	fclose(f);
	return addr;
}

static int kcov_open(int i)
{
	kcov[i] = open("/sys/kernel/debug/kcov", O_RDWR | O_CLOEXEC);
	if (kcov[i] < 0)
		return -errno;
	if (ioctl(kcov[i], KCOV_INIT_TRACE, COVER_WORDS))
		return -errno;
	area[i] = mmap(NULL, COVER_WORDS * sizeof(unsigned long),
		       PROT_READ | PROT_WRITE, MAP_SHARED, kcov[i], 0);
	if (area[i] == MAP_FAILED) {
		area[i] = NULL;
		return -errno;
	}
	return 0;
}

/* AFL's bitmap (its SysV shared memory) when run by afl-fuzz, else our own. */
static void afl_attach(void)
{
	const char *id = getenv("__AFL_SHM_ID");
	struct shmid_ds ds;
	void *m;

	afl_map = local_map;
	afl_size = sizeof(local_map);
	if (!id)
		return;
	m = shmat(atoi(id), NULL, 0);
	if (m == (void *)-1 || shmctl(atoi(id), IPC_STAT, &ds)) {
		fprintf(stderr, "nabla-fuzz: AFL's map (shm %s): %s\n", id, strerror(errno));
		exit(1);
	}
	afl_map = m;
	/* afl-fuzz maps more than it reads: it reads what the hello said. */
	afl_size = ds.shm_segsz < AFL_MAP ? ds.shm_segsz : AFL_MAP;
}

/* The coverage map's size, for afl-fuzz. */
unsigned int cover_map_size(void)
{
	return afl_size;
}

/*
 * Returns 0 with coverage, or -errno without (a kernel without KCOV: the
 * programs run all the same, unguided).
 */
int cover_setup(void)
{
	int i, err = 0;

	afl_attach();
	text_base = module_base();
	for (i = 0; i < NCOVER && !err; i++)
		err = kcov_open(i);
	if (err)
		for (i = 0; i < NCOVER; i++)
			area[i] = NULL;
	return err;
}

void cover_pcmap_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0 || ftruncate(fd, PCMAP_SPAN / 8)) {
		fprintf(stderr, "nabla-fuzz: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	pcmap = mmap(NULL, PCMAP_SPAN / 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (pcmap == MAP_FAILED) {
		fprintf(stderr, "nabla-fuzz: mmap %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* On the calling thread, for the life of its task. */
void cover_thread_start(int slot)
{
	if (area[slot] && ioctl(kcov[slot], KCOV_ENABLE, KCOV_TRACE_PC))
		area[slot] = NULL;
}

void cover_op_begin(int slot)
{
	if (area[slot])
		__atomic_store_n(&area[slot][0], 0, __ATOMIC_RELAXED);
}

static inline uint32_t hash_pc(uint64_t pc)
{
	pc ^= pc >> 33;
	pc *= 0xff51afd7ed558ccdULL;
	pc ^= pc >> 33;
	return (uint32_t)pc;
}

/* Folds the operation's coverage; returns how many blocks it ran. */
unsigned long cover_op_end(int slot, unsigned int opno)
{
	unsigned long n, i;
	uint32_t prev, cur;
	uint64_t pc, off;

	if (!area[slot])
		return 0;
	n = __atomic_load_n(&area[slot][0], __ATOMIC_RELAXED);
	if (n > COVER_WORDS - 1)
		n = COVER_WORDS - 1;
	prev = hash_pc(opno) % afl_size;
	for (i = 1; i <= n; i++) {
		pc = area[slot][i];
		cur = hash_pc(pc) % afl_size;
		afl_map[(cur ^ prev) % afl_size]++;
		prev = cur >> 1;
		off = pc - text_base;
		if (pcmap && off < PCMAP_SPAN)
			__atomic_fetch_or(&pcmap[off / 8], 1 << (off % 8), __ATOMIC_RELAXED);
	}
	return n;
}
