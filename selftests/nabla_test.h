/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nabla_test.h: helpers of the /dev/nabla kselftests (nabla_*_test.c).
 *
 * Calls return 0 or -errno so that tests can ASSERT_EQ(-EINVAL, ...).
 * The net helpers make a veth pair: the "guest" end is attached to a
 * context, the "peer" end is driven by an AF_PACKET socket. Frames of the
 * tests carry the local experimental ethertype 0x88b5 and a sequence
 * number, so that anything the host stack sends is told apart.
 */
#ifndef NABLA_TEST_H
#define NABLA_TEST_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/nabla.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NABLA_DEV		"/dev/nabla"
#define NABLA_DEBUGFS		"/sys/kernel/debug/nabla"
#define TEST_ETHERTYPE		0x88b5

/* Open /dev/nabla in a fixture or test, or skip saying why. */
#define NABLA_OPEN_OR_SKIP(fd)						\
	do {								\
		(fd) = open(NABLA_DEV, O_RDWR | O_CLOEXEC);		\
		if ((fd) < 0)						\
			SKIP(return, NABLA_DEV " absent (%s): nabla.ko not loaded", \
			     strerror(errno));				\
	} while (0)

static inline int nabla_call(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Run a shell command; its exit status, or -1. */
static inline int run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	status = system(cmd);
	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* A page of inaccessible memory: user pointers that must fault. */
#define BAD_PTR		((uint64_t)(uintptr_t)1)

/* ---- net ---------------------------------------------------------------- */

/*
 * iproute2's ip, by path: busybox's sh prefers its own applets, and
 * busybox's ip cannot make a veth pair.
 */
static inline const char *ip_cmd(void)
{
	static const char *const paths[] = { "/usr/sbin/ip", "/sbin/ip", "/bin/ip" };
	unsigned int i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!access(paths[i], X_OK))
			return paths[i];
	return "ip";
}

static inline void veth_destroy(const char *guest)
{
	run("%s link del %s >/dev/null 2>&1", ip_cmd(), guest);
}

/*
 * A veth pair, both ends up, without IPv6 (no router solicitations or MLD
 * reports in the way). 0 or -1.
 */
static inline int veth_create(const char *guest, const char *peer)
{
	char path[128];

	veth_destroy(guest);
	if (run("%s link add %s type veth peer name %s", ip_cmd(), guest, peer))
		return -1;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", guest);
	write_file(path, "1");
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", peer);
	write_file(path, "1");
	if (run("%s link set %s up && %s link set %s up", ip_cmd(), guest, ip_cmd(), peer))
		return -1;
	return 0;
}

/* An AF_PACKET socket on @ifname for TEST_ETHERTYPE frames; fd or -errno. */
static inline int packet_open(const char *ifname)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(TEST_ETHERTYPE),
	};
	int fd, one = 1, bufsz = 4 << 20;

	sll.sll_ifindex = if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		return -ENODEV;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(TEST_ETHERTYPE));
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	/* Frames other sockets send on the interface are not for us. */
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* A test frame of @len bytes (>= 18): header, 32-bit sequence, pattern. */
static inline void frame_fill(uint8_t *f, size_t len, const uint8_t dst[6],
			      const uint8_t src[6], uint32_t seq)
{
	size_t i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = TEST_ETHERTYPE >> 8;
	f[13] = TEST_ETHERTYPE & 0xff;
	memcpy(f + 14, &seq, 4);
	for (i = 18; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
}

static inline bool frame_is_test(const uint8_t *f, size_t len)
{
	return len >= 18 && f[12] == (TEST_ETHERTYPE >> 8) &&
	       f[13] == (TEST_ETHERTYPE & 0xff);
}

static inline uint32_t frame_seq(const uint8_t *f)
{
	uint32_t seq;

	memcpy(&seq, f + 14, 4);
	return seq;
}

/* Receive one test frame on an AF_PACKET socket within @ms; length or -errno. */
static inline ssize_t packet_recv(int fd, uint8_t *buf, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t end = mono_ns() + ms * 1000000ULL;
	ssize_t n;

	for (;;) {
		int left = (int)((int64_t)(end - mono_ns()) / 1000000);

		if (left < 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, left) <= 0)
			return -ETIMEDOUT;
		n = recv(fd, buf, size, MSG_DONTWAIT);
		if (n < 0)
			return -errno;
		if (frame_is_test(buf, n))
			return n;
	}
}

static inline int attach_net(int fd, const char *ifname, const char *name,
			     struct nabla_attach_net *out)
{
	struct nabla_attach_net a;

	memset(&a, 0, sizeof(a));
	snprintf(a.ifname, sizeof(a.ifname), "%s", ifname);
	snprintf(a.name, sizeof(a.name), "%s", name);
	if (nabla_call(fd, NABLA_ATTACH_NET, &a))
		return -errno;
	if (out)
		*out = a;
	return a.out_handle;
}

/*
 * Read one test frame from @handle, yielding until @ms have passed;
 * its length or -errno. Frames of the host stack are skipped.
 */
static inline ssize_t nabla_recv(int fd, uint32_t handle, uint8_t *buf,
				 size_t size, int ms)
{
	uint64_t deadline = mono_ns() + ms * 1000000ULL;
	struct nabla_net_read r;
	struct nabla_yield y;
	int err;

	for (;;) {
		memset(&r, 0, sizeof(r));
		r.handle = handle;
		r.buf = (uintptr_t)buf;
		r.len = size;
		err = nabla_call(fd, NABLA_NET_READ, &r);
		if (!err && frame_is_test(buf, r.out_len))
			return r.out_len;
		if (!err)
			continue;
		if (err != -EAGAIN)
			return err;
		if (mono_ns() >= deadline)
			return -ETIMEDOUT;
		memset(&y, 0, sizeof(y));
		y.deadline_ns = deadline;
		err = nabla_call(fd, NABLA_YIELD, &y);
		if (err)
			return err;
	}
}

/* ---- block ---------------------------------------------------------------- */

static inline int attach_block(int fd, int file_fd, const char *name,
			       struct nabla_attach_block *out)
{
	struct nabla_attach_block a;

	memset(&a, 0, sizeof(a));
	a.fd = file_fd;
	snprintf(a.name, sizeof(a.name), "%s", name);
	if (nabla_call(fd, NABLA_ATTACH_BLOCK, &a))
		return -errno;
	if (out)
		*out = a;
	return a.out_handle;
}

static inline int block_io(int fd, unsigned long cmd, uint32_t handle,
			   uint64_t offset, void *buf, uint64_t len)
{
	struct nabla_block_io io = {
		.handle = handle,
		.offset = offset,
		.buf = (uintptr_t)buf,
		.len = len,
	};

	return nabla_call(fd, cmd, &io);
}

/* A sparse regular file of @size bytes in /tmp; fd (O_RDWR) or -errno. */
static inline int tmpfile_create(const char *tag, off_t size, char *path,
				 size_t pathsz)
{
	int fd;

	snprintf(path, pathsz, "/tmp/nabla-%s-%d", tag, getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size)) {
		close(fd);
		unlink(path);
		return -errno;
	}
	return fd;
}

/* ---- debugfs ---------------------------------------------------------- */

/* The debugfs directory of the newest context opened by @pid; 0 or -errno. */
static inline int ctx_debugfs_dir(pid_t pid, char *out, size_t size)
{
	unsigned long long best = 0;
	DIR *d = opendir(NABLA_DEBUGFS);
	struct dirent *e;
	char path[300], line[128];

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		unsigned long long id = strtoull(e->d_name, NULL, 10);
		FILE *f;
		int owner = -1;

		if (!id)
			continue;
		snprintf(path, sizeof(path), NABLA_DEBUGFS "/%s/context", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "owner %d", &owner) == 1)
				break;
		fclose(f);
		if (owner == pid && id > best)
			best = id;
	}
	closedir(d);
	if (!best)
		return -ENOENT;
	snprintf(out, size, NABLA_DEBUGFS "/%llu", best);
	return 0;
}

/* The value of @key in the debugfs file @dir/@file, or -1. */
static inline long long debugfs_get(const char *dir, const char *file,
				    const char *key)
{
	char path[400], line[160], k[64];
	long long v, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lli", k, &v) == 2 && !strcmp(k, key)) {
			found = v;
			break;
		}
	fclose(f);
	return found;
}

/* /proc/meminfo's @key in KiB, or -1. */
static inline long long meminfo_kb(const char *key)
{
	char line[160], k[64];
	long long v, found = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %lld", k, &v) == 2 && !strcmp(k, key)) {
			found = v;
			break;
		}
	fclose(f);
	return found;
}

/* Slab in KiB after the dentry/inode caches were dropped. */
static inline long long slab_kb(void)
{
	sync();
	write_file("/proc/sys/vm/drop_caches", "2");
	return meminfo_kb("Slab");
}

#endif /* NABLA_TEST_H */
