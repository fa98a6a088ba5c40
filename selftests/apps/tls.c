// SPDX-License-Identifier: GPL-2.0
/*
 * tls: build TLS blocks on the heap (at deliberately odd addresses), load
 * them with solo5_set_tls_base(), and check that __thread variables read
 * their initial values, that .tbss is zero, that each block keeps its own
 * values, and that libnabla's calls still work with %fs moved.
 * Prints "tls=unsupported" (exit 0) when set_tls_base says EUNSPEC
 * (no FSGSBASE).
 */
#include "app.h"

static __thread uint64_t tdata_var = 0x1122334455667788ULL;
static __thread uint64_t tbss_var;
static __thread char tdata_str[8] = "nabla";

static uint64_t read_fs0(void)
{
	uint64_t v;

	asm volatile ("mov %%fs:0, %0" : "=r" (v));
	return v;
}

int solo5_app_main(const struct solo5_start_info *si)
{
	uintptr_t block1 = si->heap_start + 3;
	uintptr_t block2 = block1 + solo5_tls_size() + 5;
	uintptr_t tp1, tp2;
	solo5_result_t rc;

	tbss_var = 99;	/* in the original block: must not show in the new */
	app_kv("tls_size", solo5_tls_size());
	if (solo5_tls_init(0) != SOLO5_R_EINVAL) {
		app_fail("tls_init(0) accepted");
		return 1;
	}
	if (solo5_tls_init(block1) != SOLO5_R_OK ||
	    solo5_tls_init(block2) != SOLO5_R_OK) {
		app_fail("tls_init");
		return 1;
	}
	tp1 = solo5_tls_tp_offset(block1);
	tp2 = solo5_tls_tp_offset(block2);
	rc = solo5_set_tls_base(tp1);
	if (rc == SOLO5_R_EUNSPEC) {
		app_puts("tls=unsupported\n");
		return 0;
	}
	if (rc != SOLO5_R_OK) {
		app_fail("set_tls_base");
		return 1;
	}
	/* From here %fs is ours: libnabla must not care. */
	app_kv("fs0_is_tp", read_fs0() == tp1);
	app_kv("tdata_ok", tdata_var == 0x1122334455667788ULL);
	app_kv("tbss_zero", tbss_var == 0);
	app_kv("tdata_str_ok", tdata_str[0] == 'n' && tdata_str[4] == 'a' &&
	       tdata_str[5] == 0);
	tdata_var = 1;
	tbss_var = 2;
	if (solo5_set_tls_base(tp2) != SOLO5_R_OK)
		return 1;
	app_kv("block2_fresh", tdata_var == 0x1122334455667788ULL &&
	       tbss_var == 0);
	tdata_var = 3;
	if (solo5_set_tls_base(tp1) != SOLO5_R_OK)
		return 1;
	app_kv("block1_kept", tdata_var == 1 && tbss_var == 2);
	app_kv("in_block", (uintptr_t)&tdata_var >= block1 &&
	       (uintptr_t)&tbss_var + 8 <= block1 + solo5_tls_size());
	app_kv("clock_ok", solo5_clock_monotonic() > 0);
	app_kv("noncanonical_einval",
	       solo5_set_tls_base(0x8000000000000000ULL) == SOLO5_R_EINVAL);
	app_puts("tls=done\n");
	return 0;
}
