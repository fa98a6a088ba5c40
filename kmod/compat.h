/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels nabla builds on (6.1, 6.1-rt, 6.12 and
 * Debian unstable's 7.2), in one place, keyed on LINUX_VERSION_CODE and
 * named by the release that made them. Nothing here takes locks.
 */
#ifndef _NABLA_COMPAT_H
#define _NABLA_COMPAT_H

#include <linux/version.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/blkdev.h>
#include <linux/mm.h>
#include <linux/netdevice.h>

/* 6.5 moved the GSO helpers out of netdevice.h. */
/* checkpatch: LINUX_VERSION_CODE: one source for 6.1 and 6.12 */
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
#include <net/gso.h>
#endif

/*
 * The block device behind an open block-device file. Since 6.9 an opened
 * block device is a file of its own and file_bdev() is the accessor;
 * before, the file's mapping belongs to the bdev inode.
 */
static inline struct block_device *nabla_file_bdev(struct file *file)
{
/* checkpatch: LINUX_VERSION_CODE: one source for 6.1 and 6.12 */
#if KERNEL_VERSION(6, 9, 0) <= LINUX_VERSION_CODE
	return file_bdev(file);
#else
	return I_BDEV(file->f_mapping->host);
#endif
}

/* 6.5 dropped pin_user_pages()'s vmas argument (always NULL here). */
static inline long nabla_pin_user_pages(unsigned long start,
					unsigned long nr_pages,
					unsigned int gup_flags,
					struct page **pages)
{
/* checkpatch: LINUX_VERSION_CODE: one source for 6.1 and 6.12 */
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
	return pin_user_pages(start, nr_pages, gup_flags, pages);
#else
	return pin_user_pages(start, nr_pages, gup_flags, pages, NULL);
#endif
}

/*
 * 6.13 added hrtimer_setup(), which also sets the callback (commit
 * 908a1d775422); hrtimer_init() was removed once every user had moved.
 */
static inline void nabla_hrtimer_setup(struct hrtimer *timer,
				       enum hrtimer_restart (*fn)(struct hrtimer *),
				       clockid_t clock, enum hrtimer_mode mode)
{
/* checkpatch: LINUX_VERSION_CODE: one source for 6.1 to 7.2 */
#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

#endif /* _NABLA_COMPAT_H */
