// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/nabla: the calls without devices. Version, command matching
 * (ENOTTY), bad argument pointers (EFAULT), setup calls and the seal
 * (EPERM), the clocks, the console and its sinks, yield without net
 * devices, debugfs and the tracepoint.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/klog.h>
#include <sys/resource.h>
#include <sys/socket.h>
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

/*
 * Writes of every size around the module's ways of copying them in (a
 * short one on the stack, a longer one in the bounce buffer, which then
 * grows) arrive whole and in order, short ones after long ones too.
 */
TEST_F(dev, console_sizes_in_order)
{
	static const size_t sizes[] = { 1, 127, 128, 129, 4096, 4097, 2, 128,
					8192, 129, 1 };
	struct nabla_set_console sc = { 0 };
	char *src, *dst;
	size_t i, k, at = 0;
	FILE *f;

	RETURN_IF_SKIPPED();

	src = malloc(8192);
	dst = malloc(32768);
	ASSERT_TRUE(src && dst);
	f = tmpfile();
	ASSERT_TRUE(f != NULL);
	sc.fd = fileno(f);
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (k = 0; k < sizes[i]; k++)
			src[k] = 'a' + (i + k) % 26;
		ASSERT_EQ(0, console_write(self->fd, src, sizes[i]));
	}
	ASSERT_EQ(0, fseek(f, 0, SEEK_SET));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ASSERT_EQ(sizes[i], fread(dst + at, 1, sizes[i], f));
		for (k = 0; k < sizes[i]; k++)
			ASSERT_EQ('a' + (i + k) % 26, dst[at + k]);
		at += sizes[i];
	}
	ASSERT_EQ(0, fread(dst, 1, 1, f));
	fclose(f);
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
	{
		int sp[2];

		/* A unix socket could hold the context: never held. */
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
		sc.fd = sp[0];
		ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
		close(sp[0]);
		close(sp[1]);
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp));
		sc.fd = sp[0];
		ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
		close(sp[0]);
		close(sp[1]);
	}

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

/* Send @fd over the unix socket @sock (SCM_RIGHTS): 0 or -errno. */
static int send_fd(int sock, int fd)
{
	char data = 'f', cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

/* Whether @dir exists within @ms. */
static bool dir_gone_within(const char *dir, int ms)
{
	for (; ms > 0; ms -= 10) {
		if (access(dir, F_OK))
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * A context whose console is a unix socket (fd 1 at the seal: a service's
 * output to the journal) does not hold that socket: with the context's
 * own fd in flight in it and every fd closed, both are freed. A context
 * that held it would be kept alive by itself, forever.
 */
TEST_F(dev, console_unix_socket_not_held)
{
	struct nabla_seal seal = { 0 };
	char dir[256], out[16];
	int sp[2], saved;

	RETURN_IF_SKIPPED();

	if (ctx_debugfs_dir(getpid(), dir, sizeof(dir)))
		SKIP(return, "no debugfs directory for the context");
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
	saved = dup(1);
	ASSERT_LE(0, saved);
	ASSERT_EQ(1, dup2(sp[0], 1));
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SEAL, &seal));
	ASSERT_EQ(0, console_write(self->fd, "sealed", 6));
	ASSERT_EQ(1, dup2(saved, 1));
	close(saved);
	ASSERT_EQ(6, read(sp[1], out, sizeof(out)));
	ASSERT_EQ(0, memcmp(out, "sealed", 6));

	/* The context's fd in flight to the socket the seal saw as fd 1. */
	ASSERT_EQ(0, send_fd(sp[1], self->fd));
	close(self->fd);
	self->fd = -1;
	close(sp[0]);
	close(sp[1]);
	ASSERT_TRUE(dir_gone_within(dir, 5000));
}

/*
 * A write whose buffer faults part way writes nothing: it is copied in
 * whole before the sink sees a byte.
 */
TEST_F(dev, console_efault_writes_nothing)
{
	struct nabla_set_console sc = { 0 };
	char *map, out[16];
	int p[2];

	RETURN_IF_SKIPPED();

	map = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	memset(map, 'x', 3 * 4096);
	ASSERT_EQ(0, munmap(map + 4096, 4096));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	ASSERT_LT(0, fcntl(p[1], F_SETPIPE_SZ, 65536));
	sc.fd = p[1];
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	ASSERT_EQ(-EFAULT, console_write(self->fd, map, 8192));
	ASSERT_EQ(-EFAULT, console_write(self->fd, map + 4095, 2));
	ASSERT_EQ(-1, read(p[0], out, sizeof(out)));
	ASSERT_EQ(EAGAIN, errno);
	/* The part before the hole alone is fine. */
	ASSERT_EQ(0, console_write(self->fd, map + 4090, 6));
	ASSERT_EQ(6, read(p[0], out, sizeof(out)));
	close(p[0]);
	close(p[1]);
	munmap(map, 4096);
	munmap(map + 2 * 4096, 4096);
}

struct pos_writer {
	int fd;		/* a context, or -1: write(2) on file */
	int file;
	int n;
	int err;
};

static void *pos_writer(void *arg)
{
	struct pos_writer *w = arg;
	char rec[100];
	int i;

	memset(rec, w->fd < 0 ? 'w' : 'c', sizeof(rec));
	for (i = 0; i < w->n && !w->err; i++) {
		if (w->fd >= 0)
			w->err = console_write(w->fd, rec, sizeof(rec));
		else if (write(w->file, rec, sizeof(rec)) != sizeof(rec))
			w->err = -errno;
	}
	return NULL;
}

/*
 * A regular file's position is shared by the console and a process that
 * writes(2) the same open file: both move it under the file's position
 * lock, so no record overwrites another.
 */
TEST_F(dev, console_shares_file_position)
{
	struct pos_writer c = { .n = 2000 }, w = { .fd = -1, .n = 2000 };
	struct nabla_set_console sc = { 0 };
	char path[128];
	struct stat st;
	pthread_t a, b;
	int f;

	RETURN_IF_SKIPPED();

	f = tmpfile_create("pos", 0, path, sizeof(path));
	ASSERT_LE(0, f);
	sc.fd = f;
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	c.fd = self->fd;
	w.file = f;
	ASSERT_EQ(0, pthread_create(&a, NULL, pos_writer, &c));
	ASSERT_EQ(0, pthread_create(&b, NULL, pos_writer, &w));
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	ASSERT_EQ(0, c.err);
	ASSERT_EQ(0, w.err);
	ASSERT_EQ(0, fstat(f, &st));
	ASSERT_EQ(2 * 2000 * 100, st.st_size);
	close(f);
	unlink(path);
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

/*
 * The kernel log gets printable ASCII only: every other byte, and the
 * backslash, is written as \xNN (as /dev/kmsg shows them), so that no
 * escape sequence reaches a terminal that shows the log. Read raw with
 * syslog(2), which does not escape.
 */
TEST_F(dev, console_kmsg_escapes)
{
	struct nabla_set_console sc = { .fd = -1, .flags = NABLA_CONSOLE_F_KMSG };
	const char want[] = "esc-%d a\\x1b[31mb\\x0dc\\x5cd\\x7f\\xc3\\xa9";
	char marker[32], line[256], expect[128], *log, *at;
	int size, n;

	RETURN_IF_SKIPPED();

	size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	ASSERT_LT(0, size);
	log = malloc(size + 1);
	ASSERT_NE(NULL, log);
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_SET_CONSOLE, &sc));
	snprintf(marker, sizeof(marker), "esc-%d ", getpid());
	n = snprintf(line, sizeof(line), "%sa\x1b[31mb\rc\\d\x7f\xc3\xa9\n", marker);
	ASSERT_EQ(0, console_write(self->fd, line, n));
	snprintf(expect, sizeof(expect), want, getpid());
	n = klogctl(3, log, size);	/* SYSLOG_ACTION_READ_ALL */
	ASSERT_LT(0, n);
	log[n] = 0;
	at = strstr(log, marker);
	ASSERT_NE(NULL, at);
	ASSERT_EQ(0, strncmp(at, expect, strlen(expect))) {
		TH_LOG("logged: %.*s", (int)strcspn(at, "\n"), at);
	}
	free(log);
}

/*
 * All contexts together put at most NABLA_KMSG_GLOBAL_BURST (200) lines in
 * the kernel log per interval: 20 contexts, each within its own limit of
 * 100 lines, get about 200 through; the rest are dropped and counted.
 */
#define KMSG_CONTEXTS		20
#define KMSG_GLOBAL_BURST	200

TEST(console_kmsg_global_limit)
{
	struct nabla_set_console sc = { .fd = -1, .flags = NABLA_CONSOLE_F_KMSG };
	char marker[64], msg[96], dir[300];
	int fds[KMSG_CONTEXTS], kmsg, i, j, marked = 0;
	long long dropped = 0, reported = 0;
	uint64_t t0, elapsed;

	NABLA_OPEN_OR_SKIP(fds[0]);
	close(fds[0]);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg < 0)
		SKIP(return, "/dev/kmsg: %s", strerror(errno));
	/* A fresh interval for the whole module (other tests wrote lines). */
	sleep(6);
	lseek(kmsg, 0, SEEK_END);
	snprintf(marker, sizeof(marker), "kmsgall-%d ", getpid());
	t0 = mono_ns();
	for (i = 0; i < KMSG_CONTEXTS; i++) {
		fds[i] = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, nabla_call(fds[i], NABLA_SET_CONSOLE, &sc));
		for (j = 0; j < KMSG_BURST; j++) {
			snprintf(msg, sizeof(msg), "%s%d.%d\n", marker, i, j);
			ASSERT_EQ(0, console_write(fds[i], msg, strlen(msg)));
		}
		ASSERT_EQ(0, ctx_debugfs_dir(getpid(), dir, sizeof(dir)));
		dropped += debugfs_get(dir, "context", "console_lines_dropped");
	}
	elapsed = mono_ns() - t0;
	for (i = 0; i < KMSG_CONTEXTS; i++)
		close(fds[i]);
	kmsg_scan(kmsg, marker, "nabla: ", &marked, &reported);
	close(kmsg);
	EXPECT_EQ(KMSG_CONTEXTS * KMSG_BURST, marked + dropped);
	if (elapsed < 4ULL * 1000000000ULL) {
		EXPECT_GE(KMSG_GLOBAL_BURST, marked);
	}
	TH_LOG("%d lines in the log, %lld dropped, %lld reported, in %llu ms",
	       marked, dropped, reported, (unsigned long long)(elapsed / 1000000));
	/* The next test starts with the module's interval free again. */
	sleep(6);
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

struct slack_sleeper {
	int fd;
	unsigned long slack_ns;
	uint64_t deadline, woke;
};

static void *slack_sleeper(void *arg)
{
	struct slack_sleeper *s = arg;
	struct nabla_yield y = { .deadline_ns = s->deadline };

	if (prctl(PR_SET_TIMERSLACK, s->slack_ns, 0, 0, 0) ||
	    nabla_call(s->fd, NABLA_YIELD, &y))
		return NULL;
	s->woke = mono_ns();
	return NULL;
}

/*
 * The context's one timer serves every sleeping thread: a thread with a
 * huge timer slack does not make another thread's yield late. Here one
 * sleeps with a slack of 60 s, another (default slack) with a later
 * deadline wakes on time, and the first within its own range.
 */
TEST_F(dev, yield_timer_slack_per_thread)
{
	struct slack_sleeper lax = { .fd = self->fd, .slack_ns = 60000000000UL };
	struct slack_sleeper tight = { .fd = self->fd, .slack_ns = 50000 };
	pthread_t a, b;

	RETURN_IF_SKIPPED();

	lax.deadline = mono_ns() + 200000000;
	ASSERT_EQ(0, pthread_create(&a, NULL, slack_sleeper, &lax));
	usleep(50000);
	tight.deadline = mono_ns() + 400000000;
	ASSERT_EQ(0, pthread_create(&b, NULL, slack_sleeper, &tight));
	pthread_join(b, NULL);
	ASSERT_LE(tight.deadline, tight.woke);
	EXPECT_LT(tight.woke, tight.deadline + 2000000000ULL) {
		TH_LOG("woke %llu ms late",
		       (unsigned long long)(tight.woke - tight.deadline) / 1000000);
	}
	pthread_join(a, NULL);
	ASSERT_LE(lax.deadline, lax.woke);
	ASSERT_LT(lax.woke, lax.deadline + 60000000000ULL);
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
 * changes nothing; good regions show in VmPin until the close.
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
	lck0 = vm_pinned_kib();
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
	ASSERT_EQ(lck0, vm_pinned_kib());

	/* Good ones, not overlapping, up to NABLA_MAX_REGIONS. */
	ASSERT_EQ(0, register_memory(self->fd, m, 2 * page));
	ASSERT_EQ(-EINVAL, register_memory(self->fd, m + page, 2 * page));
	ASSERT_EQ(-EINVAL, register_memory(self->fd, m, page));
	for (i = 1; i < NABLA_MAX_REGIONS; i++)
		ASSERT_EQ(0, register_memory(self->fd, m + (i + 1) * page, page));
	ASSERT_EQ(-ENOSPC, register_memory(self->fd, m + 12 * page, page));
	ASSERT_EQ(lck0 + (long)(NABLA_MAX_REGIONS + 1) * (long)page / 1024,
		  vm_pinned_kib());
	if (!ctx_debugfs_dir(getpid(), dir, sizeof(dir))) {
		ASSERT_EQ(NABLA_MAX_REGIONS, debugfs_get(dir, "context", "regions"));
		ASSERT_EQ(NABLA_MAX_REGIONS + 1,
			  debugfs_get(dir, "context", "registered_pages"));
	}

	/* The pins and the charge go with the context. */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(lck0, vm_pinned_kib());
	munmap(m, 15 * page);
	munmap(ro, page);
	munmap(shared, page);
}

/* The module's device node is root's alone: udev opens it up. */
TEST(node_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(NABLA_DEV, &st)) TH_LOG("%s", strerror(errno));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(0600, st.st_mode & 07777);
	ASSERT_EQ(0, st.st_uid);
}

/*
 * Without CAP_IPC_LOCK the regions count against RLIMIT_MEMLOCK: -ENOMEM
 * beyond it, and what a closed context held is free again.
 */
static int memlock_body(void *arg, const char *node)
{
	const size_t page = sysconf(_SC_PAGESIZE);
	uint8_t *m = arg;
	int fd = open(node, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return 11;
	if (register_memory(fd, m, 12 * page))
		return 12;
	if (register_memory(fd, m + 12 * page, 8 * page) != -ENOMEM)
		return 13;
	if (register_memory(fd, m + 12 * page, 4 * page))
		return 14;
	close(fd);
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0 || register_memory(fd, m, 16 * page))
		return 15;
	return 0;
}

TEST(register_memory_memlock)
{
	const size_t page = sysconf(_SC_PAGESIZE);
	uint8_t *m;
	int fd;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	m = mmap(NULL, 32 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	/* An unprivileged user has no CAP_IPC_LOCK. */
	ASSERT_EQ(0, as_nobody(memlock_body, m, 16 * page));
	munmap(m, 32 * page);
}

/*
 * Register @npages of fresh memory on context @fd in a child that is
 * nobody with a RLIMIT_MEMLOCK of @limit pages, and exit: the child's
 * status (0: registered; 1: -ENOMEM; 2: another error; 3: no set-up).
 */
static int register_in_child(int fd, size_t npages, size_t limit)
{
	const size_t page = sysconf(_SC_PAGESIZE);
	struct rlimit rl = { limit * page, limit * page };
	int status, err;
	pid_t pid;
	void *m;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		m = mmap(NULL, npages * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED || setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(3);
		err = register_memory(fd, m, npages * page);
		_exit(!err ? 0 : err == -ENOMEM ? 1 : 2);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * The charge stays with the pages: children of an unprivileged opener
 * register on inherited contexts and exit, and the pages they left pinned
 * still count against the user's RLIMIT_MEMLOCK until the context closes
 * (the charge once left with each child's mm: any number of such contexts
 * pinned without bound).
 */
static int outlives_body(void *arg, const char *node)
{
	int a = open(node, O_RDWR | O_CLOEXEC), b = open(node, O_RDWR | O_CLOEXEC);

	(void)arg;
	if (a < 0 || b < 0)
		return 11;
	/* 12 of 16 pages, left pinned by a child that is gone. */
	if (register_in_child(a, 12, 16) != 0)
		return 12;
	/* 12 more would be 24 of the user's 16. */
	if (register_in_child(b, 12, 16) != 1)
		return 13;
	if (register_in_child(b, 4, 16) != 0)
		return 14;
	close(a);
	close(b);
	/* Both closed: all given back, exactly once. */
	b = open(node, O_RDWR | O_CLOEXEC);
	if (b < 0 || register_in_child(b, 16, 16) != 0)
		return 15;
	close(b);
	b = open(node, O_RDWR | O_CLOEXEC);
	if (b < 0 || register_in_child(b, 17, 16) != 1)
		return 16;
	return 0;
}

TEST(register_memory_charge_outlives_child)
{
	int fd;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	ASSERT_EQ(0, as_nobody(outlives_body, NULL, RLIM_INFINITY));
}

/*
 * debugfs names a context's opener as the initial pid namespace numbers
 * it: a process that is pid 1 of its own namespace is shown by its pid
 * out here.
 */
TEST(debugfs_owner_outside_pid_namespace)
{
	int up[2], down[2], status;
	char dir[256], c = 0;
	pid_t child, outer;

	if (access(NABLA_DEBUGFS, R_OK))
		SKIP(return, "no debugfs");
	ASSERT_EQ(0, pipe2(up, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(down, O_CLOEXEC));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pid_t inner;

		if (unshare(CLONE_NEWPID))
			_exit(10);
		inner = fork();
		if (inner == 0) {
			int fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
			char self[32] = "";

			/* Only the parent's ends stay open: its exit ends the wait. */
			close(up[0]);
			close(down[1]);

			/* This /proc is the initial namespace's: it names us so. */
			if (fd < 0 || getpid() != 1 ||
			    readlink("/proc/self", self, sizeof(self) - 1) <= 0)
				_exit(11);
			outer = atoi(self);
			if (write(up[1], &outer, sizeof(outer)) != sizeof(outer) ||
			    read(down[0], &c, 1) != 1)
				_exit(12);
			_exit(0);
		}
		close(up[0]);
		close(up[1]);
		close(down[0]);
		close(down[1]);
		if (inner < 0 || waitpid(inner, &status, 0) != inner)
			_exit(13);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 14);
	}
	close(up[1]);
	close(down[0]);
	outer = 0;
	if (read(up[0], &outer, sizeof(outer)) != sizeof(outer)) {
		ASSERT_EQ(child, waitpid(child, &status, 0));
		if (WIFEXITED(status) && WEXITSTATUS(status) == 10)
			SKIP(return, "no pid namespaces (unshare: CLONE_NEWPID)");
		ASSERT_TRUE(0) TH_LOG("child status %#x", status);
	}
	ASSERT_LT(1, outer);
	ASSERT_EQ(0, ctx_debugfs_dir(outer, dir, sizeof(dir)));
	ASSERT_EQ(outer, debugfs_get(dir, "context", "owner"));
	ASSERT_EQ(1, write(down[1], &c, 1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	close(up[0]);
	close(down[1]);
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
