// SPDX-License-Identifier: GPL-2.0
/*
 * Block devices: NABLA_BLOCK_READ and NABLA_BLOCK_WRITE on an attached
 * block device or regular file.
 *
 * Every transfer first has all of the caller's buffer in pages the kernel
 * can use without faulting: its own pages pinned for the call
 * (pin_user_pages_fast(), as O_DIRECT does), or the pages pinned at
 * registration (NABLA_BLOCK_IO_F_REGISTERED, mem.c: no pin per call). So
 * a bad buffer fails with -EFAULT before anything reaches the device or
 * the file, and a failed read leaves the buffer as it was. Where those
 * pages cannot carry the I/O themselves (not aligned for the device),
 * they are copied to or from bounce pages, kernel memory on both sides.
 *
 * Block device: one bio straight to the device, submit_bio_wait(): no page
 * cache, no buffer heads, and "written" means the bio completed (no cache
 * flush, as the ABI says). The bio goes over the caller's (or registered)
 * pages when they are aligned for the device (its logical block size and
 * DMA alignment); else over bounce pages. The page cache of the device is
 * written back at attach so that bios read what buffered writers wrote
 * before, and clean pages are dropped at release if bios wrote, so that
 * buffered readers afterwards see the new data. No per-call LSM or
 * fsnotify hook, as device mapper and loop write their devices: those ran
 * when the device was opened.
 *
 * Regular file: the file's own ->read_iter()/->write_iter() with a
 * synchronous kiocb over a bvec iov_iter of those pages, checked and
 * reported as pread(2)/pwrite(2) are: rw_verify_area() first (security
 * modules, fanotify permission events), fsnotify_access()/modify() after.
 * Writes hold the superblock's freeze protection (file_start_write()). A
 * file opened O_DIRECT keeps IOCB_DIRECT; a buffer not aligned for it
 * goes through bounce pages (page aligned). O_APPEND is ignored so that
 * offsets mean what they say, but an append-only or immutable file is
 * never written (attached read-only, or -EPERM once it became one).
 *
 * Bounce pages are the context's, shared by its block devices, allocated
 * at the first transfer that needs them and as many as it needs, charged
 * to the user's RLIMIT_MEMLOCK (mem.c), freed at the release.
 *
 * Locking: blkio->lock serializes the transfers of a context (bio, page
 * tables, bounce pages); it is taken before mmap_lock (faults in
 * copy_*_user() and pin_user_pages_fast()) and before the file's own locks,
 * never after. The file reference keeps the file and its block device
 * alive until the context is released.
 */
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "block.h"
#include "compat.h"
#include "dev.h"
#include "mem.h"

/* A bio carries at most NABLA_BOUNCE_PAGES segments (nabla_xfer_direct()). */
static_assert(NABLA_BOUNCE_PAGES <= BIO_MAX_VECS);

/* One transfer, as the hypercall asked for it. */
struct nabla_xfer {
	bool write;
	u64 offset;
	unsigned long addr;		/* the caller's buffer */
	size_t len;
	struct page **rpages;		/* registered, from addr's; or NULL */
};

static unsigned int nabla_xfer_pages(const struct nabla_xfer *x)
{
	return DIV_ROUND_UP(offset_in_page(x->addr) + x->len, PAGE_SIZE);
}

/* Fill @bv with @len bytes of @pages, from byte @first of the first page. */
static unsigned int nabla_bvecs_fill(struct bio_vec *bv, struct page **pages,
				     unsigned int first, size_t len)
{
	unsigned int i;
	size_t n;

	for (i = 0; len; i++, len -= n, first = 0) {
		n = min_t(size_t, len, PAGE_SIZE - first);
		bv[i].bv_page = pages[i];
		bv[i].bv_len = n;
		bv[i].bv_offset = first;
	}
	return i;
}

/* Make sure the context has @npages bounce pages; charged to the user. */
static int nabla_bounce_grow(struct nabla_ctx *ctx, unsigned int npages)
{
	struct nabla_blkio *b = ctx->blkio;
	unsigned int i;
	int err;

	lockdep_assert_held(&b->lock);
	if (npages <= b->nbounce)
		return 0;
	err = nabla_mem_charge(ctx, npages - b->nbounce);
	if (err)
		return err;
	for (i = b->nbounce; i < npages; i++) {
		b->bounce[i] = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!b->bounce[i]) {
			nabla_mem_uncharge(ctx, npages - i);
			b->nbounce = i;
			return -ENOMEM;
		}
	}
	b->nbounce = npages;
	return 0;
}

/*
 * Copy between the bounce pages (from their start) and the caller's
 * pages @pages (from byte @first of the first): kernel pages on both
 * sides, pinned or registered, so nothing can fault.
 */
static void nabla_bounce_copy(struct nabla_blkio *b, struct page **pages,
			      unsigned int first, size_t len, bool to_bounce)
{
	size_t done, n, at;
	unsigned int boff;
	char *bounce;

	lockdep_assert_held(&b->lock);
	for (done = 0; done < len; done += n) {
		at = first + done;
		boff = offset_in_page(done);
		n = min3(len - done, PAGE_SIZE - offset_in_page(at),
			 PAGE_SIZE - boff);
		bounce = page_address(b->bounce[done >> PAGE_SHIFT]) + boff;
		if (to_bounce)
			memcpy_from_page(bounce, pages[at >> PAGE_SHIFT],
					 offset_in_page(at), n);
		else
			memcpy_to_page(pages[at >> PAGE_SHIFT],
				       offset_in_page(at), bounce, n);
	}
}

/* The caller's pages for the transfer: registered, or pinned for the call. */
static struct page **nabla_xfer_pages_of(struct nabla_blkio *b,
					 const struct nabla_xfer *x)
{
	return x->rpages ?: b->upages;
}

/*
 * The pages that carry the transfer, described in blkio->bvecs: the
 * caller's (registered, or pinned here: *pinned), or with @bounce, bounce
 * pages (filled from the caller's for a write). Every page of the
 * caller's buffer is pinned before any I/O, so a bad buffer fails with
 * -EFAULT with nothing written to the device nor to the buffer.
 */
static int nabla_xfer_prepare(struct nabla_ctx *ctx, const struct nabla_xfer *x,
			      bool bounce, unsigned int *nsegs, bool *pinned)
{
	struct nabla_blkio *b = ctx->blkio;
	unsigned int npages = nabla_xfer_pages(x);
	unsigned int first = offset_in_page(x->addr);
	int got, err;

	lockdep_assert_held(&b->lock);
	*pinned = false;
	if (!x->rpages) {
		/* FOLL_WRITE for a read: the data is written into them. */
		got = pin_user_pages_fast(x->addr & PAGE_MASK, npages,
					  x->write ? 0 : FOLL_WRITE, b->upages);
		if (got != npages) {
			if (got > 0)
				unpin_user_pages(b->upages, got);
			return got == -ENOMEM ? -ENOMEM : -EFAULT;
		}
		*pinned = true;
	}
	if (!bounce) {
		*nsegs = nabla_bvecs_fill(b->bvecs, nabla_xfer_pages_of(b, x),
					  first, x->len);
		return 0;
	}
	err = nabla_bounce_grow(ctx, DIV_ROUND_UP(x->len, PAGE_SIZE));
	if (err) {
		if (*pinned)
			unpin_user_pages(b->upages, npages);
		*pinned = false;
		return err;
	}
	if (x->write)
		nabla_bounce_copy(b, nabla_xfer_pages_of(b, x), first, x->len,
				  true);
	*nsegs = nabla_bvecs_fill(b->bvecs, b->bounce, 0, x->len);
	return 0;
}

/* After the I/O: a read copied out of the bounce pages; unpin. */
static void nabla_xfer_finish(struct nabla_ctx *ctx, const struct nabla_xfer *x,
			      bool bounce, bool pinned, int err)
{
	struct nabla_blkio *b = ctx->blkio;

	lockdep_assert_held(&b->lock);
	if (!err && bounce && !x->write)
		nabla_bounce_copy(b, nabla_xfer_pages_of(b, x),
				  offset_in_page(x->addr), x->len, false);
	/* A failed read may have written some of them too. */
	if (pinned && !x->write)
		unpin_user_pages_dirty_lock(b->upages, nabla_xfer_pages(x), true);
	else if (pinned)
		unpin_user_pages(b->upages, nabla_xfer_pages(x));
}

/* One bio over the prepared bvecs, waited for. */
static int nabla_block_bio(struct nabla_ctx *ctx, struct nabla_block *nb,
			   const struct nabla_xfer *x, unsigned int nsegs)
{
	struct nabla_blkio *b = ctx->blkio;
	struct bio *bio = &b->bio;
	int err;

	lockdep_assert_held(&b->lock);
	bio_init(bio, nb->bdev, b->bvecs, nsegs,
		 x->write ? REQ_OP_WRITE : REQ_OP_READ);
	bio->bi_iter.bi_sector = x->offset >> SECTOR_SHIFT;
	/* The table already holds the segments (nabla_bvecs_fill()). */
	bio->bi_vcnt = nsegs;
	bio->bi_iter.bi_size = x->len;
	if (x->write)
		nb->written = true;
	err = submit_bio_wait(bio);
	bio_uninit(bio);
	return err ? -EIO : 0;
}

/*
 * The file's own read_iter/write_iter over the prepared bvecs, with the
 * checks and events of pread/pwrite.
 */
static int nabla_block_file_iter(struct nabla_ctx *ctx, struct nabla_block *nb,
				 const struct nabla_xfer *x, unsigned int nsegs)
{
	struct file *file = nb->file;
	loff_t pos = x->offset;
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t ret;

	lockdep_assert_held(&ctx->blkio->lock);
	/* Security modules and fanotify's permission events say no: -EPERM. */
	if (rw_verify_area(x->write ? WRITE : READ, file, &pos, x->len))
		return -EPERM;
	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = pos;
	iov_iter_bvec(&iter, x->write ? ITER_SOURCE : ITER_DEST,
		      ctx->blkio->bvecs, nsegs, x->len);
	if (x->write) {
		kiocb.ki_flags &= ~IOCB_APPEND;
		file_start_write(file);
		ret = file->f_op->write_iter(&kiocb, &iter);
		file_end_write(file);
		if (ret > 0)
			fsnotify_modify(file);
	} else {
		ret = file->f_op->read_iter(&kiocb, &iter);
		if (ret > 0)
			fsnotify_access(file);
	}
	/* Never partially successful. */
	return ret == (ssize_t)x->len ? 0 : -EIO;
}

/*
 * Whether the pages of @x can carry the I/O as they are. A bio needs
 * segments the device takes (its logical block size and DMA alignment;
 * offsets and lengths are multiples of the block size, which is at least
 * the logical block size) and at most NABLA_BOUNCE_PAGES of them; a file
 * opened O_DIRECT needs them NABLA_BLOCK_SIZE aligned. Anything else is
 * copied through bounce pages.
 */
static bool nabla_xfer_direct(const struct nabla_block *nb,
			      const struct nabla_xfer *x)
{
	if (!nb->bdev)
		return !(nb->file->f_flags & O_DIRECT) ||
		       IS_ALIGNED(x->addr, NABLA_BLOCK_SIZE);
	if (!IS_ALIGNED(x->addr, bdev_logical_block_size(nb->bdev)) ||
	    (x->addr & bdev_dma_alignment(nb->bdev)))
		return false;
	return nabla_xfer_pages(x) <= NABLA_BOUNCE_PAGES;
}

static int nabla_block_transfer(struct nabla_ctx *ctx, struct nabla_block *nb,
				const struct nabla_xfer *x)
{
	bool bounce = !nabla_xfer_direct(nb, x), pinned;
	unsigned int nsegs;
	int err;

	mutex_lock(&ctx->blkio->lock);
	err = nabla_xfer_prepare(ctx, x, bounce, &nsegs, &pinned);
	if (err)
		goto out_unlock;
	if (nb->bdev)
		err = nabla_block_bio(ctx, nb, x, nsegs);
	else
		err = nabla_block_file_iter(ctx, nb, x, nsegs);
	nabla_xfer_finish(ctx, x, bounce, pinned, err);
out_unlock:
	mutex_unlock(&ctx->blkio->lock);
	return err;
}

static int nabla_block_check_range(const struct nabla_block *nb,
				   const struct nabla_block_io *io)
{
	u64 end;

	if (!io->len || io->len > NABLA_BLOCK_MAX_IO ||
	    !IS_ALIGNED(io->len, nb->block_size) ||
	    !IS_ALIGNED(io->offset, nb->block_size))
		return -EINVAL;
	if (check_add_overflow(io->offset, io->len, &end) ||
	    end > nb->capacity)
		return -EINVAL;
	return 0;
}

/*
 * Whether a write may go ahead now: not on a handle attached read-only
 * (-EBADF), nor once a host policy forbids it (-EPERM): the block device
 * made read-only (BLKROSET), as the block layer's own write paths check,
 * or the file made append-only or immutable.
 */
static int nabla_block_may_write(const struct nabla_block *nb)
{
	const struct inode *inode = file_inode(nb->file);

	if (nb->rdonly)
		return -EBADF;
	if (IS_APPEND(inode) || IS_IMMUTABLE(inode) ||
	    (nb->bdev && bdev_read_only(nb->bdev)))
		return -EPERM;
	return 0;
}

static void nabla_block_count(struct nabla_block *nb,
			      const struct nabla_xfer *x, int err)
{
	if (err) {
		nabla_stat_inc(&nb->stats.errors);
		return;
	}
	if (x->rpages)
		nabla_stat_inc(&nb->stats.registered_ios);
	if (x->write) {
		nabla_stat_inc(&nb->stats.writes);
		nabla_stat_add(&nb->stats.write_bytes, x->len);
	} else {
		nabla_stat_inc(&nb->stats.reads);
		nabla_stat_add(&nb->stats.read_bytes, x->len);
	}
}

static long nabla_block_rw(struct nabla_ctx *ctx,
			   const struct nabla_block_io *io, bool write)
{
	struct nabla_xfer x = {
		.write = write,
		.offset = io->offset,
		.addr = (unsigned long)u64_to_user_ptr(io->buf),
		.len = io->len,
	};
	struct nabla_device *dev;
	struct nabla_block *nb;
	int err;

	if (io->flags & ~NABLA_BLOCK_IO_F_ALL)
		return -EINVAL;
	dev = nabla_ctx_device(ctx, io->handle, NABLA_DEVICE_BLOCK);
	if (!dev)
		return -EINVAL;
	nb = to_nabla_block(dev);

	err = nabla_block_check_range(nb, io);
	if (!err && write)
		err = nabla_block_may_write(nb);
	if (!err && (io->flags & NABLA_BLOCK_IO_F_REGISTERED)) {
		x.rpages = nabla_mem_pages(ctx, io->buf, io->len);
		if (!x.rpages)
			err = -EINVAL;
	}
	if (!err)
		err = nabla_block_transfer(ctx, nb, &x);
	nabla_block_count(nb, &x, err);
	return err;
}

long nabla_block_write(struct nabla_ctx *ctx, void *arg)
{
	return nabla_block_rw(ctx, arg, true);
}

long nabla_block_read(struct nabla_ctx *ctx, void *arg)
{
	return nabla_block_rw(ctx, arg, false);
}

long nabla_block_info(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_block_info *i = arg;
	struct nabla_device *dev;
	struct nabla_block *nb;

	if (i->flags)
		return -EINVAL;
	dev = nabla_ctx_device(ctx, i->handle, NABLA_DEVICE_BLOCK);
	if (!dev)
		return -EINVAL;
	nb = to_nabla_block(dev);
	i->out_capacity = nb->capacity;
	i->out_block_size = nb->block_size;
	i->out_flags = nb->rdonly ? NABLA_BLOCK_F_RDONLY : 0;
	return 0;
}

/* Which files can back a block device, with the errno of the header. */
static int nabla_block_check_file(struct file *file)
{
	umode_t mode = file_inode(file)->i_mode;

	if (!S_ISBLK(mode) && !S_ISREG(mode))
		return -ENOTBLK;
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	if (!(file->f_mode & FMODE_CAN_READ) || !file->f_op->read_iter)
		return -EINVAL;
	return 0;
}

/*
 * Size and write access of the file @nb holds; bdev set for a device.
 * Read-only: a fd without write access, a file without a write method, a
 * read-only block device, or an append-only or immutable file (writing
 * blocks in place is what those forbid).
 */
static int nabla_block_setup_backend(struct nabla_block *nb)
{
	struct file *file = nb->file;
	struct inode *inode = file_inode(file);
	u64 size;
	int err;

	nb->rdonly = !(file->f_mode & FMODE_WRITE) || IS_APPEND(inode) ||
		     IS_IMMUTABLE(inode);
	if (S_ISREG(inode->i_mode)) {
		if (!(file->f_mode & FMODE_CAN_WRITE) || !file->f_op->write_iter)
			nb->rdonly = true;
		size = i_size_read(inode);
	} else {
		nb->bdev = nabla_file_bdev(file);
		if (bdev_logical_block_size(nb->bdev) > nb->block_size)
			return -EINVAL;
		if (bdev_read_only(nb->bdev))
			nb->rdonly = true;
		size = bdev_nr_bytes(nb->bdev);
		/* Bios must see what buffered writers wrote before. */
		err = sync_blockdev(nb->bdev);
		if (err)
			return -EIO;
	}
	nb->capacity = round_down(size, nb->block_size);
	return 0;
}

/* The block size asked for, or 0 for a bad one. */
static u32 nabla_block_size_arg(const struct nabla_attach_block *a)
{
	if (!(a->flags & NABLA_BLOCK_ATTACH_F_BLOCK_SIZE))
		return a->block_size ? 0 : NABLA_BLOCK_SIZE;
	if (a->block_size < NABLA_BLOCK_SIZE ||
	    a->block_size > NABLA_BLOCK_MAX_IO || !is_power_of_2(a->block_size))
		return 0;
	return a->block_size;
}

/* The context's transfer state, made at its first block attach. */
static int nabla_blkio_get(struct nabla_ctx *ctx)
{
	struct nabla_blkio *b;

	lockdep_assert_held(&ctx->setup_lock);
	if (ctx->blkio)
		return 0;
	b = kvzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return -ENOMEM;
	mutex_init(&b->lock);
	/* Read by hypercalls only through a published block device. */
	ctx->blkio = b;
	return 0;
}

void nabla_blkio_free(struct nabla_ctx *ctx)
{
	struct nabla_blkio *b = ctx->blkio;
	unsigned int i;

	if (!b)
		return;
	for (i = 0; i < b->nbounce; i++)
		__free_page(b->bounce[i]);
	mutex_destroy(&b->lock);
	kvfree(b);
	ctx->blkio = NULL;
}

long nabla_block_attach(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_attach_block *a = arg;
	struct nabla_block *nb;
	struct file *file;
	u32 block_size;
	int err;

	lockdep_assert_held(&ctx->setup_lock);
	block_size = nabla_block_size_arg(a);
	if ((a->flags & ~NABLA_BLOCK_ATTACH_F_ALL) || !block_size || a->pad ||
	    a->reserved)
		return -EINVAL;
	err = nabla_ctx_check_name(ctx, a->name);
	if (err)
		return err;

	file = fget(a->fd);
	if (!file)
		return -EBADF;
	err = nabla_block_check_file(file);
	if (err)
		goto err_fput;
	/* Kept even if this attach fails: the release frees it. */
	err = nabla_blkio_get(ctx);
	if (err)
		goto err_fput;
	nb = kzalloc(sizeof(*nb), GFP_KERNEL_ACCOUNT);
	if (!nb) {
		err = -ENOMEM;
		goto err_fput;
	}
	nb->dev.type = NABLA_DEVICE_BLOCK;
	nb->dev.handle = ctx->ndevs;
	nb->dev.ctx = ctx;
	strscpy(nb->dev.name, a->name, sizeof(nb->dev.name));
	nb->file = file;
	nb->block_size = block_size;
	err = nabla_block_setup_backend(nb);
	if (err)
		goto err_free;

	a->out_handle = nb->dev.handle;
	a->out_capacity = nb->capacity;
	a->out_block_size = nb->block_size;
	a->out_flags = nb->rdonly ? NABLA_BLOCK_F_RDONLY : 0;
	ctx->pending = &nb->dev;
	return 0;

err_free:
	kfree(nb);
err_fput:
	fput(file);
	return err;
}

void nabla_block_destroy(struct nabla_device *dev)
{
	struct nabla_block *nb = to_nabla_block(dev);

	/* Buffered readers after us must not see pages older than bios. */
	if (nb->bdev && nb->written)
		invalidate_bdev(nb->bdev);
	fput(nb->file);
	kfree(nb);
}
