/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Block devices: an open block device or regular file attached to a
 * context.
 *
 * Locking: nb->lock (mutex) serializes the I/O of one handle, which share
 * its bounce pages, pinned-page table and bio. Everything else is fixed at attach.
 */
#ifndef _NABLA_BLOCK_H
#define _NABLA_BLOCK_H

#include <linux/bio.h>
#include <linux/bvec.h>
#include <linux/mutex.h>

#include "dev.h"
#include "stats.h"

/* Bounce pages: enough for the largest transfer. */
#define NABLA_BOUNCE_PAGES	DIV_ROUND_UP(NABLA_BLOCK_MAX_IO, PAGE_SIZE)

struct nabla_block {
	struct nabla_device dev;
	struct file *file;		/* our reference */
	struct block_device *bdev;	/* NULL for a regular file */
	u64 capacity;			/* bytes, a multiple of 512 */
	bool rdonly;
	bool written;			/* bios wrote behind the page cache */
	struct nabla_block_stats stats;

	struct mutex lock;		/* I/O: bio, bvecs, pages */
	struct bio bio;
	/* The bio's table (block device), or the file's iov_iter's. */
	struct bio_vec bvecs[NABLA_BOUNCE_PAGES];
	struct page *pages[NABLA_BOUNCE_PAGES];
	/* The caller's pages, pinned for one bio (block device only). */
	struct page *upages[NABLA_BOUNCE_PAGES];
};

static inline struct nabla_block *to_nabla_block(struct nabla_device *dev)
{
	return container_of(dev, struct nabla_block, dev);
}

void nabla_block_destroy(struct nabla_device *dev);

long nabla_block_attach(struct nabla_ctx *ctx, void *arg);
long nabla_block_write(struct nabla_ctx *ctx, void *arg);
long nabla_block_read(struct nabla_ctx *ctx, void *arg);
long nabla_block_info(struct nabla_ctx *ctx, void *arg);

#endif /* _NABLA_BLOCK_H */
