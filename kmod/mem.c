// SPDX-License-Identifier: GPL-2.0
/*
 * NABLA_REGISTER_MEMORY: ranges of the caller's memory pinned once, so
 * that block transfers over them (NABLA_BLOCK_IO_F_REGISTERED) build their
 * bios on pages already pinned. Pinning per call is a page-table walk and
 * a dozen kernel functions for every transfer (pin_user_pages_fast() and
 * its helpers, the unpin); a unikernel's buffers live in its heap and
 * .bss, which never move.
 *
 * The pin is io_uring's for its fixed buffers: FOLL_WRITE | FOLL_LONGTERM,
 * so that copy-on-write is broken now (the pages stay the process's) and
 * pages in movable zones are moved first; kept until the context is
 * released. Only private mappings: a long-term writable pin of a shared
 * file page would have the device write it behind the file system's back.
 *
 * The charge is io_uring's too: the pages count in the locked_vm of the
 * user who opened the context (struct user_struct, shared by all that
 * user's processes and contexts), against the RLIMIT_MEMLOCK of the
 * caller, unless the opener had CAP_IPC_LOCK. Not the mm's locked_vm: a
 * process that registers and exits takes its mm's charge with it while
 * the pages stay pinned for as long as another holder of the context
 * keeps it open. The registering mm's pinned_vm shows them (VmPin), for
 * the context's life. Block bounce pages (block.c) are charged the same
 * way. Everything charged is given back once, at the release.
 *
 * Locking: see mem.h. Registration runs under setup_lock; it checks the
 * mappings and pins under one hold of mmap_lock (read), so that nothing
 * can replace a mapping in between.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/user_namespace.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "dev.h"
#include "mem.h"

/*
 * At open: whom the context's unswappable pages are charged to. Not
 * audited: an unprivileged opener is the common case, not a denial.
 */
void nabla_mem_init(struct nabla_ctx *ctx)
{
	if (!ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK))
		ctx->mem.user = get_uid(current_user());
	atomic_long_set(&ctx->mem.locked_pages, 0);
}

/*
 * Charge @npages to the context's user, within the caller's
 * RLIMIT_MEMLOCK counted over all that user's charges: -ENOMEM beyond.
 */
int nabla_mem_charge(struct nabla_ctx *ctx, unsigned long npages)
{
	struct user_struct *user = ctx->mem.user;
	unsigned long limit, cur, next;

	if (!user)
		return 0;
	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	cur = atomic_long_read(&user->locked_vm);
	do {
		if (check_add_overflow(cur, npages, &next) || next > limit)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, next));
	atomic_long_add(npages, &ctx->mem.locked_pages);
	return 0;
}

void nabla_mem_uncharge(struct nabla_ctx *ctx, unsigned long npages)
{
	if (!ctx->mem.user)
		return;
	atomic_long_sub(npages, &ctx->mem.user->locked_vm);
	atomic_long_sub(npages, &ctx->mem.locked_pages);
}

/* Every page of [start, end) mapped, and privately. */
static int nabla_mem_check_vmas(struct mm_struct *mm, unsigned long start,
				unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long a;

	mmap_assert_locked(mm);
	for (a = start; a < end; a = vma->vm_end) {
		vma = vma_lookup(mm, a);
		if (!vma)
			return -EFAULT;
		if (vma->vm_flags & (VM_SHARED | VM_IO | VM_PFNMAP))
			return -EINVAL;
	}
	return 0;
}

static bool nabla_mem_overlaps(const struct nabla_mem *mem,
			       unsigned long start, unsigned long end)
{
	const struct nabla_region *r;
	u32 i;

	for (i = 0; i < mem->nregions; i++) {
		r = &mem->regions[i];
		if (start < r->addr + (r->npages << PAGE_SHIFT) && r->addr < end)
			return true;
	}
	return false;
}

static int nabla_mem_check_arg(const struct nabla_mem *mem,
			       const struct nabla_register_memory *r)
{
	u64 end;

	if (r->flags || r->reserved || !r->len || r->len > NABLA_REGISTER_MAX ||
	    !PAGE_ALIGNED(r->addr) || !PAGE_ALIGNED(r->len) ||
	    check_add_overflow(r->addr, r->len, &end))
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(r->addr), r->len))
		return -EFAULT;
	/* One process's memory: the pages a transfer uses are its own. */
	if ((mem->mm && mem->mm != current->mm) ||
	    nabla_mem_overlaps(mem, r->addr, end))
		return -EINVAL;
	if (mem->nregions == NABLA_MAX_REGIONS)
		return -ENOSPC;
	return 0;
}

/* Pin all @npages from @addr, or none; mappings checked under the lock. */
static int nabla_mem_pin(struct mm_struct *mm, unsigned long addr,
			 unsigned long npages, struct page **pages)
{
	long got;
	int err;

	mmap_read_lock(mm);
	err = nabla_mem_check_vmas(mm, addr, addr + (npages << PAGE_SHIFT));
	if (!err) {
		got = nabla_pin_user_pages(addr, npages,
					   FOLL_WRITE | FOLL_LONGTERM, pages);
		if (got != npages) {
			if (got > 0)
				unpin_user_pages(pages, got);
			err = got == -ENOMEM ? -ENOMEM : -EFAULT;
		}
	}
	mmap_read_unlock(mm);
	return err;
}

long nabla_mem_register(struct nabla_ctx *ctx, void *arg)
{
	const struct nabla_register_memory *r = arg;
	struct nabla_mem *mem = &ctx->mem;
	struct mm_struct *mm = current->mm;
	struct nabla_region *reg;
	unsigned long npages;
	struct page **pages;
	int err;

	lockdep_assert_held(&ctx->setup_lock);
	err = nabla_mem_check_arg(mem, r);
	if (err)
		return err;
	npages = r->len >> PAGE_SHIFT;
	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;
	err = nabla_mem_charge(ctx, npages);
	if (err)
		goto err_free;
	err = nabla_mem_pin(mm, r->addr, npages, pages);
	if (err)
		goto err_uncharge;

	if (!mem->mm) {
		mmgrab(mm);
		mem->mm = mm;
	}
	atomic64_add(npages, &mm->pinned_vm);
	/* Read locklessly by debugfs. */
	WRITE_ONCE(mem->npages, mem->npages + npages);
	reg = &mem->regions[mem->nregions];
	reg->addr = r->addr;
	reg->npages = npages;
	reg->pages = pages;
	/* Pairs with smp_load_acquire() in nabla_mem_pages(). */
	smp_store_release(&mem->nregions, mem->nregions + 1);
	return 0;

err_uncharge:
	nabla_mem_uncharge(ctx, npages);
err_free:
	kvfree(pages);
	return err;
}

/*
 * The pinned pages of [addr, addr + len), from the one holding @addr, if
 * one region of the calling process holds it all; else NULL.
 */
struct page **nabla_mem_pages(struct nabla_ctx *ctx, unsigned long addr,
			      size_t len)
{
	struct nabla_mem *mem = &ctx->mem;
	const struct nabla_region *r;
	unsigned long size;
	u32 i, n;

	/* Pairs with smp_store_release() in nabla_mem_register(). */
	n = smp_load_acquire(&mem->nregions);
	if (!n || mem->mm != current->mm)
		return NULL;
	for (i = 0; i < n; i++) {
		r = &mem->regions[i];
		size = r->npages << PAGE_SHIFT;
		if (addr >= r->addr && len <= size && addr - r->addr <= size - len)
			return r->pages + ((addr - r->addr) >> PAGE_SHIFT);
	}
	return NULL;
}

/* Unpin a region, a batch at a time: it may be a million pages. */
static void nabla_mem_unpin(struct nabla_region *r)
{
	unsigned long done, n;

	for (done = 0; done < r->npages; done += n) {
		n = min(r->npages - done, 1024UL);
		/* Reads may have written any of them. */
		unpin_user_pages_dirty_lock(r->pages + done, n, true);
		cond_resched();
	}
}

void nabla_mem_release(struct nabla_ctx *ctx)
{
	struct nabla_mem *mem = &ctx->mem;
	u32 i;

	for (i = 0; i < mem->nregions; i++) {
		nabla_mem_unpin(&mem->regions[i]);
		kvfree(mem->regions[i].pages);
	}
	if (mem->mm) {
		/* The mm_struct stays while grabbed, even after its exit. */
		atomic64_sub(mem->npages, &mem->mm->pinned_vm);
		mmdrop(mem->mm);
	}
	/* Registered and bounce pages: all freed by now, given back once. */
	if (mem->user) {
		nabla_mem_uncharge(ctx, atomic_long_read(&mem->locked_pages));
		free_uid(mem->user);
	}
}
