// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/nabla: the calls without devices. Version, command matching
 * (ENOTTY), bad argument pointers (EFAULT), setup calls and the seal
 * (EPERM), the clocks, the console and its sinks, yield without net
 * devices, debugfs and the tracepoint.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>

#include "kselftest_harness.h"
#include "nabla_test.h"

static const unsigned long all_cmds[] = {
	NABLA_VERSION, NABLA_ATTACH_NET, NABLA_ATTACH_BLOCK, NABLA_SET_CONSOLE,
	NABLA_SEAL, NABLA_REGISTER_MEMORY, NABLA_CLOCK_MONOTONIC, NABLA_CLOCK_WALL,
	NABLA_CONSOLE_WRITE, NABLA_YIELD, NABLA_NET_WRITE, NABLA_NET_READ,
	NABLA_NET_INFO, NABLA_BLOCK_WRITE, NABLA_BLOCK_READ, NABLA_BLOCK_INFO,
};

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	NABLA_OPEN_OR_SKIP(self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, version)
{
	struct nabla_version v = { 0 };
	unsigned int i;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, nabla_call(self->fd, NABLA_VERSION, &v));
	ASSERT_EQ(NABLA_API_VERSION, v.out_api_version);
	for (i = 0; i < sizeof(all_cmds) / sizeof(all_cmds[0]); i++)
		ASSERT_TRUE(v.out_commands & (1ULL << _IOC_NR(all_cmds[i])));
	ASSERT_EQ(0, v.out_commands & ~((1ULL << 6) - 1) & ~(0x3ffULL << 0x20));

	memset(&v, 0, sizeof(v));
	v.flags = 1;
	v.out_api_version = 77;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_VERSION, &v));
	ASSERT_EQ(77, v.out_api_version);	/* outputs only on success */
}

TEST_F(dev, enotty)
{
	char buf[256] = { 0 };

	RETURN_IF_SKIPPED();

	/* Unknown numbers, in and out of the ranges. */
	ASSERT_EQ(-ENOTTY, nabla_call(self->fd, _IOWR(NABLA_IOC_MAGIC, 0x05, struct nabla_seal), buf));
	ASSERT_EQ(-ENOTTY, nabla_call(self->fd, _IOWR(NABLA_IOC_MAGIC, 0x2a, struct nabla_clock), buf));
	ASSERT_EQ(-ENOTTY, nabla_call(self->fd, _IOWR(NABLA_IOC_MAGIC, 0x3f, struct nabla_clock), buf));
	ASSERT_EQ(-ENOTTY, nabla_call(self->fd, _IOWR(NABLA_IOC_MAGIC, 0xff, struct nabla_clock), buf));
	/* A known number with another size, direction or magic. */
	ASSERT_EQ(-ENOTTY, nabla_call(self->fd, _IOWR(NABLA_IOC_MAGIC, 0x20, __u64), buf));
	ASSERT_EQ(-ENOTTY, nabla_call(self->fd, _IOR(NABLA_IOC_MAGIC, 0x20, struct nabla_clock), buf));
	ASSERT_EQ(-ENOTTY, nabla_call(self->fd, _IOW(NABLA_IOC_MAGIC, 0x20, struct nabla_clock), buf));
	ASSERT_EQ(-ENOTTY, nabla_call(self->fd, _IOWR(0xD8, 0x20, struct nabla_clock), buf));
	ASSERT_EQ(-ENOTTY, nabla_call(self->fd, _IO(NABLA_IOC_MAGIC, 0x20), buf));
	ASSERT_EQ(-ENOTTY, nabla_call(self->fd, 0, buf));
}

TEST_F(dev, efault_argument)
{
	void *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned int i;

	RETURN_IF_SKIPPED();

	ASSERT_NE(MAP_FAILED, page);
	for (i = 0; i < sizeof(all_cmds) / sizeof(all_cmds[0]); i++) {
		ASSERT_EQ(-EFAULT, nabla_call(self->fd, all_cmds[i], NULL));
		ASSERT_EQ(-EFAULT, nabla_call(self->fd, all_cmds[i], page));
		ASSERT_EQ(-EFAULT, nabla_call(self->fd, all_cmds[i], (void *)BAD_PTR));
	}
	munmap(page, 4096);
}

TEST_F(dev, efault_output)
{
	RETURN_IF_SKIPPED();
	/* Input readable, output not: the struct straddles into PROT_READ. */
	char *map = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct nabla_clock *c;

	ASSERT_NE(MAP_FAILED, map);
	c = (struct nabla_clock *)(map + 4096);
	memset(c, 0, sizeof(*c));
	ASSERT_EQ(0, mprotect(map + 4096, 4096, PROT_READ));
	ASSERT_EQ(-EFAULT, nabla_call(self->fd, NABLA_CLOCK_MONOTONIC, c));
	munmap(map, 8192);
}

TEST_F(dev, clocks)
{
	struct nabla_clock c = { 0 };
	uint64_t before, after;

	RETURN_IF_SKIPPED();

	before = mono_ns();
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_CLOCK_MONOTONIC, &c));
	after = mono_ns();
	ASSERT_LE(before, c.out_ns);
	ASSERT_LE(c.out_ns, after);

	memset(&c, 0, sizeof(c));
	before = real_ns();
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_CLOCK_WALL, &c));
	after = real_ns();
	ASSERT_LE(before, c.out_ns);
	ASSERT_LE(c.out_ns, after);

	c.flags = 1;
	c.out_ns = 5;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_CLOCK_MONOTONIC, &c));
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_CLOCK_WALL, &c));
	ASSERT_EQ(5, c.out_ns);
	c.flags = 1ULL << 63;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_CLOCK_MONOTONIC, &c));
}

TEST_F(dev, seal)
{
	struct nabla_seal s = { 0 };
	struct nabla_attach_block ab = { .fd = 0, .name = "b" };
	struct nabla_attach_net an = { .ifname = "lo", .name = "n" };
	struct nabla_set_console sc = { .fd = -1, .flags = NABLA_CONSOLE_F_KMSG };
	struct nabla_clock c = { 0 };

	RETURN_IF_SKIPPED();

	s.flags = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_SEAL, &s));
	s.flags = 0;
	s.reserved = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_SEAL, &s));
	s.reserved = 0;
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SEAL, &s));

	/* Every setup call is refused now, whatever its argument. */
	ASSERT_EQ(-EPERM, nabla_call(self->fd, NABLA_SEAL, &s));
	ASSERT_EQ(-EPERM, nabla_call(self->fd, NABLA_ATTACH_BLOCK, &ab));
	ASSERT_EQ(-EPERM, nabla_call(self->fd, NABLA_ATTACH_NET, &an));
	ASSERT_EQ(-EPERM, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	ASSERT_EQ(-EPERM, register_memory(self->fd, &s, 0));
	/* Hypercalls and the query still work. */
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_CLOCK_MONOTONIC, &c));
	{
		struct nabla_version v = { 0 };

		ASSERT_EQ(0, nabla_call(self->fd, NABLA_VERSION, &v));
	}
}

/* Read everything a pipe holds until @len bytes came, within 10 s. */
static ssize_t pipe_read_all(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (poll(&p, 1, 10000) <= 0)
			break;
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

static int console_write(int fd, const void *buf, uint64_t len)
{
	struct nabla_console_write w = { .buf = (uintptr_t)buf, .len = len };

	return nabla_call(fd, NABLA_CONSOLE_WRITE, &w);
}

TEST_F(dev, console_to_fd)
{
	struct nabla_set_console sc = { 0 };
	char out[64];
	int p[2];

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	sc.fd = p[1];
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	close(p[1]);	/* the context holds its own reference */
	ASSERT_EQ(0, console_write(self->fd, "hello, ", 7));
	ASSERT_EQ(0, console_write(self->fd, "world\n", 6));
	ASSERT_EQ(0, console_write(self->fd, "", 0));
	ASSERT_EQ(13, pipe_read_all(p[0], out, 13));
	ASSERT_EQ(0, memcmp(out, "hello, world\n", 13));
	/* The pipe's reader sees EOF once the context is gone. */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, read(p[0], out, sizeof(out)));
	close(p[0]);
}

struct reader {
	int fd;
	char *buf;
	size_t len;
	ssize_t got;
};

static void *reader_thread(void *arg)
{
	struct reader *r = arg;

	r->got = pipe_read_all(r->fd, r->buf, r->len);
	return NULL;
}

TEST_F(dev, console_large_in_order)
{
	RETURN_IF_SKIPPED();
	/* Larger than the pipe: the module must loop until all is written. */
	const size_t len = NABLA_CONSOLE_MAX, rounds = 4;
	struct nabla_set_console sc = { 0 };
	struct reader r = { 0 };
	char *src, *dst;
	pthread_t t;
	size_t i;
	int p[2];

	src = malloc(len);
	dst = malloc(len * rounds);
	ASSERT_TRUE(src && dst);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_LT(0, fcntl(p[1], F_SETPIPE_SZ, 4096));
	sc.fd = p[1];
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	close(p[1]);
	r.fd = p[0];
	r.buf = dst;
	r.len = len * rounds;
	ASSERT_EQ(0, pthread_create(&t, NULL, reader_thread, &r));
	for (i = 0; i < rounds; i++) {
		memset(src, 'a' + i, len);
		src[0] = '0' + i;
		ASSERT_EQ(0, console_write(self->fd, src, len));
	}
	pthread_join(t, NULL);
	ASSERT_EQ(len * rounds, r.got);
	for (i = 0; i < rounds; i++) {
		ASSERT_EQ('0' + i, dst[i * len]);
		ASSERT_EQ('a' + i, dst[i * len + 1]);
		ASSERT_EQ('a' + i, dst[i * len + len - 1]);
	}
	close(p[0]);
	free(src);
	free(dst);
}

TEST_F(dev, console_errors)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct nabla_console_write w = { 0 };
	struct nabla_set_console sc;
	char buf[NABLA_CONSOLE_MAX + 1];
	int p[2], rd;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	memset(&sc, 0, sizeof(sc));
	sc.fd = p[1];
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));

	/* set console: each bad field alone */
	sc.flags = 2;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	sc.flags = 0;
	sc.reserved = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	sc.reserved = 0;
	sc.flags = NABLA_CONSOLE_F_KMSG;	/* with an fd: invalid */
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	sc.flags = 0;
	sc.fd = -1;
	ASSERT_EQ(-EBADF, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	sc.fd = 1000;
	ASSERT_EQ(-EBADF, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	sc.fd = p[0];				/* not open for writing */
	ASSERT_EQ(-EBADF, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	rd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	sc.fd = rd;
	ASSERT_EQ(-EBADF, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	close(rd);
	sc.fd = self->fd;			/* itself: would never be freed */
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));

	/* The failed calls changed nothing: the pipe is still the sink. */
	ASSERT_EQ(0, console_write(self->fd, "x", 1));
	ASSERT_EQ(1, read(p[0], buf, sizeof(buf)));

	/* console write: each bad field alone */
	w.buf = (uintptr_t)buf;
	w.len = 1;
	w.flags = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_CONSOLE_WRITE, &w));
	w.flags = 0;
	w.len = NABLA_CONSOLE_MAX + 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_CONSOLE_WRITE, &w));
	w.len = 1;
	w.buf = BAD_PTR;
	ASSERT_EQ(-EFAULT, nabla_call(self->fd, NABLA_CONSOLE_WRITE, &w));
	w.buf = (uintptr_t)none;
	ASSERT_EQ(-EFAULT, nabla_call(self->fd, NABLA_CONSOLE_WRITE, &w));
	ASSERT_EQ(-1, read(p[0], buf, sizeof(buf)));	/* nothing written */
	ASSERT_EQ(EAGAIN, errno);
	close(p[0]);
	close(p[1]);
	munmap(none, 4096);
}

TEST_F(dev, console_to_dev_null)
{
	struct nabla_set_console sc = { 0 };
	static char big[NABLA_CONSOLE_MAX];

	RETURN_IF_SKIPPED();

	/* /dev/null has both ->write and ->write_iter: kernel_write() would refuse it. */
	sc.fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, sc.fd);
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	close(sc.fd);
	ASSERT_EQ(0, console_write(self->fd, "gone\n", 5));
	ASSERT_EQ(0, console_write(self->fd, big, sizeof(big)));
}

TEST_F(dev, console_to_regular_file_appends)
{
	struct nabla_set_console sc = { 0 };
	char path[128], out[16];
	int f;

	RETURN_IF_SKIPPED();

	f = tmpfile_create("console", 0, path, sizeof(path));
	ASSERT_LE(0, f);
	sc.fd = f;
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	ASSERT_EQ(0, console_write(self->fd, "abc", 3));
	ASSERT_EQ(0, console_write(self->fd, "def", 3));
	ASSERT_EQ(6, pread(f, out, sizeof(out), 0));
	ASSERT_EQ(0, memcmp(out, "abcdef", 6));
	close(f);
	unlink(path);
}

TEST_F(dev, console_kmsg)
{
	struct nabla_set_console sc = { .fd = -1, .flags = NABLA_CONSOLE_F_KMSG };
	char marker[64], line[1024];
	bool found = false;
	int kmsg;
	ssize_t n;

	RETURN_IF_SKIPPED();

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg < 0)
		SKIP(return, "/dev/kmsg: %s", strerror(errno));
	lseek(kmsg, 0, SEEK_END);
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	snprintf(marker, sizeof(marker), "kmsg-marker-%d", getpid());
	/* A line in two writes comes out as one line. */
	ASSERT_EQ(0, console_write(self->fd, marker, 6));
	ASSERT_EQ(0, console_write(self->fd, marker + 6, strlen(marker) - 6));
	ASSERT_EQ(0, console_write(self->fd, "\n", 1));
	while ((n = read(kmsg, line, sizeof(line) - 1)) > 0) {
		line[n] = 0;
		if (strstr(line, marker))
			found = true;
	}
	close(kmsg);
	ASSERT_TRUE(found);
}

/*
 * The kernel log sink lets 100 lines per 5 s through (NABLA_KMSG_BURST,
 * NABLA_KMSG_INTERVAL) and counts the rest; the next line let through or
 * the release says how many were dropped.
 */
#define KMSG_LINES	300
#define KMSG_BURST	100

/* Lines of /dev/kmsg from @kmsg on: how many contain @marker, and the sum
 * of the drop reports that start with @prefix. */
static void kmsg_scan(int kmsg, const char *marker, const char *prefix,
		      int *marked, long long *reported)
{
	char line[1024], *text;
	unsigned int n;
	ssize_t len;

	while ((len = read(kmsg, line, sizeof(line) - 1)) > 0) {
		line[len] = 0;
		text = strchr(line, ';');
		if (!text)
			continue;
		text++;
		if (strstr(text, marker))
			(*marked)++;
		if (!strncmp(text, prefix, strlen(prefix)) &&
		    sscanf(text + strlen(prefix),
			   "%u console lines dropped", &n) == 1)
			*reported += n;
	}
}

TEST(console_kmsg_rate_limit)
{
	struct nabla_set_console sc = { .fd = -1, .flags = NABLA_CONSOLE_F_KMSG };
	char marker[64], prefix[64], msg[96], dir[300];
	long long id, dropped, reported = 0;
	int fd, kmsg, i, marked = 0;
	uint64_t t0, elapsed;

	NABLA_OPEN_OR_SKIP(fd);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg < 0)
		SKIP(return, "/dev/kmsg: %s", strerror(errno));
	lseek(kmsg, 0, SEEK_END);
	ASSERT_EQ(0, nabla_call(fd, NABLA_SET_CONSOLE, &sc));
	if (ctx_debugfs_dir(getpid(), dir, sizeof(dir)))
		SKIP(return, "no debugfs directory for the context");
	id = debugfs_get(dir, "context", "id");
	ASSERT_LT(0, id);
	snprintf(marker, sizeof(marker), "kmsgrl-%d ", getpid());
	snprintf(prefix, sizeof(prefix), "nabla: %lld: ", id);

	t0 = mono_ns();
	for (i = 0; i < KMSG_LINES; i++) {
		snprintf(msg, sizeof(msg), "%s%d\n", marker, i);
		ASSERT_EQ(0, console_write(fd, msg, strlen(msg)));
	}
	elapsed = mono_ns() - t0;
	dropped = debugfs_get(dir, "context", "console_lines_dropped");
	ASSERT_EQ(0, close(fd));
	kmsg_scan(kmsg, marker, prefix, &marked, &reported);
	close(kmsg);

	/* Every line either reached the log or was counted as dropped. */
	EXPECT_EQ(KMSG_LINES, marked + dropped);
	/* The release reported what the last lines let through did not. */
	EXPECT_EQ(dropped, reported);
	/* Well within one interval exactly the burst passes; a slower machine
	 * starts new intervals and lets more through. */
	if (elapsed < 4ULL * 1000000000ULL) {
		EXPECT_EQ(KMSG_BURST, marked);
	} else {
		EXPECT_LE(KMSG_BURST, marked);
	}
	TH_LOG("%d lines in the log, %lld dropped, in %llu ms", marked,
	       dropped, (unsigned long long)(elapsed / 1000000));
}

TEST_F(dev, console_default_fd1)
{
	struct nabla_seal s = { 0 };
	char out[16];
	int p[2], saved;

	RETURN_IF_SKIPPED();

	/* Before any sink, writes go to the caller's fd 1; the seal takes it. */
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	saved = dup(1);
	ASSERT_LE(0, saved);
	ASSERT_EQ(1, dup2(p[1], 1));
	ASSERT_EQ(0, console_write(self->fd, "one", 3));
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SEAL, &s));
	ASSERT_EQ(1, dup2(saved, 1));
	close(saved);
	close(p[1]);
	ASSERT_EQ(0, console_write(self->fd, "two", 3));
	ASSERT_EQ(6, read(p[0], out, sizeof(out)));
	ASSERT_EQ(0, memcmp(out, "onetwo", 6));
	close(p[0]);
}

TEST_F(dev, console_sealed_without_fd1)
{
	struct nabla_seal s = { 0 };
	int saved = dup(1);

	RETURN_IF_SKIPPED();

	ASSERT_LE(0, saved);
	close(1);
	ASSERT_EQ(-EBADF, console_write(self->fd, "x", 1));
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SEAL, &s));
	ASSERT_EQ(1, dup2(saved, 1));
	close(saved);
	/* Sealed with no fd 1: there is no console, and it stays so. */
	ASSERT_EQ(-EBADF, console_write(self->fd, "x", 1));
}

TEST_F(dev, yield_deadline)
{
	struct nabla_yield y = { 0 };
	uint64_t t0, t1;

	RETURN_IF_SKIPPED();

	/* A deadline in the past only polls. */
	y.deadline_ns = 0;
	y.out_ready_set = 7;
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_YIELD, &y));
	ASSERT_EQ(0, y.out_ready_set);

	/* Not before the deadline, not long after it (TCG is slow). */
	t0 = mono_ns();
	y.deadline_ns = t0 + 100000000;
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_YIELD, &y));
	t1 = mono_ns();
	ASSERT_LE(y.deadline_ns, t1);
	ASSERT_LT(t1, y.deadline_ns + 2000000000ULL);
	ASSERT_EQ(0, y.out_ready_set);

	y.flags = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_YIELD, &y));
	y.flags = 0;
	y.reserved = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_YIELD, &y));
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A yield that a SIGALRM after @signal_ms ends; returns its end time, or 0
 * if it failed or said a device was ready. The handler has no SA_RESTART:
 * the signal ends the wait, with success.
 */
static uint64_t yield_cut_short(int fd, uint64_t deadline, long signal_ms)
{
	struct itimerval it = { .it_value = { .tv_sec = signal_ms / 1000,
					      .tv_usec = (signal_ms % 1000) * 1000 } };
	struct nabla_yield y = { .deadline_ns = deadline };

	setitimer(ITIMER_REAL, &it, NULL);
	if (nabla_call(fd, NABLA_YIELD, &y) || y.out_ready_set)
		return 0;
	return mono_ns();
}

/*
 * A signal ends a yield early (yield_cut_short()). The context's timer
 * stays armed after that, and a later yield reuses or moves it: neither
 * may end before its own deadline nor long after it, whether the timer
 * left armed is later (moved earlier) or earlier (fires first, and the
 * sleeper sleeps on).
 */
TEST_F(dev, yield_timer_left_armed)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct nabla_yield y = { 0 };
	uint64_t t0, t1;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	/* Armed for 20 s, cut short at 0.2 s. */
	t0 = mono_ns();
	t1 = yield_cut_short(self->fd, t0 + 20000000000ULL, 200);
	ASSERT_NE(0, t1);
	ASSERT_LT(t1 - t0, 10000000000ULL);
	/* An earlier deadline than the armed one: moved, on time. */
	y.deadline_ns = mono_ns() + 100000000;
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_YIELD, &y));
	t1 = mono_ns();
	ASSERT_LE(y.deadline_ns, t1);
	ASSERT_LT(t1, y.deadline_ns + 2000000000ULL);

	/* Armed for 0.6 s, cut short at 0.1 s... */
	t0 = mono_ns();
	t1 = yield_cut_short(self->fd, t0 + 600000000ULL, 100);
	ASSERT_NE(0, t1);
	/* ...then a later deadline: the old timer fires first, not the end. */
	y.deadline_ns = t0 + 1500000000ULL;
	if (mono_ns() < t0 + 600000000ULL) {
		ASSERT_EQ(0, nabla_call(self->fd, NABLA_YIELD, &y));
		t1 = mono_ns();
		ASSERT_LE(y.deadline_ns, t1);
		ASSERT_LT(t1, y.deadline_ns + 2000000000ULL);
	}
}

static int prctl_slack(unsigned long ns)
{
	return prctl(PR_SET_TIMERSLACK, ns, 0, 0, 0) ? -errno : 0;
}

TEST_F(dev, yield_timer_slack)
{
	struct nabla_yield y = { 0 };
	uint64_t t1;

	RETURN_IF_SKIPPED();

	/* With a 300 ms slack the wake-up may be late, but not later. */
	ASSERT_EQ(0, prctl_slack(300000000));
	y.deadline_ns = mono_ns() + 50000000;
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_YIELD, &y));
	t1 = mono_ns();
	ASSERT_LE(y.deadline_ns, t1);
	ASSERT_LT(t1, y.deadline_ns + 300000000ULL + 2000000000ULL);
}

TEST_F(dev, debugfs_counters)
{
	struct nabla_clock c = { 0 };
	char dir[256];
	int i;

	RETURN_IF_SKIPPED();

	if (ctx_debugfs_dir(getpid(), dir, sizeof(dir)))
		SKIP(return, "no %s for this context", NABLA_DEBUGFS);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, nabla_call(self->fd, NABLA_CLOCK_MONOTONIC, &c));
	c.flags = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_CLOCK_WALL, &c));
	ASSERT_EQ(5, debugfs_get(dir, "context", "calls_clock_monotonic"));
	ASSERT_EQ(1, debugfs_get(dir, "context", "calls_clock_wall"));
	ASSERT_EQ(6, debugfs_get(dir, "context", "calls"));
	ASSERT_EQ(1, debugfs_get(dir, "context", "errors"));
	ASSERT_EQ(0, debugfs_get(dir, "context", "sealed"));
	/* The directory goes with the context. */
	close(self->fd);
	self->fd = -1;
	ASSERT_NE(0, access(dir, F_OK));
}

TEST_F(dev, tracepoint)
{
	const char *ev = "/sys/kernel/tracing/events/nabla/nabla_call/enable";
	struct nabla_clock c = { .flags = 1 };
	char line[512];
	bool found = false;
	FILE *f;

	RETURN_IF_SKIPPED();

	if (access(ev, F_OK))
		SKIP(return, "no %s", ev);
	write_file("/sys/kernel/tracing/trace", "");
	ASSERT_EQ(0, write_file(ev, "1"));
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_CLOCK_WALL, &c));
	ASSERT_EQ(0, write_file(ev, "0"));
	f = fopen("/sys/kernel/tracing/trace", "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "cmd=CLOCK_WALL") && strstr(line, "result=-22"))
			found = true;
	fclose(f);
	ASSERT_TRUE(found);
}

/*
 * NABLA_REGISTER_MEMORY: every bad argument is refused with its errno and
 * changes nothing; good regions are charged to VmLck until the close.
 */
TEST_F(dev, register_memory)
{
	size_t page = sysconf(_SC_PAGESIZE);
	struct nabla_register_memory r = { 0 };
	uint8_t *m, *ro, *shared;
	long lck0;
	char dir[256];
	int i;

	RETURN_IF_SKIPPED();

	m = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shared = mmap(NULL, page, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(m != MAP_FAILED && ro != MAP_FAILED && shared != MAP_FAILED);
	ASSERT_EQ(0, munmap(m + 15 * page, page));	/* a hole after m */
	lck0 = vm_locked_kib();
	ASSERT_LE(0, lck0);

	r.addr = (uintptr_t)m;
	r.len = page;
	r.flags = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_REGISTER_MEMORY, &r));
	r.flags = 0;
	r.reserved = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_REGISTER_MEMORY, &r));
	ASSERT_EQ(-EINVAL, register_memory(self->fd, m, 0));
	ASSERT_EQ(-EINVAL, register_memory(self->fd, m + 512, page));
	ASSERT_EQ(-EINVAL, register_memory(self->fd, m, page + 512));
	ASSERT_EQ(-EINVAL, register_memory(self->fd, m, NABLA_REGISTER_MAX + page));
	ASSERT_EQ(-EINVAL, register_memory(self->fd, (void *)-page, 2 * page));
	ASSERT_EQ(-EFAULT, register_memory(self->fd, (void *)(-256 * page), page));
	ASSERT_EQ(-EFAULT, register_memory(self->fd, m + 14 * page, 2 * page));
	ASSERT_EQ(-EFAULT, register_memory(self->fd, ro, page));
	ASSERT_EQ(-EINVAL, register_memory(self->fd, shared, page));
	ASSERT_EQ(lck0, vm_locked_kib());

	/* Good ones, not overlapping, up to NABLA_MAX_REGIONS. */
	ASSERT_EQ(0, register_memory(self->fd, m, 2 * page));
	ASSERT_EQ(-EINVAL, register_memory(self->fd, m + page, 2 * page));
	ASSERT_EQ(-EINVAL, register_memory(self->fd, m, page));
	for (i = 1; i < NABLA_MAX_REGIONS; i++)
		ASSERT_EQ(0, register_memory(self->fd, m + (i + 1) * page, page));
	ASSERT_EQ(-ENOSPC, register_memory(self->fd, m + 12 * page, page));
	ASSERT_EQ(lck0 + (long)(NABLA_MAX_REGIONS + 1) * (long)page / 1024,
		  vm_locked_kib());
	if (!ctx_debugfs_dir(getpid(), dir, sizeof(dir))) {
		ASSERT_EQ(NABLA_MAX_REGIONS, debugfs_get(dir, "context", "regions"));
		ASSERT_EQ(NABLA_MAX_REGIONS + 1,
			  debugfs_get(dir, "context", "registered_pages"));
	}

	/* The pins and the charge go with the context. */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(lck0, vm_locked_kib());
	munmap(m, 15 * page);
	munmap(ro, page);
	munmap(shared, page);
}

/*
 * Without CAP_IPC_LOCK the regions count against RLIMIT_MEMLOCK: -ENOMEM
 * beyond it, and what a closed context held is free again.
 */
TEST(register_memory_memlock)
{
	const size_t page = sysconf(_SC_PAGESIZE);
	struct rlimit rl = { 16 * page, 16 * page };
	uint8_t *m;
	pid_t pid;
	int fd, status;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	m = mmap(NULL, 32 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* An unprivileged user has no CAP_IPC_LOCK. */
		if (setrlimit(RLIMIT_MEMLOCK, &rl) ||
		    (geteuid() == 0 && setresuid(65534, 65534, 65534)))
			_exit(10);
		fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			_exit(11);
		if (register_memory(fd, m, 12 * page))
			_exit(12);
		if (register_memory(fd, m + 12 * page, 8 * page) != -ENOMEM)
			_exit(13);
		if (register_memory(fd, m + 12 * page, 4 * page))
			_exit(14);
		close(fd);
		fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		if (fd < 0 || register_memory(fd, m, 16 * page))
			_exit(15);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	munmap(m, 32 * page);
}

TEST(contexts_are_independent)
{
	struct nabla_seal s = { 0 };
	struct nabla_set_console sc = { .fd = -1, .flags = NABLA_CONSOLE_F_KMSG };
	int a, b;

	NABLA_OPEN_OR_SKIP(a);
	b = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, nabla_call(a, NABLA_SEAL, &s));
	ASSERT_EQ(-EPERM, nabla_call(a, NABLA_SET_CONSOLE, &sc));
	ASSERT_EQ(0, nabla_call(b, NABLA_SET_CONSOLE, &sc));
	close(a);
	close(b);
}

TEST_HARNESS_MAIN
