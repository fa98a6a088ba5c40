// SPDX-License-Identifier: ISC
/*
 * dev_ops.c: the dev backend's confined operations. Each is one hypercall:
 * an ioctl on /dev/nabla made with a raw system call.
 *
 * Confined code (confined.h): also built into the bindings of a
 * freestanding unikernel.
 */
#include "confined.h"
#include "raw.h"

static long hypercall(unsigned long cmd, void *arg)
{
	return nabla_raw3(__NR_ioctl, nabla_dev.fd, cmd, (long)arg);
}

/*
 * The clocks cannot fail on a working module; if one does, the application
 * cannot be given a meaningful time, so it is stopped as solo5_abort()
 * would.
 */
static uint64_t clock_hypercall(unsigned long cmd)
{
	struct nabla_clock c = { 0 };

	if (hypercall(cmd, &c))
		nabla_raw_exit_group(SOLO5_EXIT_ABORT);
	return c.out_ns;
}

/*
 * Through the vDSO while it reads the clock without entering the kernel:
 * the same clocks as the module's (CLOCK_MONOTONIC, CLOCK_REALTIME), for a
 * function call instead of an ioctl. When the clocksource has no vDSO
 * mode, the vDSO makes the clock_gettime system call, which the filter
 * answers with ENOSYS without running it; from then on the module's clock
 * is read (dev_setup.c explains why this is decided at run time).
 */
static uint64_t clock_read(int clock, unsigned long cmd)
{
	nabla_vdso_gettime_fn vdso = nabla_dev.vdso_gettime;
	struct __kernel_timespec ts;

	if (vdso) {
		if (vdso(clock, &ts) == 0)
			return (uint64_t)ts.tv_sec * NABLA_NSEC_PER_SEC +
			       ts.tv_nsec;
		nabla_dev.vdso_gettime = NULL;
	}
	return clock_hypercall(cmd);
}

static uint64_t dev_clock_monotonic(void)
{
	return clock_read(NABLA_CLOCKID_MONOTONIC, NABLA_CLOCK_MONOTONIC);
}

static uint64_t dev_clock_wall(void)
{
	return clock_read(NABLA_CLOCKID_REALTIME, NABLA_CLOCK_WALL);
}

static uint64_t dev_yield(uint64_t deadline)
{
	struct nabla_yield y = { .deadline_ns = deadline };

	if (hypercall(NABLA_YIELD, &y))
		nabla_raw_exit_group(SOLO5_EXIT_ABORT);
	return y.out_ready_set;
}

static long dev_console_write(const char *buf, size_t len)
{
	struct nabla_console_write w = { 0 };
	long rc;

	while (len) {
		w.buf = (uintptr_t)buf;
		w.len = len < NABLA_CONSOLE_MAX ? len : NABLA_CONSOLE_MAX;
		rc = hypercall(NABLA_CONSOLE_WRITE, &w);
		if (rc)
			return rc;
		buf += w.len;
		len -= w.len;
	}
	return 0;
}

static long dev_net_write(unsigned int h, const uint8_t *buf, size_t len)
{
	struct nabla_net_write w = {
		.handle = h,
		.buf = (uintptr_t)buf,
		.len = len,
	};

	return hypercall(NABLA_NET_WRITE, &w);
}

static long dev_net_read(unsigned int h, uint8_t *buf, size_t len,
			 size_t *out_len)
{
	struct nabla_net_read r = {
		.handle = h,
		.buf = (uintptr_t)buf,
		.len = len,
	};
	long rc;

	rc = hypercall(NABLA_NET_READ, &r);
	if (rc == 0)
		*out_len = r.out_len;
	return rc;
}

/* Whether [buf, buf + len) lies in memory registered with the module. */
static bool registered(const uint8_t *buf, size_t len)
{
	uintptr_t a = (uintptr_t)buf;
	unsigned int i;

	for (i = 0; i < nabla_dev.nregions; i++)
		if (a >= nabla_dev.regions[i].start &&
		    a < nabla_dev.regions[i].end &&
		    len <= nabla_dev.regions[i].end - a)
			return true;
	return false;
}

/* api.c has checked alignment and range; split to the module's maximum. */
static long dev_block_io(unsigned int h, bool write, uint64_t offset,
			 uint8_t *buf, size_t len)
{
	struct nabla_block_io io = { .handle = h };
	unsigned long cmd = write ? NABLA_BLOCK_WRITE : NABLA_BLOCK_READ;
	long rc;

	while (len) {
		io.offset = offset;
		io.buf = (uintptr_t)buf;
		io.len = len < NABLA_BLOCK_MAX_IO ? len : NABLA_BLOCK_MAX_IO;
		io.flags = registered(buf, io.len) ?
			   NABLA_BLOCK_IO_F_REGISTERED : 0;
		rc = hypercall(cmd, &io);
		if (rc)
			return rc;
		offset += io.len;
		buf += io.len;
		len -= io.len;
	}
	return 0;
}

const struct nabla_ops nabla_dev_ops = {
	.clock_monotonic = dev_clock_monotonic,
	.clock_wall = dev_clock_wall,
	.yield = dev_yield,
	.console_write = dev_console_write,
	.net_write = dev_net_write,
	.net_read = dev_net_read,
	.block_io = dev_block_io,
};
