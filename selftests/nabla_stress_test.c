// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/nabla under load: many open/attach/close cycles leave slab usage
 * flat; threads and a forked child sharing one context keep data and
 * counters consistent; an interface deleted while threads transmit and
 * receive through it; all of it at once, with the interface deleted and
 * recreated over and over. On a kernel with kmemleak (the debug kernel)
 * leaks are looked for once, by the last test, for all of them.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>

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
 * 1000 cycles, or as many as 20 s allow on a slow kernel (10 s on the
 * debug kernel, whose time goes to the tests that follow). The tests of
 * this fixture get a longer timeout than the default for such kernels.
 */
#define CYCLES		1000

static uint64_t cycles_ns(void)
{
	return (have_kmemleak() ? 10 : 20) * 1000000000ULL;
}

/*
 * The fewest cycles that tell: kmemleak finds a single leaked object; a
 * flat Slab needs many cycles for a small leak to show.
 */
static int cycles_min(void)
{
	return have_kmemleak() ? 10 : 50;
}

/* A flag other threads (or processes, in shared memory) poll to end. */
static bool stopped(const int *flag)
{
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

static void stop(int *flag)
{
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
}

FIXTURE(stress) {
	int unused;
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/*
 * No leak: a flat Slab; with kmemleak (whose KASAN quarantine keeps freed
 * objects in Slab) the last test scans once for all. Much is freed after
 * an RCU grace period or from a kernel thread (files, exited tasks; on
 * PREEMPT_RT more of it): right after the cycles Slab may still count it
 * (724 KiB once on 6.1-rt, then -76 to +288 KiB in four runs of one boot).
 * A leak stays; that goes: Slab above the bound is read again for 3 s.
 */
static void check_no_leak(struct __test_metadata *_metadata, long long slab0)
{
	long long slab1;
	int i;

	if (have_kmemleak())
		return;
	for (i = 0; (slab1 = slab_kb()) - slab0 >= 512 && i < 30; i++)
		usleep(100000);
	TH_LOG("slab %lld -> %lld KiB (read %d times)", slab0, slab1, i + 1);
	ASSERT_LT(slab1 - slab0, 512);
}

TEST_F_TIMEOUT(stress, block_slab_flat, 120)
{
	long long slab0, avail0, avail1;
	char path[128];
	int i, file, sink, fd;
	uint64_t t0, budget = cycles_ns();

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
	for (i = 0; i < CYCLES && mono_ns() - t0 < budget; i++)
		ASSERT_EQ(0, cycle_block(file, sink));
	avail1 = meminfo_kb("MemAvailable");
	TH_LOG("%d cycles in %llu ms, available %lld -> %lld KiB", i,
	       (unsigned long long)(mono_ns() - t0) / 1000000, avail0, avail1);
	ASSERT_LE(cycles_min(), i);
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
	uint64_t t0, budget = cycles_ns();

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	ASSERT_EQ(0, veth_create(GUEST, PEER));
	for (i = 0; i < 20; i++) {
		fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_EQ(0, attach_net(fd, GUEST, "net", NULL));
		close(fd);
	}
	slab0 = slab_kb();
	t0 = mono_ns();
	for (i = 0; i < CYCLES && mono_ns() - t0 < budget; i++) {
		fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, attach_net(fd, GUEST, "net", NULL));
		close(fd);
	}
	TH_LOG("%d net cycles in %llu ms", i,
	       (unsigned long long)(mono_ns() - t0) / 1000000);
	ASSERT_LE(cycles_min(), i);
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
	enum { THREADS = 4 };
	/* Fewer on the debug kernel: everything_at_once does more of it. */
	const int iter = have_kmemleak() ? 60 : 150;
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
					.iterations = iter, .t = &t[i] };
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
	/* A write counts its frame, sent or dropped, before it returns. */
	ASSERT_EQ(sum.net_writes, debugfs_get(dir, "net-net", "tx_frames") +
				  debugfs_get(dir, "net-net", "tx_drops"));
	ASSERT_EQ(sum.net_reads, debugfs_get(dir, "net-net", "rx_frames"));
	ASSERT_GE(NABLA_RX_QUEUE_LEN, debugfs_get(dir, "net-net", "rx_queue_peak"));
	TH_LOG("calls %ld, frames read %ld, rx drops %lld", sum.calls,
	       sum.net_reads, debugfs_get(dir, "net-net", "rx_drops"));

	/* Each region holds its worker's last write. */
	for (i = 0; i < THREADS + 1; i++) {
		uint8_t back[4096];
		int last = iter - 1;
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
	int stop;			/* read and set with stopped(), stop() */
	long enodev, ok;
	int bad;
};

static void *tx_loop(void *arg)
{
	struct tx *x = arg;
	uint8_t f[1514], g[1514];

	frame_fill(f, sizeof(f), peer_mac, peer_mac, 0);
	while (!stopped(&x->stop)) {
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
	/* Fewer on the debug kernel: everything_at_once deletes links too. */
	int fd, i, round, rounds = have_kmemleak() ? 2 : 5;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	for (round = 0; round < rounds; round++) {
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
			stop(&x[i].stop);
			pthread_join(th[i], NULL);
			ASSERT_EQ(0, x[i].bad);
			ASSERT_LT(0, x[i].enodev);
		}
		pthread_join(fl, NULL);
		close(fd);
	}
}

/*
 * Everything at once, for a time budget rather than a count (the debug
 * kernel under TCG is many times slower than the others): threads of this
 * process and a forked child hammer one context with every hypercall; a
 * second process floods the attached interface from its veth peer; a third
 * deletes and recreates the interface, which the module must let go on
 * NETDEV_UNREGISTER (the handle then fails with -ENODEV, for good) while
 * this process attaches each new incarnation under a new name; another
 * thread opens, attaches, uses and closes contexts in a loop. Only
 * documented errors may occur, and the counters of debugfs must add up to
 * what the workers saw.
 */
#define MIX_GUEST	"nbg6"
#define MIX_PEER	"nbp6"
#define CYC_GUEST	"nbg8"
#define CYC_PEER	"nbp8"
#define MIX_WORKERS	5	/* the last one is the forked child */
#define MIX_HANDLES	NABLA_MAX_DEVICES
/* Incarnations of the interface: one handle each, within the 63. */
#define MIX_MAX_CHURN	48

/* The test's length: NABLA_STRESS_SECONDS, or by the kernel's speed. */
static uint64_t mix_budget_ns(void)
{
	const char *env = getenv("NABLA_STRESS_SECONDS");

	if (env && atoi(env) > 0)
		return atoi(env) * 1000000000ULL;
	/* kmemleak: the debug kernel, several times slower than the others. */
	return (have_kmemleak() ? 30 : 10) * 1000000000ULL;
}

/* What one worker did, per handle where the module counts per handle. */
struct mix_tally {
	long calls, errors;
	long block_writes, block_reads;
	long net_writes[MIX_HANDLES];	/* accepted */
	long net_reads[MIX_HANDLES];	/* frames read */
	long net_errors[MIX_HANDLES];	/* failed, -EAGAIN aside */
	long enodev;			/* net writes to a deleted interface */
	char failed[160];		/* the first unexpected result */
};

/* Shared with the child and the helper processes (MAP_SHARED). */
struct mix {
	int stop;			/* read and set with stopped(), stop() */
	int net_handle;			/* the newest attached incarnation */
	int churns;			/* deletions of the interface */
	long flooded;			/* frames sent by the flooder */
	struct mix_tally t[MIX_WORKERS];
};

struct mix_worker {
	struct mix *m;
	int fd, id;
	uint32_t hb;
};

#define MIX_REGION	(64 << 10)

static void mix_fail(struct mix_tally *t, const char *what, int err)
{
	if (!t->failed[0])
		snprintf(t->failed, sizeof(t->failed), "%s: %s", what,
			 err ? strerror(-err) : "succeeded on a dead handle");
}

/* One call counted as the module counts it; its result. */
static int mix_call(struct mix_tally *t, int fd, unsigned long cmd, void *arg)
{
	int err = nabla_call(fd, cmd, arg);

	t->calls++;
	if (err)
		t->errors++;
	return err;
}

static void *mix_work(void *arg)
{
	struct mix_worker *w = arg;
	struct mix_tally *t = &w->m->t[w->id];
	struct nabla_console_write cw = { .buf = (uintptr_t)"mix\n", .len = 4 };
	uint8_t buf[4096], back[4096], frame[1514];
	bool dead[MIX_HANDLES] = { false };
	uint32_t i;
	int err, k;

	for (i = 0; !stopped(&w->m->stop); i++) {
		uint64_t off = (uint64_t)w->id * MIX_REGION + (i % (MIX_REGION / 4096)) * 4096;
		uint32_t h = __atomic_load_n(&w->m->net_handle, __ATOMIC_ACQUIRE);
		struct nabla_block_io io = { .handle = w->hb, .offset = off,
					     .buf = (uintptr_t)buf, .len = sizeof(buf) };
		struct nabla_block_io bad = { .handle = 1000, .buf = (uintptr_t)buf,
					      .len = 512 };
		struct nabla_block_info bi = { .handle = w->hb };
		struct nabla_clock c = { 0 };
		struct nabla_yield y = { 0 };
		struct nabla_net_info ni = { .handle = h };
		struct nabla_net_write nw = { .handle = h, .buf = (uintptr_t)frame,
					      .len = 60 };
		size_t b;

		for (b = 0; b < sizeof(buf); b++)
			buf[b] = (uint8_t)(w->id * 31 + i + b);
		err = mix_call(t, w->fd, NABLA_BLOCK_WRITE, &io);
		if (err)
			mix_fail(t, "block write", err);
		t->block_writes++;
		io.buf = (uintptr_t)back;
		err = mix_call(t, w->fd, NABLA_BLOCK_READ, &io);
		if (err || memcmp(buf, back, sizeof(buf)))
			mix_fail(t, "block read back", err ? err : -EIO);
		t->block_reads++;
		if (mix_call(t, w->fd, NABLA_BLOCK_INFO, &bi))
			mix_fail(t, "block info", -EIO);
		if (mix_call(t, w->fd, NABLA_BLOCK_READ, &bad) != -EINVAL)
			mix_fail(t, "block read on no handle", -EIO);
		if (mix_call(t, w->fd, NABLA_CLOCK_MONOTONIC, &c) ||
		    mix_call(t, w->fd, NABLA_CLOCK_WALL, &c))
			mix_fail(t, "clock", -EIO);
		if (mix_call(t, w->fd, NABLA_CONSOLE_WRITE, &cw))
			mix_fail(t, "console write", -EIO);
		/* Mostly a poll; now and then a short sleep a frame may end. */
		if (i % 8 == 7)
			y.deadline_ns = mono_ns() + 1000000;
		if (mix_call(t, w->fd, NABLA_YIELD, &y))
			mix_fail(t, "yield", -EIO);
		/* Only net handles are ever ready; handle 0 is the disk. */
		if (y.out_ready_set & 1)
			mix_fail(t, "yield: the block handle ready", -EIO);

		/* Net: after -ENODEV once, a handle never works again. */
		err = mix_call(t, w->fd, NABLA_NET_INFO, &ni);
		if (err && err != -ENODEV)
			mix_fail(t, "net info", err);
		frame_fill(frame, 60, peer_mac, ni.out_mac, i);
		err = mix_call(t, w->fd, NABLA_NET_WRITE, &nw);
		if (!err)
			t->net_writes[h]++;
		else
			t->net_errors[h]++;
		t->enodev += err == -ENODEV;
		if (err && err != -ENODEV)
			mix_fail(t, "net write", err);
		if (!err && dead[h])
			mix_fail(t, "net write", 0);
		dead[h] |= err == -ENODEV;
		for (k = 0; k < 4; k++) {
			struct nabla_net_read r = { .handle = h, .buf = (uintptr_t)frame,
						    .len = sizeof(frame) };

			err = mix_call(t, w->fd, NABLA_NET_READ, &r);
			if (err == -EAGAIN)
				break;
			if (!err) {
				t->net_reads[h]++;
				if (dead[h])
					mix_fail(t, "net read", 0);
				continue;
			}
			t->net_errors[h]++;
			if (err != -ENODEV)
				mix_fail(t, "net read", err);
			dead[h] = true;
			break;
		}
	}
	return NULL;
}

/* The flooder: frames from the peer as fast as allowed, across incarnations. */
static void mix_flood(struct mix *m)
{
	uint8_t f[200];
	int pkt = -1;
	uint32_t i;

	for (i = 0; !stopped(&m->stop); i++) {
		if (pkt < 0) {
			pkt = packet_open(MIX_PEER);
			if (pkt < 0) {
				usleep(5000);
				continue;
			}
		}
		frame_fill(f, sizeof(f), peer_mac, peer_mac, i);
		if (send(pkt, f, sizeof(f), 0) < 0) {
			/* The peer went away with its pair: wait for the next one. */
			close(pkt);
			pkt = -1;
			continue;
		}
		m->flooded++;
		if (i % 64 == 0)
			usleep(1000);
	}
	if (pkt >= 0)
		close(pkt);
}

/* The churner: delete the interface, recreate it, a random while apart. */
static void mix_churn(struct mix *m, uint64_t budget_ns)
{
	/* About 40 incarnations in the budget, unless the kernel is slower. */
	unsigned int period_us = budget_ns / 1000 / 60;

	srand(getpid());
	while (!stopped(&m->stop) && m->churns < MIX_MAX_CHURN) {
		usleep(period_us / 2 + rand() % period_us);
		if (stopped(&m->stop))
			break;
		veth_destroy(MIX_GUEST);
		__atomic_add_fetch(&m->churns, 1, __ATOMIC_RELEASE);
		usleep(rand() % (period_us / 4));
		if (veth_create(MIX_GUEST, MIX_PEER))
			break;
	}
}

/* The cycler: contexts opened, attached, used, sealed, closed. */
struct mix_cycler {
	struct mix *m;
	int file, sink;
	long cycles;
	char failed[160];
};

static void *mix_cycle(void *arg)
{
	struct mix_cycler *c = arg;
	struct nabla_set_console sc = { .fd = c->sink };
	struct nabla_seal seal = { 0 };
	uint8_t buf[512] = { 1 }, f[60];
	int fd, err;

	while (!stopped(&c->m->stop)) {
		struct nabla_net_write nw = { .handle = 1, .buf = (uintptr_t)f, .len = 60 };

		fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			snprintf(c->failed, sizeof(c->failed), "open: %s", strerror(errno));
			break;
		}
		frame_fill(f, sizeof(f), peer_mac, peer_mac, c->cycles);
		err = attach_block(fd, c->file, "disk", NULL);
		if (!err) {
			err = attach_net(fd, CYC_GUEST, "net", NULL);
			err = err == 1 ? 0 : err < 0 ? err : -EIO;
		}
		if (!err)
			err = block_io(fd, NABLA_BLOCK_WRITE, 0, 0, buf, sizeof(buf));
		if (!err)
			err = nabla_call(fd, NABLA_NET_WRITE, &nw);
		if (!err)
			err = nabla_call(fd, NABLA_SET_CONSOLE, &sc);
		if (!err)
			err = nabla_call(fd, NABLA_SEAL, &seal);
		close(fd);
		if (err) {
			snprintf(c->failed, sizeof(c->failed), "cycle %ld: %s", c->cycles,
				 strerror(-err));
			break;
		}
		c->cycles++;
	}
	return NULL;
}

static pid_t mix_fork(struct mix *m, void (*fn)(struct mix *m, uint64_t budget),
		      uint64_t budget)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* Not left running if the test ends early. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fn(m, budget);
		_exit(0);
	}
	return pid;
}

static void mix_flood_fn(struct mix *m, uint64_t budget)
{
	(void)budget;
	mix_flood(m);
}

/* Wait for @pid; true if it exited with status 0. */
static bool mix_reap(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status);
}

TEST_F_TIMEOUT(stress, everything_at_once, 280)
{
	struct mix_worker w[MIX_WORKERS];
	pthread_t th[MIX_WORKERS], cyc;
	struct mix_cycler cycler;
	long calls = 0, errors = 0, frames_read = 0, enodev = 0;
	uint64_t budget = mix_budget_ns(), t0;
	char path[128], cpath[128], dir[256], name[16], file_key[24];
	int fd, file, sink, i, hb, h, h_now, attached = 1;
	pid_t child, flooder, churner;
	struct mix *m;

	NABLA_OPEN_OR_SKIP(fd);
	ASSERT_EQ(0, veth_create(MIX_GUEST, MIX_PEER));
	ASSERT_EQ(0, veth_create(CYC_GUEST, CYC_PEER));
	file = tmpfile_create("mix", MIX_WORKERS * MIX_REGION, path, sizeof(path));
	ASSERT_LE(0, file);
	cycler.file = tmpfile_create("mixcyc", 1 << 20, cpath, sizeof(cpath));
	ASSERT_LE(0, cycler.file);
	sink = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, sink);
	cycler.sink = sink;
	cycler.cycles = 0;
	cycler.failed[0] = 0;
	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	memset(m, 0, sizeof(*m));
	cycler.m = m;

	hb = attach_block(fd, file, "disk", NULL);
	ASSERT_EQ(0, hb);
	{
		struct nabla_set_console sc = { .fd = sink };

		ASSERT_EQ(0, nabla_call(fd, NABLA_SET_CONSOLE, &sc));
	}
	h = attach_net(fd, MIX_GUEST, "net1", NULL);
	ASSERT_EQ(1, h);
	calls = 3;
	m->net_handle = h;
	ASSERT_EQ(0, ctx_debugfs_dir(getpid(), dir, sizeof(dir)));

	for (i = 0; i < MIX_WORKERS; i++)
		w[i] = (struct mix_worker){ .m = m, .fd = fd, .id = i, .hb = hb };
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		mix_work(&w[MIX_WORKERS - 1]);
		_exit(0);
	}
	flooder = mix_fork(m, mix_flood_fn, budget);
	ASSERT_LE(0, flooder);
	churner = mix_fork(m, mix_churn, budget);
	ASSERT_LE(0, churner);
	for (i = 0; i < MIX_WORKERS - 1; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, mix_work, &w[i]));
	ASSERT_EQ(0, pthread_create(&cyc, NULL, mix_cycle, &cycler));

	/* Attach each new incarnation of the interface as it appears. */
	t0 = mono_ns();
	while (mono_ns() - t0 < budget) {
		struct nabla_net_info ni = { .handle = h };
		int err;

		usleep(20000);
		calls++;
		err = nabla_call(fd, NABLA_NET_INFO, &ni);
		if (!err)
			continue;
		errors++;
		ASSERT_EQ(-ENODEV, err);
		if (attached >= 1 + MIX_MAX_CHURN)
			continue;
		snprintf(name, sizeof(name), "net%d", attached + 1);
		calls++;
		h_now = attach_net(fd, MIX_GUEST, name, NULL);
		if (h_now < 0) {
			/* Not there yet, or gone again. */
			errors++;
			ASSERT_EQ(-ENODEV, h_now);
			continue;
		}
		ASSERT_EQ(attached + 1, h_now);
		attached++;
		h = h_now;
		__atomic_store_n(&m->net_handle, h, __ATOMIC_RELEASE);
	}
	stop(&m->stop);
	for (i = 0; i < MIX_WORKERS - 1; i++)
		pthread_join(th[i], NULL);
	pthread_join(cyc, NULL);
	ASSERT_TRUE(mix_reap(child));
	ASSERT_TRUE(mix_reap(flooder));
	ASSERT_TRUE(mix_reap(churner));

	for (i = 0; i < MIX_WORKERS; i++)
		ASSERT_EQ(0, m->t[i].failed[0]) {
			TH_LOG("worker %d: %s", i, m->t[i].failed);
		}
	ASSERT_EQ(0, cycler.failed[0]) {
		TH_LOG("cycler: %s", cycler.failed);
	}

	/* The counters add up, per context and per handle. */
	for (i = 0; i < MIX_WORKERS; i++) {
		calls += m->t[i].calls;
		errors += m->t[i].errors;
		enodev += m->t[i].enodev;
	}
	ASSERT_EQ(calls, debugfs_get(dir, "context", "calls"));
	ASSERT_EQ(errors, debugfs_get(dir, "context", "errors"));
	{
		long bw = 0, br = 0;

		for (i = 0; i < MIX_WORKERS; i++) {
			bw += m->t[i].block_writes;
			br += m->t[i].block_reads;
		}
		ASSERT_EQ(bw, debugfs_get(dir, "block-disk", "writes"));
		ASSERT_EQ(br, debugfs_get(dir, "block-disk", "reads"));
	}
	for (h = 1; h <= attached; h++) {
		long nw = 0, nr = 0, ne = 0;

		for (i = 0; i < MIX_WORKERS; i++) {
			nw += m->t[i].net_writes[h];
			nr += m->t[i].net_reads[h];
			ne += m->t[i].net_errors[h];
		}
		snprintf(file_key, sizeof(file_key), "net-net%d", h);
		/* A write counts its frame, sent or dropped, before it returns. */
		ASSERT_EQ(nw, debugfs_get(dir, file_key, "tx_frames") +
			      debugfs_get(dir, file_key, "tx_drops"));
		ASSERT_EQ(nr, debugfs_get(dir, file_key, "rx_frames"));
		ASSERT_EQ(ne, debugfs_get(dir, file_key, "errors"));
		ASSERT_GE(NABLA_RX_QUEUE_LEN, debugfs_get(dir, file_key, "rx_queue_peak"));
		/* Every incarnation but the newest is gone for good. */
		if (h < attached)
			ASSERT_EQ(0, debugfs_get(dir, file_key, "attached"));
		frames_read += nr;
	}
	TH_LOG("%llu ms: %ld calls, %d deletions, %d incarnations attached, %ld frames flooded, %ld read, %ld writes to a deleted one, %ld open/attach/close cycles",
	       (unsigned long long)(mono_ns() - t0) / 1000000, calls, m->churns,
	       attached, m->flooded, frames_read, enodev, cycler.cycles);
	ASSERT_LT(0, m->churns);
	ASSERT_LT(1, attached);
	ASSERT_LT(0, cycler.cycles);

	close(fd);
	close(file);
	close(cycler.file);
	close(sink);
	unlink(path);
	unlink(cpath);
	veth_destroy(MIX_GUEST);
	veth_destroy(CYC_GUEST);
	munmap(m, sizeof(*m));
}

/* Last: what every test above left behind (kmemleak was cleared first). */
TEST_F_TIMEOUT(stress, nothing_leaked, 120)
{
	uint64_t t0 = mono_ns();
	int fd, leaks;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	if (!have_kmemleak())
		SKIP(return, "no kmemleak in this kernel: the tests checked Slab instead");
	if (kmemleak_deferred())
		SKIP(return, "NABLA_KMEMLEAK=final: the test host's last scan looks for leaks");
	leaks = kmemleak_nabla();
	TH_LOG("kmemleak: %d unreferenced objects from nabla (%llu ms)", leaks,
	       (unsigned long long)(mono_ns() - t0) / 1000000);
	ASSERT_EQ(0, leaks);
}

TEST_HARNESS_MAIN
