// SPDX-License-Identifier: GPL-2.0
/*
 * exec, run, update, checkpoint, restore, events: refused with the reason,
 * never a silent success. A confined application's filter allows nothing
 * but its hypercalls, so there is no second process to exec beside it and
 * no state a checkpoint could take from outside the module.
 */
#include <string.h>

#include "cmd.h"

int cmd_unsupported(const struct global *g, int argc, char **argv)
{
	(void)g;
	(void)argc;
	if (!strcmp(argv[0], "exec"))
		nr_error("exec: not supported: a nabla application is confined to its hypercalls "
			 "and its container can run no other process");
	else if (!strcmp(argv[0], "run"))
		nr_error("run: not supported: use create, then start");
	else
		nr_error("%s: not supported by nabla-runc", argv[0]);
	return 1;
}

/* The ID operand: exactly one, after the options. */
const char *cmd_id(const char *verb, int argc, char **argv, int first)
{
	if (first != argc - 1) {
		nr_error("%s: expected exactly one container id", verb);
		return NULL;
	}
	return argv[first];
}
