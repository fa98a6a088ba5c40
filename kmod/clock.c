// SPDX-License-Identifier: GPL-2.0
/*
 * Time hypercalls: the clocks, and NABLA_YIELD, which sleeps until a
 * deadline or until a frame is queued on a net device of the context.
 *
 * Locking: no lock of its own. A sleeper is on ctx->rx_wait before it
 * looks at ctx->rx_ready (prepare_to_wait() orders the two); net.c sets a
 * bit of rx_ready and then wakes the queue, so no arrival is missed.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "clock.h"
#include "dev.h"

long nabla_clock_monotonic(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_clock *c = arg;

	if (c->flags)
		return -EINVAL;
	c->out_ns = ktime_get_ns();
	return 0;
}

long nabla_clock_wall(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_clock *c = arg;

	if (c->flags)
		return -EINVAL;
	c->out_ns = ktime_get_real_ns();
	return 0;
}

/*
 * Sleep until @deadline (absolute, CLOCK_MONOTONIC), a queued frame or a
 * signal. The hrtimer may fire up to the task's timer slack after the
 * deadline (as nanosleep's), never later, so that idle guests let the
 * host batch wake-ups; a deadline beyond KTIME_MAX means no deadline.
 */
static void nabla_wait_rx(struct nabla_ctx *ctx, u64 deadline)
{
	ktime_t expires = deadline > KTIME_MAX ? KTIME_MAX : (ktime_t)deadline;
	DEFINE_WAIT(wait);

	nabla_stat_inc(&ctx->stats.yield_sleeps);
	for (;;) {
		prepare_to_wait(&ctx->rx_wait, &wait, TASK_INTERRUPTIBLE);
		if (atomic64_read(&ctx->rx_ready) || signal_pending(current))
			break;
		/* 0: the deadline passed; -EINTR: woken, look again. */
		if (!schedule_hrtimeout_range(&expires,
					      current->timer_slack_ns,
					      HRTIMER_MODE_ABS))
			break;
	}
	finish_wait(&ctx->rx_wait, &wait);
}

long nabla_yield(struct nabla_ctx *ctx, void *arg)
{
	struct nabla_yield *y = arg;

	if (y->flags || y->reserved)
		return -EINVAL;
	/* Frames already queued, or a deadline in the past: only poll. */
	if (!atomic64_read(&ctx->rx_ready) && ktime_get_ns() < y->deadline_ns)
		nabla_wait_rx(ctx, y->deadline_ns);
	/* A signal only ends the wait: readiness is reported as it is. */
	y->out_ready_set = atomic64_read(&ctx->rx_ready);
	return 0;
}
