/* SPDX-License-Identifier: GPL-2.0 */
/*
 * net_peer.h: a Solo5 net device for a test application and the test's
 * end of it, driven with an AF_PACKET socket:
 *
 *   dev backend:      one end of a veth pair is the application's; the
 *                     test talks on the other end
 *   syscall backend:  a tap (as Solo5 spt needs one); the test talks on
 *                     the tap interface itself
 *
 * Frames use EtherType 0x88b5 (IEEE local experimental) and IPv6 is
 * disabled on the test interfaces, so nothing else is on the wire. Used by
 * libnabla_net_test and solo5_conformance_test. (The including file has
 * libnabla_run.h.)
 */
#ifndef NABLA_NET_PEER_H
#define NABLA_NET_PEER_H

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define ETHERTYPE_TEST	0x88b5

struct net_peer {
	char app_if[IFNAMSIZ];	/* given to the application */
	char peer_if[IFNAMSIZ];	/* where the test sends and receives */
	char net_arg[64];	/* --net:n0=APP_IF */
	int sock;
	int ifindex;
	int mtu;
	uint8_t peer_mac[6];
	bool created;
};

/*
 * iproute2's ip with its arguments. By path: a busybox sh may prefer its
 * own ip applet, which cannot make veth pairs or taps.
 */
static inline int ip(const char *fmt, ...)
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

static inline void disable_ipv6(const char *ifname)
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

static inline int open_packet_socket(const char *ifname, int *ifindex, uint8_t mac[6])
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

/* Why a net test cannot run here, or NULL. */
static inline const char *net_peer_missing(const char *backend)
{
	const char *why = backend_missing(backend);

	if (why)
		return why;
	if (geteuid() != 0)
		return "needs root for veth and tap";
	if (access("/dev/net/tun", F_OK))
		return "no /dev/net/tun";
	return NULL;
}

/* The interfaces for @backend at @mtu, and the test's socket; 0 or -1. */
static inline int net_peer_setup(struct net_peer *p, const char *backend,
				 int mtu)
{
	int id = getpid() % 100000;

	memset(p, 0, sizeof(*p));
	p->sock = -1;
	p->mtu = mtu;
	if (backend_is_dev(backend)) {
		snprintf(p->app_if, sizeof(p->app_if), "nbla%d", id);
		snprintf(p->peer_if, sizeof(p->peer_if), "nblb%d", id);
		if (ip("link add %s type veth peer name %s", p->app_if,
		       p->peer_if))
			return -1;
	} else {
		snprintf(p->app_if, sizeof(p->app_if), "nblt%d", id);
		snprintf(p->peer_if, sizeof(p->peer_if), "%s", p->app_if);
		if (ip("tuntap add %s mode tap", p->app_if))
			return -1;
	}
	p->created = true;
	disable_ipv6(p->app_if);
	disable_ipv6(p->peer_if);
	if (ip("link set %s mtu %d up", p->app_if, mtu) ||
	    ip("link set %s mtu %d up", p->peer_if, mtu))
		return -1;
	snprintf(p->net_arg, sizeof(p->net_arg), "--net:n0=%s", p->app_if);
	p->sock = open_packet_socket(p->peer_if, &p->ifindex, p->peer_mac);
	return p->sock < 0 ? -1 : 0;
}

static inline void net_peer_teardown(struct net_peer *p)
{
	if (p->sock >= 0)
		close(p->sock);
	if (p->created)
		ip("link del %s", p->app_if);
	p->sock = -1;
	p->created = false;
}

static inline bool parse_mac(const char *s, uint8_t mac[6])
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

static inline bool app_mac(const struct nabla_app *app, uint8_t mac[6])
{
	const char *p = strstr(app->out, "mac=");

	return p && parse_mac(p + 4, mac);
}

/* A test frame of a length from 60 to @mtu + 14 that depends on @seq. */
static inline size_t make_frame(uint8_t *frame, const uint8_t dst[6],
				const uint8_t src[6], unsigned int seq, int mtu)
{
	size_t len = 60 + (seq * 97) % (mtu + 14 - 60 + 1);
	size_t i;

	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	frame[12] = ETHERTYPE_TEST >> 8;
	frame[13] = ETHERTYPE_TEST & 0xff;
	for (i = 14; i < len; i++)
		frame[i] = seq * 31 + i;
	return len;
}

static inline int send_frame(int sock, int ifindex, const uint8_t *frame, size_t len)
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
static inline ssize_t recv_frame(int sock, uint8_t *buf, size_t size, int ms)
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

#endif /* NABLA_NET_PEER_H */
