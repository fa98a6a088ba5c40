// SPDX-License-Identifier: GPL-2.0
/*
 * globals: the image is loaded as linked: initialised data, zeroed bss
 * (also a large one), read-only data, and pointers in data relocated.
 */
#include "app.h"

static int data_word = 0x12345678;
static const char rodata_str[] = "constant";
static uint64_t bss_words[8192];
static const char *data_ptr = rodata_str;
static int (*fn_ptr)(const struct solo5_start_info *) = solo5_app_main;

int solo5_app_main(const struct solo5_start_info *si)
{
	size_t i;

	if (data_word != 0x12345678 || !app_streq(data_ptr, "constant") ||
	    fn_ptr != solo5_app_main) {
		app_fail("data");
		return SOLO5_EXIT_FAILURE;
	}
	for (i = 0; i < sizeof(bss_words) / sizeof(bss_words[0]); i++)
		if (bss_words[i]) {
			app_fail("bss not zero");
			return SOLO5_EXIT_FAILURE;
		}
	data_word++;
	bss_words[8191] = data_word;
	if (bss_words[8191] != 0x12345679 || !si->heap_size) {
		app_fail("write");
		return SOLO5_EXIT_FAILURE;
	}
	app_puts("SUCCESS\n");
	return SOLO5_EXIT_SUCCESS;
}
