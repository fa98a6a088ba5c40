// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/nabla: contexts and the ioctl dispatch.
 *
 * Locking (see also dev.h):
 * - A context lives from open() to the last close; an ioctl runs with a file
 *   reference, so the context outlives every call on it.
 * - Setup calls run under ctx->setup_lock, which also orders them against
 *   the seal. A setup call that attaches a device leaves it in ctx->pending;
 *   the dispatcher publishes it only after the outputs reached user space,
 *   and destroys it otherwise, so that a failed call changes nothing.
 * - Hypercalls take no context lock: each device has its own.
 */
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "block.h"
#include "clock.h"
#include "console.h"
#include "dev.h"
#include "mem.h"
#include "net.h"
#include "stats.h"
#include "trace.h"

/* The handle a traced call without one reports. */
#define NABLA_TRACE_NO_HANDLE	U32_MAX

struct nabla_ioctl_desc {
	unsigned int cmd;
	bool setup;		/* refused after the seal */
	long (*fn)(struct nabla_ctx *ctx, void *arg);
};

/* Large enough for the argument of any command; handlers get a copy. */
union nabla_ioctl_arg {
	struct nabla_version version;
	struct nabla_attach_net attach_net;
	struct nabla_attach_block attach_block;
	struct nabla_set_console set_console;
	struct nabla_seal seal;
	struct nabla_register_memory register_memory;
	struct nabla_clock clock;
	struct nabla_console_write console_write;
	struct nabla_yield yield;
	struct nabla_net_write net_write;
	struct nabla_net_read net_read;
	struct nabla_net_info net_info;
	struct nabla_block_io block_io;
	struct nabla_block_info block_info;
};

static atomic64_t nabla_next_ctx_id = ATOMIC64_INIT(0);

static long nabla_version(struct nabla_ctx *ctx, void *arg);
static long nabla_seal(struct nabla_ctx *ctx, void *arg);

/* Indexed by _IOC_NR; setup calls are refused after the seal. */
static const struct nabla_ioctl_desc nabla_ioctls[NABLA_NR_CMDS] = {
	[_IOC_NR(NABLA_VERSION)] = { NABLA_VERSION, false, nabla_version },
	[_IOC_NR(NABLA_ATTACH_NET)] = { NABLA_ATTACH_NET, true, nabla_net_attach },
	[_IOC_NR(NABLA_ATTACH_BLOCK)] = { NABLA_ATTACH_BLOCK, true, nabla_block_attach },
	[_IOC_NR(NABLA_SET_CONSOLE)] = { NABLA_SET_CONSOLE, true, nabla_console_set },
	[_IOC_NR(NABLA_SEAL)] = { NABLA_SEAL, true, nabla_seal },
	[_IOC_NR(NABLA_REGISTER_MEMORY)] = { NABLA_REGISTER_MEMORY, true, nabla_mem_register },
	[_IOC_NR(NABLA_CLOCK_MONOTONIC)] = { NABLA_CLOCK_MONOTONIC, false, nabla_clock_monotonic },
	[_IOC_NR(NABLA_CLOCK_WALL)] = { NABLA_CLOCK_WALL, false, nabla_clock_wall },
	[_IOC_NR(NABLA_CONSOLE_WRITE)] = { NABLA_CONSOLE_WRITE, false, nabla_console_write },
	[_IOC_NR(NABLA_YIELD)] = { NABLA_YIELD, false, nabla_yield },
	[_IOC_NR(NABLA_NET_WRITE)] = { NABLA_NET_WRITE, false, nabla_net_write },
	[_IOC_NR(NABLA_NET_READ)] = { NABLA_NET_READ, false, nabla_net_read },
	[_IOC_NR(NABLA_NET_INFO)] = { NABLA_NET_INFO, false, nabla_net_info },
	[_IOC_NR(NABLA_BLOCK_WRITE)] = { NABLA_BLOCK_WRITE, false, nabla_block_write },
	[_IOC_NR(NABLA_BLOCK_READ)] = { NABLA_BLOCK_READ, false, nabla_block_read },
	[_IOC_NR(NABLA_BLOCK_INFO)] = { NABLA_BLOCK_INFO, false, nabla_block_info },
};

static long nabla_version(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_version *v = arg;
	unsigned int i;

	if (v->flags)
		return -EINVAL;
	v->out_api_version = NABLA_API_VERSION;
	v->out_commands = 0;
	for (i = 0; i < ARRAY_SIZE(nabla_ioctls); i++)
		if (nabla_ioctls[i].fn)
			v->out_commands |= BIT_ULL(i);
	return 0;
}

static long nabla_seal(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_seal *s = arg;

	lockdep_assert_held(&ctx->setup_lock);
	if (s->flags || s->reserved)
		return -EINVAL;
	nabla_console_seal(ctx);
	/* Read locklessly by debugfs. */
	WRITE_ONCE(ctx->sealed, true);
	return 0;
}

/*
 * Solo5 manifest names: 1 to NABLA_NAME_SIZE - 1 characters of
 * [A-Za-z0-9_-], unique in the context; and room for one more device.
 */
int nabla_ctx_check_name(struct nabla_ctx *ctx, const char *name)
{
	size_t len = strnlen(name, NABLA_NAME_SIZE);
	size_t i;
	u32 h;

	lockdep_assert_held(&ctx->setup_lock);
	if (len == 0 || len == NABLA_NAME_SIZE)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && name[i] != '_' && name[i] != '-')
			return -EINVAL;
	for (h = 0; h < ctx->ndevs; h++)
		if (!strcmp(ctx->devs[h]->name, name))
			return -EEXIST;
	if (ctx->ndevs >= NABLA_MAX_DEVICES)
		return -ENOSPC;
	return 0;
}

/* The published device @handle if it has @type, else NULL. */
struct nabla_device *nabla_ctx_device(struct nabla_ctx *ctx, u32 handle,
				      enum nabla_device_type type)
{
	struct nabla_device *dev;

	if (handle >= NABLA_MAX_DEVICES)
		return NULL;
	handle = array_index_nospec(handle, NABLA_MAX_DEVICES);
	/* Pairs with smp_store_release() in nabla_ctx_publish(). */
	dev = smp_load_acquire(&ctx->devs[handle]);
	if (!dev || dev->type != type)
		return NULL;
	return dev;
}

static void nabla_device_destroy(struct nabla_device *dev)
{
	switch (dev->type) {
	case NABLA_DEVICE_NET:
		nabla_net_destroy(dev);
		break;
	case NABLA_DEVICE_BLOCK:
		nabla_block_destroy(dev);
		break;
	}
}

static void nabla_ctx_publish(struct nabla_ctx *ctx, struct nabla_device *dev)
{
	lockdep_assert_held(&ctx->setup_lock);
	nabla_debugfs_device_add(ctx, dev);
	/* Pairs with smp_load_acquire() in nabla_ctx_device(). */
	smp_store_release(&ctx->devs[dev->handle], dev);
	WRITE_ONCE(ctx->ndevs, ctx->ndevs + 1);
}

static long nabla_setup_call(struct nabla_ctx *ctx,
			     const struct nabla_ioctl_desc *desc,
			     union nabla_ioctl_arg *karg, void __user *uarg)
{
	long ret;

	mutex_lock(&ctx->setup_lock);
	if (ctx->sealed) {
		ret = -EPERM;
		goto out_unlock;
	}
	ret = desc->fn(ctx, karg);
	if (!ret && (_IOC_DIR(desc->cmd) & _IOC_READ) &&
	    copy_to_user(uarg, karg, _IOC_SIZE(desc->cmd)))
		ret = -EFAULT;
	if (ctx->pending) {
		if (ret)
			nabla_device_destroy(ctx->pending);
		else
			nabla_ctx_publish(ctx, ctx->pending);
		ctx->pending = NULL;
	}
out_unlock:
	mutex_unlock(&ctx->setup_lock);
	return ret;
}

/* The handle and length a call names, for the tracepoint; @arg may be NULL. */
static void nabla_trace_fields(unsigned int cmd, const void *arg, long ret,
			       u32 *handle, u64 *len)
{
	const union nabla_ioctl_arg *a = arg;

	*handle = NABLA_TRACE_NO_HANDLE;
	*len = 0;
	if (!a)
		return;
	switch (cmd) {
	case NABLA_ATTACH_NET:
		if (!ret)
			*handle = a->attach_net.out_handle;
		break;
	case NABLA_ATTACH_BLOCK:
		if (!ret)
			*handle = a->attach_block.out_handle;
		break;
	case NABLA_REGISTER_MEMORY:
		*len = a->register_memory.len;
		break;
	case NABLA_CONSOLE_WRITE:
		*len = a->console_write.len;
		break;
	case NABLA_NET_WRITE:
		*handle = a->net_write.handle;
		*len = a->net_write.len;
		break;
	case NABLA_NET_READ:
		*handle = a->net_read.handle;
		*len = ret ? a->net_read.len : a->net_read.out_len;
		break;
	case NABLA_NET_INFO:
		*handle = a->net_info.handle;
		break;
	case NABLA_BLOCK_WRITE:
	case NABLA_BLOCK_READ:
		*handle = a->block_io.handle;
		*len = a->block_io.len;
		break;
	case NABLA_BLOCK_INFO:
		*handle = a->block_info.handle;
		break;
	}
}

/* Counters and the tracepoint; @arg is NULL when it could not be read. */
static void nabla_account(struct nabla_ctx *ctx, unsigned int nr,
			  unsigned int cmd, const void *arg, long ret)
{
	u32 handle;
	u64 len;

	nabla_stat_inc(&ctx->stats.calls[nr]);
	if (ret)
		nabla_stat_inc(&ctx->stats.errors);
	if (trace_nabla_call_enabled()) {
		nabla_trace_fields(cmd, arg, ret, &handle, &len);
		trace_nabla_call(ctx->id, nr, handle, len, ret);
	}
}

/*
 * The argument in and out with a size known at compile time for the
 * hypercalls' 16, 24 and 32 bytes: hardened usercopy then checks the copy
 * when the module is built (check_object_size()) instead of walking
 * __check_object_size() on every call. Any other size (setup calls) is
 * copied as it is.
 */
static __always_inline unsigned long nabla_arg_in(void *karg,
						  const void __user *uarg,
						  unsigned int size)
{
	switch (size) {
	case 16:
		return copy_from_user(karg, uarg, 16);
	case 24:
		return copy_from_user(karg, uarg, 24);
	case 32:
		return copy_from_user(karg, uarg, 32);
	}
	return copy_from_user(karg, uarg, size);
}

static __always_inline unsigned long nabla_arg_out(void __user *uarg,
						   const void *karg,
						   unsigned int size)
{
	switch (size) {
	case 16:
		return copy_to_user(uarg, karg, 16);
	case 24:
		return copy_to_user(uarg, karg, 24);
	case 32:
		return copy_to_user(uarg, karg, 32);
	}
	return copy_to_user(uarg, karg, size);
}

static long nabla_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	struct nabla_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;
	const struct nabla_ioctl_desc *desc;
	union nabla_ioctl_arg karg;
	unsigned int nr = _IOC_NR(cmd);
	long ret;

	if (nr >= ARRAY_SIZE(nabla_ioctls))
		return -ENOTTY;
	nr = array_index_nospec(nr, ARRAY_SIZE(nabla_ioctls));
	desc = &nabla_ioctls[nr];
	/* The whole command must match: number, direction and size. */
	if (!desc->fn || desc->cmd != cmd)
		return -ENOTTY;
	BUILD_BUG_ON(sizeof(karg) > 256);
	if (nabla_arg_in(&karg, uarg, _IOC_SIZE(cmd))) {
		nabla_account(ctx, nr, cmd, NULL, -EFAULT);
		return -EFAULT;
	}

	if (desc->setup) {
		ret = nabla_setup_call(ctx, desc, &karg, uarg);
	} else {
		ret = desc->fn(ctx, &karg);
		if (!ret && (_IOC_DIR(cmd) & _IOC_READ) &&
		    nabla_arg_out(uarg, &karg, _IOC_SIZE(cmd)))
			ret = -EFAULT;
	}
	nabla_account(ctx, nr, cmd, &karg, ret);
	return ret;
}

static int nabla_open(struct inode *inode, struct file *file)
{
	struct nabla_ctx *ctx;
	int err;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	mutex_init(&ctx->setup_lock);
	atomic64_set(&ctx->rx_ready, 0);
	init_waitqueue_head(&ctx->rx_wait);
	nabla_yield_timer_init(ctx);
	err = nabla_console_init(&ctx->console);
	if (err)
		goto err_free;
	ctx->id = atomic64_inc_return(&nabla_next_ctx_id);
	ctx->owner = get_pid(task_tgid(current));
	nabla_mem_init(ctx);

	err = nonseekable_open(inode, file);
	if (err)
		goto err_console;
	nabla_debugfs_ctx_add(ctx);
	file->private_data = ctx;
	return 0;

err_console:
	nabla_mem_release(ctx);
	put_pid(ctx->owner);
	nabla_console_destroy(ctx);
err_free:
	kfree(ctx);
	return err;
}

static int nabla_release(struct inode *inode, struct file *file)
{
	struct nabla_ctx *ctx = file->private_data;
	u32 h;

	/* First the debugfs files: removal waits for their readers. */
	nabla_debugfs_ctx_remove(ctx);
	for (h = 0; h < ctx->ndevs; h++)
		nabla_device_destroy(ctx->devs[h]);
	/* After the devices: no transfer uses these pages any more. */
	nabla_blkio_free(ctx);
	nabla_mem_release(ctx);
	nabla_console_destroy(ctx);
	nabla_yield_timer_destroy(ctx);
	put_pid(ctx->owner);
	mutex_destroy(&ctx->setup_lock);
	kfree(ctx);
	return 0;
}

static const struct file_operations nabla_fops = {
	.owner		= THIS_MODULE,
	.open		= nabla_open,
	.release	= nabla_release,
	.unlocked_ioctl	= nabla_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/*
 * Root only until udev says otherwise: 70-nabla.rules gives the device to
 * the group "nabla" (0660). A host without udev must not expose setup
 * calls (attaching files, pinning memory) to every local user.
 */
static struct miscdevice nabla_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "nabla",
	.fops	= &nabla_fops,
	.mode	= 0600,
};

/*
 * True for a file of /dev/nabla: a context must not hold a reference to
 * such a file (its own or another's), or closing it would never free it.
 */
bool nabla_is_nabla_file(const struct file *file)
{
	return file->f_op == &nabla_fops;
}

int nabla_dev_init(void)
{
	return misc_register(&nabla_misc);
}

void nabla_dev_exit(void)
{
	misc_deregister(&nabla_misc);
}
