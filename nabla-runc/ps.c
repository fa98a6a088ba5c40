// SPDX-License-Identifier: GPL-2.0
/* ps [--format table|json] ID: the container's processes (its cgroup's). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_ps(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' },
					      { 0 } };
	bool json = false;
	const char *id;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (c != 'f' || (strcmp(optarg, "json") && strcmp(optarg, "table"))) {
			fprintf(stderr, "usage: nabla-runc ps [--format table|json] ID\n");
			return 1;
		}
		json = !strcmp(optarg, "json");
	}
	id = cmd_id("ps", argc, argv, optind);
	return !id || nr_ps(g->root, id, json) ? 1 : 0;
}
