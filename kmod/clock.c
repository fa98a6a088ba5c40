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
#include "compat.h"
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

static enum hrtimer_restart nabla_yield_timer_fn(struct hrtimer *timer)
{
	struct nabla_ctx *ctx = container_of(timer, struct nabla_ctx, yield.timer);

	/* Each sleeper looks at its own deadline. */
	wake_up_interruptible(&ctx->rx_wait);
	return HRTIMER_NORESTART;
}

void nabla_yield_timer_init(struct nabla_ctx *ctx)
{
	spin_lock_init(&ctx->yield.lock);
	nabla_hrtimer_setup(&ctx->yield.timer, nabla_yield_timer_fn,
			    CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
}

/* At the release: no yield is left, the timer may still be armed. */
void nabla_yield_timer_destroy(struct nabla_ctx *ctx)
{
	hrtimer_cancel(&ctx->yield.timer);
}

/*
 * Make the timer fire no later than @expires plus the task's timer slack
 * (as nanosleep's). A timer already armed to fire by then will do, even
 * before @expires: when it fires, the sleeper finds its deadline still
 * ahead and comes back here. So a yield whose deadline is later than the
 * last one's (an idle timeout pushed on by each frame) arms nothing. A
 * timer that may fire later (another thread's larger slack or deadline)
 * is moved: its range becomes the earlier start and this sleeper's end,
 * which keeps it within every sleeper's own range or earlier.
 */
static void nabla_yield_arm(struct nabla_ctx *ctx, ktime_t expires)
{
	struct hrtimer *timer = &ctx->yield.timer;
	ktime_t latest = ktime_add_safe(expires,
					ns_to_ktime(current->timer_slack_ns));
	ktime_t soft = expires;

	spin_lock(&ctx->yield.lock);
	if (hrtimer_is_queued(timer)) {
		if (!ktime_after(hrtimer_get_expires(timer), latest))
			goto out_unlock;
		if (ktime_before(hrtimer_get_softexpires(timer), soft))
			soft = hrtimer_get_softexpires(timer);
	}
	hrtimer_start_range_ns(timer, soft, ktime_to_ns(ktime_sub(latest, soft)),
			       HRTIMER_MODE_ABS);
out_unlock:
	spin_unlock(&ctx->yield.lock);
}

/*
 * Sleep until @deadline (absolute, CLOCK_MONOTONIC), a queued frame or a
 * signal; a deadline beyond KTIME_MAX means no deadline.
 */
static void nabla_wait_rx(struct nabla_ctx *ctx, u64 deadline)
{
	ktime_t expires = deadline > KTIME_MAX ? KTIME_MAX : (ktime_t)deadline;
	DEFINE_WAIT(wait);

	nabla_stat_inc(&ctx->stats.yield_sleeps);
	for (;;) {
		/* On the queue before the looks: no wake-up is missed. */
		prepare_to_wait(&ctx->rx_wait, &wait, TASK_INTERRUPTIBLE);
		if (atomic64_read(&ctx->rx_ready) || signal_pending(current))
			break;
		if (expires != KTIME_MAX) {
			if (!ktime_before(ktime_get(), expires))
				break;
			nabla_yield_arm(ctx, expires);
		}
		schedule();
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
