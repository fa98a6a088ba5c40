// SPDX-License-Identifier: GPL-2.0
/*
 * echo: answer N frames of EtherType 0x88b5 on net device "n0": the same
 * payload, sent back to their source from our MAC. Other frames (the host's
 * IPv6 chatter) are ignored. Prints "mac=..." and "ready" first, and gives
 * up after 20 s without a frame. Also checks that a read finds nothing
 * before the first frame (first_read=again) and that a buffer too small for
 * the first frame is refused (short_read=einval), as are frames too large
 * or too small to send (bad_write=einval).
 */
#include "app.h"

#define ECHO_ETHERTYPE_HI	0x88
#define ECHO_ETHERTYPE_LO	0xb5
#define IDLE_LIMIT_NS		(20ULL * 1000000000ULL)

static uint8_t frame[65536 + SOLO5_NET_HLEN];

static bool answer(solo5_handle_t h, const struct solo5_net_info *ni,
		   size_t len)
{
	int i;

	if (len < SOLO5_NET_HLEN || frame[12] != ECHO_ETHERTYPE_HI ||
	    frame[13] != ECHO_ETHERTYPE_LO)
		return false;
	for (i = 0; i < SOLO5_NET_ALEN; i++) {
		frame[i] = frame[6 + i];
		frame[6 + i] = ni->mac_address[i];
	}
	if (solo5_net_write(h, frame, len) != SOLO5_R_OK) {
		app_fail("net_write");
		solo5_exit(1);
	}
	return true;
}

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	struct solo5_net_info ni;
	solo5_handle_set_t ready;
	solo5_handle_t h;
	solo5_result_t rc;
	char word[32];
	int64_t want = 1, done = 0;
	size_t len;

	if (app_word(&cursor, word, sizeof(word)) && !app_number(word, &want))
		return 1;
	if (solo5_net_acquire("n0", &h, &ni) != SOLO5_R_OK) {
		app_fail("net_acquire n0");
		return 1;
	}
	app_puts("mac=");
	app_mac(ni.mac_address);
	app_puts("\n");
	app_kv("mtu", ni.mtu);
	/* Nothing has been sent to us yet: a read must say AGAIN. */
	rc = solo5_net_read(h, frame, sizeof(frame), &len);
	app_puts(rc == SOLO5_R_AGAIN ? "first_read=again\n" :
		 "first_read=not-again\n");
	/* Frames must be 14 to mtu + 14 bytes. */
	app_puts(solo5_net_write(h, frame, ni.mtu + SOLO5_NET_HLEN + 1) ==
		 SOLO5_R_EINVAL &&
		 solo5_net_write(h, frame, SOLO5_NET_HLEN - 1) == SOLO5_R_EINVAL ?
		 "bad_write=einval\n" : "bad_write=not-einval\n");
	app_puts("ready\n");
	while (done < want) {
		solo5_yield(solo5_clock_monotonic() + IDLE_LIMIT_NS, &ready);
		if (!(ready & (1ULL << h))) {
			app_fail("no frame for 20 s");
			return 1;
		}
		/* A buffer too small is refused and the frame stays queued. */
		if (done == 0) {
			rc = solo5_net_read(h, frame, SOLO5_NET_HLEN - 1, &len);
			app_puts(rc == SOLO5_R_EINVAL ? "short_read=einval\n" :
				 "short_read=not-einval\n");
		}
		for (;;) {
			rc = solo5_net_read(h, frame, sizeof(frame), &len);
			if (rc == SOLO5_R_AGAIN)
				break;
			if (rc != SOLO5_R_OK) {
				app_fail("net_read");
				return 1;
			}
			if (answer(h, &ni, len))
				done++;
		}
	}
	app_kv("echoed", done);
	return 0;
}
