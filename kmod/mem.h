/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Registered memory: ranges of the caller's memory pinned once, at setup,
 * for block transfers that name them (NABLA_BLOCK_IO_F_REGISTERED).
 *
 * And the charge of a context's unswappable pages (registered memory and
 * block bounce pages) to its user's RLIMIT_MEMLOCK.
 *
 * Locking: regions are added under ctx->setup_lock only, before the seal,
 * and removed only when the context is released. A region is complete
 * before nregions counts it (smp_store_release()); hypercalls read
 * nregions with smp_load_acquire() and the regions below it without a lock.
 * The charge is atomic (user->locked_vm and locked_pages): registration
 * (setup_lock) and bounce pages (the context's blkio lock) add to it.
 */
#ifndef _NABLA_MEM_H
#define _NABLA_MEM_H

#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/nabla.h>

struct mm_struct;
struct nabla_ctx;
struct page;
struct user_struct;

struct nabla_region {
	unsigned long addr;		/* page aligned */
	unsigned long npages;
	struct page **pages;		/* pinned FOLL_WRITE | FOLL_LONGTERM */
};

struct nabla_mem {
	struct mm_struct *mm;		/* of the registering process, grabbed */
	u32 nregions;
	unsigned long npages;		/* registered: mm's pinned_vm (VmPin) */
	struct nabla_region regions[NABLA_MAX_REGIONS];
	/* NULL if the opener had CAP_IPC_LOCK: nothing is charged then. */
	struct user_struct *user;
	atomic_long_t locked_pages;	/* charged to user->locked_vm */
};

void nabla_mem_init(struct nabla_ctx *ctx);
int nabla_mem_charge(struct nabla_ctx *ctx, unsigned long npages);
void nabla_mem_uncharge(struct nabla_ctx *ctx, unsigned long npages);
long nabla_mem_register(struct nabla_ctx *ctx, void *arg);
struct page **nabla_mem_pages(struct nabla_ctx *ctx, unsigned long addr,
			      size_t len);
void nabla_mem_release(struct nabla_ctx *ctx);

#endif /* _NABLA_MEM_H */
