// SPDX-License-Identifier: ISC
/*
 * hello: the smallest Solo5 application. It prints a banner and its
 * command line, reads both clocks and exits 0. Written against solo5.h
 * only, so it builds for Solo5 as well as for libnabla.
 */
#include "solo5.h"

static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void puts_(const char *s)
{
	solo5_console_write(s, str_len(s));
}

/* Decimal, without libc: printf would make system calls. */
static void put_u64(uint64_t v)
{
	char buf[21];
	int i = sizeof(buf);

	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	solo5_console_write(buf + i, sizeof(buf) - i);
}

int solo5_app_main(const struct solo5_start_info *si)
{
	solo5_time_t mono1, mono2, wall;

	puts_("\n**** Solo5 application: hello, world ****\n\n");
	puts_("cmdline: ");
	puts_(si->cmdline);
	puts_("\n");

	mono1 = solo5_clock_monotonic();
	wall = solo5_clock_wall();
	mono2 = solo5_clock_monotonic();
	puts_("wall clock: ");
	put_u64(wall / 1000000000ULL);
	puts_(" s since 1970\nmonotonic clock: ");
	put_u64(mono1);
	puts_(" ns, then ");
	put_u64(mono2);
	puts_(" ns\n");
	if (mono2 < mono1) {
		puts_("the monotonic clock went back\n");
		return SOLO5_EXIT_FAILURE;
	}
	puts_("goodbye\n");
	return SOLO5_EXIT_SUCCESS;
}
