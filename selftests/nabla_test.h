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
#include <linux/if_tun.h>
#include <linux/loop.h>
#include <linux/nabla.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
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

/*
 * First in every TEST_F: this harness (6.1) runs the test body even after
 * its fixture's setup skipped.
 */
#define RETURN_IF_SKIPPED()						\
	do {								\
		if (_metadata->skip)					\
			return;						\
	} while (0)

/*
 * A node of /dev/nabla that any user may open, at @path (made anew), for
 * the tests that run as an unprivileged user: the module's own node is
 * root's (udev gives it to the group "nabla" on a real host, and the test
 * host has no udev). 0 or -errno; unlink(@path) when done.
 */
static inline int nabla_node_for_all(char *path, size_t size)
{
	struct stat st;

	if (stat(NABLA_DEV, &st))
		return -errno;
	snprintf(path, size, "/tmp/nabla-node-%d", getpid());
	unlink(path);
	if (mknod(path, S_IFCHR | 0666, st.st_rdev) || chmod(path, 0666))
		return -errno;
	return 0;
}

/*
 * Become nobody (no capabilities left) with a RLIMIT_MEMLOCK of @memlock
 * bytes: 0 or -errno.
 */
static inline int become_nobody(size_t memlock)
{
	struct rlimit rl = { memlock, memlock };

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return -errno;
	if (geteuid() == 0 && setresuid(65534, 65534, 65534))
		return -errno;
	return 0;
}

/*
 * Run @body(@arg, @node) in a child that is nobody with a RLIMIT_MEMLOCK
 * of @memlock bytes, @node being a /dev/nabla node it may open: the
 * child's exit status (what @body returned; 100: it could not become
 * nobody), or -1.
 */
static inline int as_nobody(int (*body)(void *arg, const char *node),
			    void *arg, size_t memlock)
{
	char node[64];
	int status = -1;
	pid_t pid;

	if (nabla_node_for_all(node, sizeof(node)))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (become_nobody(memlock))
			_exit(100);
		_exit(body(arg, node));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	unlink(node);
	return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

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
 * Links are made with rtnetlink and ioctls rather than by running ip(8):
 * no process per step (the debug kernel makes each exec slow), and no
 * dependence on which ip a busybox shell would pick.
 */
struct nl_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[256];
};

static inline struct rtattr *nl_put(struct nlmsghdr *nh, unsigned short type,
				    const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

/* Close a nested attribute opened with nl_put(..., NULL, 0). */
static inline void nl_end(struct nlmsghdr *nh, struct rtattr *nest)
{
	nest->rta_len = (char *)nh + nh->nlmsg_len - (char *)nest;
}

/* Send one request and wait for its acknowledgement; 0 or -errno. */
static inline int nl_talk(struct nlmsghdr *nh)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[1024];
	struct nlmsghdr *r = (struct nlmsghdr *)buf;
	ssize_t n;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = 1;
	if (sendto(fd, nh, nh->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -errno;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) || r->nlmsg_type != NLMSG_ERROR)
		return -EIO;
	return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
}

static inline void veth_destroy(const char *guest)
{
	struct nl_req req;

	memset(&req, 0, sizeof(req));
	req.ifi.ifi_index = if_nametoindex(guest);
	if (!req.ifi.ifi_index)
		return;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.nh.nlmsg_type = RTM_DELLINK;
	nl_talk(&req.nh);
}

/* An interface ioctl on @ifname with @ifr (its name is filled in); 0 or -errno. */
static inline int ifreq_ioctl(const char *ifname, unsigned long cmd,
			      struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	if (ioctl(fd, cmd, ifr))
		err = -errno;
	close(fd);
	return err;
}

/* Bring @ifname up or down; 0 or -errno. */
static inline int link_set_up(const char *ifname, bool up)
{
	struct ifreq ifr = { 0 };
	int err;

	err = ifreq_ioctl(ifname, SIOCGIFFLAGS, &ifr);
	if (err)
		return err;
	ifr.ifr_flags = up ? (ifr.ifr_flags | IFF_UP) : (ifr.ifr_flags & ~IFF_UP);
	return ifreq_ioctl(ifname, SIOCSIFFLAGS, &ifr);
}

/* Give @ifname the IPv4 address @addr/24; 0 or -errno. */
static inline int link_add_ipv4(const char *ifname, const char *addr)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int err;

	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	err = ifreq_ioctl(ifname, SIOCSIFADDR, &ifr);
	if (err)
		return err;
	inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
	return ifreq_ioctl(ifname, SIOCSIFNETMASK, &ifr);
}

/* A permanent neighbour entry: @addr is at @mac on @ifname; 0 or -errno. */
static inline int neigh_add(const char *ifname, const char *addr, const uint8_t mac[6])
{
	struct arpreq req;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	((struct sockaddr_in *)&req.arp_pa)->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &((struct sockaddr_in *)&req.arp_pa)->sin_addr);
	req.arp_ha.sa_family = ARPHRD_ETHER;
	memcpy(req.arp_ha.sa_data, mac, 6);
	req.arp_flags = ATF_COM | ATF_PERM;
	snprintf(req.arp_dev, sizeof(req.arp_dev), "%s", ifname);
	if (ioctl(fd, SIOCSARP, &req))
		err = -errno;
	close(fd);
	return err;
}

/*
 * A veth pair, both ends up, without IPv6 (no router solicitations or MLD
 * reports in the way). 0 or -errno.
 */
static inline int veth_create(const char *guest, const char *peer)
{
	struct rtattr *linkinfo, *data, *peerinfo;
	struct nl_req req;
	char path[128];
	int err;

	veth_destroy(guest);
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	nl_put(&req.nh, IFLA_IFNAME, guest, strlen(guest) + 1);
	linkinfo = nl_put(&req.nh, IFLA_LINKINFO, NULL, 0);
	nl_put(&req.nh, IFLA_INFO_KIND, "veth", 4);
	data = nl_put(&req.nh, IFLA_INFO_DATA, NULL, 0);
	peerinfo = nl_put(&req.nh, VETH_INFO_PEER, NULL, 0);
	/* The peer's struct ifinfomsg (zeroed), then its attributes. */
	req.nh.nlmsg_len += NLMSG_ALIGN(sizeof(struct ifinfomsg));
	nl_put(&req.nh, IFLA_IFNAME, peer, strlen(peer) + 1);
	nl_end(&req.nh, peerinfo);
	nl_end(&req.nh, data);
	nl_end(&req.nh, linkinfo);
	err = nl_talk(&req.nh);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", guest);
	write_file(path, "1");
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", peer);
	write_file(path, "1");
	err = link_set_up(guest, true);
	return err ? err : link_set_up(peer, true);
}

/* Set the MTU of @ifname; 0 or -errno. */
static inline int link_set_mtu(const char *ifname, int mtu)
{
	struct ifreq ifr = { .ifr_mtu = mtu };

	return ifreq_ioctl(ifname, SIOCSIFMTU, &ifr);
}

/*
 * A tap interface @ifname, up, without IPv6, with a virtio_net_hdr before
 * every frame read or written when @vnet_hdr: its fd (blocking), or
 * -errno. The interface lives as long as the fd. A frame written to the
 * fd is received by the interface in the writer's own task context (tun
 * calls netif_receive_skb() with bottom halves disabled, not from a
 * softirq), which is what lets fail-nth reach an rx_handler.
 */
static inline int tap_open(const char *ifname, bool vnet_hdr)
{
	struct ifreq ifr;
	char path[128];
	int fd, err;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet_hdr ? IFF_VNET_HDR : 0);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		err = -errno;
		close(fd);
		return err;
	}
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	write_file(path, "1");
	err = link_set_up(ifname, true);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
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

/* Attach @file_fd as @name with block size @bs (0: the default); handle or -errno. */
static inline int attach_block_bs(int fd, int file_fd, const char *name,
				  uint32_t bs, struct nabla_attach_block *out)
{
	struct nabla_attach_block a;

	memset(&a, 0, sizeof(a));
	a.fd = file_fd;
	snprintf(a.name, sizeof(a.name), "%s", name);
	if (bs) {
		a.flags = NABLA_BLOCK_ATTACH_F_BLOCK_SIZE;
		a.block_size = bs;
	}
	if (nabla_call(fd, NABLA_ATTACH_BLOCK, &a))
		return -errno;
	if (out)
		*out = a;
	return a.out_handle;
}

static inline int attach_block(int fd, int file_fd, const char *name,
			       struct nabla_attach_block *out)
{
	return attach_block_bs(fd, file_fd, name, 0, out);
}

/* NABLA_BLOCK_READ or _WRITE with @flags (NABLA_BLOCK_IO_F_*). */
static inline int block_io_flags(int fd, unsigned long cmd, uint32_t handle,
				 uint64_t offset, void *buf, uint64_t len,
				 uint32_t flags)
{
	struct nabla_block_io io = {
		.handle = handle,
		.flags = flags,
		.offset = offset,
		.buf = (uintptr_t)buf,
		.len = len,
	};

	return nabla_call(fd, cmd, &io);
}

static inline int block_io(int fd, unsigned long cmd, uint32_t handle,
			   uint64_t offset, void *buf, uint64_t len)
{
	return block_io_flags(fd, cmd, handle, offset, buf, len, 0);
}

/* NABLA_REGISTER_MEMORY of [@addr, @addr + @len): 0 or -errno. */
static inline int register_memory(int fd, const void *addr, uint64_t len)
{
	struct nabla_register_memory r = {
		.addr = (uintptr_t)addr,
		.len = len,
	};

	return nabla_call(fd, NABLA_REGISTER_MEMORY, &r);
}

/* This process's VmPin (/proc/self/status: pages pinned long-term) in KiB, or -1. */
static inline long vm_pinned_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
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

/*
 * A free loop device over a new sparse file of @size bytes (its path into
 * @backing; the device's path into @path when @path is not NULL): the
 * device's fd (O_RDWR), or -errno with nothing left behind.
 */
static inline int loop_create(const char *tag, off_t size, char *backing,
			      size_t bsz, char *path, size_t pathsz)
{
	char name[64];
	int ctl, n, dev = -1, file, err = 0;

	file = tmpfile_create(tag, size, backing, bsz);
	if (file < 0)
		return file;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	n = ctl < 0 ? -1 : ioctl(ctl, LOOP_CTL_GET_FREE);
	if (n < 0)
		err = -errno;
	if (ctl >= 0)
		close(ctl);
	if (!err) {
		snprintf(name, sizeof(name), "/dev/loop%d", n);
		dev = open(name, O_RDWR | O_CLOEXEC);
		if (dev < 0 || ioctl(dev, LOOP_SET_FD, file))
			err = -errno;
	}
	close(file);
	if (err) {
		if (dev >= 0)
			close(dev);
		unlink(backing);
		return err;
	}
	if (path)
		snprintf(path, pathsz, "%s", name);
	return dev;
}

/* ---- pins ------------------------------------------------------------- */

/* /proc/vmstat's count of @key, or -1. */
static inline long long vmstat(const char *key)
{
	char line[128];
	size_t len = strlen(key);
	long long v = -1;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ' ')
			v = atoll(line + len + 1);
	fclose(f);
	return v;
}

struct pins {
	long long acquired, released;
};

/*
 * The counters are per CPU and folded into /proc/vmstat from time to time;
 * writing stat_refresh folds them now.
 */
static inline void pins_read(struct pins *p)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			p->acquired = -1;
		close(fd);
	}
	p->acquired = vmstat("nr_foll_pin_acquired");
	p->released = vmstat("nr_foll_pin_released");
}

/* Pins taken since @before, all released: how many, or -1 if any is held. */
static inline long long pins_since(const struct pins *before)
{
	struct pins now;

	pins_read(&now);
	if (now.acquired - before->acquired != now.released - before->released)
		return -1;
	return now.acquired - before->acquired;
}

#define NEED_PIN_COUNTERS() do {					\
	if (vmstat("nr_foll_pin_acquired") < 0)				\
		SKIP(return, "no nr_foll_pin_* in /proc/vmstat");	\
	if (access("/proc/sys/vm/stat_refresh", W_OK))			\
		SKIP(return, "no /proc/sys/vm/stat_refresh to write");	\
} while (0)

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

/*
 * Kernels with kmemleak (the debug kernel) also have KASAN, whose
 * quarantine keeps freed objects counted in Slab: there leaks are looked
 * for with kmemleak instead.
 */
#define KMEMLEAK	"/sys/kernel/debug/kmemleak"

static inline bool have_kmemleak(void)
{
	return !access(KMEMLEAK, R_OK);
}

/*
 * NABLA_KMEMLEAK=final in the environment: the test host scans for leaks
 * once after all programs, and the programs leave it to that scan (each
 * of their own costs two scans of all memory, tens of seconds on the
 * debug kernel under TCG).
 */
static inline bool kmemleak_deferred(void)
{
	const char *v = getenv("NABLA_KMEMLEAK");

	return v && !strcmp(v, "final");
}

/* Forget what kmemleak reported so far. */
static inline void kmemleak_clear(void)
{
	write_file(KMEMLEAK, "clear");
}

/* Print a kmemleak report held in @obj (lines of @n bytes) as comments. */
static inline void kmemleak_print(const char *obj, size_t n)
{
	const char *p = obj, *end = obj + n, *nl;

	while (p < end && (nl = memchr(p, '\n', end - p))) {
		fprintf(stderr, "# kmemleak: %.*s\n", (int)(nl - p), p);
		p = nl + 1;
	}
}

/*
 * Unreferenced objects allocated through nabla.ko (a frame of the module
 * in their allocation trace), printed, or -1 without kmemleak. Objects are
 * only reported once older than 5 s, and not by the first scan that sees
 * them (it only takes their checksum; an object that changed between two
 * scans is given another chance): wait, then scan twice.
 */
static inline int kmemleak_nabla(void)
{
	bool in_obj = false, ours = false;
	char line[256], obj[4096];
	size_t n = 0;
	int leaks = 0;
	FILE *f;

	if (!have_kmemleak())
		return -1;
	sleep(6);
	if (write_file(KMEMLEAK, "scan") || write_file(KMEMLEAK, "scan"))
		return -1;
	f = fopen(KMEMLEAK, "re");
	if (!f)
		return -1;
	for (;;) {
		bool eof = !fgets(line, sizeof(line), f);

		if (eof || !strncmp(line, "unreferenced object", 19)) {
			if (in_obj && ours) {
				leaks++;
				kmemleak_print(obj, n);
			}
			if (eof)
				break;
			in_obj = true;
			ours = false;
			n = 0;
		} else if (strstr(line, "[nabla]")) {
			ours = true;
		}
		if (n + strlen(line) < sizeof(obj)) {
			memcpy(obj + n, line, strlen(line));
			n += strlen(line);
		}
	}
	fclose(f);
	return leaks;
}

#endif /* NABLA_TEST_H */
