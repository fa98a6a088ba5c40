/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Net devices: a host interface attached to a context.
 *
 * Locking:
 * - netdev is written under RTNL (attach, detach) and read under RCU by
 *   writers, which transmit in their own call; it becomes NULL when the
 *   interface goes away.
 * - rxq.lock protects the queue, rx_done and this handle's bit in
 *   ctx->rx_ready; the rx_handler takes it in softirq context, readers
 *   with BH disabled.
 */
#ifndef _NABLA_NET_H
#define _NABLA_NET_H

#include <linux/if_ether.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include "dev.h"
#include "stats.h"

struct nabla_net {
	struct nabla_device dev;
	struct net_device __rcu *netdev;
	netdevice_tracker tracker;
	struct sk_buff_head rxq;
	u32 rxq_peak;			/* longest the queue has been */
	struct sk_buff_head rx_done;	/* read, freed at the next arrival */
	u32 mtu;			/* at attach; frames are 14 + mtu */
	u16 headroom;			/* for transmitted skbs, at attach */
	u16 tailroom;
	u8 mac[ETH_ALEN];
	char ifname[IFNAMSIZ];
	struct nabla_net_stats stats;
};

static inline struct nabla_net *to_nabla_net(struct nabla_device *dev)
{
	return container_of(dev, struct nabla_net, dev);
}

int nabla_net_init(void);
void nabla_net_exit(void);
void nabla_net_destroy(struct nabla_device *dev);
bool nabla_net_attached(struct nabla_net *nn);

long nabla_net_attach(struct nabla_ctx *ctx, void *arg);
long nabla_net_write(struct nabla_ctx *ctx, void *arg);
long nabla_net_read(struct nabla_ctx *ctx, void *arg);
long nabla_net_info(struct nabla_ctx *ctx, void *arg);

#endif /* _NABLA_NET_H */
