/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console of a context: NABLA_SET_CONSOLE, the sink chosen at the seal,
 * NABLA_CONSOLE_WRITE.
 *
 * Locking: console.lock serializes writes and sink changes, so that the
 * writes of a context reach the sink complete and in order. Setup calls
 * hold the context's setup_lock first (lock order: setup_lock, then
 * console.lock).
 */
#ifndef _NABLA_CONSOLE_H
#define _NABLA_CONSOLE_H

#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/types.h>

struct file;
struct nabla_ctx;

enum nabla_sink {
	/*
	 * The caller's fd 1, looked up at each write: before any sink is
	 * chosen, and after a seal whose fd 1 was a unix socket.
	 */
	NABLA_SINK_CALLER_FD1,
	NABLA_SINK_FILE,	/* console.file */
	NABLA_SINK_KMSG,	/* the kernel log, one line per message */
	NABLA_SINK_NONE,	/* sealed without a usable fd 1 */
};

/* Longest kernel log line (escaped); longer console lines are split. */
#define NABLA_KMSG_LINE	256

/*
 * Lines a context may put in the kernel log per interval, and all contexts
 * together; the rest are dropped and counted, so that applications cannot
 * flood the log that every other user of the host reads (as
 * printk_ratelimit() guards it), however many contexts they open.
 */
#define NABLA_KMSG_BURST	100
#define NABLA_KMSG_GLOBAL_BURST	200
#define NABLA_KMSG_INTERVAL	(5 * HZ)

struct nabla_console {
	struct mutex lock;		/* all of the below */
	enum nabla_sink sink;
	struct file *file;		/* with NABLA_SINK_FILE: our reference */
	char *bounce;			/* a whole write is copied in first */
	size_t bounce_size;		/* PAGE_SIZE, grown to the largest write */
	size_t line_len;		/* bytes in line, with NABLA_SINK_KMSG */
	char line[NABLA_KMSG_LINE];
	struct ratelimit_state kmsg_rs;	/* lines into the kernel log */
	unsigned long kmsg_dropped;	/* since the last line let through */
};

int nabla_console_init(struct nabla_console *con);
void nabla_console_destroy(struct nabla_ctx *ctx);
void nabla_console_seal(struct nabla_ctx *ctx);

long nabla_console_set(struct nabla_ctx *ctx, void *arg);
long nabla_console_write(struct nabla_ctx *ctx, void *arg);

#endif /* _NABLA_CONSOLE_H */
