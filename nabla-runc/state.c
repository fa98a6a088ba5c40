// SPDX-License-Identifier: GPL-2.0
/* state ID: the runtime-spec state as JSON on stdout. */
#include "cmd.h"

int cmd_state(const struct global *g, int argc, char **argv)
{
	const char *id = cmd_id("state", argc, argv, 1);

	return !id || nr_state_print(g->root, id) ? 1 : 0;
}
