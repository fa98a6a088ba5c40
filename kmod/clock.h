/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time hypercalls: the two clocks and NABLA_YIELD.
 *
 * Locking: NABLA_YIELD sleeps on ctx->rx_wait and reads ctx->rx_ready,
 * which net.c changes under each handle's queue lock; the yield timer has
 * its own lock (below).
 */
#ifndef _NABLA_CLOCK_H
#define _NABLA_CLOCK_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>

struct nabla_ctx;

/*
 * The context's yield timer: armed for the earliest deadline a sleeping
 * yield needs, and left armed when a yield ends early, so that the next
 * yield with a later deadline sleeps without touching it (it fires, the
 * sleeper looks at the time and arms it again). lock serializes the
 * arming; the timer's function only wakes ctx->rx_wait.
 */
struct nabla_yield_timer {
	spinlock_t lock;		/* serializes the arming */
	struct hrtimer timer;
};

void nabla_yield_timer_init(struct nabla_ctx *ctx);
void nabla_yield_timer_destroy(struct nabla_ctx *ctx);

long nabla_clock_monotonic(struct nabla_ctx *ctx, void *arg);
long nabla_clock_wall(struct nabla_ctx *ctx, void *arg);
long nabla_yield(struct nabla_ctx *ctx, void *arg);

#endif /* _NABLA_CLOCK_H */
