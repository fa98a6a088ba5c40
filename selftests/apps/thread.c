// SPDX-License-Identifier: GPL-2.0
/*
 * thread: a thread started before the seal (as a library's constructor
 * may start one) makes a system call once the application runs. The
 * filter applies to every thread of the process (SECCOMP_FILTER_FLAG_TSYNC),
 * so the call kills the process with SIGSYS; "escaped=1" on the console
 * means the thread was left unconfined.
 */
#include <pthread.h>
#include <sys/syscall.h>

#include "app.h"

static volatile int go, escaped;

static long raw_getppid(void)
{
	long ret;

	asm volatile ("syscall" : "=a" (ret) : "a" ((long)__NR_getppid)
		      : "rcx", "r11", "memory");
	return ret;
}

/* No system call until the application says so: spin. */
static void *early_thread(void *arg)
{
	(void)arg;
	while (!go)
		__builtin_ia32_pause();
	if (raw_getppid() > 0)
		escaped = 1;
	return NULL;
}

__attribute__((constructor)) static void start_early_thread(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, early_thread, NULL))
		app_fail("pthread_create");
}

int solo5_app_main(const struct solo5_start_info *si)
{
	solo5_time_t end = solo5_clock_monotonic() + 5000000000ULL;

	(void)si;
	go = 1;
	while (!escaped && solo5_clock_monotonic() < end)
		__builtin_ia32_pause();
	app_kv("escaped", escaped);
	return 0;
}
