// SPDX-License-Identifier: GPL-2.0
/*
 * The console: where NABLA_CONSOLE_WRITE goes, and the write itself.
 *
 * Locking: console.lock serializes writes and sink changes: the writes of
 * a context reach the sink whole and in the order they were made, even
 * from several threads. It is a mutex because writing to the sink sleeps.
 * Setup calls (set, seal) hold ctx->setup_lock around it. Under it, a
 * file sink's f_pos_lock (files whose position is shared, as write(2)
 * takes it) and then its superblock's freeze protection.
 * nabla_kmsg_lock guards the limit of all contexts together (taken under
 * console.lock, nothing under it); nabla_kmsg_orphans is atomic.
 *
 * A write is copied in whole first: up to NABLA_CONSOLE_SMALL bytes onto
 * the stack, a longer one into a buffer that grows to the largest write
 * (at most NABLA_CONSOLE_MAX). A bad buffer fails with -EFAULT before a
 * byte is written.
 *
 * Sinks: a file is written with its own ->write_iter(), until every byte
 * is written. A sink that stops taking bytes (a full non-blocking pipe, a
 * reader gone) fails the call with -EIO; what it took before stays
 * written. A context never holds a unix socket: one can carry files in
 * flight (SCM_RIGHTS), this context's own among them, and a context kept
 * alive by a socket it keeps alive would never be freed (a cycle unix
 * sockets' garbage collector does not see). So NABLA_SET_CONSOLE refuses
 * one, and a seal whose fd 1 is one (a service's output to the journal)
 * leaves the console on the writer's fd 1, looked up at each write.
 * The kernel log gets whole lines, prefixed with the context id, each byte
 * outside printable ASCII (and the backslash) escaped as \xNN, as
 * /dev/kmsg shows them, so that no control sequence reaches a terminal
 * that shows the log. A partial line waits for its end (or the release).
 * At most NABLA_KMSG_BURST lines of a context and NABLA_KMSG_GLOBAL_BURST
 * of all contexts per NABLA_KMSG_INTERVAL reach it; the next line let
 * through (or the release) is preceded by how many were dropped, and
 * debugfs counts them. A release whose report the global limit holds back
 * leaves its count to the next line any context gets through.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "console.h"
#include "dev.h"

/*
 * The limit of all contexts together: lines let through in the interval
 * that began at nabla_kmsg_begin. A lock, not __ratelimit()'s trylock,
 * which would drop lines whenever two contexts met on it.
 */
static DEFINE_SPINLOCK(nabla_kmsg_lock);
static unsigned long nabla_kmsg_begin;
static unsigned int nabla_kmsg_lines;
/* Lines dropped by contexts released before they could say so. */
static atomic_long_t nabla_kmsg_orphans = ATOMIC_LONG_INIT(0);

static bool nabla_kmsg_global_allow(void)
{
	bool ok;

	spin_lock(&nabla_kmsg_lock);
	if (!nabla_kmsg_lines ||
	    time_after_eq(jiffies, nabla_kmsg_begin + NABLA_KMSG_INTERVAL)) {
		nabla_kmsg_begin = jiffies;
		nabla_kmsg_lines = 0;
	}
	ok = nabla_kmsg_lines < NABLA_KMSG_GLOBAL_BURST;
	if (ok)
		nabla_kmsg_lines++;
	spin_unlock(&nabla_kmsg_lock);
	return ok;
}

int nabla_console_init(struct nabla_console *con)
{
	con->bounce = kmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT);
	if (!con->bounce)
		return -ENOMEM;
	con->bounce_size = PAGE_SIZE;
	mutex_init(&con->lock);
	con->sink = NABLA_SINK_CALLER_FD1;
	ratelimit_state_init(&con->kmsg_rs, NABLA_KMSG_INTERVAL,
			     NABLA_KMSG_BURST);
	/* We report what was dropped ourselves, per context. */
	ratelimit_set_flags(&con->kmsg_rs, RATELIMIT_MSG_ON_RELEASE);
	return 0;
}

/* Before a line let through: what was dropped before it. */
static void nabla_kmsg_report_dropped(struct nabla_ctx *ctx)
{
	struct nabla_console *con = &ctx->console;
	long orphans = atomic_long_xchg(&nabla_kmsg_orphans, 0);

	lockdep_assert_held(&con->lock);
	if (orphans)
		pr_info("%ld console lines of closed contexts dropped (rate limit)\n",
			orphans);
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
	if (__ratelimit(&con->kmsg_rs) && nabla_kmsg_global_allow()) {
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

/* @c as the log shows it: itself, or \xNN; returns its length. */
static size_t nabla_kmsg_escape(char c, char out[4])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char u = c;

	if (u >= ' ' && u < 0x7f && u != '\\') {
		out[0] = c;
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[u >> 4];
	out[3] = hex[u & 0xf];
	return 4;
}

/* Append to the pending line; each '\n' or a full line emits it. */
static void nabla_kmsg_put(struct nabla_ctx *ctx, const char *p, size_t n)
{
	struct nabla_console *con = &ctx->console;
	char esc[4];
	size_t len;

	lockdep_assert_held(&con->lock);
	for (; n; p++, n--) {
		if (*p == '\n') {
			/* An empty line is a line too. */
			nabla_kmsg_emit(ctx);
			continue;
		}
		len = nabla_kmsg_escape(*p, esc);
		if (con->line_len + len > sizeof(con->line))
			nabla_kmsg_emit(ctx);
		memcpy(con->line + con->line_len, esc, len);
		con->line_len += len;
	}
}

/* At the release: the last line, and what is left to report. */
static void nabla_kmsg_close(struct nabla_ctx *ctx)
{
	struct nabla_console *con = &ctx->console;

	lockdep_assert_held(&con->lock);
	nabla_kmsg_flush(ctx);
	if (!con->kmsg_dropped)
		return;
	if (nabla_kmsg_global_allow()) {
		nabla_kmsg_report_dropped(ctx);
	} else {
		atomic_long_add(con->kmsg_dropped, &nabla_kmsg_orphans);
		con->kmsg_dropped = 0;
	}
}

void nabla_console_destroy(struct nabla_ctx *ctx)
{
	struct nabla_console *con = &ctx->console;

	mutex_lock(&con->lock);
	nabla_kmsg_close(ctx);
	mutex_unlock(&con->lock);
	if (con->file)
		fput(con->file);
	mutex_destroy(&con->lock);
	kvfree(con->bounce);
}

/* A unix socket, which could hold this context's file in flight. */
static bool nabla_is_unix_socket(struct file *file)
{
	struct socket *sock = sock_from_file(file);

	return sock && sock->sk && sock->sk->sk_family == AF_UNIX;
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
	if (!err && nabla_is_unix_socket(file))
		err = -EINVAL;
	if (err) {
		fput(file);
		return err;
	}
	nabla_console_replace(ctx, NABLA_SINK_FILE, file);
	return 0;
}

/*
 * Without a sink chosen, the seal takes the sealing process's fd 1; a unix
 * socket there stays the writer's fd 1, looked up at each write.
 */
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
	if (file && nabla_is_unix_socket(file)) {
		/* Not held: looked up at each write (see the top). */
		fput(file);
		return;
	}
	nabla_console_replace(ctx, file ? NABLA_SINK_FILE : NABLA_SINK_NONE,
			      file);
}

/*
 * Write all of @len bytes of @buf to @file with its own ->write_iter(),
 * looping: a pipe or a terminal may take less than offered. Not
 * kernel_write(): it refuses files that have ->write as well (such as
 * /dev/null on 6.1), and it adds the VFS checks that were made when the
 * sink was opened and chosen (permissions) or do not apply (fsnotify). A
 * file whose position others share (a regular file that a process also
 * writes with write(2)) is written under its f_pos_lock, as write(2) does.
 */
static int nabla_console_write_file(struct file *file, char *buf, size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	bool pos = !(file->f_mode & FMODE_STREAM);
	bool pos_lock = pos && (file->f_mode & FMODE_ATOMIC_POS);
	struct iov_iter iter;
	struct kiocb kiocb;

	iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, len);
	init_sync_kiocb(&kiocb, file);
	if (pos_lock)
		mutex_lock(&file->f_pos_lock);
	/* Streams (pipes, sockets) have no position. */
	if (pos)
		kiocb.ki_pos = file->f_pos;
	file_start_write(file);
	while (iov_iter_count(&iter))
		if (file->f_op->write_iter(&kiocb, &iter) <= 0)
			break;
	file_end_write(file);
	if (pos)
		file->f_pos = kiocb.ki_pos;
	if (pos_lock)
		mutex_unlock(&file->f_pos_lock);
	return iov_iter_count(&iter) ? -EIO : 0;
}

/* Room for a write of @len bytes in the bounce buffer, kept for later ones. */
static int nabla_console_bounce(struct nabla_console *con, size_t len)
{
	size_t size = max_t(size_t, roundup_pow_of_two(len), PAGE_SIZE);
	char *buf;

	lockdep_assert_held(&con->lock);
	if (len <= con->bounce_size)
		return 0;
	buf = kvmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	kvfree(con->bounce);
	con->bounce = buf;
	con->bounce_size = size;
	return 0;
}

/*
 * The whole of the caller's bytes in first, then to @file or the log. A
 * short write (a log line) is copied onto the stack: hardened usercopy
 * checks a stack object in a few instructions, a heap one (the bounce
 * buffer) by its slab.
 */
#define NABLA_CONSOLE_SMALL	128

static int nabla_console_copy(struct nabla_ctx *ctx, struct file *file,
			      const char __user *ubuf, size_t len)
{
	struct nabla_console *con = &ctx->console;
	char small[NABLA_CONSOLE_SMALL], *buf = small;
	int err;

	lockdep_assert_held(&con->lock);
	if (len > sizeof(small)) {
		err = nabla_console_bounce(con, len);
		if (err)
			return err;
		buf = con->bounce;
	}
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	if (file) {
		err = nabla_console_write_file(file, buf, len);
		if (err)
			return err;
	} else {
		nabla_kmsg_put(ctx, buf, len);
	}
	nabla_stat_add(&ctx->stats.console_bytes, len);
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
