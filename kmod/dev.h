/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The misc device /dev/nabla: one context per open(), its devices, and the
 * ioctl dispatch.
 *
 * Locking:
 * - setup_lock (mutex) serializes setup calls: it protects sealed, ndevs,
 *   pending and the names, and is held while a device is attached or
 *   memory registered (mem.h has the regions' rules).
 * - devs[] entries are published with smp_store_release() once the device
 *   is complete and read with smp_load_acquire(); a published device is
 *   never removed before the context is released, so hypercalls use it
 *   without a reference. The file reference of the ioctl keeps the context
 *   itself alive.
 * - rx_ready has a bit per net handle with frames queued; each bit is
 *   changed only under that handle's queue lock (see net.c).
 * - blkio is set under setup_lock before the first block device is
 *   published, and freed at the release.
 * - Lock order: setup_lock, then RTNL, console.lock or mmap_lock.
 */
#ifndef _NABLA_DEV_H
#define _NABLA_DEV_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/nabla.h>

#include "clock.h"
#include "console.h"
#include "mem.h"
#include "stats.h"

struct dentry;
struct nabla_blkio;
struct pid;

enum nabla_device_type {
	NABLA_DEVICE_NET = 1,
	NABLA_DEVICE_BLOCK,
};

/* What net and block devices have in common; embedded first in each. */
struct nabla_device {
	enum nabla_device_type type;
	u32 handle;
	struct nabla_ctx *ctx;
	char name[NABLA_NAME_SIZE];
};

struct nabla_ctx {
	u64 id;				/* names the debugfs directory */
	struct pid *owner;		/* tgid of the opener, for debugfs */

	struct mutex setup_lock;	/* sealed, ndevs, pending, devs[] */
	bool sealed;
	u32 ndevs;
	struct nabla_device *pending;	/* attached, published on success */
	struct nabla_device *devs[NABLA_MAX_DEVICES];

	atomic64_t rx_ready;
	wait_queue_head_t rx_wait;	/* NABLA_YIELD sleepers */
	struct nabla_yield_timer yield;	/* wakes them at a deadline */

	struct nabla_console console;
	struct nabla_blkio *blkio;	/* block transfers (block.h), or NULL */
	struct nabla_mem mem;		/* registered memory (mem.h) */
	struct nabla_ctx_stats stats;
	struct dentry *debugfs;
};

int nabla_dev_init(void);
void nabla_dev_exit(void);
bool nabla_is_nabla_file(const struct file *file);

int nabla_ctx_check_name(struct nabla_ctx *ctx, const char *name);
struct nabla_device *nabla_ctx_device(struct nabla_ctx *ctx, u32 handle,
				      enum nabla_device_type type);

#endif /* _NABLA_DEV_H */
