// SPDX-License-Identifier: ISC
/*
 * sys_ops.c: the syscall backend's confined operations, the way Solo5 spt
 * makes them: read/write on tap fds, pread64/pwrite64 on block files,
 * ppoll to wait, clock_gettime through the vDSO.
 *
 * Confined phase: raw system calls only, no errno, no TLS (built
 * -fno-stack-protector).
 */
#include <errno.h>
#include <string.h>

#include "sys.h"
#include "raw.h"

struct nabla_sys_state nabla_sys;

static uint64_t clock_read(clockid_t clock)
{
	struct timespec ts;
	long rc;

	if (nabla_sys.vdso_clock_gettime)
		rc = nabla_sys.vdso_clock_gettime(clock, &ts);
	else
		rc = nabla_raw3(__NR_clock_gettime, clock, (long)&ts, 0);
	if (rc)
		nabla_raw_exit_group(SOLO5_EXIT_ABORT);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t sys_clock_monotonic(void)
{
	return clock_read(CLOCK_MONOTONIC);
}

static uint64_t sys_clock_wall(void)
{
	return clock_read(CLOCK_REALTIME);
}

static uint64_t sys_yield(uint64_t deadline)
{
	uint64_t now = sys_clock_monotonic();
	uint64_t wait = deadline > now ? deadline - now : 0;
	struct timespec ts = {
		.tv_sec = wait / 1000000000ULL,
		.tv_nsec = wait % 1000000000ULL,
	};
	uint64_t ready = 0;
	unsigned int i;
	long rc;

	rc = nabla_raw5(__NR_ppoll, (long)nabla_sys.pollfds, nabla_sys.npoll,
			(long)&ts, 0, 0);
	if (rc <= 0)
		return 0;	/* timed out, or a signal: api.c checks the time */
	for (i = 0; i < nabla_sys.npoll; i++)
		if (nabla_sys.pollfds[i].revents & POLLIN)
			ready |= 1ULL << nabla_sys.poll_handle[i];
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

/*
 * A tap read truncates a frame that does not fit, so a buffer smaller than
 * the largest frame is refused before reading: the frame stays queued, as
 * solo5.h promises.
 */
static long sys_net_read(unsigned int h, uint8_t *buf, size_t len,
			 size_t *out_len)
{
	struct nabla_device *d = &nabla_devices[h];
	long rc;

	if (len < (size_t)d->mtu + SOLO5_NET_HLEN)
		return -EINVAL;
	rc = nabla_raw3(__NR_read, d->fd, (long)buf, len);
	if (rc < 0)
		return rc;
	*out_len = rc;
	return 0;
}

/*
 * The filter allows only transfers of block_size << k bytes that end
 * within the capacity (so a file cannot grow): split into the largest such
 * pieces.
 */
static size_t io_piece(const struct nabla_device *d, size_t len)
{
	size_t piece = (size_t)d->block_size << (NABLA_SYS_IO_CLASSES - 1);

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
 * O_DIRECT takes only NABLA_BLOCK_SIZE aligned buffers: an application
 * buffer that is not goes through the bounce buffer (its size is that of
 * the largest piece).
 */
static long io_piece_direct(long nr, const struct nabla_device *d, bool write,
			    uint8_t *buf, size_t len, uint64_t offset)
{
	uint8_t *bounce = nabla_sys.dio_bounce;
	long rc;

	if (!((uintptr_t)buf & (NABLA_BLOCK_SIZE - 1)))
		return io_whole(nr, d->fd, buf, len, offset);
	if (write)
		memcpy(bounce, buf, len);
	rc = io_whole(nr, d->fd, bounce, len, offset);
	if (!rc && !write)
		memcpy(buf, bounce, len);
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
		piece = io_piece(d, len);
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
