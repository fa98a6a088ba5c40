/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters of a context and of its devices, shown in debugfs under
 * /sys/kernel/debug/nabla/<context id>/.
 *
 * Locking: counters are atomic64_t, updated without locks from any
 * context (hypercalls, the rx_handler in softirq); readers see each counter
 * on its own, not a snapshot of all. The debugfs files of a context are
 * removed (debugfs waits for readers) before anything they show is freed.
 */
#ifndef _NABLA_STATS_H
#define _NABLA_STATS_H

#include <linux/atomic.h>
#include <linux/nabla.h>

struct nabla_ctx;
struct nabla_device;

/* Command numbers (_IOC_NR) run from 0 to NABLA_NR_CMDS - 1. */
#define NABLA_NR_CMDS	0x2a

struct nabla_ctx_stats {
	atomic64_t calls[NABLA_NR_CMDS];	/* by _IOC_NR, failed or not */
	atomic64_t errors;			/* calls that failed */
	atomic64_t console_bytes;
	atomic64_t console_lines_dropped;	/* kernel log rate limit */
	atomic64_t yield_sleeps;		/* yields that had to wait */
};

struct nabla_net_stats {
	atomic64_t tx_frames;
	atomic64_t tx_bytes;
	atomic64_t tx_drops;	/* refused by the driver: lost like on a wire */
	atomic64_t rx_frames;	/* read by the guest */
	atomic64_t rx_bytes;
	atomic64_t rx_drops;	/* queue full, oversize, or out of memory */
	atomic64_t errors;	/* failed net hypercalls on this handle */
};

struct nabla_block_stats {
	atomic64_t reads;
	atomic64_t writes;
	atomic64_t read_bytes;
	atomic64_t write_bytes;
	atomic64_t registered_ios;	/* over registered memory's pages */
	atomic64_t errors;	/* failed block hypercalls on this handle */
};

static inline void nabla_stat_inc(atomic64_t *counter)
{
	atomic64_inc(counter);
}

static inline void nabla_stat_add(atomic64_t *counter, u64 n)
{
	atomic64_add(n, counter);
}

int nabla_debugfs_init(void);
void nabla_debugfs_exit(void);
void nabla_debugfs_ctx_add(struct nabla_ctx *ctx);
void nabla_debugfs_ctx_remove(struct nabla_ctx *ctx);
void nabla_debugfs_device_add(struct nabla_ctx *ctx, struct nabla_device *dev);

#endif /* _NABLA_STATS_H */
