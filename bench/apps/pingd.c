// SPDX-License-Identifier: GPL-2.0
/*
 * pingd: a Solo5-style ARP and ICMP echo responder at the raw frame level,
 * the workload of the isolation measurement that Solo5 spt was measured
 * with ("answer 300 pings").
 *
 *   pingd --net:service0=IFACE [--backend=...] -- IP[/LEN] [IDLE_SECONDS]
 *
 * On net device "service0" it answers ARP requests for IP and ICMP echo
 * requests to IP; everything else is ignored. It prints one banner line,
 * "pingd: ready ip=... mac=...", then serves until nothing has arrived for
 * IDLE_SECONDS (default 60), and exits with "pingd: answered N pings".
 * The benchmark stops tracing and kills it before that.
 */
#include "bench.h"

static uint8_t frame[65536 + SOLO5_NET_HLEN];
static uint8_t my_ip[4];
static struct solo5_net_info ni;
static solo5_handle_t net;

static void send_or_die(size_t len)
{
	if (solo5_net_write(net, frame, len) != SOLO5_R_OK) {
		app_puts("pingd: net_write failed\n");
		solo5_exit(1);
	}
}

/* An ARP request for our address becomes its reply in place. */
static bool answer_arp(size_t len)
{
	if (len < ARP_LEN || b_get16(frame + ETH_HLEN) != 1 ||	/* Ethernet */
	    b_get16(frame + ETH_HLEN + 2) != ETHERTYPE_IPV4 ||
	    frame[ETH_HLEN + 4] != 6 || frame[ETH_HLEN + 5] != 4 ||
	    b_get16(frame + ARP_OP) != 1 || !b_equal(frame + ARP_TPA, my_ip, 4))
		return false;
	b_copy(frame + ETH_DST, frame + ARP_SHA, 6);
	b_copy(frame + ETH_SRC, ni.mac_address, 6);
	b_put16(frame + ARP_OP, 2);
	b_copy(frame + ARP_THA, frame + ARP_SHA, 10);	/* THA and TPA */
	b_copy(frame + ARP_SHA, ni.mac_address, 6);
	b_copy(frame + ARP_SPA, my_ip, 4);
	send_or_die(ARP_LEN);
	return true;
}

/* An ICMP echo request to our address becomes its reply in place. */
static bool answer_icmp(size_t len)
{
	size_t ihl = b_ip_hlen(frame, len), icmp, icmp_len;
	uint8_t tmp[6];

	if (!ihl || frame[IP_PROTO] != IPPROTO_ICMP ||
	    !b_equal(frame + IP_DST, my_ip, 4) ||
	    (b_get16(frame + IP_HDR + 6) & 0x3fff))	/* fragments */
		return false;
	icmp = IP_HDR + ihl;
	icmp_len = b_get16(frame + IP_HDR + 2) - ihl;
	if (icmp_len < 8 || frame[icmp] != ICMP_ECHO ||
	    b_csum(frame + icmp, icmp_len) != 0)
		return false;

	b_copy(tmp, frame + ETH_SRC, 6);
	b_copy(frame + ETH_DST, tmp, 6);
	b_copy(frame + ETH_SRC, ni.mac_address, 6);
	b_copy(frame + IP_DST, frame + IP_SRC, 4);
	b_copy(frame + IP_SRC, my_ip, 4);
	frame[IP_HDR + 8] = 64;				/* TTL */
	b_put16(frame + IP_CSUM, 0);
	b_put16(frame + IP_CSUM, b_csum(frame + IP_HDR, ihl));
	frame[icmp] = ICMP_ECHOREPLY;
	b_put16(frame + icmp + 2, 0);
	b_put16(frame + icmp + 2, b_csum(frame + icmp, icmp_len));
	send_or_die(ETH_HLEN + ihl + icmp_len);
	return true;
}

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	uint64_t idle_s = 60, answered = 0;
	solo5_handle_set_t ready;
	solo5_time_t last;
	char word[32];
	size_t len;
	int i;

	if (!app_word(&cursor, word, sizeof(word)) || !b_ipv4(word, my_ip) ||
	    (app_word(&cursor, word, sizeof(word)) && !b_number(word, &idle_s))) {
		app_puts("usage: pingd ... -- IP[/LEN] [IDLE_SECONDS]\n");
		return 2;
	}
	if (solo5_net_acquire("service0", &net, &ni) != SOLO5_R_OK) {
		app_puts("pingd: no net device service0\n");
		return 1;
	}
	app_puts("pingd: ready ip=");
	for (i = 0; i < 4; i++) {
		app_put_u64(my_ip[i]);
		app_puts(i < 3 ? "." : " mac=");
	}
	for (i = 0; i < 6; i++) {
		static const char hex[] = "0123456789abcdef";
		char h[3] = { hex[ni.mac_address[i] >> 4],
			      hex[ni.mac_address[i] & 15], i < 5 ? ':' : '\n' };

		solo5_console_write(h, 3);
	}

	last = solo5_clock_monotonic();
	while (solo5_clock_monotonic() - last < idle_s * 1000000000ULL) {
		solo5_yield(last + idle_s * 1000000000ULL, &ready);
		if (!(ready & (1ULL << net)))
			continue;
		while (solo5_net_read(net, frame, sizeof(frame), &len) ==
		       SOLO5_R_OK) {
			if (answer_icmp(len))
				answered++;
			else
				answer_arp(len);
		}
		last = solo5_clock_monotonic();
	}
	app_puts("pingd: answered ");
	app_put_u64(answered);
	app_puts(" pings\n");
	return 0;
}
