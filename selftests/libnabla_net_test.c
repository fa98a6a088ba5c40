// SPDX-License-Identifier: GPL-2.0
/*
 * libnabla_net_test: Solo5 networking on both backends, driven from the
 * host side with an AF_PACKET socket.
 *
 *   dev backend:      the application's net device is one end of a veth
 *                     pair; the test talks on the other end
 *   syscall backend:  the application's net device is a tap (as Solo5 spt
 *                     needs one); the test talks on the tap interface itself
 *
 * Frames use EtherType 0x88b5 (IEEE local experimental) and IPv6 is
 * disabled on the test interfaces, so nothing else is on the wire.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "libnabla_run.h"

#define ETHERTYPE_TEST	0x88b5
#define RUN_MS		60000
#define READY_MS	20000
#define TEST_MTU	1400

FIXTURE(net) {
	char app_if[IFNAMSIZ];	/* given to the application */
	char peer_if[IFNAMSIZ];	/* where the test sends and receives */
	char net_arg[64];
	int sock;
	int ifindex;
	uint8_t peer_mac[6];
	bool created;
};

BACKEND_VARIANTS(net);

/*
 * iproute2's ip with its arguments. By path: a busybox sh may prefer its
 * own ip applet, which cannot make veth pairs or taps.
 */
static int ip(const char *fmt, ...)
{
	static const char *const paths[] = { "/usr/sbin/ip", "/sbin/ip",
					     "/usr/bin/ip", "/bin/ip" };
	const char *path = "ip";
	char cmd[256];
	unsigned int i;
	va_list ap;
	int n;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (!access(paths[i], X_OK)) {
			path = paths[i];
			break;
		}
	}
	n = snprintf(cmd, sizeof(cmd), "%s ", path);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void disable_ipv6(const char *ifname)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 ifname);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			perror(path);
		close(fd);
	}
}

static int open_packet_socket(const char *ifname, int *ifindex, uint8_t mac[6])
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ifreq ifr = { 0 };
	int sock;

	sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETHERTYPE_TEST));
	if (sock < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(sock, SIOCGIFHWADDR, &ifr)) {
		close(sock);
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	*ifindex = if_nametoindex(ifname);
	sll.sll_protocol = htons(ETHERTYPE_TEST);
	sll.sll_ifindex = *ifindex;
	if (bind(sock, (struct sockaddr *)&sll, sizeof(sll))) {
		close(sock);
		return -1;
	}
	return sock;
}

FIXTURE_SETUP(net)
{
	const char *why = backend_missing(variant->backend);
	int id = getpid() % 100000;

	self->sock = -1;
	if (why || geteuid() != 0 || access("/dev/net/tun", F_OK))
		return;	/* each test SKIPs with the reason */
	if (backend_is_dev(variant->backend)) {
		snprintf(self->app_if, sizeof(self->app_if), "nbla%d", id);
		snprintf(self->peer_if, sizeof(self->peer_if), "nblb%d", id);
		ASSERT_EQ(0, ip("link add %s type veth peer name %s",
				self->app_if, self->peer_if));
	} else {
		snprintf(self->app_if, sizeof(self->app_if), "nblt%d", id);
		snprintf(self->peer_if, sizeof(self->peer_if), "%s", self->app_if);
		ASSERT_EQ(0, ip("tuntap add %s mode tap", self->app_if));
	}
	self->created = true;
	disable_ipv6(self->app_if);
	disable_ipv6(self->peer_if);
	ASSERT_EQ(0, ip("link set %s mtu %d up", self->app_if, TEST_MTU));
	ASSERT_EQ(0, ip("link set %s mtu %d up", self->peer_if, TEST_MTU));
	snprintf(self->net_arg, sizeof(self->net_arg), "--net:n0=%s",
		 self->app_if);
	self->sock = open_packet_socket(self->peer_if, &self->ifindex,
					self->peer_mac);
	ASSERT_LE(0, self->sock);
}

FIXTURE_TEARDOWN(net)
{
	if (self->sock >= 0)
		close(self->sock);
	if (self->created)
		ip("link del %s", self->app_if);
}

#define NEED_NET() do {							\
	NEED_BACKEND();							\
	if (geteuid() != 0)						\
		SKIP(return, "needs root for veth and tap");		\
	if (access("/dev/net/tun", F_OK))				\
		SKIP(return, "no /dev/net/tun");			\
} while (0)

#define LOG_APP(app) TH_LOG("%s, stdout: '%s', stderr: '%s'",		\
			    app_ending(app), (app)->out, (app)->err)

static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return false;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return true;
}

static bool app_mac(const struct nabla_app *app, uint8_t mac[6])
{
	const char *p = strstr(app->out, "mac=");

	return p && parse_mac(p + 4, mac);
}

static size_t make_frame(uint8_t *frame, const uint8_t dst[6],
			 const uint8_t src[6], unsigned int seq)
{
	size_t len = 60 + (seq * 97) % (TEST_MTU + 14 - 60 + 1);
	size_t i;

	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	frame[12] = ETHERTYPE_TEST >> 8;
	frame[13] = ETHERTYPE_TEST & 0xff;
	for (i = 14; i < len; i++)
		frame[i] = seq * 31 + i;
	return len;
}

static int send_frame(int sock, int ifindex, const uint8_t *frame, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
		.sll_halen = 6,
	};

	memcpy(sll.sll_addr, frame, 6);
	return sendto(sock, frame, len, 0, (struct sockaddr *)&sll,
		      sizeof(sll)) == (ssize_t)len ? 0 : -1;
}

/* The next frame coming in (not our own going out), or -1 after @ms. */
static ssize_t recv_frame(int sock, uint8_t *buf, size_t size, int ms)
{
	uint64_t end = app_now_ms() + ms;

	for (;;) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		int64_t left = end - app_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -1;
		n = recvfrom(sock, buf, size, 0, (struct sockaddr *)&sll, &sl);
		if (n < 0)
			return -1;
		if (sll.sll_pkttype != PACKET_OUTGOING)
			return n;
	}
}

TEST_F(net, echo)
{
	const unsigned int frames = 20;
	char count[16];
	const char *args[] = { variant->backend, "--mem=1", self->net_arg,
			       "--", count, NULL };
	uint8_t mac[6], out[2048], in[2048];
	unsigned long long v;
	struct nabla_app app;
	unsigned int seq;

	NEED_NET();
	snprintf(count, sizeof(count), "%u", frames);
	ASSERT_EQ(0, app_start(&app, "echo", args, 0));
	ASSERT_TRUE(app_wait_line(&app, "ready", READY_MS)) {
		app_finish(&app, 1000);
		LOG_APP(&app);
	}
	ASSERT_TRUE(app_mac(&app, mac));
	EXPECT_TRUE(app_value(&app, "mtu", &v) && v == TEST_MTU) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "first_read=again")) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "bad_write=einval")) LOG_APP(&app);
	for (seq = 0; seq < frames; seq++) {
		size_t len = make_frame(out, mac, self->peer_mac, seq);
		ssize_t n;

		ASSERT_EQ(0, send_frame(self->sock, self->ifindex, out, len));
		n = recv_frame(self->sock, in, sizeof(in), 10000);
		ASSERT_EQ((ssize_t)len, n) {
			TH_LOG("frame %u: sent %zu bytes, got %zd", seq, len, n);
		}
		/* Back to us, from the application's MAC, payload intact. */
		EXPECT_EQ(0, memcmp(in, self->peer_mac, 6));
		EXPECT_EQ(0, memcmp(in + 6, mac, 6));
		EXPECT_EQ(0, memcmp(in + 12, out + 12, len - 12));
	}
	app_finish(&app, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	EXPECT_TRUE(app_value(&app, "echoed", &v) && v == frames) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "short_read=einval")) LOG_APP(&app);
}

TEST_F(net, guest_mac_from_command_line)
{
	const char *args[] = { variant->backend, "--mem=1", self->net_arg,
			       "--net-mac:n0=02:12:34:56:78:9a", "--", "1", NULL };
	const uint8_t want[6] = { 0x02, 0x12, 0x34, 0x56, 0x78, 0x9a };
	uint8_t mac[6], out[2048], in[2048];
	struct nabla_app app;
	size_t len;

	NEED_NET();
	ASSERT_EQ(0, app_start(&app, "echo", args, 0));
	ASSERT_TRUE(app_wait_line(&app, "ready", READY_MS)) {
		app_finish(&app, 1000);
		LOG_APP(&app);
	}
	ASSERT_TRUE(app_mac(&app, mac));
	EXPECT_EQ(0, memcmp(mac, want, 6));
	len = make_frame(out, mac, self->peer_mac, 1);
	ASSERT_EQ(0, send_frame(self->sock, self->ifindex, out, len));
	EXPECT_EQ((ssize_t)len, recv_frame(self->sock, in, sizeof(in), 10000));
	EXPECT_EQ(0, memcmp(in + 6, want, 6));
	app_finish(&app, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
}

/* solo5_yield returns early, with the device in the ready set, on a frame. */
TEST_F(net, yield_wakes_on_frame)
{
	const char *args[] = { variant->backend, "--mem=1", self->net_arg,
			       "--", "net", "20000", NULL };
	unsigned long long elapsed, ready, handle;
	uint8_t out[2048];
	struct nabla_app app;
	size_t len;

	NEED_NET();
	ASSERT_EQ(0, app_start(&app, "yield", args, 0));
	ASSERT_TRUE(app_wait_line(&app, "ready", READY_MS)) {
		app_finish(&app, 1000);
		LOG_APP(&app);
	}
	ASSERT_TRUE(app_value(&app, "handle", &handle));
	usleep(300 * 1000);
	len = make_frame(out, (const uint8_t *)"\xff\xff\xff\xff\xff\xff",
			 self->peer_mac, 2);
	ASSERT_EQ(0, send_frame(self->sock, self->ifindex, out, len));
	app_finish(&app, RUN_MS);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	ASSERT_TRUE(app_value(&app, "elapsed_ns", &elapsed));
	ASSERT_TRUE(app_value(&app, "ready_set", &ready));
	EXPECT_EQ(1ULL << handle, ready);
	/* Woken by the frame (sent after 300 ms), far before the 20 s. */
	EXPECT_LE(200ULL * 1000000, elapsed);
	EXPECT_GE(10000ULL * 1000000, elapsed);
}

TEST_F(net, acquire_net_and_wrong_type)
{
	char block_path[64], block_arg[96];
	const char *args[] = { variant->backend, "--mem=1", self->net_arg,
			       block_arg, "--", "net:n0", "block:n0",
			       "block:b0", "net:b0", NULL };
	struct nabla_app app;
	int fd;

	NEED_NET();
	fd = scratch_file(block_path, sizeof(block_path), 1 << 20);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(block_arg, sizeof(block_arg), "--block:b0=%s", block_path);
	app_run(&app, "acquire", args, 0, RUN_MS);
	unlink(block_path);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "net:n0=ok")) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "block:n0=einval"));
	EXPECT_TRUE(app_has_line(&app, "block:b0=ok"));
	EXPECT_TRUE(app_has_line(&app, "net:b0=einval"));
	EXPECT_TRUE(app_has_line(&app, "cross=einval"));
}

TEST_HARNESS_MAIN
