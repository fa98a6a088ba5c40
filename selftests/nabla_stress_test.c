// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/nabla under load: many open/attach/close cycles leave slab usage
 * flat; threads and a forked child sharing one context keep data and
 * counters consistent; an interface deleted while threads transmit and
 * receive through it.
 */
#include <pthread.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "nabla_test.h"

#define GUEST	"nbg5"
#define PEER	"nbp5"

static const uint8_t peer_mac[6] = { 0x02, 0x55, 0x55, 0x55, 0x55, 0x55 };

static int cycle_block(int file, int sink)
{
	struct nabla_set_console sc = { .fd = sink };
	struct nabla_seal seal = { 0 };
	uint8_t buf[512] = { 1 };
	int fd, err;

	fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = attach_block(fd, file, "disk", NULL);
	if (err >= 0)
		err = block_io(fd, NABLA_BLOCK_WRITE, 0, 0, buf, sizeof(buf));
	if (!err)
		err = nabla_call(fd, NABLA_SET_CONSOLE, &sc);
	if (!err)
		err = nabla_call(fd, NABLA_SEAL, &seal);
	close(fd);
	return err;
}

/*
 * 1000 cycles, or as many as 20 s allow on a slow (debug) kernel; there
 * the kmemleak scan takes its time too. The tests of this fixture get a
 * longer timeout than the default for such kernels.
 */
#define CYCLES		1000
#define CYCLES_NS	20000000000ULL

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* No leak: kmemleak where there is one, else a flat Slab. */
static void check_no_leak(struct __test_metadata *_metadata, long long slab0)
{
	long long slab1;
	int leaks;

	if (have_kmemleak()) {
		leaks = kmemleak_nabla();
		TH_LOG("kmemleak: %d unreferenced objects from nabla", leaks);
		ASSERT_EQ(0, leaks);
		return;
	}
	slab1 = slab_kb();
	TH_LOG("slab %lld -> %lld KiB", slab0, slab1);
	ASSERT_LT(slab1 - slab0, 512);
}

TEST_F_TIMEOUT(stress, block_slab_flat, 120)
{
	long long slab0, avail0, avail1;
	char path[128];
	int i, file, sink, fd;
	uint64_t t0;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	file = tmpfile_create("cycles", 1 << 20, path, sizeof(path));
	ASSERT_LE(0, file);
	sink = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, sink);
	for (i = 0; i < 20; i++)	/* warm the caches up */
		ASSERT_EQ(0, cycle_block(file, sink));
	kmemleak_clear();
	slab0 = slab_kb();
	avail0 = meminfo_kb("MemAvailable");
	t0 = mono_ns();
	for (i = 0; i < CYCLES && mono_ns() - t0 < CYCLES_NS; i++)
		ASSERT_EQ(0, cycle_block(file, sink));
	avail1 = meminfo_kb("MemAvailable");
	TH_LOG("%d cycles in %llu ms, available %lld -> %lld KiB", i,
	       (unsigned long long)(mono_ns() - t0) / 1000000, avail0, avail1);
	ASSERT_LE(50, i);
	/* A leaked context, device or bounce page per cycle would show. */
	if (!have_kmemleak())
		ASSERT_LT(avail0 - avail1, 16 * 1024);
	check_no_leak(_metadata, slab0);
	close(sink);
	close(file);
	unlink(path);
}

TEST_F_TIMEOUT(stress, net_slab_flat, 120)
{
	long long slab0;
	int i, fd;
	uint64_t t0;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	ASSERT_EQ(0, veth_create(GUEST, PEER));
	for (i = 0; i < 20; i++) {
		fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_EQ(0, attach_net(fd, GUEST, "net", NULL));
		close(fd);
	}
	kmemleak_clear();
	slab0 = slab_kb();
	t0 = mono_ns();
	for (i = 0; i < CYCLES && mono_ns() - t0 < CYCLES_NS; i++) {
		fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, attach_net(fd, GUEST, "net", NULL));
		close(fd);
	}
	TH_LOG("%d net cycles in %llu ms", i,
	       (unsigned long long)(mono_ns() - t0) / 1000000);
	ASSERT_LE(50, i);
	check_no_leak(_metadata, slab0);
	veth_destroy(GUEST);
}

/* What each worker did, for the counters; in shared memory for the child. */
struct tally {
	long calls, block_writes, block_reads, net_writes, net_reads, errors;
};

struct worker {
	int fd;
	uint32_t hb, hn;
	int id;
	int iterations;
	uint8_t mac[6];
	struct tally *t;
	int failed;
};

#define REGION		(64 << 10)

static void *work(void *arg)
{
	struct worker *w = arg;
	uint8_t buf[4096], back[4096], frame[1514];
	struct nabla_console_write cw = { .buf = (uintptr_t)"x", .len = 1 };
	uint64_t len;
	int i, err;

	for (i = 0; i < w->iterations; i++) {
		uint64_t off = (uint64_t)w->id * REGION + (i % (REGION / 4096)) * 4096;
		struct nabla_clock c = { 0 };
		struct nabla_yield y = { 0 };
		struct nabla_net_read r = {
			.handle = w->hn, .buf = (uintptr_t)frame, .len = sizeof(frame),
		};
		size_t k;

		for (k = 0; k < sizeof(buf); k++)
			buf[k] = (uint8_t)(w->id * 31 + i + k);
		if (block_io(w->fd, NABLA_BLOCK_WRITE, w->hb, off, buf, sizeof(buf)))
			w->failed = 1;
		if (block_io(w->fd, NABLA_BLOCK_READ, w->hb, off, back, sizeof(back)) ||
		    memcmp(buf, back, sizeof(buf)))
			w->failed = 2;
		w->t->block_writes++;
		w->t->block_reads++;
		if (nabla_call(w->fd, NABLA_CLOCK_MONOTONIC, &c) ||
		    nabla_call(w->fd, NABLA_YIELD, &y) ||
		    nabla_call(w->fd, NABLA_CONSOLE_WRITE, &cw))
			w->failed = 3;
		frame_fill(frame, 60, peer_mac, w->mac, i);
		if (block_io(w->fd, NABLA_BLOCK_READ, 1000, 0, buf, 512) != -EINVAL)
			w->failed = 4;
		w->t->errors++;
		{
			struct nabla_net_write nw = {
				.handle = w->hn, .buf = (uintptr_t)frame, .len = 60,
			};

			if (nabla_call(w->fd, NABLA_NET_WRITE, &nw))
				w->failed = 5;
		}
		w->t->net_writes++;
		err = nabla_call(w->fd, NABLA_NET_READ, &r);
		if (!err)
			w->t->net_reads++;
		else if (err != -EAGAIN)
			w->failed = 6;
		else
			w->t->errors++;
		(void)len;
		w->t->calls += 8;
	}
	return NULL;
}

static void *flood(void *arg)
{
	struct worker *w = arg;
	int pkt = packet_open(PEER), i;
	uint8_t f[200];

	if (pkt < 0)
		return NULL;
	for (i = 0; i < w->iterations; i++) {
		frame_fill(f, sizeof(f), w->mac, peer_mac, i);
		send(pkt, f, sizeof(f), 0);
		if (i % 50 == 0)
			usleep(1000);
	}
	close(pkt);
	return NULL;
}

TEST_F_TIMEOUT(stress, threads_and_child_share_a_context, 120)
{
	enum { THREADS = 4, ITER = 150 };
	struct worker w[THREADS + 2];
	struct tally *t, sum = { 0 };
	struct nabla_attach_net an;
	pthread_t th[THREADS + 1];
	char path[128], dir[256];
	int fd, file, sink, i, status, hb, hn;
	pid_t pid;

	NABLA_OPEN_OR_SKIP(fd);
	ASSERT_EQ(0, veth_create(GUEST, PEER));
	file = tmpfile_create("share", (THREADS + 2) * REGION, path, sizeof(path));
	ASSERT_LE(0, file);
	hb = attach_block(fd, file, "disk", NULL);
	ASSERT_EQ(0, hb);
	hn = attach_net(fd, GUEST, "net", &an);
	ASSERT_EQ(1, hn);
	sink = open("/dev/null", O_WRONLY | O_CLOEXEC);
	{
		struct nabla_set_console sc = { .fd = sink };

		ASSERT_EQ(0, nabla_call(fd, NABLA_SET_CONSOLE, &sc));
	}
	ASSERT_EQ(0, ctx_debugfs_dir(getpid(), dir, sizeof(dir)));

	t = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, t);
	memset(t, 0, 4096);
	for (i = 0; i < THREADS + 2; i++) {
		w[i] = (struct worker){ .fd = fd, .hb = hb, .hn = hn, .id = i,
					.iterations = ITER, .t = &t[i] };
		memcpy(w[i].mac, an.out_mac, 6);
	}
	/* The child works on the same context through the inherited fd. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		work(&w[THREADS]);
		_exit(w[THREADS].failed);
	}
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, work, &w[i]));
	w[THREADS + 1].iterations = 2000;
	ASSERT_EQ(0, pthread_create(&th[THREADS], NULL, flood, &w[THREADS + 1]));
	for (i = 0; i <= THREADS; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, w[i].failed);
	for (i = 0; i < THREADS + 1; i++) {
		sum.calls += t[i].calls;
		sum.block_writes += t[i].block_writes;
		sum.block_reads += t[i].block_reads;
		sum.net_writes += t[i].net_writes;
		sum.net_reads += t[i].net_reads;
		sum.errors += t[i].errors;
	}
	/* The counters add up: 3 set-up calls before the workers. */
	ASSERT_EQ(sum.calls + 3, debugfs_get(dir, "context", "calls"));
	ASSERT_EQ(sum.errors, debugfs_get(dir, "context", "errors"));
	ASSERT_EQ(sum.block_writes, debugfs_get(dir, "block-disk", "writes"));
	ASSERT_EQ(sum.block_reads, debugfs_get(dir, "block-disk", "reads"));
	ASSERT_EQ(sum.net_writes, debugfs_get(dir, "net-net", "tx_frames") +
				  debugfs_get(dir, "net-net", "tx_drops"));
	ASSERT_EQ(sum.net_reads, debugfs_get(dir, "net-net", "rx_frames"));
	ASSERT_GE(NABLA_RX_QUEUE_LEN, debugfs_get(dir, "net-net", "rx_queue_peak"));
	TH_LOG("calls %ld, frames read %ld, rx drops %lld", sum.calls,
	       sum.net_reads, debugfs_get(dir, "net-net", "rx_drops"));

	/* Each region holds its worker's last write. */
	for (i = 0; i < THREADS + 1; i++) {
		uint8_t back[4096];
		int last = ITER - 1;
		uint64_t off = (uint64_t)i * REGION + (last % (REGION / 4096)) * 4096;
		size_t k;

		ASSERT_EQ((ssize_t)sizeof(back), pread(file, back, sizeof(back), off));
		for (k = 0; k < sizeof(back); k++)
			ASSERT_EQ((uint8_t)(i * 31 + last + k), back[k]);
	}
	close(fd);
	close(file);
	close(sink);
	unlink(path);
	veth_destroy(GUEST);
}

struct tx {
	int fd;
	uint32_t h;
	volatile int stop;
	long enodev, ok;
	int bad;
};

static void *tx_loop(void *arg)
{
	struct tx *x = arg;
	uint8_t f[1514], g[1514];

	frame_fill(f, sizeof(f), peer_mac, peer_mac, 0);
	while (!x->stop) {
		struct nabla_net_write w = { .handle = x->h, .buf = (uintptr_t)f, .len = sizeof(f) };
		struct nabla_net_read r = { .handle = x->h, .buf = (uintptr_t)g, .len = sizeof(g) };
		struct nabla_yield y = { 0 };
		int err = nabla_call(x->fd, NABLA_NET_WRITE, &w);

		if (err == -ENODEV)
			x->enodev++;
		else if (err)
			x->bad = err;
		else
			x->ok++;
		err = nabla_call(x->fd, NABLA_NET_READ, &r);
		if (err && err != -EAGAIN && err != -ENODEV)
			x->bad = err;
		nabla_call(x->fd, NABLA_YIELD, &y);
	}
	return NULL;
}

TEST_F_TIMEOUT(stress, link_deleted_under_traffic, 120)
{
	struct tx x[3];
	pthread_t th[3], fl;
	struct worker w = { .iterations = 100000 };
	int fd, i, round;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	for (round = 0; round < 5; round++) {
		fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, veth_create(GUEST, PEER));
		ASSERT_EQ(0, attach_net(fd, GUEST, "net", NULL));
		for (i = 0; i < 3; i++) {
			x[i] = (struct tx){ .fd = fd, .h = 0 };
			ASSERT_EQ(0, pthread_create(&th[i], NULL, tx_loop, &x[i]));
		}
		w.iterations = 300;
		ASSERT_EQ(0, pthread_create(&fl, NULL, flood, &w));
		usleep(100000 + round * 50000);
		veth_destroy(GUEST);
		usleep(100000);
		for (i = 0; i < 3; i++) {
			x[i].stop = 1;
			pthread_join(th[i], NULL);
			ASSERT_EQ(0, x[i].bad);
			ASSERT_LT(0, x[i].enodev);
		}
		pthread_join(fl, NULL);
		close(fd);
	}
}

TEST_HARNESS_MAIN
