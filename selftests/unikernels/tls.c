// SPDX-License-Identifier: GPL-2.0
/*
 * tls: solo5.h's TLS calls, as its usage example: a block per "thread"
 * from the heap, solo5_tls_init(), solo5_set_tls_base(tp). Each block
 * starts with the .tdata values and zeroed .tbss; switching blocks
 * switches the variables; %fs:0 holds tp (the x86_64 ABI's self pointer).
 */
#include "app.h"

static __thread uint64_t tdata_var = 0x1122334455667788ULL;
static __thread char tdata_str[16] = "thread-local";
static __thread uint64_t tbss_var;
static __thread uint8_t tbss_big[4096] __attribute__((aligned(64)));

static bool fresh(void)
{
	return tdata_var == 0x1122334455667788ULL &&
	       app_streq(tdata_str, "thread-local") && tbss_var == 0 &&
	       tbss_big[0] == 0 && tbss_big[4095] == 0 &&
	       ((uintptr_t)tbss_big & 63) == 0;
}

static bool switch_to(uintptr_t block)
{
	uintptr_t tp = solo5_tls_tp_offset(block), self;

	if (solo5_set_tls_base(tp) != SOLO5_R_OK)
		return false;
	asm volatile ("movq %%fs:0, %0" : "=r" (self));
	return self == tp;
}

int solo5_app_main(const struct solo5_start_info *si)
{
	size_t size = solo5_tls_size();
	uintptr_t a = si->heap_start, b = si->heap_start + size + 64;

	app_kv("tls_size", size);
	if (size < sizeof(tbss_big) || b + size > si->heap_start + si->heap_size / 2 ||
	    solo5_tls_init(a) != SOLO5_R_OK || solo5_tls_init(b) != SOLO5_R_OK ||
	    solo5_tls_init(0) != SOLO5_R_EINVAL) {
		app_fail("tls_init");
		return SOLO5_EXIT_FAILURE;
	}
	if (!switch_to(a) || !fresh()) {
		app_fail("block a");
		return SOLO5_EXIT_FAILURE;
	}
	tdata_var = 1;
	tbss_var = 2;
	tbss_big[100] = 3;
	if (!switch_to(b) || !fresh()) {
		app_fail("block b");
		return SOLO5_EXIT_FAILURE;
	}
	tdata_var = 4;
	if (!switch_to(a) || tdata_var != 1 || tbss_var != 2 ||
	    tbss_big[100] != 3) {
		app_fail("block a after b");
		return SOLO5_EXIT_FAILURE;
	}
	/* A non-canonical base is refused, not a fault. */
	if (solo5_set_tls_base(0x8000000000000000ULL) != SOLO5_R_EINVAL) {
		app_fail("non-canonical base");
		return SOLO5_EXIT_FAILURE;
	}
	app_puts("SUCCESS\n");
	return SOLO5_EXIT_SUCCESS;
}
