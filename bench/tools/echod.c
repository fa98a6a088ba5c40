// SPDX-License-Identifier: GPL-2.0
/*
 * echod: the ping workload as an ordinary Linux process: an ARP and ICMP
 * echo responder on an AF_PACKET socket, answering what apps/pingd
 * answers (the same code, common.h) with the interface's own MAC.
 *
 *   echod IFACE IP
 *
 * Prints "echod: ready ip=IP mac=MAC" once bound, then answers until it
 * is killed (the benchmark stops tracing first).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

static int open_packet(const char *ifname, uint8_t mac[6])
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	struct ifreq ifr;
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		goto fail;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_ifindex = if_nametoindex(ifname);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

int main(int argc, char **argv)
{
	static uint8_t frame[65536];
	uint8_t mac[6], ip[4];
	size_t out;
	ssize_t n;
	bool ping;
	int fd;

	if (argc != 3 || !b_ipv4(argv[2], ip)) {
		fprintf(stderr, "usage: echod IFACE IP\n");
		return 2;
	}
	fd = open_packet(argv[1], mac);
	if (fd < 0) {
		fprintf(stderr, "echod: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("echod: ready ip=%s mac=%02x:%02x:%02x:%02x:%02x:%02x\n", argv[2],
	       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	fflush(stdout);
	for (;;) {
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);

		n = recvfrom(fd, frame, sizeof(frame), 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "echod: recv: %s\n", strerror(errno));
			return 1;
		}
		/* Our own replies come back to a socket bound to ETH_P_ALL. */
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		out = b_echo_answer(frame, n, mac, ip, &ping);
		if (out && send(fd, frame, out, 0) != (ssize_t)out) {
			fprintf(stderr, "echod: send: %s\n", strerror(errno));
			return 1;
		}
	}
}
