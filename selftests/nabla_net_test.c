// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/nabla net devices over a veth pair: the guest end is attached to a
 * context, the peer end is driven by an AF_PACKET socket. Attach and its
 * errors, frames both ways byte for byte, every error of write, read and
 * info, foreign handles, yield waking on arrival, a bounded RX queue
 * under a flood, the interface deleted while attached, and the transmit
 * path: a burst leaves in order, a close loses nothing written before it,
 * a deleted link accounts for every frame, and attaching creates no task
 * that escapes pids.max.
 */
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include "kselftest_harness.h"
#include "nabla_test.h"

#define GUEST	"nbg0"
#define PEER	"nbp0"
#define FRAME_MAX	1514

static const uint8_t peer_mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };

FIXTURE(net) {
	int fd;		/* the context */
	int pkt;	/* AF_PACKET on the peer */
	uint32_t h;	/* the guest end's handle */
	uint8_t mac[6];
	uint32_t mtu;
	char dbg[256];
};

FIXTURE_SETUP(net)
{
	struct nabla_attach_net a = { 0 };
	int h;

	self->fd = -1;
	self->pkt = -1;
	NABLA_OPEN_OR_SKIP(self->fd);
	ASSERT_EQ(0, veth_create(GUEST, PEER));
	self->pkt = packet_open(PEER);
	ASSERT_LE(0, self->pkt);
	h = attach_net(self->fd, GUEST, "service", &a);
	ASSERT_LE(0, h);
	self->h = h;
	memcpy(self->mac, a.out_mac, 6);
	self->mtu = a.out_mtu;
	if (ctx_debugfs_dir(getpid(), self->dbg, sizeof(self->dbg)))
		self->dbg[0] = 0;
}

FIXTURE_TEARDOWN(net)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->pkt >= 0)
		close(self->pkt);
	veth_destroy(GUEST);
}

static int net_write(int fd, uint32_t h, const void *buf, uint64_t len)
{
	struct nabla_net_write w = { .handle = h, .buf = (uintptr_t)buf, .len = len };

	return nabla_call(fd, NABLA_NET_WRITE, &w);
}

static int net_read(int fd, uint32_t h, void *buf, uint64_t len, uint64_t *out)
{
	struct nabla_net_read r = { .handle = h, .buf = (uintptr_t)buf, .len = len };
	int err = nabla_call(fd, NABLA_NET_READ, &r);

	if (!err && out)
		*out = r.out_len;
	return err;
}

static int peer_send(int pkt, const uint8_t dst[6], size_t len, uint32_t seq)
{
	uint8_t f[FRAME_MAX];

	frame_fill(f, len, dst, peer_mac, seq);
	return send(pkt, f, len, 0) == (ssize_t)len ? 0 : -errno;
}

TEST_F(net, attach_outputs)
{
	struct nabla_net_info i = { .handle = self->h };
	char flags[32];
	FILE *f;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, self->h);
	ASSERT_EQ(1500, self->mtu);
	/* A random MAC: unicast, locally administered. */
	ASSERT_EQ(0, self->mac[0] & 1);
	ASSERT_EQ(2, self->mac[0] & 2);
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_NET_INFO, &i));
	ASSERT_EQ(0, memcmp(i.out_mac, self->mac, 6));
	ASSERT_EQ(self->mtu, i.out_mtu);

	/* Promiscuous while attached. */
	f = fopen("/sys/class/net/" GUEST "/flags", "re");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(flags, sizeof(flags), f));
	fclose(f);
	ASSERT_TRUE(strtoul(flags, NULL, 16) & 0x100);
	if (self->dbg[0]) {
		ASSERT_EQ(1, debugfs_get(self->dbg, "net-service", "attached"));
		ASSERT_EQ(1500, debugfs_get(self->dbg, "net-service", "mtu"));
	}
	close(self->fd);
	self->fd = -1;
	f = fopen("/sys/class/net/" GUEST "/flags", "re");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(flags, sizeof(flags), f));
	fclose(f);
	ASSERT_FALSE(strtoul(flags, NULL, 16) & 0x100);
}

TEST(attach_given_mac)
{
	struct nabla_attach_net a;
	int fd;

	NABLA_OPEN_OR_SKIP(fd);
	ASSERT_EQ(0, veth_create("nbg1", "nbp1"));
	memset(&a, 0, sizeof(a));
	strcpy(a.ifname, "nbg1");
	strcpy(a.name, "given_mac-1");
	a.flags = NABLA_NET_F_MAC;
	memcpy(a.mac, "\x02\x11\x22\x33\x44\x55", 6);
	ASSERT_EQ(0, nabla_call(fd, NABLA_ATTACH_NET, &a));
	ASSERT_EQ(0, memcmp(a.out_mac, "\x02\x11\x22\x33\x44\x55", 6));
	close(fd);
	veth_destroy("nbg1");
}

/* Attach @a on a fresh context-less copy; the errno, outputs untouched. */
static int attach_fails(int fd, struct nabla_attach_net *a)
{
	int err;

	a->out_handle = 0xdeadbeef;
	err = nabla_call(fd, NABLA_ATTACH_NET, a);
	if (a->out_handle != 0xdeadbeef)
		return 1;
	return err;
}

static void attach_template(struct nabla_attach_net *a)
{
	memset(a, 0, sizeof(*a));
	strcpy(a->ifname, "nbg1");
	strcpy(a->name, "other");
}

TEST_F(net, attach_errors)
{
	struct nabla_attach_net a;
	int other;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, veth_create("nbg1", "nbp1"));

	attach_template(&a);
	a.flags = 2;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	a.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	a.mac[5] = 1;			/* a MAC without NABLA_NET_F_MAC */
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	a.pad[0] = 1;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	a.pad[1] = 1;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	a.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	a.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	a.flags = NABLA_NET_F_MAC;	/* multicast */
	memcpy(a.mac, "\x01\x00\x5e\x00\x00\x01", 6);
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	a.flags = NABLA_NET_F_MAC;	/* all zeros */
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	memset(a.ifname, 'a', sizeof(a.ifname));	/* not terminated */
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	a.ifname[0] = 0;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	a.name[0] = 0;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	memset(a.name, 'a', sizeof(a.name));		/* not terminated */
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	strcpy(a.name, "a b");
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	strcpy(a.name, "a/b");
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	strcpy(a.name, "a.b");
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	strcpy(a.ifname, "lo");		/* not Ethernet */
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a);
	strcpy(a.ifname, "nosuch0");
	EXPECT_EQ(-ENODEV, attach_fails(self->fd, &a));
	attach_template(&a);
	strcpy(a.name, "service");	/* the fixture's name */
	EXPECT_EQ(-EEXIST, attach_fails(self->fd, &a));
	attach_template(&a);
	strcpy(a.ifname, GUEST);	/* attached already, here */
	EXPECT_EQ(-EBUSY, attach_fails(self->fd, &a));

	/* ... or in another context; the failures changed nothing. */
	other = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);
	attach_template(&a);
	strcpy(a.ifname, GUEST);
	EXPECT_EQ(-EBUSY, attach_fails(other, &a));
	attach_template(&a);
	ASSERT_EQ(0, nabla_call(other, NABLA_ATTACH_NET, &a));
	ASSERT_EQ(0, a.out_handle);
	close(other);

	/* This context's next device still gets handle 1. */
	attach_template(&a);
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_ATTACH_NET, &a));
	ASSERT_EQ(1, a.out_handle);
	veth_destroy("nbg1");
}

TEST_F(net, attach_needs_cap_net_admin)
{
	int status;
	pid_t pid;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, veth_create("nbg1", "nbp1"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct nabla_attach_net a;

		/* A new user namespace: no capability in the veth's netns. */
		if (unshare(CLONE_NEWUSER))
			_exit(99);
		attach_template(&a);
		_exit(nabla_call(self->fd, NABLA_ATTACH_NET, &a) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 99)
		SKIP(return, "no user namespaces");
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	veth_destroy("nbg1");
}

TEST_F(net, guest_to_peer)
{
	static const size_t sizes[] = { 18, 60, 61, 1000, FRAME_MAX };
	uint8_t f[FRAME_MAX], g[FRAME_MAX + 64];
	unsigned int i;
	ssize_t n;

	RETURN_IF_SKIPPED();

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		frame_fill(f, sizes[i], peer_mac, self->mac, i);
		ASSERT_EQ(0, net_write(self->fd, self->h, f, sizes[i]));
		n = packet_recv(self->pkt, g, sizeof(g), 5000);
		ASSERT_EQ((ssize_t)sizes[i], n);
		ASSERT_EQ(0, memcmp(f, g, n));
	}
	/* The smallest frame Solo5 allows: a bare header. */
	ASSERT_EQ(0, net_write(self->fd, self->h, f, 14));
	if (self->dbg[0]) {
		ASSERT_EQ(6, debugfs_get(self->dbg, "net-service", "tx_frames"));
		ASSERT_EQ(18 + 60 + 61 + 1000 + 1514 + 14,
			  debugfs_get(self->dbg, "net-service", "tx_bytes"));
	}
}

TEST_F(net, peer_to_guest)
{
	static const size_t sizes[] = { 18, 60, 61, 1000, FRAME_MAX };
	uint8_t f[FRAME_MAX], g[FRAME_MAX];
	unsigned int i;
	ssize_t n;

	RETURN_IF_SKIPPED();

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ASSERT_EQ(0, peer_send(self->pkt, self->mac, sizes[i], i));
		frame_fill(f, sizes[i], self->mac, peer_mac, i);
		n = nabla_recv(self->fd, self->h, g, sizeof(g), 5000);
		ASSERT_EQ((ssize_t)sizes[i], n);
		ASSERT_EQ(0, memcmp(f, g, n));
	}
}

TEST_F(net, peer_to_guest_vlan)
{
	uint8_t f[64], g[FRAME_MAX];
	uint64_t len;
	int tries;

	RETURN_IF_SKIPPED();

	/* An 802.1Q frame: the stack takes the tag out, we put it back. */
	frame_fill(f, sizeof(f), self->mac, peer_mac, 7);
	memmove(f + 16, f + 12, sizeof(f) - 16);
	f[12] = 0x81;
	f[13] = 0x00;
	f[14] = 0x20;
	f[15] = 0x2a;
	ASSERT_EQ((ssize_t)sizeof(f), send(self->pkt, f, sizeof(f), 0));
	for (tries = 0; tries < 500; tries++) {
		struct nabla_yield y = { .deadline_ns = mono_ns() + 10000000 };

		if (!net_read(self->fd, self->h, g, sizeof(g), &len) &&
		    g[12] == 0x81)
			break;
		nabla_call(self->fd, NABLA_YIELD, &y);
	}
	ASSERT_LT(tries, 500);
	ASSERT_EQ(sizeof(f), len);
	ASSERT_EQ(0, memcmp(f, g, len));
}

TEST_F(net, write_errors)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct nabla_net_write w;
	uint8_t f[FRAME_MAX + 1];

	RETURN_IF_SKIPPED();

	frame_fill(f, sizeof(f), peer_mac, self->mac, 0);
	memset(&w, 0, sizeof(w));
	w.handle = self->h;
	w.buf = (uintptr_t)f;
	w.len = 60;
	w.flags = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_NET_WRITE, &w));
	w.flags = 1U << 31;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_NET_WRITE, &w));
	ASSERT_EQ(-EINVAL, net_write(self->fd, 1, f, 60));	/* unattached */
	ASSERT_EQ(-EINVAL, net_write(self->fd, 62, f, 60));
	ASSERT_EQ(-EINVAL, net_write(self->fd, 63, f, 60));
	ASSERT_EQ(-EINVAL, net_write(self->fd, 64, f, 60));
	ASSERT_EQ(-EINVAL, net_write(self->fd, 0xffffffff, f, 60));
	ASSERT_EQ(-EINVAL, net_write(self->fd, self->h, f, 0));
	ASSERT_EQ(-EINVAL, net_write(self->fd, self->h, f, 13));
	ASSERT_EQ(-EINVAL, net_write(self->fd, self->h, f, 14 + self->mtu + 1));
	ASSERT_EQ(-EINVAL, net_write(self->fd, self->h, f, 1ULL << 40));
	ASSERT_EQ(-EINVAL, net_write(self->fd, self->h, f, ~0ULL));
	ASSERT_EQ(-EFAULT, net_write(self->fd, self->h, (void *)BAD_PTR, 60));
	ASSERT_EQ(-EFAULT, net_write(self->fd, self->h, none, 60));
	ASSERT_EQ(-EFAULT, net_write(self->fd, self->h, NULL, 60));
	/* None of them left: the peer sees nothing. */
	ASSERT_EQ(-ETIMEDOUT, packet_recv(self->pkt, f, sizeof(f), 300));
	if (self->dbg[0]) {
		ASSERT_EQ(0, debugfs_get(self->dbg, "net-service", "tx_frames"));
		/* The errors counted on the handle: those that reached it. */
		ASSERT_EQ(8, debugfs_get(self->dbg, "net-service", "errors"));
	}
	munmap(none, 4096);
}

TEST_F(net, write_link_down_is_a_drop)
{
	uint8_t f[60];

	RETURN_IF_SKIPPED();

	frame_fill(f, sizeof(f), peer_mac, self->mac, 0);
	ASSERT_EQ(0, link_set_up(GUEST, false));
	/* Lost like on a wire, not an error. */
	ASSERT_EQ(0, net_write(self->fd, self->h, f, sizeof(f)));
	if (self->dbg[0])
		ASSERT_EQ(1, debugfs_get(self->dbg, "net-service", "tx_drops"));
}

TEST_F(net, read_errors)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct nabla_net_read r;
	uint8_t g[FRAME_MAX];
	uint64_t len = 0;
	int i;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(-EAGAIN, net_read(self->fd, self->h, g, sizeof(g), NULL));
	ASSERT_EQ(0, peer_send(self->pkt, self->mac, 100, 42));
	/* Wait for it without taking it. */
	for (i = 0; i < 500; i++) {
		struct nabla_yield y = { .deadline_ns = mono_ns() + 10000000 };

		ASSERT_EQ(0, nabla_call(self->fd, NABLA_YIELD, &y));
		if (y.out_ready_set & (1ULL << self->h))
			break;
	}
	ASSERT_LT(i, 500);

	memset(&r, 0, sizeof(r));
	r.handle = self->h;
	r.buf = (uintptr_t)g;
	r.len = sizeof(g);
	r.out_len = 12345;
	r.flags = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_NET_READ, &r));
	ASSERT_EQ(12345, r.out_len);
	ASSERT_EQ(-EINVAL, net_read(self->fd, 1, g, sizeof(g), NULL));
	ASSERT_EQ(-EINVAL, net_read(self->fd, 63, g, sizeof(g), NULL));
	ASSERT_EQ(-EINVAL, net_read(self->fd, 0xffffffff, g, sizeof(g), NULL));
	/* Too small a buffer, or a bad one: the frame stays queued. */
	ASSERT_EQ(-EINVAL, net_read(self->fd, self->h, g, 99, NULL));
	ASSERT_EQ(-EINVAL, net_read(self->fd, self->h, g, 0, NULL));
	ASSERT_EQ(-EFAULT, net_read(self->fd, self->h, (void *)BAD_PTR, sizeof(g), NULL));
	ASSERT_EQ(-EFAULT, net_read(self->fd, self->h, none, sizeof(g), NULL));
	{
		struct nabla_yield y = { 0 };

		ASSERT_EQ(0, nabla_call(self->fd, NABLA_YIELD, &y));
		ASSERT_EQ(1ULL << self->h, y.out_ready_set);
	}
	ASSERT_EQ(0, net_read(self->fd, self->h, g, 100, &len));
	ASSERT_EQ(100, len);
	ASSERT_EQ(42, frame_seq(g));
	ASSERT_EQ(-EAGAIN, net_read(self->fd, self->h, g, sizeof(g), NULL));
	munmap(none, 4096);
}

TEST_F(net, info_errors)
{
	struct nabla_net_info i;

	RETURN_IF_SKIPPED();

	memset(&i, 0, sizeof(i));
	i.handle = self->h;
	i.flags = 1;
	i.out_mtu = 7;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_NET_INFO, &i));
	ASSERT_EQ(7, i.out_mtu);
	i.flags = 0;
	i.handle = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_NET_INFO, &i));
	i.handle = 63;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_NET_INFO, &i));
	ASSERT_EQ(7, i.out_mtu);
}

TEST_F(net, foreign_handles)
{
	char path[128], buf[512];
	struct nabla_block_info bi = { 0 };
	struct nabla_net_info ni = { 0 };
	int file, hb;

	RETURN_IF_SKIPPED();

	file = tmpfile_create("net", 1 << 20, path, sizeof(path));
	ASSERT_LE(0, file);
	hb = attach_block(self->fd, file, "disk", NULL);
	ASSERT_EQ(1, hb);
	/* A block handle in net calls, a net handle in block calls. */
	ASSERT_EQ(-EINVAL, net_write(self->fd, hb, buf, 60));
	ASSERT_EQ(-EINVAL, net_read(self->fd, hb, buf, sizeof(buf), NULL));
	ni.handle = hb;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_NET_INFO, &ni));
	ASSERT_EQ(-EINVAL, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0, buf, 512));
	ASSERT_EQ(-EINVAL, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, buf, 512));
	bi.handle = self->h;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_BLOCK_INFO, &bi));
	/* Both work with their own. */
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, hb, 0, buf, 512));
	ni.handle = self->h;
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_NET_INFO, &ni));
	close(file);
	unlink(path);
}

TEST_F(net, yield_wakes_on_arrival)
{
	struct nabla_yield y = { 0 };
	uint64_t t0, t1;
	int status;
	pid_t pid;

	RETURN_IF_SKIPPED();

	/*
	 * Before the fork: the frame leaves at least 300 ms after t0 however
	 * late the parent runs again (under TCG and KASAN, on a loaded host,
	 * that can be more than 50 ms).
	 */
	t0 = mono_ns();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int pkt = packet_open(PEER);

		usleep(300000);
		_exit(pkt < 0 || peer_send(pkt, self->mac, 60, 1));
	}
	y.deadline_ns = t0 + 20000000000ULL;
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_YIELD, &y));
	t1 = mono_ns();
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_EQ(1ULL << self->h, y.out_ready_set);
	ASSERT_LT(t1 - t0, 10000000000ULL);	/* woken, not timed out */
	ASSERT_LE(300000000ULL, t1 - t0);	/* not before the frame */

	/* Queued already: no wait at all. */
	y.deadline_ns = mono_ns() + 20000000000ULL;
	t0 = mono_ns();
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_YIELD, &y));
	ASSERT_LT(mono_ns() - t0, 2000000000ULL);
	ASSERT_EQ(1ULL << self->h, y.out_ready_set);
}

struct yielder {
	int fd;
	uint64_t ready;
	int err;
};

static void *yield_thread(void *arg)
{
	struct yielder *t = arg;
	struct nabla_yield y = { .deadline_ns = mono_ns() + 20000000000ULL };

	t->err = nabla_call(t->fd, NABLA_YIELD, &y);
	t->ready = y.out_ready_set;
	return NULL;
}

TEST_F(net, yield_wakes_other_thread)
{
	struct yielder t = { .fd = self->fd };
	pthread_t th;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, pthread_create(&th, NULL, yield_thread, &t));
	usleep(200000);
	ASSERT_EQ(0, peer_send(self->pkt, self->mac, 60, 3));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, t.err);
	ASSERT_EQ(1ULL << self->h, t.ready);
}

TEST_F(net, rx_flood_bounded)
{
	const int flood = 1200;
	long long slab0, slab1, queued, drops, peak;
	uint32_t last = 0;
	uint8_t g[FRAME_MAX];
	uint64_t len;
	int i, got = 0;

	RETURN_IF_SKIPPED();

	if (!self->dbg[0])
		SKIP(return, "no debugfs");
	slab0 = slab_kb();
	for (i = 1; i <= flood; i++) {
		ASSERT_EQ(0, peer_send(self->pkt, self->mac, FRAME_MAX, i));
		if (i % 100 == 0)
			usleep(10000);	/* let the backlog drain into the queue */
	}
	usleep(200000);
	queued = debugfs_get(self->dbg, "net-service", "rx_queued");
	peak = debugfs_get(self->dbg, "net-service", "rx_queue_peak");
	drops = debugfs_get(self->dbg, "net-service", "rx_drops");
	TH_LOG("queued %lld peak %lld drops %lld", queued, peak, drops);
	ASSERT_EQ(NABLA_RX_QUEUE_LEN, queued);
	ASSERT_EQ(NABLA_RX_QUEUE_LEN, peak);
	ASSERT_LE(1, drops);
	ASSERT_LE(drops, flood - NABLA_RX_QUEUE_LEN);

	/* The oldest frames were kept, in order. */
	while (!net_read(self->fd, self->h, g, sizeof(g), &len)) {
		ASSERT_EQ(FRAME_MAX, len);
		ASSERT_LT(last, frame_seq(g));
		last = frame_seq(g);
		got++;
	}
	ASSERT_EQ(NABLA_RX_QUEUE_LEN, got);
	ASSERT_EQ(0, debugfs_get(self->dbg, "net-service", "rx_queued"));
	slab1 = slab_kb();
	TH_LOG("slab %lld KiB -> %lld KiB", slab0, slab1);
	/* KASAN's quarantine (debug kernel) holds freed skbs a while. */
	if (!have_kmemleak())
		ASSERT_LT(slab1 - slab0, 1024);
}

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * The UDP payload length of @f if it is an IPv4/UDP frame to port 9 whose
 * IP and UDP checksums are right; 0 for other frames; -1 for bad sums.
 */
static int udp_frame_ok(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14, *udp;
	size_t ihl, ulen;
	uint8_t pseudo[12];
	uint32_t sum;

	if (len < 14 + 20 + 8 || f[12] != 0x08 || f[13] != 0x00 || ip[9] != 17)
		return 0;
	ihl = (ip[0] & 15) * 4;
	udp = ip + ihl;
	if (((udp[2] << 8) | udp[3]) != 9)
		return 0;
	if (csum_fold(csum_add(0, ip, ihl)) != 0xffff)
		return -1;
	ulen = (udp[4] << 8) | udp[5];
	if (14 + ihl + ulen > len)
		return -1;
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 17;
	pseudo[10] = udp[4];
	pseudo[11] = udp[5];
	sum = csum_add(csum_add(0, pseudo, 12), udp, ulen);
	if (csum_fold(sum) != 0xffff)
		return -1;
	return (int)(ulen - 8);
}

/* Read frames until @want UDP-to-port-9 frames came; their payload sizes. */
static int read_udp(int fd, uint32_t h, int *sizes, int want)
{
	uint64_t deadline = mono_ns() + 10000000000ULL;
	uint8_t g[FRAME_MAX];
	int got = 0;

	while (got < want && mono_ns() < deadline) {
		struct nabla_net_read r = {
			.handle = h, .buf = (uintptr_t)g, .len = sizeof(g),
		};
		struct nabla_yield y = { .deadline_ns = mono_ns() + 50000000 };
		int n;

		if (nabla_call(fd, NABLA_NET_READ, &r)) {
			nabla_call(fd, NABLA_YIELD, &y);
			continue;
		}
		n = udp_frame_ok(g, r.out_len);
		if (n)
			sizes[got++] = n;
	}
	return got;
}

TEST_F(net, host_stack_checksum_and_gso)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(9) };
	static uint8_t payload[8000];
	int s, i, sizes[16], gso = 1000;

	RETURN_IF_SKIPPED();

	/* The peer's own stack sends: checksum offload, then UDP GSO. */
	ASSERT_EQ(0, link_add_ipv4(PEER, "10.77.0.1"));
	ASSERT_EQ(0, neigh_add(PEER, "10.77.0.2", self->mac));
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s);
	inet_pton(AF_INET, "10.77.0.2", &dst.sin_addr);
	for (i = 0; i < (int)sizeof(payload); i++)
		payload[i] = (uint8_t)i;

	ASSERT_EQ(100, sendto(s, payload, 100, 0, (struct sockaddr *)&dst, sizeof(dst)));
	ASSERT_EQ(1, read_udp(self->fd, self->h, sizes, 1));
	ASSERT_EQ(100, sizes[0]);

	if (setsockopt(s, SOL_UDP, UDP_SEGMENT, &gso, sizeof(gso)))
		SKIP(return, "no UDP_SEGMENT: %s", strerror(errno));
	ASSERT_EQ((ssize_t)sizeof(payload),
		  sendto(s, payload, sizeof(payload), 0, (struct sockaddr *)&dst, sizeof(dst)));
	/* Wire-size frames with good checksums, never one super-frame. */
	ASSERT_EQ(8, read_udp(self->fd, self->h, sizes, 8));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(1000, sizes[i]);
	close(s);
}

TEST_F(net, link_deleted_while_attached)
{
	struct nabla_net_info i = { .handle = self->h };
	struct nabla_yield y = { 0 };
	uint8_t f[60];
	int other;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, peer_send(self->pkt, self->mac, 60, 1));
	usleep(100000);
	veth_destroy(GUEST);
	frame_fill(f, sizeof(f), peer_mac, self->mac, 0);
	ASSERT_EQ(-ENODEV, net_write(self->fd, self->h, f, sizeof(f)));
	ASSERT_EQ(-ENODEV, net_read(self->fd, self->h, f, sizeof(f), NULL));
	ASSERT_EQ(-ENODEV, nabla_call(self->fd, NABLA_NET_INFO, &i));
	/* Queued frames went with it. */
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_YIELD, &y));
	ASSERT_EQ(0, y.out_ready_set);
	if (self->dbg[0])
		ASSERT_EQ(0, debugfs_get(self->dbg, "net-service", "attached"));

	/* The name can come back and be attached anew. */
	ASSERT_EQ(0, veth_create(GUEST, PEER));
	other = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, attach_net(other, GUEST, "again", NULL));
	close(other);
	/* The old handle stays dead. */
	ASSERT_EQ(-ENODEV, net_write(self->fd, self->h, f, sizeof(f)));
}

/* A burst of frames written back to back: none lost, none reordered. */
#define TX_BURST	300

static void tx_burst(struct __test_metadata *_metadata,
		     FIXTURE_DATA(net) *self, uint32_t n)
{
	uint8_t f[FRAME_MAX];
	uint32_t i;

	for (i = 0; i < n; i++) {
		frame_fill(f, 60 + i % 200, peer_mac, self->mac, i);
		ASSERT_EQ(0, net_write(self->fd, self->h, f, 60 + i % 200));
	}
}

static void tx_expect(struct __test_metadata *_metadata, int pkt,
		      const uint8_t *src, uint32_t n)
{
	uint8_t f[FRAME_MAX], g[FRAME_MAX + 64];
	uint32_t i;
	ssize_t len;

	for (i = 0; i < n; i++) {
		frame_fill(f, 60 + i % 200, peer_mac, src, i);
		len = packet_recv(pkt, g, sizeof(g), 5000);
		ASSERT_EQ((ssize_t)(60 + i % 200), len);
		ASSERT_EQ(0, memcmp(f, g, len));
	}
}

static void big_rcvbuf(int pkt)
{
	int size = 8 << 20;

	/* Root only; without it the default may hold fewer than a burst. */
	setsockopt(pkt, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
}

TEST_F(net, tx_burst_in_order)
{
	RETURN_IF_SKIPPED();

	big_rcvbuf(self->pkt);
	tx_burst(_metadata, self, TX_BURST);
	tx_expect(_metadata, self->pkt, self->mac, TX_BURST);
	if (self->dbg[0]) {
		ASSERT_EQ(TX_BURST, debugfs_get(self->dbg, "net-service", "tx_frames"));
		ASSERT_EQ(0, debugfs_get(self->dbg, "net-service", "tx_drops"));
	}
}

TEST_F(net, close_after_a_burst_loses_nothing)
{
	RETURN_IF_SKIPPED();

	big_rcvbuf(self->pkt);
	tx_burst(_metadata, self, TX_BURST);
	/* Written before the close: on the wire after it, all in order. */
	close(self->fd);
	self->fd = -1;
	tx_expect(_metadata, self->pkt, self->mac, TX_BURST);
}

TEST_F(net, link_deleted_after_a_burst)
{
	uint8_t f[60];

	RETURN_IF_SKIPPED();

	tx_burst(_metadata, self, TX_BURST);
	veth_destroy(GUEST);
	frame_fill(f, sizeof(f), peer_mac, self->mac, 0);
	ASSERT_EQ(-ENODEV, net_write(self->fd, self->h, f, sizeof(f)));
	if (!self->dbg[0])
		return;
	/* Every frame written before is accounted for, in its own call. */
	ASSERT_EQ(TX_BURST, debugfs_get(self->dbg, "net-service", "tx_frames") +
			    debugfs_get(self->dbg, "net-service", "tx_drops"));
}

/*
 * A read that returns 0 returns a frame that crossed the wire: everything
 * the guest reads is a frame the peer end put on it, byte for byte, and
 * once they are read the next read is -EAGAIN. The peer here keeps IPv6
 * on, so its own stack sends frames too (duplicate address detection,
 * router solicitations, MLD reports): a read that finds one of those
 * "when nothing was queued" found a frame that arrived meanwhile, not a
 * frame made up. The test's frames and the stack's are counted apart.
 */
#define WIRE_GUEST	"nbg7"
#define WIRE_PEER	"nbp7"
#define WIRE_FRAMES	50
#define WIRE_MAX	512

struct wire_frame {
	uint8_t data[FRAME_MAX];
	size_t len;
	bool matched;
};

TEST(every_frame_read_crossed_the_wire)
{
	struct wire_frame *sent = calloc(WIRE_MAX, sizeof(*sent));
	struct wire_frame *read_ = calloc(WIRE_MAX, sizeof(*read_));
	struct sockaddr_ll from;
	int fd, pkt, cap, i, j, nsent = 0, nread = 0, ntest = 0, err;
	uint8_t guest_mac[6];
	struct nabla_attach_net a = { 0 };
	char path[128], types[256] = "";
	socklen_t fl;
	uint64_t end, len;
	ssize_t n;

	ASSERT_TRUE(sent && read_);
	NABLA_OPEN_OR_SKIP(fd);
	ASSERT_EQ(0, veth_create(WIRE_GUEST, WIRE_PEER));
	ASSERT_LE(0, attach_net(fd, WIRE_GUEST, "wire", &a));
	memcpy(guest_mac, a.out_mac, 6);
	/* Everything leaving the peer: AF_PACKET sees outgoing frames too. */
	cap = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	ASSERT_LE(0, cap);
	{
		struct sockaddr_ll sll = {
			.sll_family = AF_PACKET,
			.sll_protocol = htons(ETH_P_ALL),
			.sll_ifindex = if_nametoindex(WIRE_PEER),
		};
		int bufsz = 4 << 20;

		setsockopt(cap, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
		ASSERT_EQ(0, bind(cap, (struct sockaddr *)&sll, sizeof(sll)));
	}
	pkt = packet_open(WIRE_PEER);
	ASSERT_LE(0, pkt);
	/* The peer's own IPv6 stack starts talking now. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", WIRE_PEER);
	write_file(path, "0");
	for (i = 0; i < WIRE_FRAMES; i++) {
		uint8_t f[128];

		frame_fill(f, sizeof(f), guest_mac, peer_mac, i);
		ASSERT_EQ((ssize_t)sizeof(f), send(pkt, f, sizeof(f), 0));
		usleep(20000);
	}
	/* Read until nothing came for 1.5 s (the stack's frames straggle). */
	end = mono_ns() + 1500000000ULL;
	while (mono_ns() < end && nread < WIRE_MAX) {
		struct nabla_net_read r = {
			.buf = (uintptr_t)read_[nread].data, .len = FRAME_MAX,
		};
		struct nabla_yield y = { .deadline_ns = end };

		err = nabla_call(fd, NABLA_NET_READ, &r);
		if (!err) {
			read_[nread++].len = r.out_len;
			end = mono_ns() + 1500000000ULL;
			continue;
		}
		ASSERT_EQ(-EAGAIN, err);
		ASSERT_EQ(0, nabla_call(fd, NABLA_YIELD, &y));
	}
	/* What the peer sent, as the capture saw it leave. */
	for (;;) {
		fl = sizeof(from);
		n = recvfrom(cap, sent[nsent].data, FRAME_MAX, MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		if (from.sll_pkttype != PACKET_OUTGOING || nsent == WIRE_MAX)
			continue;
		sent[nsent++].len = n;
	}
	for (i = 0; i < nread; i++) {
		bool found = false;

		for (j = 0; j < nsent && !found; j++) {
			if (sent[j].matched || sent[j].len != read_[i].len ||
			    memcmp(sent[j].data, read_[i].data, read_[i].len))
				continue;
			sent[j].matched = found = true;
		}
		EXPECT_TRUE(found) {
			TH_LOG("read frame %d (%zu bytes, type %02x%02x) never left the peer",
			       i, read_[i].len, read_[i].data[12], read_[i].data[13]);
		}
		if (frame_is_test(read_[i].data, read_[i].len))
			ntest++;
		else if (strlen(types) + 6 < sizeof(types))
			snprintf(types + strlen(types), sizeof(types) - strlen(types),
				 " %02x%02x", read_[i].data[12], read_[i].data[13]);
	}
	EXPECT_EQ(WIRE_FRAMES, ntest);
	/* Drained: nothing is made up. */
	{
		uint8_t f[FRAME_MAX];
		struct nabla_net_read r = { .buf = (uintptr_t)f, .len = sizeof(f) };

		err = nabla_call(fd, NABLA_NET_READ, &r);
		EXPECT_TRUE(err == -EAGAIN || (!err && !frame_is_test(f, r.out_len)));
	}
	len = nread - ntest;
	TH_LOG("%d frames read: %d of the test, %llu of the peer's stack (types:%s)",
	       nread, ntest, (unsigned long long)len, types);
	close(pkt);
	close(cap);
	close(fd);
	veth_destroy(WIRE_GUEST);
	free(sent);
	free(read_);
}

/*
 * Calls racing with the link's deletion fail with -ENODEV only, once it is
 * under way: a read that finds the queue purged by the detach says the
 * device is gone (not -EAGAIN); -EAGAIN comes only from reads that began
 * before the deletion returned, and nothing else ever.
 */
struct race_reader {
	int fd;
	uint32_t h;
	volatile bool *deleted_done;
	long eagain_after, other, enodev;
	int other_err;
};

static void *race_read(void *arg)
{
	struct race_reader *r = arg;
	uint8_t f[FRAME_MAX];

	for (;;) {
		bool done_before = *r->deleted_done;
		struct nabla_net_read rd = {
			.handle = r->h, .buf = (uintptr_t)f, .len = sizeof(f),
		};
		int err = nabla_call(r->fd, NABLA_NET_READ, &rd);

		if (err == -ENODEV) {
			if (++r->enodev > 100)
				break;
		} else if (err == -EAGAIN && done_before) {
			r->eagain_after++;
		} else if (err && err != -EAGAIN) {
			r->other++;
			r->other_err = err;
		}
	}
	return NULL;
}

TEST(link_deletion_race_errnos)
{
	struct race_reader rr[3];
	volatile bool done = false;
	pthread_t th[3];
	int fd, round, i, pkt;
	uint64_t end;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	/*
	 * Up to 20 rounds, as many as fit in 12 s (the harness ends a test
	 * after 30 s; on the debug kernel, under TCG, with another guest
	 * beside it, three spinning readers make one round take seconds).
	 */
	end = mono_ns() + 12000000000ULL;
	for (round = 0; round < 20 && (round < 2 || mono_ns() < end); round++) {
		done = false;
		fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, veth_create("nbg8", "nbp8"));
		ASSERT_EQ(0, attach_net(fd, "nbg8", "race", NULL));
		pkt = packet_open("nbp8");
		ASSERT_LE(0, pkt);
		for (i = 0; i < 3; i++) {
			memset(&rr[i], 0, sizeof(rr[i]));
			rr[i].fd = fd;
			rr[i].deleted_done = &done;
			ASSERT_EQ(0, pthread_create(&th[i], NULL, race_read, &rr[i]));
		}
		/* Frames in flight as it goes. */
		for (i = 0; i < 200; i++) {
			uint8_t f[64];

			frame_fill(f, sizeof(f), peer_mac, peer_mac, i);
			send(pkt, f, sizeof(f), MSG_DONTWAIT);
		}
		close(pkt);
		veth_destroy("nbg8");
		done = true;
		for (i = 0; i < 3; i++) {
			pthread_join(th[i], NULL);
			EXPECT_EQ(0, rr[i].other) TH_LOG("errno %d", -rr[i].other_err);
			EXPECT_EQ(0, rr[i].eagain_after);
		}
		close(fd);
	}
	TH_LOG("%d rounds", round);
}

/*
 * Attaching net devices makes no task that escapes pids.max (issue 16,
 * defect 6: the module's transmit threads were created by kthreadd and
 * moved into the caller's cgroups, which charges the pids controller
 * without checking its limit: with that module, on 6.1, this test saw
 * pids.current reach 3 under pids.max=2). In a cgroup v2 that allows the attaching process and
 * one task more, six attaches each succeed or fail with EAGAIN (what a
 * fork over the limit fails with), and pids.current never exceeds
 * pids.max.
 */
#define PIDS_ATTACHES	6
#define PIDS_MAX	2

/* The cgroup v2 hierarchy's root (mounted if need be), or -errno. */
static int cgroup2_root(char *out, size_t size)
{
	char line[1024], mnt[256], fstype[64];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(sep, " - %63s", fstype) != 1 || strcmp(fstype, "cgroup2"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1) {
			fclose(f);
			snprintf(out, size, "%s", mnt);
			return 0;
		}
	}
	fclose(f);
	/* The test host mounts none; a systemd host has it here already. */
	if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL))
		return -errno;
	snprintf(out, size, "/sys/fs/cgroup");
	return 0;
}

static long long cgroup_get(const char *cg, const char *key)
{
	char path[384], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cg, key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

/*
 * In the cgroup @cg: attach PIDS_ATTACHES interfaces on one context.
 * Exit status 0, or 1 + the attach that failed otherwise than EAGAIN,
 * or 100 + pids.current when it exceeded pids.max.
 */
static int pids_attach_child(const char *cg)
{
	char path[384], name[16];
	long long cur;
	int fd, i, h;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	if (write_file(path, "0"))
		return 99;
	fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 98;
	for (i = 0; i < PIDS_ATTACHES; i++) {
		snprintf(name, sizeof(name), "nbq%d", i);
		h = attach_net(fd, name, name, NULL);
		cur = cgroup_get(cg, "pids.current");
		if (cur > PIDS_MAX)
			return 100 + (int)cur;
		if (h < 0 && h != -EAGAIN)
			return 1 + i;
	}
	cur = cgroup_get(cg, "pids.current");
	close(fd);
	return cur > PIDS_MAX ? 100 + (int)cur : 0;
}

TEST(attach_within_pids_max)
{
	char root[256], cg[320], ctrl[384], guest[16], peer[16];
	int fd, i, status, err;
	pid_t pid;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	err = cgroup2_root(root, sizeof(root));
	if (err)
		SKIP(return, "no cgroup v2 hierarchy (%s)", strerror(-err));
	snprintf(ctrl, sizeof(ctrl), "%s/cgroup.subtree_control", root);
	if (write_file(ctrl, "+pids"))
		SKIP(return, "no pids controller in %s", root);
	snprintf(cg, sizeof(cg), "%s/nabla-pids-%d", root, getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	snprintf(ctrl, sizeof(ctrl), "%s/pids.max", cg);
	snprintf(guest, sizeof(guest), "%d", PIDS_MAX);
	ASSERT_EQ(0, write_file(ctrl, guest));
	for (i = 0; i < PIDS_ATTACHES; i++) {
		snprintf(guest, sizeof(guest), "nbq%d", i);
		snprintf(peer, sizeof(peer), "nbr%d", i);
		ASSERT_EQ(0, veth_create(guest, peer));
	}

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(pids_attach_child(cg));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));

	for (i = 0; i < PIDS_ATTACHES; i++) {
		snprintf(guest, sizeof(guest), "nbq%d", i);
		veth_destroy(guest);
	}
	/* Tasks that exit leave the cgroup a moment later. */
	for (i = 0; i < 100 && rmdir(cg) && errno == EBUSY; i++)
		usleep(20000);
	ASSERT_TRUE(WIFEXITED(status));
	status = WEXITSTATUS(status);
	if (status >= 100)
		TH_LOG("pids.current reached %d, pids.max is %d", status - 100, PIDS_MAX);
	else if (status)
		TH_LOG("child: %s %d", status < 98 ? "attach failed otherwise than EAGAIN:" :
		       "set-up failed:", status);
	EXPECT_EQ(0, status);
}

TEST_HARNESS_MAIN
