// SPDX-License-Identifier: ISC
/*
 * sys_ops.c: the syscall backend's confined operations, the way Solo5 spt
 * makes them: read/write on tap fds, pread64/pwrite64 on block files, a
 * timerfd armed at the absolute deadline and epoll_pwait to wait,
 * clock_gettime through the vDSO.
 *
 * Confined code (confined.h): also built into the bindings of a
 * freestanding unikernel.
 */
#include <linux/eventpoll.h>
#include <linux/time_types.h>
#include <linux/timerfd.h>

#include "confined.h"
#include "raw.h"

static uint64_t clock_read(int clock)
{
	struct __kernel_timespec ts;
	long rc;

	if (nabla_sys.vdso_gettime)
		rc = nabla_sys.vdso_gettime(clock, &ts);
	else
		rc = nabla_raw3(__NR_clock_gettime, clock, (long)&ts, 0);
	if (rc)
		nabla_raw_exit_group(SOLO5_EXIT_ABORT);
	return (uint64_t)ts.tv_sec * NABLA_NSEC_PER_SEC + ts.tv_nsec;
}

static uint64_t sys_clock_monotonic(void)
{
	return clock_read(NABLA_CLOCKID_MONOTONIC);
}

static uint64_t sys_clock_wall(void)
{
	return clock_read(NABLA_CLOCKID_REALTIME);
}

/*
 * As Solo5 spt: arm the timer at the deadline itself (CLOCK_MONOTONIC is
 * Solo5's monotonic clock), so that no time is lost between reading the
 * clock and going to sleep, and wait for it or a frame. Re-arming resets
 * the timer's expirations, so a timer that fired before is not seen again.
 * A deadline of 0 would disarm the timer: 1 ns is as far in the past.
 */
static uint64_t sys_yield(uint64_t deadline)
{
	struct __kernel_itimerspec it = {
		.it_value = {
			.tv_sec = deadline / NABLA_NSEC_PER_SEC,
			.tv_nsec = deadline ? deadline % NABLA_NSEC_PER_SEC : 1,
		},
	};
	struct epoll_event ev[NABLA_MAX_DEVICES + 1];
	uint64_t ready = 0;
	long i, n;

	if (nabla_raw4(__NR_timerfd_settime, nabla_sys.timerfd,
		       TFD_TIMER_ABSTIME, (long)&it, 0))
		nabla_raw_exit_group(SOLO5_EXIT_ABORT);
	do {
		n = nabla_raw6(__NR_epoll_pwait, nabla_sys.epollfd, (long)ev,
			       NABLA_MAX_DEVICES + 1, -1, 0, 0);
	} while (n == -EINTR);
	if (n < 0)
		nabla_raw_exit_group(SOLO5_EXIT_ABORT);
	for (i = 0; i < n; i++)
		if (ev[i].data != NABLA_SYS_TIMER_TOKEN)
			ready |= 1ULL << ev[i].data;
	return ready;
}

static long sys_console_write(const char *buf, size_t len)
{
	long rc;

	while (len) {
		rc = nabla_raw3(__NR_write, 1, (long)buf, len);
		if (rc == -EINTR)
			continue;
		if (rc <= 0)
			return rc ? rc : -EIO;
		buf += rc;
		len -= rc;
	}
	return 0;
}

/* A tap fd takes or gives one whole frame per call. */
static long sys_net_write(unsigned int h, const uint8_t *buf, size_t len)
{
	long rc;

	rc = nabla_raw3(__NR_write, nabla_devices[h].fd, (long)buf, len);
	if (rc < 0)
		return rc;
	return (size_t)rc == len ? 0 : -EIO;
}

/* api.c has checked that @len holds the largest frame. */
static long sys_net_read(unsigned int h, uint8_t *buf, size_t len,
			 size_t *out_len)
{
	long rc;

	rc = nabla_raw3(__NR_read, nabla_devices[h].fd, (long)buf, len);
	if (rc < 0)
		return rc;
	*out_len = rc;
	return 0;
}

/*
 * The filter allows only transfers of block_size << k bytes, up to
 * NABLA_BLOCK_MAX_IO, that end within the capacity (so a file cannot
 * grow): split into the largest such pieces (@len is a multiple of the
 * block size, a power of two).
 */
static size_t io_piece(size_t len)
{
	size_t piece = NABLA_BLOCK_MAX_IO;

	while (piece > len)
		piece >>= 1;
	return piece;
}

/* One piece, never short; EINTR retried. */
static long io_whole(long nr, int fd, uint8_t *buf, size_t len,
		     uint64_t offset)
{
	long rc;

	do {
		rc = nabla_raw4(nr, fd, (long)buf, len, offset);
	} while (rc == -EINTR);
	if (rc < 0)
		return rc;
	return (size_t)rc == len ? 0 : -EIO;
}

/*
 * O_DIRECT takes only buffers aligned to the device's logical blocks,
 * which are at most the sector size: an application buffer that is not
 * sector aligned goes through the bounce buffer (of the largest piece's
 * size).
 */
static long io_piece_direct(long nr, const struct nabla_device *d, bool write,
			    uint8_t *buf, size_t len, uint64_t offset)
{
	uint8_t *bounce = nabla_sys.dio_bounce;
	long rc;

	if (!((uintptr_t)buf & (d->block_size - 1)))
		return io_whole(nr, d->fd, buf, len, offset);
	if (write)
		__builtin_memcpy(bounce, buf, len);
	rc = io_whole(nr, d->fd, bounce, len, offset);
	if (!rc && !write)
		__builtin_memcpy(buf, bounce, len);
	return rc;
}

static long sys_block_io(unsigned int h, bool write, uint64_t offset,
			 uint8_t *buf, size_t len)
{
	const struct nabla_device *d = &nabla_devices[h];
	long nr = write ? __NR_pwrite64 : __NR_pread64;
	size_t piece;
	long rc;

	while (len) {
		piece = io_piece(len);
		if (d->direct)
			rc = io_piece_direct(nr, d, write, buf, piece, offset);
		else
			rc = io_whole(nr, d->fd, buf, piece, offset);
		if (rc)
			return rc;
		offset += piece;
		buf += piece;
		len -= piece;
	}
	return 0;
}

const struct nabla_ops nabla_sys_ops = {
	.clock_monotonic = sys_clock_monotonic,
	.clock_wall = sys_clock_wall,
	.yield = sys_yield,
	.console_write = sys_console_write,
	.net_write = sys_net_write,
	.net_read = sys_net_read,
	.block_io = sys_block_io,
};
