/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time hypercalls: the two clocks and NABLA_YIELD.
 *
 * Locking: none of their own. NABLA_YIELD sleeps on ctx->rx_wait and reads
 * ctx->rx_ready, which net.c changes under each handle's queue lock.
 */
#ifndef _NABLA_CLOCK_H
#define _NABLA_CLOCK_H

struct nabla_ctx;

long nabla_clock_monotonic(struct nabla_ctx *ctx, void *arg);
long nabla_clock_wall(struct nabla_ctx *ctx, void *arg);
long nabla_yield(struct nabla_ctx *ctx, void *arg);

#endif /* _NABLA_CLOCK_H */
