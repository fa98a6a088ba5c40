// SPDX-License-Identifier: GPL-2.0
/*
 * fpu: the x87 FPU and SSE work, start in the state a process starts in
 * (control word 0x37f, MXCSR 0x1f80: nothing of the tender's), and keep
 * their registers across solo5_yield().
 */
#include "app.h"

static volatile double third = 1.0 / 3.0;

static bool sse_packed(void)
{
	float a[4] __attribute__((aligned(16))) = { 1.5f, 2.5f, -3.0f, 4.0f };
	float b[4] __attribute__((aligned(16))) = { 2.0f, 4.0f, 0.5f, -0.25f };
	float r[4] __attribute__((aligned(16)));

	asm volatile ("movaps %1, %%xmm1\n\t"
		      "mulps %2, %%xmm1\n\t"
		      "movaps %%xmm1, %0"
		      : "=m" (r) : "m" (a), "m" (b) : "xmm1");
	return r[0] == 3.0f && r[1] == 10.0f && r[2] == -1.5f && r[3] == -1.0f;
}

static bool x87(void)
{
	long double x = 2.0L, root;

	asm ("fsqrt" : "=t" (root) : "0" (x));
	return root * root > 1.9999999L && root * root < 2.0000001L;
}

/* A value left in %xmm7 before a yield is there after it. */
static bool kept_across_yield(void)
{
	uint64_t in = 0x0123456789abcdefULL, out;

	asm volatile ("movq %0, %%xmm7" : : "r" (in) : "xmm7");
	solo5_yield(solo5_clock_monotonic() + 1000000, NULL);
	asm volatile ("movq %%xmm7, %0" : "=r" (out));
	return out == in;
}

int solo5_app_main(const struct solo5_start_info *si)
{
	uint16_t fcw;
	uint32_t mxcsr;

	(void)si;
	asm volatile ("fnstcw %0" : "=m" (fcw));
	asm volatile ("stmxcsr %0" : "=m" (mxcsr));
	app_kv("fcw", fcw);
	app_kv("mxcsr", mxcsr);
	if (fcw != 0x37f || mxcsr != 0x1f80) {
		app_fail("initial FPU state");
		return SOLO5_EXIT_FAILURE;
	}
	if (third * 3.0 != 1.0 || !sse_packed() || !x87()) {
		app_fail("arithmetic");
		return SOLO5_EXIT_FAILURE;
	}
	if (!kept_across_yield()) {
		app_fail("xmm7 changed across solo5_yield");
		return SOLO5_EXIT_FAILURE;
	}
	app_puts("SUCCESS\n");
	return SOLO5_EXIT_SUCCESS;
}
