// SPDX-License-Identifier: GPL-2.0
/*
 * Block devices: NABLA_BLOCK_READ and NABLA_BLOCK_WRITE on an attached
 * block device or regular file.
 *
 * Block device: one bio straight to the device, submit_bio_wait(): no page
 * cache, no buffer heads, and "written" means the bio completed (no cache
 * flush, as the ABI says). The bio goes over the caller's own pages,
 * pinned for the call (pin_user_pages_fast(), as O_DIRECT does), when the
 * buffer is aligned for the device (NABLA_BLOCK_SIZE and the queue's DMA
 * alignment): no copy, which is most of the cost of a large transfer. A
 * buffer that is not takes the bounce pages allocated at attach
 * (NABLA_BLOCK_MAX_IO bytes per handle): copy_from_user() into them before
 * a write, copy_to_user() out of them after a read. Either way a bad
 * buffer fails with -EFAULT before any write reaches the device. The page
 * cache of the device is written back at attach so that bios read what
 * buffered writers wrote before, and clean pages are dropped at release if
 * bios wrote, so that buffered readers afterwards see the new data.
 *
 * Registered memory (NABLA_BLOCK_IO_F_REGISTERED, mem.c): the pages pinned
 * at registration stand in for the caller's pinned pages, with no pin per
 * call; where the caller's pages would take the bounce pages, memcpy()
 * from or to the registered pages does what copy_*_user() does.
 *
 * Regular file: the file's own ->read_iter()/->write_iter() with a
 * synchronous kiocb over the bounce pages (a bvec iov_iter), the core of
 * what pread(2)/pwrite(2) reach without the VFS around it: permissions
 * were checked when the fd was opened and at attach, the range at every
 * call, so rw_verify_area() and the fsnotify events are left out. Writes
 * hold the superblock's freeze protection (file_start_write()), as every
 * write must. A file opened with O_DIRECT keeps IOCB_DIRECT (the bounce
 * pages are page aligned, offsets and lengths multiples of 512); O_APPEND
 * is ignored so that offsets mean what they say.
 *
 * Locking: nb->lock serializes the I/O of a handle (bounce pages, pinned
 * page table, bio); it is taken before mmap_lock (faults in copy_*_user()
 * and pin_user_pages_fast()), never after. The file reference keeps the
 * file and its block device alive until the context is released.
 */
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "block.h"
#include "compat.h"
#include "dev.h"
#include "mem.h"

static_assert(NABLA_BOUNCE_PAGES <= BIO_MAX_VECS);

static void nabla_block_free_bounce(struct nabla_block *nb)
{
	unsigned int i;

	for (i = 0; i < NABLA_BOUNCE_PAGES; i++)
		if (nb->pages[i])
			__free_page(nb->pages[i]);
}

static int nabla_block_alloc_bounce(struct nabla_block *nb)
{
	unsigned int i;

	for (i = 0; i < NABLA_BOUNCE_PAGES; i++) {
		nb->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!nb->pages[i]) {
			nabla_block_free_bounce(nb);
			return -ENOMEM;
		}
		/* The regular-file path's table; bios fill their own. */
		nb->bvecs[i].bv_page = nb->pages[i];
		nb->bvecs[i].bv_len = PAGE_SIZE;
		nb->bvecs[i].bv_offset = 0;
	}
	return 0;
}

static int nabla_block_copy_in(struct nabla_block *nb, const u8 __user *buf,
			       size_t len)
{
	unsigned int i;
	size_t n;

	lockdep_assert_held(&nb->lock);
	for (i = 0; len; i++, buf += n, len -= n) {
		n = min_t(size_t, len, PAGE_SIZE);
		if (copy_from_user(page_address(nb->pages[i]), buf, n))
			return -EFAULT;
	}
	return 0;
}

static int nabla_block_copy_out(struct nabla_block *nb, u8 __user *buf,
				size_t len)
{
	unsigned int i;
	size_t n;

	lockdep_assert_held(&nb->lock);
	for (i = 0; len; i++, buf += n, len -= n) {
		n = min_t(size_t, len, PAGE_SIZE);
		if (copy_to_user(buf, page_address(nb->pages[i]), n))
			return -EFAULT;
	}
	return 0;
}

/*
 * One bio over @pages, the first used from byte @first of its page, the
 * others from their start, @len bytes in all, waited for.
 */
static int nabla_block_bio(struct nabla_block *nb, blk_opf_t opf, u64 offset,
			   struct page **pages, unsigned int first, size_t len)
{
	struct bio *bio = &nb->bio;
	unsigned int i, off;
	size_t n;
	int err;

	lockdep_assert_held(&nb->lock);
	bio_init(bio, nb->bdev, nb->bvecs, NABLA_BOUNCE_PAGES, opf);
	bio->bi_iter.bi_sector = offset >> SECTOR_SHIFT;
	for (i = 0, off = first; len; i++, len -= n, off = 0) {
		n = min_t(size_t, len, PAGE_SIZE - off);
		__bio_add_page(bio, pages[i], n, off);
	}
	err = submit_bio_wait(bio);
	bio_uninit(bio);
	return err ? -EIO : 0;
}

/*
 * Whether the bio can go straight over the caller's pages, as O_DIRECT
 * does: a block device, and a buffer whose every segment meets the
 * device's alignment. Offsets and lengths are multiples of
 * NABLA_BLOCK_SIZE (checked before), so a buffer aligned to it and to the
 * queue's DMA alignment gives segments that are; and the pages it spans
 * must fit in our bio (a 1 MiB transfer that does not start on a page
 * boundary spans one page too many). Anything else takes the bounce pages.
 */
static bool nabla_block_direct(const struct nabla_block *nb,
			       unsigned long addr, size_t len)
{
	if (!nb->bdev || !IS_ALIGNED(addr, NABLA_BLOCK_SIZE) ||
	    (addr & bdev_dma_alignment(nb->bdev)))
		return false;
	return DIV_ROUND_UP(offset_in_page(addr) + len, PAGE_SIZE) <=
	       NABLA_BOUNCE_PAGES;
}

/*
 * A bio over the caller's own pages, pinned for its duration (FOLL_WRITE
 * for a read: the device writes into them). Every page is pinned before
 * the bio is built, so a bad buffer fails with -EFAULT and no I/O at all:
 * nothing is written, and a read leaves the buffer as it was.
 */
static int nabla_block_user_bio(struct nabla_block *nb, blk_opf_t opf,
				u64 offset, unsigned long addr, size_t len)
{
	unsigned int npages = DIV_ROUND_UP(offset_in_page(addr) + len,
					   PAGE_SIZE);
	bool to_user = !op_is_write(opf);
	int got, err;

	lockdep_assert_held(&nb->lock);
	got = pin_user_pages_fast(addr & PAGE_MASK, npages,
				  to_user ? FOLL_WRITE : 0, nb->upages);
	if (got != npages) {
		if (got > 0)
			unpin_user_pages(nb->upages, got);
		return got == -ENOMEM ? -ENOMEM : -EFAULT;
	}
	err = nabla_block_bio(nb, opf, offset, nb->upages,
			      offset_in_page(addr), len);
	/* A failed read may have written some of them too. */
	if (to_user)
		unpin_user_pages_dirty_lock(nb->upages, npages, true);
	else
		unpin_user_pages(nb->upages, npages);
	return err;
}

/*
 * Copy @len bytes between the bounce pages and registered pages @rpages,
 * starting at byte @first of the first: kernel pages on both sides, no
 * fault and no user access.
 */
static void nabla_block_copy_registered(struct nabla_block *nb,
					struct page **rpages,
					unsigned int first, size_t len,
					bool to_bounce)
{
	size_t done, n, at;
	unsigned int boff;
	char *bounce;

	lockdep_assert_held(&nb->lock);
	for (done = 0; done < len; done += n) {
		at = first + done;
		boff = offset_in_page(done);
		n = min3(len - done, PAGE_SIZE - offset_in_page(at),
			 PAGE_SIZE - boff);
		bounce = page_address(nb->pages[done >> PAGE_SHIFT]) + boff;
		if (to_bounce)
			memcpy_from_page(bounce, rpages[at >> PAGE_SHIFT],
					 offset_in_page(at), n);
		else
			memcpy_to_page(rpages[at >> PAGE_SHIFT],
				       offset_in_page(at), bounce, n);
	}
}

static int nabla_block_file_io(struct nabla_block *nb, unsigned int dir,
			       u64 offset, size_t len)
{
	struct file *file = nb->file;
	struct iov_iter iter;
	struct kiocb kiocb;
	ssize_t ret;

	lockdep_assert_held(&nb->lock);
	init_sync_kiocb(&kiocb, file);
	kiocb.ki_pos = offset;
	iov_iter_bvec(&iter, dir, nb->bvecs, DIV_ROUND_UP(len, PAGE_SIZE), len);
	if (dir == ITER_DEST) {
		ret = file->f_op->read_iter(&kiocb, &iter);
	} else {
		kiocb.ki_flags &= ~IOCB_APPEND;
		file_start_write(file);
		ret = file->f_op->write_iter(&kiocb, &iter);
		file_end_write(file);
	}
	/* Never partially successful. */
	return ret == (ssize_t)len ? 0 : -EIO;
}

/*
 * A transfer over registered memory: its pinned pages @rpages (from the one
 * holding @addr) carry the bio when they are aligned for the device, as the
 * caller's pinned pages do below; else they are copied through the bounce
 * pages, which the regular-file path always takes.
 */
static int nabla_block_registered_io(struct nabla_block *nb, bool write,
				     u64 offset, unsigned long addr,
				     struct page **rpages, size_t len)
{
	blk_opf_t opf = write ? REQ_OP_WRITE : REQ_OP_READ;
	unsigned int first = offset_in_page(addr);
	int err;

	lockdep_assert_held(&nb->lock);
	nabla_stat_inc(&nb->stats.registered_ios);
	if (write && nb->bdev)
		nb->written = true;
	if (nabla_block_direct(nb, addr, len))
		return nabla_block_bio(nb, opf, offset, rpages, first, len);
	if (write)
		nabla_block_copy_registered(nb, rpages, first, len, true);
	if (nb->bdev)
		err = nabla_block_bio(nb, opf, offset, nb->pages, 0, len);
	else
		err = nabla_block_file_io(nb, write ? ITER_SOURCE : ITER_DEST,
					  offset, len);
	if (!err && !write)
		nabla_block_copy_registered(nb, rpages, first, len, false);
	return err;
}

static int nabla_block_do_write(struct nabla_block *nb, const u8 __user *buf,
				struct page **rpages, u64 offset, size_t len)
{
	unsigned long addr = (unsigned long)buf;
	int err;

	mutex_lock(&nb->lock);
	if (rpages) {
		err = nabla_block_registered_io(nb, true, offset, addr, rpages,
						len);
		goto out_unlock;
	}
	if (nabla_block_direct(nb, addr, len)) {
		nb->written = true;
		err = nabla_block_user_bio(nb, REQ_OP_WRITE, offset, addr, len);
		goto out_unlock;
	}
	err = nabla_block_copy_in(nb, buf, len);
	if (err)
		goto out_unlock;
	if (nb->bdev) {
		nb->written = true;
		err = nabla_block_bio(nb, REQ_OP_WRITE, offset, nb->pages, 0,
				      len);
	} else {
		err = nabla_block_file_io(nb, ITER_SOURCE, offset, len);
	}
out_unlock:
	mutex_unlock(&nb->lock);
	return err;
}

static int nabla_block_do_read(struct nabla_block *nb, u8 __user *buf,
			       struct page **rpages, u64 offset, size_t len)
{
	unsigned long addr = (unsigned long)buf;
	int err;

	mutex_lock(&nb->lock);
	if (rpages) {
		err = nabla_block_registered_io(nb, false, offset, addr, rpages,
						len);
		goto out_unlock;
	}
	if (nabla_block_direct(nb, addr, len)) {
		err = nabla_block_user_bio(nb, REQ_OP_READ, offset, addr, len);
		goto out_unlock;
	}
	if (nb->bdev)
		err = nabla_block_bio(nb, REQ_OP_READ, offset, nb->pages, 0,
				      len);
	else
		err = nabla_block_file_io(nb, ITER_DEST, offset, len);
	if (!err)
		err = nabla_block_copy_out(nb, buf, len);
out_unlock:
	mutex_unlock(&nb->lock);
	return err;
}

static int nabla_block_check_range(const struct nabla_block *nb,
				   const struct nabla_block_io *io)
{
	u64 end;

	if (!io->len || io->len > NABLA_BLOCK_MAX_IO ||
	    !IS_ALIGNED(io->len, NABLA_BLOCK_SIZE) ||
	    !IS_ALIGNED(io->offset, NABLA_BLOCK_SIZE))
		return -EINVAL;
	if (check_add_overflow(io->offset, io->len, &end) ||
	    end > nb->capacity)
		return -EINVAL;
	return 0;
}

static long nabla_block_rw(struct nabla_ctx *ctx,
			   const struct nabla_block_io *io, bool write)
{
	struct page **rpages = NULL;
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
	if (!err && write && nb->rdonly)
		err = -EBADF;
	if (!err && (io->flags & NABLA_BLOCK_IO_F_REGISTERED)) {
		rpages = nabla_mem_pages(ctx, io->buf, io->len);
		if (!rpages)
			err = -EINVAL;
	}
	if (err)
		goto out;
	if (write)
		err = nabla_block_do_write(nb, u64_to_user_ptr(io->buf), rpages,
					   io->offset, io->len);
	else
		err = nabla_block_do_read(nb, u64_to_user_ptr(io->buf), rpages,
					  io->offset, io->len);
out:
	if (err) {
		nabla_stat_inc(&nb->stats.errors);
	} else if (write) {
		nabla_stat_inc(&nb->stats.writes);
		nabla_stat_add(&nb->stats.write_bytes, io->len);
	} else {
		nabla_stat_inc(&nb->stats.reads);
		nabla_stat_add(&nb->stats.read_bytes, io->len);
	}
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
	i->out_block_size = NABLA_BLOCK_SIZE;
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

/* Size and write access of the file @nb holds; bdev set for a device. */
static int nabla_block_setup_backend(struct nabla_block *nb)
{
	struct file *file = nb->file;
	u64 size;
	int err;

	nb->rdonly = !(file->f_mode & FMODE_WRITE);
	if (S_ISREG(file_inode(file)->i_mode)) {
		if (!(file->f_mode & FMODE_CAN_WRITE) || !file->f_op->write_iter)
			nb->rdonly = true;
		size = i_size_read(file_inode(file));
	} else {
		nb->bdev = nabla_file_bdev(file);
		if (bdev_logical_block_size(nb->bdev) > NABLA_BLOCK_SIZE)
			return -EINVAL;
		if (bdev_read_only(nb->bdev))
			nb->rdonly = true;
		size = bdev_nr_bytes(nb->bdev);
		/* Bios must see what buffered writers wrote before. */
		err = sync_blockdev(nb->bdev);
		if (err)
			return -EIO;
	}
	nb->capacity = round_down(size, NABLA_BLOCK_SIZE);
	return 0;
}

long nabla_block_attach(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_attach_block *a = arg;
	struct nabla_block *nb;
	struct file *file;
	int err;

	lockdep_assert_held(&ctx->setup_lock);
	if (a->flags || memchr_inv(a->reserved, 0, sizeof(a->reserved)))
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
	mutex_init(&nb->lock);
	err = nabla_block_setup_backend(nb);
	if (err)
		goto err_free;
	err = nabla_block_alloc_bounce(nb);
	if (err)
		goto err_free;

	a->out_handle = nb->dev.handle;
	a->out_capacity = nb->capacity;
	a->out_block_size = NABLA_BLOCK_SIZE;
	a->out_flags = nb->rdonly ? NABLA_BLOCK_F_RDONLY : 0;
	ctx->pending = &nb->dev;
	return 0;

err_free:
	mutex_destroy(&nb->lock);
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
	nabla_block_free_bounce(nb);
	mutex_destroy(&nb->lock);
	kfree(nb);
}
