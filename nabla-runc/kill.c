// SPDX-License-Identifier: GPL-2.0
/* kill [--all|-a] ID [SIGNAL]: SIGNAL a number or a name, with or without SIG. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "cmd.h"

int cmd_kill(const struct global *g, int argc, char **argv)
{
	static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, { 0 } };
	bool all = false;
	int c, sig = SIGTERM;

	optind = 1;
	while ((c = getopt_long(argc, argv, "a", opts, NULL)) != -1) {
		if (c != 'a') {
			fprintf(stderr, "usage: nabla-runc kill [--all] ID [SIGNAL]\n");
			return 1;
		}
		all = true;
	}
	if (optind >= argc || argc - optind > 2) {
		nr_error("kill: expected ID [SIGNAL]");
		return 1;
	}
	if (argc - optind == 2) {
		sig = nr_parse_signal(argv[optind + 1]);
		if (sig < 0) {
			nr_error("kill: unknown signal '%s'", argv[optind + 1]);
			return 1;
		}
	}
	return nr_kill(g->root, argv[optind], sig, all) ? 1 : 0;
}
