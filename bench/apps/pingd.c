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

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	uint64_t idle_s = 60, answered = 0;
	solo5_handle_set_t ready;
	solo5_time_t last;
	char word[32];
	size_t len, out;
	bool ping;
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
			out = b_echo_answer(frame, len, ni.mac_address, my_ip, &ping);
			if (!out)
				continue;
			if (solo5_net_write(net, frame, out) != SOLO5_R_OK) {
				app_puts("pingd: net_write failed\n");
				return 1;
			}
			answered += ping;
		}
		last = solo5_clock_monotonic();
	}
	app_puts("pingd: answered ");
	app_put_u64(answered);
	app_puts(" pings\n");
	return 0;
}
