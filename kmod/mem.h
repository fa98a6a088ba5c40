/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Registered memory: ranges of the caller's memory pinned once, at setup,
 * for block transfers that name them (NABLA_BLOCK_IO_F_REGISTERED).
 *
 * Locking: regions are added under ctx->setup_lock only, before the seal,
 * and removed only when the context is released. A region is complete
 * before nregions counts it (smp_store_release()); hypercalls read
 * nregions with smp_load_acquire() and the regions below it without a lock.
 */
#ifndef _NABLA_MEM_H
#define _NABLA_MEM_H

#include <linux/types.h>
#include <linux/nabla.h>

struct mm_struct;
struct nabla_ctx;
struct page;

struct nabla_region {
	unsigned long addr;		/* page aligned */
	unsigned long npages;
	struct page **pages;		/* pinned FOLL_WRITE | FOLL_LONGTERM */
};

struct nabla_mem {
	struct mm_struct *mm;		/* of the registering process, grabbed */
	u32 nregions;
	unsigned long npages;		/* charged to mm's locked_vm */
	struct nabla_region regions[NABLA_MAX_REGIONS];
};

long nabla_mem_register(struct nabla_ctx *ctx, void *arg);
struct page **nabla_mem_pages(struct nabla_ctx *ctx, unsigned long addr,
			      size_t len);
void nabla_mem_release(struct nabla_ctx *ctx);

#endif /* _NABLA_MEM_H */
