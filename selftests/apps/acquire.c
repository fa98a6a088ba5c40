// SPDX-License-Identifier: GPL-2.0
/*
 * acquire: look devices up by name and type. The command line lists
 * checks "net:NAME" or "block:NAME"; each prints "net:NAME=ok", or
 * "=einval", or "=other". Then uses each acquired handle with the calls of
 * the other type, which must be refused: "cross=einval".
 */
#include "app.h"

static uint8_t buf[4096];

static bool cross_refused(solo5_handle_t h, bool is_net)
{
	size_t len;

	if (is_net)
		return solo5_block_read(h, 0, buf, 512) == SOLO5_R_EINVAL &&
		       solo5_block_write(h, 0, buf, 512) == SOLO5_R_EINVAL;
	return solo5_net_read(h, buf, sizeof(buf), &len) == SOLO5_R_EINVAL &&
	       solo5_net_write(h, buf, 60) == SOLO5_R_EINVAL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	bool cross_ok = true;
	char word[96];

	while (app_word(&cursor, word, sizeof(word))) {
		struct solo5_block_info bi;
		struct solo5_net_info ni;
		solo5_handle_t h = ~0ULL;
		solo5_result_t rc;
		bool is_net;

		if (app_prefix(word, "net:")) {
			is_net = true;
			rc = solo5_net_acquire(word + 4, &h, &ni);
		} else if (app_prefix(word, "block:")) {
			is_net = false;
			rc = solo5_block_acquire(word + 6, &h, &bi);
		} else {
			return 1;
		}
		app_puts(word);
		if (rc == SOLO5_R_OK) {
			app_puts("=ok\n");
			cross_ok = cross_ok && cross_refused(h, is_net);
		} else {
			app_puts(rc == SOLO5_R_EINVAL ? "=einval\n" : "=other\n");
		}
	}
	app_puts(cross_ok ? "cross=einval\n" : "cross=accepted\n");
	return 0;
}
