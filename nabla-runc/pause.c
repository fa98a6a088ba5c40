// SPDX-License-Identifier: GPL-2.0
/* pause ID, resume ID: the cgroup v2 freezer. */
#include "cmd.h"

int cmd_pause(const struct global *g, int argc, char **argv)
{
	const char *id = cmd_id("pause", argc, argv, 1);

	return !id || nr_pause(g->root, id, true) ? 1 : 0;
}

int cmd_resume(const struct global *g, int argc, char **argv)
{
	const char *id = cmd_id("resume", argc, argv, 1);

	return !id || nr_pause(g->root, id, false) ? 1 : 0;
}
