// SPDX-License-Identifier: GPL-2.0
/*
 * speed: the cost of each Solo5 operation, timed with
 * solo5_clock_monotonic, so that the dev and syscall backends of libnabla
 * can be compared row by row in one boot.
 *
 *   speed [--net:service0=IFACE] [--block:storage=PATH] [--backend=...]
 *         -- [N] [HOST_IP APP_IP]
 *
 * Rows (N samples each, default 300; one line each on the console,
 * "bench ROW n=N median=NS min=NS max=NS"):
 *   clock          one solo5_clock_monotonic (a sample is 32 calls / 32)
 *   console        one 32-byte solo5_console_write
 *   yield-poll     solo5_yield with a deadline already past, nothing pending
 *   yield-late     solo5_yield(now + 1 ms), nothing pending: how late it
 *                  returns after its deadline (timeout accuracy)
 * With net device service0 (HOST_IP answers pings, e.g. the host end of a
 * veth pair or a tap; APP_IP is ours), per ICMP echo to the host:
 *   net-write      the solo5_net_write of the request
 *   net-read       the solo5_net_read that returns the reply
 *   net-rtt        from before the write to after that read (the wait is a
 *                  solo5_yield)
 * With block device storage (at least 8 MiB):
 *   blk-4k-randread, blk-4k-randwrite    4 KiB at random aligned offsets
 *   blk-64k-seqread, blk-64k-seqwrite    64 KiB, consecutive
 * "bench-skip ROW why" when a row cannot run; exit status 1 on a failure.
 */
#include "bench.h"

#define MAXN		1000
#define CLOCK_BATCH	32
#define BIG		65536

static uint64_t samples[MAXN];
static uint8_t frame[65536 + SOLO5_NET_HLEN];
static uint8_t req[128];
static uint8_t iobuf[BIG] __attribute__((aligned(4096)));
static uint64_t n = 300;

static void die(const char *what)
{
	app_puts("speed: ");
	app_puts(what);
	app_puts(" failed\n");
	solo5_exit(1);
}

static void sort(uint64_t *v, uint64_t len)
{
	uint64_t i, j, x;

	for (i = 1; i < len; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void report(const char *row, uint64_t len)
{
	char line[160];
	size_t k = 0;
	const char *parts[] = { "bench ", row, " n=" };
	uint64_t i;

	sort(samples, len);
	for (i = 0; i < 3; i++) {
		b_copy(line + k, parts[i], app_strlen(parts[i]));
		k += app_strlen(parts[i]);
	}
	k += b_fmt_u64(line + k, len);
	b_copy(line + k, " median=", 8);
	k += 8;
	k += b_fmt_u64(line + k, samples[len / 2]);
	b_copy(line + k, " min=", 5);
	k += 5;
	k += b_fmt_u64(line + k, samples[0]);
	b_copy(line + k, " max=", 5);
	k += 5;
	k += b_fmt_u64(line + k, samples[len - 1]);
	line[k++] = '\n';
	solo5_console_write(line, k);
}

static void skip(const char *row, const char *why)
{
	app_puts("bench-skip ");
	app_puts(row);
	app_puts(" ");
	app_puts(why);
	app_puts("\n");
}

static void bench_clock(void)
{
	uint64_t i, j, t0;
	volatile solo5_time_t sink;

	for (i = 0; i < n; i++) {
		t0 = solo5_clock_monotonic();
		for (j = 0; j < CLOCK_BATCH; j++)
			sink = solo5_clock_monotonic();
		(void)sink;
		samples[i] = (solo5_clock_monotonic() - t0) / CLOCK_BATCH;
	}
	report("clock", n);
}

static void bench_console(void)
{
	static const char msg[] = "speed: console write 32 bytes.\n";
	uint64_t i, t0;

	for (i = 0; i < n; i++) {
		t0 = solo5_clock_monotonic();
		solo5_console_write(msg, sizeof(msg) - 1);
		samples[i] = solo5_clock_monotonic() - t0;
	}
	report("console", n);
}

static void bench_yield(void)
{
	solo5_handle_set_t ready;
	uint64_t i, t0, deadline, m = n < 100 ? n : 100;

	for (i = 0; i < n; i++) {
		t0 = solo5_clock_monotonic();
		solo5_yield(0, &ready);
		samples[i] = solo5_clock_monotonic() - t0;
	}
	report("yield-poll", n);
	for (i = 0; i < m; i++) {
		deadline = solo5_clock_monotonic() + 1000000;
		solo5_yield(deadline, &ready);
		t0 = solo5_clock_monotonic();
		samples[i] = t0 > deadline ? t0 - deadline : 0;
	}
	report("yield-late", m);
}

/* --- net ---------------------------------------------------------------- */

static solo5_handle_t net;
static struct solo5_net_info ni;
static uint8_t host_ip[4], app_ip[4], host_mac[6];

/*
 * Wait up to @ns for a frame that @match accepts, reading (and dropping)
 * others; returns its length, 0 on timeout. *@t_read is the duration of
 * the solo5_net_read that returned it.
 */
static size_t wait_frame(bool (*match)(size_t), uint64_t ns, uint64_t *t_read)
{
	solo5_time_t end = solo5_clock_monotonic() + ns, t0;
	solo5_handle_set_t ready;
	solo5_result_t rc;
	size_t len;

	while (solo5_clock_monotonic() < end) {
		solo5_yield(end, &ready);
		if (!(ready & (1ULL << net)))
			continue;
		for (;;) {
			t0 = solo5_clock_monotonic();
			rc = solo5_net_read(net, frame, sizeof(frame), &len);
			if (t_read)
				*t_read = solo5_clock_monotonic() - t0;
			if (rc == SOLO5_R_AGAIN)
				break;
			if (rc != SOLO5_R_OK)
				die("net_read");
			if (match(len))
				return len;
		}
	}
	return 0;
}

static bool is_arp_reply(size_t len)
{
	return len >= ARP_LEN && b_get16(frame + ETH_TYPE) == ETHERTYPE_ARP &&
	       b_get16(frame + ARP_OP) == 2 &&
	       b_equal(frame + ARP_SPA, host_ip, 4);
}

static uint16_t echo_seq;

static bool is_echo_reply(size_t len)
{
	size_t ihl = b_ip_hlen(frame, len);

	return ihl && frame[IP_PROTO] == IPPROTO_ICMP &&
	       b_equal(frame + IP_SRC, host_ip, 4) &&
	       frame[IP_HDR + ihl] == ICMP_ECHOREPLY &&
	       b_get16(frame + IP_HDR + ihl + 4) == 0x6e62 &&
	       b_get16(frame + IP_HDR + ihl + 6) == echo_seq;
}

static bool resolve_host(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	int tries;

	b_copy(req + ETH_DST, bcast, 6);
	b_copy(req + ETH_SRC, ni.mac_address, 6);
	b_put16(req + ETH_TYPE, ETHERTYPE_ARP);
	b_put16(req + ETH_HLEN, 1);
	b_put16(req + ETH_HLEN + 2, ETHERTYPE_IPV4);
	req[ETH_HLEN + 4] = 6;
	req[ETH_HLEN + 5] = 4;
	b_put16(req + ARP_OP, 1);
	b_copy(req + ARP_SHA, ni.mac_address, 6);
	b_copy(req + ARP_SPA, app_ip, 4);
	b_copy(req + ARP_THA, bcast, 6);
	b_copy(req + ARP_TPA, host_ip, 4);
	for (tries = 0; tries < 5; tries++) {
		if (solo5_net_write(net, req, ARP_LEN) != SOLO5_R_OK)
			die("net_write (ARP)");
		if (wait_frame(is_arp_reply, 1000000000ULL, NULL)) {
			b_copy(host_mac, frame + ARP_SHA, 6);
			return true;
		}
	}
	return false;
}

/* An ICMP echo request with 56 bytes of data, as ping sends. */
static size_t make_echo(uint16_t seq)
{
	size_t icmp = IP_HDR + 20, i;

	b_copy(req + ETH_DST, host_mac, 6);
	b_copy(req + ETH_SRC, ni.mac_address, 6);
	b_put16(req + ETH_TYPE, ETHERTYPE_IPV4);
	req[IP_HDR] = 0x45;
	req[IP_HDR + 1] = 0;
	b_put16(req + IP_HDR + 2, 20 + 8 + 56);
	b_put16(req + IP_HDR + 4, seq);
	b_put16(req + IP_HDR + 6, 0x4000);	/* DF */
	req[IP_HDR + 8] = 64;
	req[IP_PROTO] = IPPROTO_ICMP;
	b_put16(req + IP_CSUM, 0);
	b_copy(req + IP_SRC, app_ip, 4);
	b_copy(req + IP_DST, host_ip, 4);
	b_put16(req + IP_CSUM, b_csum(req + IP_HDR, 20));
	req[icmp] = ICMP_ECHO;
	req[icmp + 1] = 0;
	b_put16(req + icmp + 2, 0);
	b_put16(req + icmp + 4, 0x6e62);
	b_put16(req + icmp + 6, seq);
	for (i = 0; i < 56; i++)
		req[icmp + 8 + i] = (uint8_t)i;
	b_put16(req + icmp + 2, b_csum(req + icmp, 8 + 56));
	return icmp + 8 + 56;
}

static void bench_net(void)
{
	static uint64_t t_write[MAXN], t_read[MAXN];
	uint64_t i, t0, t1, lost = 0;
	size_t len;

	if (!resolve_host()) {
		skip("net", "no ARP reply from HOST_IP");
		return;
	}
	/* A few untimed round trips: the host's neighbour entry and caches. */
	for (i = 0; i < n + 10; i++) {
		echo_seq = (uint16_t)(i + 1);
		len = make_echo(echo_seq);
		t0 = solo5_clock_monotonic();
		if (solo5_net_write(net, req, len) != SOLO5_R_OK)
			die("net_write");
		t1 = solo5_clock_monotonic();
		if (!wait_frame(is_echo_reply, 1000000000ULL,
				i >= 10 ? &t_read[i - 10] : NULL)) {
			lost++;
			if (lost > n / 10)
				die("ping (more than 10% lost)");
			i--;
			continue;
		}
		if (i < 10)
			continue;
		samples[i - 10] = solo5_clock_monotonic() - t0;
		t_write[i - 10] = t1 - t0;
	}
	report("net-rtt", n);
	b_copy(samples, t_write, n * sizeof(samples[0]));
	report("net-write", n);
	b_copy(samples, t_read, n * sizeof(samples[0]));
	report("net-read", n);
	if (lost) {
		app_puts("speed: lost pings ");
		app_put_u64(lost);
		app_puts("\n");
	}
}

/* --- block ------------------------------------------------------------- */

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

static void bench_block(solo5_handle_t h, uint64_t capacity)
{
	uint64_t i, t0, s = 42, off, seq_n = n < 100 ? n : 100;
	uint64_t region = capacity - capacity % BIG;
	solo5_result_t rc;

	for (i = 0; i < BIG; i++)
		iobuf[i] = (uint8_t)i;
	for (i = 0; i < n; i++) {
		off = (lcg(&s) % (capacity / 4096)) * 4096;
		t0 = solo5_clock_monotonic();
		rc = solo5_block_write(h, off, iobuf, 4096);
		samples[i] = solo5_clock_monotonic() - t0;
		if (rc != SOLO5_R_OK)
			die("block_write");
	}
	report("blk-4k-randwrite", n);
	for (i = 0; i < n; i++) {
		off = (lcg(&s) % (capacity / 4096)) * 4096;
		t0 = solo5_clock_monotonic();
		rc = solo5_block_read(h, off, iobuf, 4096);
		samples[i] = solo5_clock_monotonic() - t0;
		if (rc != SOLO5_R_OK)
			die("block_read");
	}
	report("blk-4k-randread", n);
	for (i = 0; i < seq_n; i++) {
		off = (i * BIG) % region;
		t0 = solo5_clock_monotonic();
		rc = solo5_block_write(h, off, iobuf, BIG);
		samples[i] = solo5_clock_monotonic() - t0;
		if (rc != SOLO5_R_OK)
			die("block_write 64k");
	}
	report("blk-64k-seqwrite", seq_n);
	for (i = 0; i < seq_n; i++) {
		off = (i * BIG) % region;
		t0 = solo5_clock_monotonic();
		rc = solo5_block_read(h, off, iobuf, BIG);
		samples[i] = solo5_clock_monotonic() - t0;
		if (rc != SOLO5_R_OK)
			die("block_read 64k");
	}
	report("blk-64k-seqread", seq_n);
}

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	struct solo5_block_info bi;
	solo5_handle_t blk;
	char word[32];
	bool have_ips = false;

	if (app_word(&cursor, word, sizeof(word))) {
		if (!b_number(word, &n) || n < 1 || n > MAXN - 10)
			goto usage;
		if (app_word(&cursor, word, sizeof(word))) {
			if (!b_ipv4(word, host_ip) ||
			    !app_word(&cursor, word, sizeof(word)) ||
			    !b_ipv4(word, app_ip))
				goto usage;
			have_ips = true;
		}
	}
	app_puts("speed: start\n");
	bench_clock();
	bench_console();
	bench_yield();
	if (solo5_net_acquire("service0", &net, &ni) != SOLO5_R_OK)
		skip("net", "no net device service0");
	else if (!have_ips)
		skip("net", "no HOST_IP APP_IP on the command line");
	else
		bench_net();
	if (solo5_block_acquire("storage", &blk, &bi) != SOLO5_R_OK)
		skip("blk", "no block device storage");
	else if (bi.capacity < 8 * 1048576)
		skip("blk", "block device smaller than 8 MiB");
	else
		bench_block(blk, bi.capacity);
	app_puts("speed: end\n");
	return 0;
usage:
	app_puts("usage: speed ... -- [N] [HOST_IP APP_IP]\n");
	return 2;
}
