// SPDX-License-Identifier: GPL-2.0
/* create [--bundle DIR] [--pid-file F] [--console-socket S] [--no-pivot] ID */
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"

int cmd_create(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "no-pivot", no_argument, NULL, 'n' },
		{ "no-new-keyring", no_argument, NULL, 'k' },
		{ 0 }
	};
	struct nr_create_opts o = { .root = g->root, .bundle = "." };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o.bundle = optarg;
			break;
		case 'p':
			o.pid_file = optarg;
			break;
		case 'c':
			o.console_socket = optarg;
			break;
		case 'n':	/* nabla-runc always chroots (lib/linux.c) */
		case 'k':	/* no keyring is made: the application cannot use one */
			break;
		default:
			fprintf(stderr, "usage: nabla-runc create [--bundle DIR] [--pid-file F] "
				"[--console-socket S] ID\n");
			return 1;
		}
	}
	o.id = cmd_id("create", argc, argv, optind);
	if (!o.id)
		return 1;
	return nr_create(&o) ? 1 : 0;
}
