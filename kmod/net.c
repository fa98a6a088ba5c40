// SPDX-License-Identifier: GPL-2.0
/*
 * Net devices: frames from a host interface to a context and back.
 *
 * Receive: an rx_handler on the interface takes every frame before the
 * host stack sees it and queues it on the handle (at most
 * NABLA_RX_QUEUE_LEN frames, linear, at most 14 + mtu bytes each, so that
 * any of them fits the buffer a Solo5 guest reads with); NABLA_NET_READ
 * copies one out, and the skb is freed at the next arrival.
 *
 * Transmit: NABLA_NET_WRITE copies the frame into a new skb and hands it
 * to the driver with dev_direct_xmit(), the qdisc bypass of AF_PACKET and
 * AF_XDP (no qdisc, no taps), in the caller's own system call: no thread,
 * no queue. A frame the driver refuses is dropped and counted, as a Solo5
 * netwrite may lose frames like a wire does. What the driver does next
 * (veth and tun pass the frame on to the host's receive path: netif_rx and
 * the NET_RX softirq when bottom halves are enabled again) is the host's
 * receive processing; kmod/README.md says why it runs here and not in a
 * kernel thread of the module, as it did before (measured in bench/).
 *
 * Locking:
 * - nn->netdev is written under RTNL (attach, detach from the netdevice
 *   notifier or the release) and read under rcu_read_lock() to transmit.
 *   Detaching clears it first, then netdev_rx_handler_unregister() waits
 *   with synchronize_net() for running rx_handlers and writers, and only
 *   then is the device reference dropped.
 * - nn->rxq.lock protects the queue, rx_done (frames read, to be freed by
 *   the next arrival), rxq_peak and the handle's bit in ctx->rx_ready: a
 *   bit is set exactly while the queue is not empty. The rx_handler runs
 *   in softirq context; readers take the lock with BH off.
 * - The handle itself lives until the context is released: a detached
 *   handle stays, and its calls fail with -ENODEV.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/nsproxy.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/dst.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "dev.h"
#include "net.h"

bool nabla_net_attached(struct nabla_net *nn)
{
	return rcu_access_pointer(nn->netdev);
}

static void nabla_net_wake(struct nabla_ctx *ctx)
{
	/* Orders the rx_ready update before the check for sleepers. */
	if (wq_has_sleeper(&ctx->rx_wait))
		wake_up_interruptible(&ctx->rx_wait);
}

static void nabla_net_drop(struct nabla_net *nn, struct sk_buff *skb)
{
	nabla_stat_inc(&nn->stats.rx_drops);
	kfree_skb(skb);
}

/* Queue one received frame, its Ethernet header at skb->data. */
static void nabla_net_enqueue(struct nabla_net *nn, struct sk_buff *skb)
{
	struct nabla_ctx *ctx = nn->dev.ctx;
	struct sk_buff_head done;
	u32 qlen;

	if (skb->len > ETH_HLEN + nn->mtu)
		goto drop;
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto drop;
	if (skb_linearize(skb))
		goto drop;
	/* It may wait long: hold no socket, route or conntrack entry. */
	skb_orphan(skb);
	skb_dst_drop(skb);
	nf_reset_ct(skb);

	__skb_queue_head_init(&done);
	spin_lock(&nn->rxq.lock);
	/* The frames read since the last arrival are freed here. */
	skb_queue_splice_init(&nn->rx_done, &done);
	qlen = skb_queue_len(&nn->rxq);
	if (qlen >= NABLA_RX_QUEUE_LEN) {
		spin_unlock(&nn->rxq.lock);
		__skb_queue_purge(&done);
		goto drop;
	}
	__skb_queue_tail(&nn->rxq, skb);
	if (qlen + 1 > nn->rxq_peak)
		WRITE_ONCE(nn->rxq_peak, qlen + 1);
	atomic64_or(BIT_ULL(nn->dev.handle), &ctx->rx_ready);
	spin_unlock(&nn->rxq.lock);
	nabla_net_wake(ctx);
	__skb_queue_purge(&done);
	return;

drop:
	nabla_net_drop(nn, skb);
}

static rx_handler_result_t nabla_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct nabla_net *nn = rcu_dereference(skb->dev->rx_handler_data);
	struct sk_buff *segs, *next;

	/* The host's own multicast, looped back: not from the wire. */
	if (skb->pkt_type == PACKET_LOOPBACK)
		return RX_HANDLER_PASS;
	/* Every other frame is the guest's: the host stack never sees one. */
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb) {
		nabla_stat_inc(&nn->stats.rx_drops);
		return RX_HANDLER_CONSUMED;
	}
	/* The stack has pulled the Ethernet header: give it back. */
	skb_push(skb, skb->mac_len);
	if (skb_vlan_tag_present(skb)) {
		skb = __vlan_hwaccel_push_inside(skb);
		if (!skb) {
			nabla_stat_inc(&nn->stats.rx_drops);
			return RX_HANDLER_CONSUMED;
		}
	}
	if (!skb_is_gso(skb)) {
		nabla_net_enqueue(nn, skb);
		return RX_HANDLER_CONSUMED;
	}

	/* A GRO or local TSO super-frame: the guest gets wire-size frames. */
	segs = __skb_gso_segment(skb, 0, false);
	if (IS_ERR(segs)) {
		nabla_net_drop(nn, skb);
		return RX_HANDLER_CONSUMED;
	}
	/* NULL: one segment only, the frame itself will do. */
	if (!segs) {
		nabla_net_enqueue(nn, skb);
		return RX_HANDLER_CONSUMED;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		nabla_net_enqueue(nn, skb);
	}
	return RX_HANDLER_CONSUMED;
}

static int nabla_net_check_arg(const struct nabla_attach_net *a)
{
	size_t len = strnlen(a->ifname, sizeof(a->ifname));

	if ((a->flags & ~NABLA_NET_F_ALL) || memchr_inv(a->pad, 0, sizeof(a->pad)) ||
	    memchr_inv(a->reserved, 0, sizeof(a->reserved)))
		return -EINVAL;
	if (len == 0 || len == sizeof(a->ifname))
		return -EINVAL;
	if (a->flags & NABLA_NET_F_MAC)
		return is_valid_ether_addr(a->mac) ? 0 : -EINVAL;
	return memchr_inv(a->mac, 0, sizeof(a->mac)) ? -EINVAL : 0;
}

static int nabla_net_attach_locked(struct nabla_net *nn)
{
	struct net *net = current->nsproxy->net_ns;
	struct net_device *dev;
	int err;

	ASSERT_RTNL();
	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	dev = __dev_get_by_name(net, nn->ifname);
	if (!dev)
		return -ENODEV;
	if (dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN)
		return -EINVAL;
	if (netdev_is_rx_handler_busy(dev))
		return -EBUSY;

	nn->mtu = dev->mtu;
	nn->headroom = LL_RESERVED_SPACE(dev);
	nn->tailroom = dev->needed_tailroom;
	/* The guest's MAC is not the interface's. */
	err = dev_set_promiscuity(dev, 1);
	if (err)
		return err;
	netdev_hold(dev, &nn->tracker, GFP_KERNEL);
	rcu_assign_pointer(nn->netdev, dev);
	/* Last: from here on frames arrive. */
	err = netdev_rx_handler_register(dev, nabla_rx_handler, nn);
	if (err)
		goto err_unhold;
	return 0;

err_unhold:
	/* Not published yet: nobody can be transmitting through it. */
	RCU_INIT_POINTER(nn->netdev, NULL);
	netdev_put(dev, &nn->tracker);
	dev_set_promiscuity(dev, -1);
	return err;
}

long nabla_net_attach(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_attach_net *a = arg;
	struct nabla_net *nn;
	int err;

	lockdep_assert_held(&ctx->setup_lock);
	err = nabla_net_check_arg(a);
	if (err)
		return err;
	err = nabla_ctx_check_name(ctx, a->name);
	if (err)
		return err;

	nn = kzalloc(sizeof(*nn), GFP_KERNEL_ACCOUNT);
	if (!nn)
		return -ENOMEM;
	nn->dev.type = NABLA_DEVICE_NET;
	nn->dev.handle = ctx->ndevs;
	nn->dev.ctx = ctx;
	strscpy(nn->dev.name, a->name, sizeof(nn->dev.name));
	strscpy(nn->ifname, a->ifname, sizeof(nn->ifname));
	skb_queue_head_init(&nn->rxq);
	__skb_queue_head_init(&nn->rx_done);
	if (a->flags & NABLA_NET_F_MAC)
		ether_addr_copy(nn->mac, a->mac);
	else
		eth_random_addr(nn->mac);

	rtnl_lock();
	err = nabla_net_attach_locked(nn);
	rtnl_unlock();
	if (err) {
		kfree(nn);
		return err;
	}

	a->out_handle = nn->dev.handle;
	a->out_mtu = nn->mtu;
	ether_addr_copy(a->out_mac, nn->mac);
	memset(a->out_pad, 0, sizeof(a->out_pad));
	ctx->pending = &nn->dev;
	return 0;
}

/* Let the interface go; the handle stays, failing with -ENODEV. */
static void nabla_net_detach(struct nabla_net *nn)
{
	struct net_device *dev = rtnl_dereference(nn->netdev);
	struct nabla_ctx *ctx = nn->dev.ctx;

	ASSERT_RTNL();
	if (!dev)
		return;
	RCU_INIT_POINTER(nn->netdev, NULL);
	/*
	 * Its synchronize_net() waits for the rx_handlers and for the
	 * transmitters that still see the device under RCU: after it, the
	 * reference can go.
	 */
	netdev_rx_handler_unregister(dev);
	dev_set_promiscuity(dev, -1);
	netdev_put(dev, &nn->tracker);

	spin_lock_bh(&nn->rxq.lock);
	__skb_queue_purge(&nn->rxq);
	__skb_queue_purge(&nn->rx_done);
	atomic64_andnot(BIT_ULL(nn->dev.handle), &ctx->rx_ready);
	spin_unlock_bh(&nn->rxq.lock);
}

void nabla_net_destroy(struct nabla_device *dev)
{
	struct nabla_net *nn = to_nabla_net(dev);

	rtnl_lock();
	nabla_net_detach(nn);
	rtnl_unlock();
	/* A frame a failed read put back, or one read, after the detach. */
	skb_queue_purge(&nn->rxq);
	skb_queue_purge(&nn->rx_done);
	kfree(nn);
}

static u16 nabla_net_txq(const struct net_device *dev)
{
	return raw_smp_processor_id() % dev->real_num_tx_queues;
}

/* A new skb holding the @len bytes at @buf, as an Ethernet frame. */
static struct sk_buff *nabla_net_tx_skb(struct nabla_net *nn,
					const void __user *buf, u64 len)
{
	struct sk_buff *skb;

	skb = alloc_skb(nn->headroom + len + nn->tailroom,
			GFP_KERNEL | __GFP_NOWARN);
	if (!skb)
		return ERR_PTR(-ENOMEM);
	skb_reserve(skb, nn->headroom);
	if (copy_from_user(skb_put(skb, len), buf, len)) {
		kfree_skb(skb);
		return ERR_PTR(-EFAULT);
	}
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);
	skb->protocol = eth_hdr(skb)->h_proto;
	return skb;
}

static int nabla_net_xmit(struct nabla_net *nn, const void __user *buf,
			  u64 len)
{
	struct net_device *dev;
	struct sk_buff *skb;
	int ret;

	if (len < ETH_HLEN || len > ETH_HLEN + nn->mtu)
		return -EINVAL;
	if (!nabla_net_attached(nn))
		return -ENODEV;
	skb = nabla_net_tx_skb(nn, buf, len);
	if (IS_ERR(skb))
		return PTR_ERR(skb);

	rcu_read_lock();
	dev = rcu_dereference(nn->netdev);
	if (!dev) {
		/* Detached since the look above. */
		rcu_read_unlock();
		kfree_skb(skb);
		return -ENODEV;
	}
	skb->dev = dev;
	/* Consumes the skb whatever happens. */
	ret = dev_direct_xmit(skb, nabla_net_txq(dev));
	rcu_read_unlock();

	if (ret == NETDEV_TX_OK) {
		nabla_stat_inc(&nn->stats.tx_frames);
		nabla_stat_add(&nn->stats.tx_bytes, len);
		return 0;
	}
	/* Busy, congested, down or failed: lost on the wire, as Solo5 allows. */
	nabla_stat_inc(&nn->stats.tx_drops);
	return 0;
}

long nabla_net_write(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_net_write *w = arg;
	struct nabla_device *dev;
	struct nabla_net *nn;
	int ret;

	if (w->flags)
		return -EINVAL;
	dev = nabla_ctx_device(ctx, w->handle, NABLA_DEVICE_NET);
	if (!dev)
		return -EINVAL;
	nn = to_nabla_net(dev);
	ret = nabla_net_xmit(nn, u64_to_user_ptr(w->buf), w->len);
	if (ret)
		nabla_stat_inc(&nn->stats.errors);
	return ret;
}

/* Put back a frame a reader could not deliver, ahead of the others. */
static void nabla_net_requeue(struct nabla_net *nn, struct sk_buff *skb)
{
	struct nabla_ctx *ctx = nn->dev.ctx;
	struct sk_buff *victim = NULL;

	spin_lock_bh(&nn->rxq.lock);
	if (!nabla_net_attached(nn)) {
		/* Detached meanwhile: its queue is gone, and so is this frame. */
		spin_unlock_bh(&nn->rxq.lock);
		nabla_net_drop(nn, skb);
		return;
	}
	/* Frames arrived meanwhile: the newest goes, the bound holds. */
	if (skb_queue_len(&nn->rxq) >= NABLA_RX_QUEUE_LEN)
		victim = __skb_dequeue_tail(&nn->rxq);
	__skb_queue_head(&nn->rxq, skb);
	atomic64_or(BIT_ULL(nn->dev.handle), &ctx->rx_ready);
	spin_unlock_bh(&nn->rxq.lock);
	if (victim)
		nabla_net_drop(nn, victim);
	nabla_net_wake(ctx);
}

static int nabla_net_recv(struct nabla_net *nn, void __user *buf, u64 size,
			  u64 *out_len)
{
	struct nabla_ctx *ctx = nn->dev.ctx;
	struct sk_buff *skb;

	if (!nabla_net_attached(nn))
		return -ENODEV;
	/*
	 * The common answer to a poll, without the lock: a frame queued at
	 * this very moment is found by the next read, as it would be anyway.
	 * A queue emptied by a detach that began after the look above is
	 * -ENODEV, not -EAGAIN: the detach cleared the device before it
	 * purged the queue (with a grace period between), so seeing the
	 * purge means seeing the device gone.
	 */
	if (skb_queue_empty_lockless(&nn->rxq)) {
		/* The queue, then the device: the detach's order reversed. */
		smp_rmb();
		return nabla_net_attached(nn) ? -EAGAIN : -ENODEV;
	}

	spin_lock_bh(&nn->rxq.lock);
	skb = skb_peek(&nn->rxq);
	if (!skb || skb->len > size) {
		spin_unlock_bh(&nn->rxq.lock);
		/* A frame too large for the buffer stays queued. */
		if (skb)
			return -EINVAL;
		return nabla_net_attached(nn) ? -EAGAIN : -ENODEV;
	}
	__skb_unlink(skb, &nn->rxq);
	if (skb_queue_empty(&nn->rxq))
		atomic64_andnot(BIT_ULL(nn->dev.handle), &ctx->rx_ready);
	spin_unlock_bh(&nn->rxq.lock);

	/* Linear since nabla_net_enqueue(). */
	if (copy_to_user(buf, skb->data, skb->len)) {
		nabla_net_requeue(nn, skb);
		return -EFAULT;
	}
	*out_len = skb->len;
	nabla_stat_inc(&nn->stats.rx_frames);
	nabla_stat_add(&nn->stats.rx_bytes, skb->len);
	/*
	 * Freed by the next arrival, in the rx_handler (as NAPI defers the
	 * frees of transmitted skbs to its poll): not the confined task's
	 * work. At most the frames read between two arrivals wait there.
	 */
	spin_lock_bh(&nn->rxq.lock);
	__skb_queue_tail(&nn->rx_done, skb);
	spin_unlock_bh(&nn->rxq.lock);
	return 0;
}

long nabla_net_read(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_net_read *r = arg;
	struct nabla_device *dev;
	struct nabla_net *nn;
	int ret;

	if (r->flags)
		return -EINVAL;
	dev = nabla_ctx_device(ctx, r->handle, NABLA_DEVICE_NET);
	if (!dev)
		return -EINVAL;
	nn = to_nabla_net(dev);
	ret = nabla_net_recv(nn, u64_to_user_ptr(r->buf), r->len, &r->out_len);
	/* An empty queue is the normal answer of a poll, not an error. */
	if (ret && ret != -EAGAIN)
		nabla_stat_inc(&nn->stats.errors);
	return ret;
}

long nabla_net_info(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_net_info *i = arg;
	struct nabla_device *dev;
	struct nabla_net *nn;

	if (i->flags)
		return -EINVAL;
	dev = nabla_ctx_device(ctx, i->handle, NABLA_DEVICE_NET);
	if (!dev)
		return -EINVAL;
	nn = to_nabla_net(dev);
	if (!nabla_net_attached(nn))
		return -ENODEV;
	ether_addr_copy(i->out_mac, nn->mac);
	memset(i->out_pad, 0, sizeof(i->out_pad));
	i->out_mtu = nn->mtu;
	i->out_reserved = 0;
	return 0;
}

static int nabla_netdev_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	if (rcu_access_pointer(dev->rx_handler) != nabla_rx_handler)
		return NOTIFY_DONE;
	nabla_net_detach(rtnl_dereference(dev->rx_handler_data));
	return NOTIFY_OK;
}

static struct notifier_block nabla_netdev_notifier = {
	.notifier_call = nabla_netdev_event,
};

int nabla_net_init(void)
{
	return register_netdevice_notifier(&nabla_netdev_notifier);
}

void nabla_net_exit(void)
{
	unregister_netdevice_notifier(&nabla_netdev_notifier);
}
