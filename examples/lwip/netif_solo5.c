// SPDX-License-Identifier: ISC
/*
 * netif_solo5.c: an lwIP Ethernet netif over a Solo5 net device, and the
 * event loop that drives lwIP.
 *
 * One netif per application (LWIP_SINGLE_NETIF). Frames are copied between
 * static frame buffers and lwIP pbufs: solo5_net_read/write take one
 * contiguous buffer, lwIP's pool pbufs are chains of fixed-size pieces.
 */
#include <string.h>

#include "lwip/opt.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include "np.h"

/* Largest frame we accept: the device MTU is capped to this minus header. */
#define NP_FRAME_MAX	(9000 + SOLO5_NET_HLEN)
/* Frames taken per poll before timers get a turn: bounds latency. */
#define NP_RX_BURST	128

struct np_netif {
	solo5_handle_t handle;
	size_t frame_max;	/* mtu + header: what the device may send us */
	unsigned long rx_dropped;	/* no pbuf available */
	unsigned long tx_errors;
};

static struct np_netif np_dev;
static struct netif np_netif;
static uint8_t rx_frame[NP_FRAME_MAX];
static uint8_t tx_frame[NP_FRAME_MAX];

static err_t np_linkoutput(struct netif *netif, struct pbuf *p)
{
	struct np_netif *dev = netif->state;
	u16_t len = p->tot_len;

	if (len > dev->frame_max || len < SOLO5_NET_HLEN) {
		dev->tx_errors++;
		return ERR_IF;
	}
	if (pbuf_copy_partial(p, tx_frame, len, 0) != len) {
		dev->tx_errors++;
		return ERR_BUF;
	}
	if (solo5_net_write(dev->handle, tx_frame, len) != SOLO5_R_OK) {
		dev->tx_errors++;
		return ERR_IF;
	}
	return ERR_OK;
}

static err_t np_netif_init(struct netif *netif)
{
	netif->name[0] = 's';
	netif->name[1] = '5';
	netif->output = etharp_output;
	netif->linkoutput = np_linkoutput;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		       NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
	return ERR_OK;
}

/* Hand one received frame to lwIP; drop it if no pbuf is free. */
static void np_input(size_t len)
{
	struct pbuf *p;

	p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		np_dev.rx_dropped++;
		return;
	}
	if (pbuf_take(p, rx_frame, (u16_t)len) != ERR_OK ||
	    np_netif.input(p, &np_netif) != ERR_OK)
		pbuf_free(p);
}

/* Take up to NP_RX_BURST frames; true if more may be waiting. */
static bool np_rx_burst(void)
{
	int i;

	for (i = 0; i < NP_RX_BURST; i++) {
		size_t len = 0;
		solo5_result_t r;

		r = solo5_net_read(np_dev.handle, rx_frame, sizeof(rx_frame),
				   &len);
		if (r == SOLO5_R_AGAIN)
			return false;
		if (r != SOLO5_R_OK) {
			np_printf("np: net read failed (%d)\n", (int)r);
			solo5_abort();
		}
		np_input(len);
	}
	return true;
}

int np_net_start(const char *name, const struct np_net_config *cfg)
{
	struct solo5_net_info info;
	ip4_addr_t addr, mask, gw;

	if (solo5_net_acquire(name, &np_dev.handle, &info) != SOLO5_R_OK) {
		np_printf("np: cannot acquire net device '%s'\n", name);
		return -1;
	}
	if (info.mtu < 576) {
		np_printf("np: device mtu %zu too small\n", info.mtu);
		return -1;
	}
	if (np_dev.handle >= 64) {
		np_printf("np: handle out of range\n");
		return -1;
	}
	if (info.mtu + SOLO5_NET_HLEN > NP_FRAME_MAX)
		info.mtu = NP_FRAME_MAX - SOLO5_NET_HLEN;
	np_dev.frame_max = info.mtu + SOLO5_NET_HLEN;

	lwip_init();
	ip4_addr_set_u32(&addr, cfg->addr);
	ip4_addr_set_u32(&mask, cfg->netmask);
	ip4_addr_set_u32(&gw, cfg->gw);
	if (!netif_add(&np_netif, &addr, &mask, &gw, &np_dev, np_netif_init,
		       ethernet_input)) {
		np_printf("np: netif_add failed\n");
		return -1;
	}
	np_netif.mtu = (u16_t)info.mtu;
	np_netif.hwaddr_len = ETH_HWADDR_LEN;
	memcpy(np_netif.hwaddr, info.mac_address, ETH_HWADDR_LEN);
	netif_set_default(&np_netif);
	netif_set_up(&np_netif);
	return 0;
}

void np_net_poll(solo5_time_t max_wait_ns)
{
	solo5_handle_set_t ready = 0;
	solo5_time_t wait = max_wait_ns;
	bool more;
	u32_t sleep_ms;

	more = np_rx_burst();
	sys_check_timeouts();
	sleep_ms = sys_timeouts_sleeptime();
	if (sleep_ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE &&
	    (solo5_time_t)sleep_ms * 1000000ULL < wait)
		wait = (solo5_time_t)sleep_ms * 1000000ULL;
	if (more)
		wait = 0;
	solo5_yield(solo5_clock_monotonic() + wait, &ready);
}
