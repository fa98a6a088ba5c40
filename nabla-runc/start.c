// SPDX-License-Identifier: GPL-2.0
/* start ID: the application of a created container runs. */
#include "cmd.h"

int cmd_start(const struct global *g, int argc, char **argv)
{
	const char *id = cmd_id("start", argc, argv, 1);

	return !id || nr_start(g->root, id) ? 1 : 0;
}
