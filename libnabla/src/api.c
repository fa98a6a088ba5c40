// SPDX-License-Identifier: ISC
/*
 * api.c: the Solo5 guest API (solo5.h). Arguments are checked here, the
 * same way for both backends, before the backend makes its call; the
 * module checks them again on its side.
 *
 * Confined code (confined.h): also built into the bindings of a
 * freestanding unikernel, which add solo5_exit, solo5_abort and the TLS
 * calls of their own.
 */
#include "confined.h"

struct nabla_device nabla_devices[NABLA_MAX_DEVICES];
struct nabla_dev_state nabla_dev = { .fd = -1 };
struct nabla_sys_state nabla_sys = { .epollfd = -1, .timerfd = -1 };
const struct nabla_ops *nabla_ops;

static solo5_result_t to_result(long rc)
{
	switch (rc) {
	case 0:
		return SOLO5_R_OK;
	case -EAGAIN:
		return SOLO5_R_AGAIN;
	case -EINVAL:
		return SOLO5_R_EINVAL;
	default:
		return SOLO5_R_EUNSPEC;
	}
}

/* The device behind @handle if it exists and is of @type, else NULL. */
static struct nabla_device *device(solo5_handle_t handle,
				   enum nabla_dev_type type)
{
	if (handle >= NABLA_MAX_DEVICES || nabla_devices[handle].type != type)
		return NULL;
	return &nabla_devices[handle];
}

/*
 * The device called @name if it is of @type and not acquired yet (solo5.h:
 * a device may be acquired once), else NULL.
 */
static struct nabla_device *lookup(const char *name, enum nabla_dev_type type,
				   solo5_handle_t *handle)
{
	unsigned int h;

	if (!name)
		return NULL;
	for (h = 0; h < NABLA_MAX_DEVICES; h++) {
		struct nabla_device *d = &nabla_devices[h];

		if (d->type == NABLA_DEV_FREE || __builtin_strcmp(d->name, name))
			continue;
		if (d->type != type || d->acquired)
			return NULL;
		*handle = h;
		return d;
	}
	return NULL;
}

solo5_time_t solo5_clock_monotonic(void)
{
	return nabla_ops->clock_monotonic();
}

solo5_time_t solo5_clock_wall(void)
{
	return nabla_ops->clock_wall();
}

/*
 * The backends may return early without a frame (a signal, a stop and
 * continue): wait again until the deadline has really passed.
 */
void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
	uint64_t ready;

	do {
		ready = nabla_ops->yield(deadline);
	} while (!ready && nabla_ops->clock_monotonic() < deadline);
	if (ready_set)
		*ready_set = ready;
}

void solo5_console_write(const char *buf, size_t size)
{
	if (buf && size)
		nabla_ops->console_write(buf, size);
}

solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
				 struct solo5_net_info *info)
{
	struct nabla_device *d;
	solo5_handle_t h;

	if (!handle || !info)
		return SOLO5_R_EINVAL;
	d = lookup(name, NABLA_DEV_NET, &h);
	if (!d)
		return SOLO5_R_EINVAL;
	__builtin_memcpy(info->mac_address, d->mac, SOLO5_NET_ALEN);
	info->mtu = d->mtu;
	d->acquired = true;
	*handle = h;
	return SOLO5_R_OK;
}

solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
			       size_t size)
{
	struct nabla_device *d = device(handle, NABLA_DEV_NET);

	if (!d || !buf || size < SOLO5_NET_HLEN ||
	    size > (size_t)d->mtu + SOLO5_NET_HLEN)
		return SOLO5_R_EINVAL;
	return to_result(nabla_ops->net_write(handle, buf, size));
}

solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf,
			      size_t size, size_t *read_size)
{
	struct nabla_device *d = device(handle, NABLA_DEV_NET);

	/*
	 * solo5.h: the buffer must hold the largest frame. (A tap read would
	 * truncate a frame that does not fit, rather than leave it queued.)
	 */
	if (!d || !buf || !read_size || size < (size_t)d->mtu + SOLO5_NET_HLEN)
		return SOLO5_R_EINVAL;
	return to_result(nabla_ops->net_read(handle, buf, size, read_size));
}

solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
				   struct solo5_block_info *info)
{
	struct nabla_device *d;
	solo5_handle_t h;

	if (!handle || !info)
		return SOLO5_R_EINVAL;
	d = lookup(name, NABLA_DEV_BLOCK, &h);
	if (!d)
		return SOLO5_R_EINVAL;
	info->capacity = d->capacity;
	info->block_size = d->block_size;
	d->acquired = true;
	*handle = h;
	return SOLO5_R_OK;
}

/* Whole blocks, at least one, within the capacity (overflow-safe). */
static bool block_range_ok(const struct nabla_device *d, solo5_off_t offset,
			   size_t size)
{
	return size != 0 && offset % d->block_size == 0 &&
	       size % d->block_size == 0 && size <= d->capacity &&
	       offset <= d->capacity - size;
}

static solo5_result_t block_io(solo5_handle_t handle, bool write,
			       solo5_off_t offset, uint8_t *buf, size_t size)
{
	struct nabla_device *d = device(handle, NABLA_DEV_BLOCK);

	if (!d || !buf || !block_range_ok(d, offset, size))
		return SOLO5_R_EINVAL;
	if (write && d->rdonly)
		return SOLO5_R_EUNSPEC;
	return to_result(nabla_ops->block_io(handle, write, offset, buf, size));
}

solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
				 const uint8_t *buf, size_t size)
{
	return block_io(handle, true, offset, (uint8_t *)buf, size);
}

solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset,
				uint8_t *buf, size_t size)
{
	return block_io(handle, false, offset, buf, size);
}
