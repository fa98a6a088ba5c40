// SPDX-License-Identifier: GPL-2.0
/* delete [--force|-f] ID */
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"

int cmd_delete(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	bool force = false;
	const char *id;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		if (c != 'f') {
			fprintf(stderr, "usage: nabla-runc delete [--force] ID\n");
			return 1;
		}
		force = true;
	}
	id = cmd_id("delete", argc, argv, optind);
	return !id || nr_delete(g->root, id, force) ? 1 : 0;
}
