// SPDX-License-Identifier: GPL-2.0
/*
 * wxorx: no page is both writable and executable (Solo5's W^X).
 *   text     write to the code: faults
 *   rodata   write to read-only data: faults
 *   data     run code copied into .data: faults
 *   heap     run code copied into the heap: faults
 *   stack    run code copied onto the stack: faults
 *   ok       run the same code where it is (text): returns
 */
#include "app.h"

/* mov $42, %eax; ret */
static const uint8_t code_ro[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
static uint8_t code_data[sizeof(code_ro)];

static int __attribute__((noinline)) in_text(void)
{
	return 42;
}

static int run(void *code)
{
	int (*fn)(void) = (int (*)(void))code;

	return fn();
}

static void copy(uint8_t *to)
{
	size_t i;

	for (i = 0; i < sizeof(code_ro); i++)
		to[i] = code_ro[i];
}

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *what = si->cmdline;
	uint8_t on_stack[16];

	app_puts("trying\n");
	if (app_streq(what, "text")) {
		*(volatile uint8_t *)(uintptr_t)in_text = 0xc3;
	} else if (app_streq(what, "rodata")) {
		*(volatile uint8_t *)(uintptr_t)code_ro = 0;
	} else if (app_streq(what, "data")) {
		copy(code_data);
		app_kv("ran", run(code_data));
	} else if (app_streq(what, "heap")) {
		copy((uint8_t *)si->heap_start);
		app_kv("ran", run((void *)si->heap_start));
	} else if (app_streq(what, "stack")) {
		copy(on_stack);
		app_kv("ran", run(on_stack));
	} else if (app_streq(what, "ok")) {
		app_kv("ran", run((void *)(uintptr_t)in_text));
		app_puts("SUCCESS\n");
		return SOLO5_EXIT_SUCCESS;
	}
	app_puts("not faulted\n");
	return SOLO5_EXIT_FAILURE;
}
