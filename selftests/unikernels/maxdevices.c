// SPDX-License-Identifier: GPL-2.0
/*
 * maxdevices: the most devices a manifest holds (63, storage0..62, as
 * Solo5's test_mft_maxdevices): each is acquired and read. solo5.h: a
 * device may be acquired once (a second time: EINVAL), and only as its
 * own type.
 */
#include "app.h"

static uint8_t sector[512];

int solo5_app_main(const struct solo5_start_info *si)
{
	char name[16] = "storage";
	struct solo5_block_info bi;
	struct solo5_net_info ni;
	solo5_handle_t h, handles[63];
	int i, j;

	(void)si;
	for (i = 0; i < 63; i++) {
		name[7] = i >= 10 ? '0' + i / 10 : '0' + i;
		name[8] = i >= 10 ? '0' + i % 10 : '\0';
		name[9] = '\0';
		if (solo5_net_acquire(name, &h, &ni) != SOLO5_R_EINVAL ||
		    solo5_block_acquire(name, &handles[i], &bi) != SOLO5_R_OK ||
		    solo5_block_acquire(name, &h, &bi) != SOLO5_R_EINVAL ||
		    solo5_block_read(handles[i], 0, sector, bi.block_size) !=
		    SOLO5_R_OK) {
			app_fail(name);
			return SOLO5_EXIT_FAILURE;
		}
		for (j = 0; j < i; j++)
			if (handles[j] == handles[i]) {
				app_fail("a handle given twice");
				return SOLO5_EXIT_FAILURE;
			}
	}
	if (solo5_block_acquire("storage63", &h, &bi) != SOLO5_R_EINVAL) {
		app_fail("storage63 acquired");
		return SOLO5_EXIT_FAILURE;
	}
	app_kv("acquired", i);
	app_puts("SUCCESS\n");
	return SOLO5_EXIT_SUCCESS;
}
