// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: /sys/kernel/debug/nabla/<context id>/ holds "context" (the
 * context's counters) and one file per device ("net-<name>",
 * "block-<name>"), each a list of "key value" lines.
 *
 * Locking: the files read atomic counters and fields fixed at attach, and
 * a few others with READ_ONCE (a reader sees each value on its own). The
 * directory of a context is removed before the context is freed, and
 * debugfs_remove() waits for readers of its files.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "block.h"
#include "dev.h"
#include "net.h"
#include "stats.h"

static struct dentry *nabla_debugfs_root;

static const char *const nabla_cmd_names[NABLA_NR_CMDS] = {
	[_IOC_NR(NABLA_VERSION)]		= "version",
	[_IOC_NR(NABLA_ATTACH_NET)]		= "attach_net",
	[_IOC_NR(NABLA_ATTACH_BLOCK)]		= "attach_block",
	[_IOC_NR(NABLA_SET_CONSOLE)]		= "set_console",
	[_IOC_NR(NABLA_SEAL)]			= "seal",
	[_IOC_NR(NABLA_REGISTER_MEMORY)]	= "register_memory",
	[_IOC_NR(NABLA_CLOCK_MONOTONIC)]	= "clock_monotonic",
	[_IOC_NR(NABLA_CLOCK_WALL)]		= "clock_wall",
	[_IOC_NR(NABLA_CONSOLE_WRITE)]		= "console_write",
	[_IOC_NR(NABLA_YIELD)]			= "yield",
	[_IOC_NR(NABLA_NET_WRITE)]		= "net_write",
	[_IOC_NR(NABLA_NET_READ)]		= "net_read",
	[_IOC_NR(NABLA_NET_INFO)]		= "net_info",
	[_IOC_NR(NABLA_BLOCK_WRITE)]		= "block_write",
	[_IOC_NR(NABLA_BLOCK_READ)]		= "block_read",
	[_IOC_NR(NABLA_BLOCK_INFO)]		= "block_info",
};

static void nabla_show_counter(struct seq_file *m, const char *key,
			       atomic64_t *counter)
{
	seq_printf(m, "%s %lld\n", key, (long long)atomic64_read(counter));
}

static int nabla_ctx_show(struct seq_file *m, void *v)
{
	struct nabla_ctx *ctx = m->private;
	struct nabla_ctx_stats *s = &ctx->stats;
	struct nabla_blkio *blkio;
	u64 calls = 0;
	unsigned int i;

	seq_printf(m, "id %llu\n", ctx->id);
	/* As the initial pid namespace numbers it, whoever opened it. */
	seq_printf(m, "owner %d\n", pid_nr(ctx->owner));
	seq_printf(m, "sealed %d\n", READ_ONCE(ctx->sealed));
	seq_printf(m, "devices %u\n", READ_ONCE(ctx->ndevs));
	seq_printf(m, "rx_ready %#llx\n",
		   (unsigned long long)atomic64_read(&ctx->rx_ready));
	seq_printf(m, "regions %u\n", READ_ONCE(ctx->mem.nregions));
	seq_printf(m, "registered_pages %lu\n", READ_ONCE(ctx->mem.npages));
	blkio = READ_ONCE(ctx->blkio);
	seq_printf(m, "bounce_pages %u\n", blkio ? READ_ONCE(blkio->nbounce) : 0);
	/* Registered and bounce pages charged to the user's RLIMIT_MEMLOCK. */
	seq_printf(m, "locked_pages %ld\n",
		   atomic_long_read(&ctx->mem.locked_pages));
	for (i = 0; i < NABLA_NR_CMDS; i++)
		calls += atomic64_read(&s->calls[i]);
	seq_printf(m, "calls %llu\n", calls);
	nabla_show_counter(m, "errors", &s->errors);
	nabla_show_counter(m, "console_bytes", &s->console_bytes);
	nabla_show_counter(m, "console_lines_dropped",
			   &s->console_lines_dropped);
	nabla_show_counter(m, "yield_sleeps", &s->yield_sleeps);
	for (i = 0; i < NABLA_NR_CMDS; i++)
		if (nabla_cmd_names[i])
			seq_printf(m, "calls_%s %lld\n", nabla_cmd_names[i],
				   (long long)atomic64_read(&s->calls[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nabla_ctx);

static int nabla_net_show(struct seq_file *m, void *v)
{
	struct nabla_net *nn = m->private;
	struct nabla_net_stats *s = &nn->stats;

	seq_printf(m, "name %s\n", nn->dev.name);
	seq_printf(m, "handle %u\n", nn->dev.handle);
	seq_printf(m, "ifname %s\n", nn->ifname);
	seq_printf(m, "attached %d\n", nabla_net_attached(nn));
	seq_printf(m, "mac %pM\n", nn->mac);
	seq_printf(m, "mtu %u\n", nn->mtu);
	seq_printf(m, "rx_queued %u\n", skb_queue_len_lockless(&nn->rxq));
	seq_printf(m, "rx_queue_peak %u\n", READ_ONCE(nn->rxq_peak));
	nabla_show_counter(m, "rx_frames", &s->rx_frames);
	nabla_show_counter(m, "rx_bytes", &s->rx_bytes);
	nabla_show_counter(m, "rx_drops", &s->rx_drops);
	nabla_show_counter(m, "tx_frames", &s->tx_frames);
	nabla_show_counter(m, "tx_bytes", &s->tx_bytes);
	nabla_show_counter(m, "tx_drops", &s->tx_drops);
	nabla_show_counter(m, "errors", &s->errors);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nabla_net);

static int nabla_block_show(struct seq_file *m, void *v)
{
	struct nabla_block *nb = m->private;
	struct nabla_block_stats *s = &nb->stats;

	seq_printf(m, "name %s\n", nb->dev.name);
	seq_printf(m, "handle %u\n", nb->dev.handle);
	seq_printf(m, "backend %s\n", nb->bdev ? "bdev" : "file");
	seq_printf(m, "capacity %llu\n", nb->capacity);
	seq_printf(m, "block_size %u\n", nb->block_size);
	seq_printf(m, "rdonly %d\n", nb->rdonly);
	nabla_show_counter(m, "reads", &s->reads);
	nabla_show_counter(m, "writes", &s->writes);
	nabla_show_counter(m, "read_bytes", &s->read_bytes);
	nabla_show_counter(m, "write_bytes", &s->write_bytes);
	nabla_show_counter(m, "registered_ios", &s->registered_ios);
	nabla_show_counter(m, "errors", &s->errors);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nabla_block);

void nabla_debugfs_ctx_add(struct nabla_ctx *ctx)
{
	char name[24];

	snprintf(name, sizeof(name), "%llu", ctx->id);
	ctx->debugfs = debugfs_create_dir(name, nabla_debugfs_root);
	debugfs_create_file("context", 0400, ctx->debugfs, ctx, &nabla_ctx_fops);
}

void nabla_debugfs_ctx_remove(struct nabla_ctx *ctx)
{
	debugfs_remove(ctx->debugfs);
	ctx->debugfs = NULL;
}

void nabla_debugfs_device_add(struct nabla_ctx *ctx, struct nabla_device *dev)
{
	char name[NABLA_NAME_SIZE + 8];

	switch (dev->type) {
	case NABLA_DEVICE_NET:
		snprintf(name, sizeof(name), "net-%s", dev->name);
		debugfs_create_file(name, 0400, ctx->debugfs, to_nabla_net(dev),
				    &nabla_net_fops);
		break;
	case NABLA_DEVICE_BLOCK:
		snprintf(name, sizeof(name), "block-%s", dev->name);
		debugfs_create_file(name, 0400, ctx->debugfs,
				    to_nabla_block(dev), &nabla_block_fops);
		break;
	}
}

int nabla_debugfs_init(void)
{
	/* debugfs failures are not fatal: the module works without it. */
	nabla_debugfs_root = debugfs_create_dir("nabla", NULL);
	return 0;
}

void nabla_debugfs_exit(void)
{
	debugfs_remove(nabla_debugfs_root);
}
