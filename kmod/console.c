// SPDX-License-Identifier: GPL-2.0
/*
 * The console: where NABLA_CONSOLE_WRITE goes, and the write itself.
 *
 * Locking: console.lock serializes writes and sink changes: the writes of
 * a context reach the sink whole and in the order they were made, even
 * from several threads. It is a mutex because writing to the sink sleeps.
 * Setup calls (set, seal) hold ctx->setup_lock around it.
 *
 * Sinks: a file is written from a page-sized bounce buffer (the user's
 * bytes are copied first, so a bad buffer fails before anything is
 * written), with the file's ->write_iter(), until every byte is written.
 * A sink that stops taking bytes (a full non-blocking pipe, a reader gone)
 * fails the call with -EIO; what it took before stays written.
 * The kernel log gets whole lines, prefixed with the context id; a partial
 * line waits for its end (or the release). At most NABLA_KMSG_BURST lines
 * per NABLA_KMSG_INTERVAL reach it; the next line let through (or the
 * release) is preceded by how many were dropped, and debugfs counts them.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "console.h"
#include "dev.h"

int nabla_console_init(struct nabla_console *con)
{
	con->bounce = kmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT);
	if (!con->bounce)
		return -ENOMEM;
	mutex_init(&con->lock);
	con->sink = NABLA_SINK_CALLER_FD1;
	ratelimit_state_init(&con->kmsg_rs, NABLA_KMSG_INTERVAL,
			     NABLA_KMSG_BURST);
	/* We report what was dropped ourselves, per context. */
	ratelimit_set_flags(&con->kmsg_rs, RATELIMIT_MSG_ON_RELEASE);
	return 0;
}

static void nabla_kmsg_report_dropped(struct nabla_ctx *ctx)
{
	struct nabla_console *con = &ctx->console;

	lockdep_assert_held(&con->lock);
	if (!con->kmsg_dropped)
		return;
	pr_info("%llu: %lu console lines dropped (rate limit)\n", ctx->id,
		con->kmsg_dropped);
	con->kmsg_dropped = 0;
}

/* The pending line (which may be empty) into the log, or dropped. */
static void nabla_kmsg_emit(struct nabla_ctx *ctx)
{
	struct nabla_console *con = &ctx->console;

	lockdep_assert_held(&con->lock);
	if (__ratelimit(&con->kmsg_rs)) {
		nabla_kmsg_report_dropped(ctx);
		pr_info("%llu:%s%.*s\n", ctx->id, con->line_len ? " " : "",
			(int)con->line_len, con->line);
	} else {
		con->kmsg_dropped++;
		nabla_stat_inc(&ctx->stats.console_lines_dropped);
	}
	con->line_len = 0;
}

static void nabla_kmsg_flush(struct nabla_ctx *ctx)
{
	lockdep_assert_held(&ctx->console.lock);
	if (ctx->console.line_len)
		nabla_kmsg_emit(ctx);
}

/* Append to the pending line; each '\n' or a full line emits it. */
static void nabla_kmsg_put(struct nabla_ctx *ctx, const char *p, size_t n)
{
	struct nabla_console *con = &ctx->console;

	lockdep_assert_held(&con->lock);
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? nl - p : n;

		take = min(take, sizeof(con->line) - con->line_len);
		memcpy(con->line + con->line_len, p, take);
		con->line_len += take;
		p += take;
		n -= take;
		if (n && *p == '\n') {
			p++;
			n--;
			/* An empty line is a line too. */
			nabla_kmsg_emit(ctx);
		} else if (con->line_len == sizeof(con->line)) {
			nabla_kmsg_emit(ctx);
		}
	}
}

void nabla_console_destroy(struct nabla_ctx *ctx)
{
	struct nabla_console *con = &ctx->console;

	mutex_lock(&con->lock);
	nabla_kmsg_flush(ctx);
	nabla_kmsg_report_dropped(ctx);
	mutex_unlock(&con->lock);
	if (con->file)
		fput(con->file);
	mutex_destroy(&con->lock);
	kfree(con->bounce);
}

/* A file the console may write to; the errno of the header otherwise. */
static int nabla_console_file_ok(struct file *file)
{
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!(file->f_mode & FMODE_CAN_WRITE) || !file->f_op->write_iter ||
	    nabla_is_nabla_file(file))
		return -EINVAL;
	return 0;
}

static void nabla_console_replace(struct nabla_ctx *ctx, enum nabla_sink sink,
				  struct file *file)
{
	struct nabla_console *con = &ctx->console;
	struct file *old;

	mutex_lock(&con->lock);
	nabla_kmsg_flush(ctx);
	old = con->file;
	con->file = file;
	con->sink = sink;
	mutex_unlock(&con->lock);
	if (old)
		fput(old);
}

long nabla_console_set(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_set_console *s = arg;
	struct file *file;
	int err;

	lockdep_assert_held(&ctx->setup_lock);
	if ((s->flags & ~NABLA_CONSOLE_F_ALL) || s->reserved)
		return -EINVAL;
	if (s->flags & NABLA_CONSOLE_F_KMSG) {
		if (s->fd != -1)
			return -EINVAL;
		nabla_console_replace(ctx, NABLA_SINK_KMSG, NULL);
		return 0;
	}

	file = fget(s->fd);
	if (!file)
		return -EBADF;
	err = nabla_console_file_ok(file);
	if (err) {
		fput(file);
		return err;
	}
	nabla_console_replace(ctx, NABLA_SINK_FILE, file);
	return 0;
}

/* Without a sink chosen, the seal takes the sealing process's fd 1. */
void nabla_console_seal(struct nabla_ctx *ctx)
{
	struct file *file;

	lockdep_assert_held(&ctx->setup_lock);
	if (ctx->console.sink != NABLA_SINK_CALLER_FD1)
		return;
	file = fget(1);
	if (file && nabla_console_file_ok(file)) {
		fput(file);
		file = NULL;
	}
	nabla_console_replace(ctx, file ? NABLA_SINK_FILE : NABLA_SINK_NONE,
			      file);
}

/*
 * Write all of @len bytes of the bounce buffer to @file with its own
 * ->write_iter(), looping: a pipe or a terminal may take less than offered.
 * Not kernel_write(): it refuses files that have ->write as well (such as
 * /dev/null on 6.1), and it adds the VFS checks that were made when the
 * sink was opened and chosen (permissions) or do not apply (fsnotify).
 */
static int nabla_console_write_file(struct file *file, char *buf, size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;
	struct kiocb kiocb;

	iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, len);
	init_sync_kiocb(&kiocb, file);
	/* Streams (pipes, sockets) have no position. */
	if (!(file->f_mode & FMODE_STREAM))
		kiocb.ki_pos = file->f_pos;
	file_start_write(file);
	while (iov_iter_count(&iter))
		if (file->f_op->write_iter(&kiocb, &iter) <= 0)
			break;
	file_end_write(file);
	if (!(file->f_mode & FMODE_STREAM))
		file->f_pos = kiocb.ki_pos;
	return iov_iter_count(&iter) ? -EIO : 0;
}

static int nabla_console_copy(struct nabla_ctx *ctx, struct file *file,
			      const char __user *ubuf, size_t len)
{
	struct nabla_console *con = &ctx->console;
	size_t chunk;
	int err;

	lockdep_assert_held(&con->lock);
	while (len) {
		chunk = min_t(size_t, len, PAGE_SIZE);
		if (copy_from_user(con->bounce, ubuf, chunk))
			return -EFAULT;
		if (file) {
			err = nabla_console_write_file(file, con->bounce,
						       chunk);
			if (err)
				return err;
		} else {
			nabla_kmsg_put(ctx, con->bounce, chunk);
		}
		nabla_stat_add(&ctx->stats.console_bytes, chunk);
		ubuf += chunk;
		len -= chunk;
	}
	return 0;
}

long nabla_console_write(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_console_write *w = arg;
	const char __user *ubuf = u64_to_user_ptr(w->buf);
	struct nabla_console *con = &ctx->console;
	struct file *fd1 = NULL;
	int err;

	if (w->flags || w->len > NABLA_CONSOLE_MAX)
		return -EINVAL;
	if (!w->len)
		return 0;

	mutex_lock(&con->lock);
	switch (con->sink) {
	case NABLA_SINK_FILE:
		err = nabla_console_copy(ctx, con->file, ubuf, w->len);
		break;
	case NABLA_SINK_KMSG:
		err = nabla_console_copy(ctx, NULL, ubuf, w->len);
		break;
	case NABLA_SINK_CALLER_FD1:
		fd1 = fget(1);
		err = fd1 ? nabla_console_file_ok(fd1) : -EBADF;
		if (!err)
			err = nabla_console_copy(ctx, fd1, ubuf, w->len);
		break;
	default:
		err = -EBADF;
		break;
	}
	mutex_unlock(&con->lock);
	if (fd1)
		fput(fd1);
	return err;
}
