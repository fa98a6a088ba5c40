/* SPDX-License-Identifier: ISC */
/*
 * np.h: the "nabla port": what a Solo5 application on libnabla needs around
 * lwIP, none of which makes a system call of its own.
 *
 *  - console output with a small printf-style formatter (np_printf);
 *  - a PRNG seeded from the Solo5 clocks (np_rand);
 *  - the network: command-line address parsing, an lwIP netif over a Solo5
 *    net device, and the poll loop that feeds it frames and runs lwIP's
 *    timers, sleeping in solo5_yield() until the next timer is due.
 */
#ifndef NABLA_NP_H
#define NABLA_NP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "solo5.h"

/* Formatter: %d %i %u %x %X %s %c %p %%, flags '-' '0', width, precision
 * (for %s, also '*'), length modifiers hh h l ll z. No floating point. */
int np_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int np_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void np_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

unsigned int np_rand(void);

/* Milliseconds of monotonic time (lwIP's sys_now()). */
uint32_t np_now_ms(void);

/*
 * Network configuration from the application's command line: one token
 * "A.B.C.D/N" (address and prefix length, required) and optionally
 * "gw=A.B.C.D". Tokens the network does not know are handed back to the
 * application through np_net_config.rest.
 */
struct np_net_config {
	uint32_t addr;		/* network byte order */
	uint32_t netmask;
	uint32_t gw;		/* 0: none */
	char rest[256];		/* unconsumed tokens, space separated */
};

/* 0 on success, -1 with a console message on a malformed command line. */
int np_net_parse(const char *cmdline, struct np_net_config *cfg);

/* Acquire the Solo5 net device @name and bring the interface up. */
int np_net_start(const char *name, const struct np_net_config *cfg);

/*
 * One turn of the event loop: receive and process every waiting frame, run
 * due lwIP timers, then sleep until a frame arrives, the next lwIP timer is
 * due, or @max_wait_ns has passed.
 */
void np_net_poll(solo5_time_t max_wait_ns);

/*
 * Allocation from the Solo5 heap (np_heap.c): np_heap_init() once with the
 * region from solo5_start_info, then np_alloc/np_realloc/np_free as usual
 * (np_zalloc: np_alloc, zeroed).
 * np_alloc_size() is the usable size of a block (at least what was asked).
 */
void np_heap_init(uintptr_t start, size_t size);
void *np_alloc(size_t size);
void *np_zalloc(size_t size);
void *np_realloc(void *p, size_t size);
void np_free(void *p);
size_t np_alloc_size(void *p);
void np_heap_stats(size_t *in_use, size_t *never_used);

/* Parse a decimal number in [0, max]; 0 on success. */
int np_parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out);

/*
 * The next word of the string at *p (words are separated by spaces): its
 * start, its length in *len, *p moved past it; NULL when there is none.
 */
const char *np_next_word(const char **p, size_t *len);

#endif /* NABLA_NP_H */
