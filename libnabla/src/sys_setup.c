// SPDX-License-Identifier: ISC
/*
 * sys_setup.c: start-up of the syscall backend, and its seccomp rules,
 * equivalent to those of Solo5 spt: each rule is narrowed by argument to
 * the fds (and for block I/O the lengths and offsets) it needs. Waiting is
 * done as spt does it: an epoll set of the tap fds and a timerfd, which
 * yield arms at its absolute deadline (sys_ops.c).
 *
 * --net:NAME=IFACE must name an existing tap interface (made by the
 * launcher, e.g. `ip tuntap add IFACE mode tap`); it is opened through
 * /dev/net/tun as Solo5 spt does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "internal.h"

static int epoll_add(int fd, uint64_t token)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = token };

	if (epoll_ctl(nabla_sys.epollfd, EPOLL_CTL_ADD, fd, &ev)) {
		nabla_err("epoll_ctl(EPOLL_CTL_ADD): %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int sys_open(const struct nabla_config *cfg)
{
	(void)cfg;
	nabla_sys.vdso_gettime = nabla_vdso_sym("__vdso_clock_gettime");
	nabla_sys.epollfd = epoll_create1(EPOLL_CLOEXEC);
	if (nabla_sys.epollfd < 0) {
		nabla_err("epoll_create1: %s", strerror(errno));
		return -1;
	}
	nabla_sys.timerfd = timerfd_create(CLOCK_MONOTONIC,
					   TFD_NONBLOCK | TFD_CLOEXEC);
	if (nabla_sys.timerfd < 0) {
		nabla_err("timerfd_create: %s", strerror(errno));
		return -1;
	}
	return epoll_add(nabla_sys.timerfd, NABLA_SYS_TIMER_TOKEN);
}

static int tap_mtu(const char *ifname, uint32_t *mtu)
{
	struct ifreq ifr;
	int sock, rc;

	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	rc = ioctl(sock, SIOCGIFMTU, &ifr);
	close(sock);
	if (rc)
		return -1;
	*mtu = ifr.ifr_mtu;
	return 0;
}

/* A random unicast, locally administered address, as Solo5 spt makes. */
static int random_mac(uint8_t mac[6])
{
	if (getrandom(mac, 6, 0) != 6)
		return -1;
	mac[0] = (mac[0] & ~0x01) | 0x02;
	return 0;
}

static int tap_open(const char *ifname)
{
	struct ifreq ifr;
	int fd;

	/* TUNSETIFF would create a missing interface: refuse instead. */
	if (!if_nametoindex(ifname)) {
		nabla_err("no interface '%s' (the syscall backend needs a tap: "
			  "ip tuntap add %s mode tap)", ifname, ifname);
		return -1;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		nabla_err("cannot open /dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		nabla_err("cannot attach to tap '%s': %s", ifname,
			  errno == EINVAL ? "not a tap interface" :
			  strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int attach_net(const struct nabla_net_arg *net, unsigned int h)
{
	struct nabla_device *d = &nabla_devices[h];
	int fd;

	fd = tap_open(net->ifname);
	if (fd < 0)
		return -1;
	if (tap_mtu(net->ifname, &d->mtu)) {
		nabla_err("tap '%s': cannot read its MTU: %s", net->ifname,
			  strerror(errno));
		goto err_close;
	}
	if (net->has_mac) {
		memcpy(d->mac, net->mac, 6);
	} else if (random_mac(d->mac)) {
		nabla_err("getrandom: %s", strerror(errno));
		goto err_close;
	}
	if (epoll_add(fd, h))
		goto err_close;
	d->type = NABLA_DEV_NET;
	strcpy(d->name, net->name);
	d->fd = fd;
	return 0;

err_close:
	close(fd);
	return -1;
}

/* The bounce buffer of O_DIRECT devices, populated now: no faults later. */
static int dio_bounce_map(void)
{
	void *p;

	if (nabla_sys.dio_bounce)
		return 0;
	p = mmap(NULL, NABLA_BLOCK_MAX_IO, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		nabla_err("cannot map the O_DIRECT bounce buffer: %s",
			  strerror(errno));
		return -1;
	}
	nabla_sys.dio_bounce = p;
	return 0;
}

static int attach_block(const struct nabla_block_arg *blk, unsigned int h)
{
	struct nabla_device *d = &nabla_devices[h];
	off_t size;

	if (blk->direct && dio_bounce_map())
		return -1;

	size = lseek(blk->fd, 0, SEEK_END);
	if (size < 0) {
		nabla_err("block device '%s' on '%s': cannot find its size: %s",
			  blk->name, blk->path, strerror(errno));
		return -1;
	}
	d->type = NABLA_DEV_BLOCK;
	strcpy(d->name, blk->name);
	d->fd = blk->fd;
	/* args.c has checked that the size is a multiple of the sector size. */
	d->block_size = blk->block_size;
	d->capacity = size;
	d->rdonly = blk->rdonly;
	d->direct = blk->direct;
	return 0;
}

/* Handles: net devices first, then block devices, in command-line order. */
static int sys_attach(const struct nabla_config *cfg)
{
	unsigned int i, h = 0;

	for (i = 0; i < cfg->nnet; i++)
		if (attach_net(&cfg->net[i], h++))
			return -1;
	for (i = 0; i < cfg->nblock; i++)
		if (attach_block(&cfg->block[i], h++))
			return -1;
	return 0;
}

#define RULE(ctx, nr, ...) do {						\
	int __rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(nr),	\
				    __VA_ARGS__);			\
	if (__rc) {							\
		nabla_err("seccomp_rule_add(" #nr "): %s",		\
			  strerror(-__rc));				\
		return -1;						\
	}								\
} while (0)

/*
 * pread64/pwrite64 on the block fd, of block_size << k bytes up to
 * NABLA_BLOCK_MAX_IO, ending within the capacity: the length is pinned and
 * the offset bounded, as spt does for its one length, so that a regular
 * file can never grow.
 */
static int block_rules(void *ctx, const struct nabla_device *d)
{
	unsigned int k, classes = nabla_sys_io_classes(d->block_size);
	uint64_t len = d->block_size;

	for (k = 0; k < classes && len <= d->capacity; k++, len <<= 1) {
		RULE(ctx, pread64, 3, SCMP_A0(SCMP_CMP_EQ, d->fd),
		     SCMP_A2(SCMP_CMP_EQ, len),
		     SCMP_A3(SCMP_CMP_LE, d->capacity - len));
		if (d->rdonly)
			continue;
		RULE(ctx, pwrite64, 3, SCMP_A0(SCMP_CMP_EQ, d->fd),
		     SCMP_A2(SCMP_CMP_EQ, len),
		     SCMP_A3(SCMP_CMP_LE, d->capacity - len));
	}
	return 0;
}

static int sys_rules(void *ctx)
{
	unsigned int h;

	/* The console is fd 1. */
	RULE(ctx, write, 1, SCMP_A0(SCMP_CMP_EQ, 1));
	/* The clocks, should the vDSO fall back to the system call. */
	RULE(ctx, clock_gettime, 1, SCMP_A0(SCMP_CMP_EQ, CLOCK_MONOTONIC));
	RULE(ctx, clock_gettime, 1, SCMP_A0(SCMP_CMP_EQ, CLOCK_REALTIME));
	/*
	 * yield: arm the timer at an absolute time, wait on the epoll set
	 * without a signal mask.
	 */
	RULE(ctx, timerfd_settime, 3, SCMP_A0(SCMP_CMP_EQ, nabla_sys.timerfd),
	     SCMP_A1(SCMP_CMP_EQ, TFD_TIMER_ABSTIME), SCMP_A3(SCMP_CMP_EQ, 0));
	RULE(ctx, epoll_pwait, 2, SCMP_A0(SCMP_CMP_EQ, nabla_sys.epollfd),
	     SCMP_A4(SCMP_CMP_EQ, 0));
	for (h = 0; h < NABLA_MAX_DEVICES; h++) {
		const struct nabla_device *d = &nabla_devices[h];

		if (d->type == NABLA_DEV_NET) {
			RULE(ctx, read, 1, SCMP_A0(SCMP_CMP_EQ, d->fd));
			RULE(ctx, write, 1, SCMP_A0(SCMP_CMP_EQ, d->fd));
		} else if (d->type == NABLA_DEV_BLOCK && block_rules(ctx, d)) {
			return -1;
		}
	}
	return 0;
}

static long sys_seal(void)
{
	return 0;	/* nothing to freeze: the filter is the whole fence */
}

const struct nabla_setup nabla_sys_setup = {
	.open = sys_open,
	.attach = sys_attach,
	.rules = sys_rules,
	.seal = sys_seal,
};
