/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd.h: the verbs of nabla-runc, one small file each; they parse their
 * own options and call libnrc (lib/nrc.h).
 */
#ifndef NABLA_RUNC_CMD_H
#define NABLA_RUNC_CMD_H

#include "lib/nrc.h"

struct global {
	const char *root;
};

/* Each returns the process's exit status. */
int cmd_create(const struct global *g, int argc, char **argv);
int cmd_start(const struct global *g, int argc, char **argv);
int cmd_state(const struct global *g, int argc, char **argv);
int cmd_kill(const struct global *g, int argc, char **argv);
int cmd_delete(const struct global *g, int argc, char **argv);
int cmd_ps(const struct global *g, int argc, char **argv);
int cmd_pause(const struct global *g, int argc, char **argv);
int cmd_resume(const struct global *g, int argc, char **argv);
int cmd_features(const struct global *g, int argc, char **argv);
int cmd_unsupported(const struct global *g, int argc, char **argv);

/* The one ID operand of a verb after its options, or NULL (said). */
const char *cmd_id(const char *verb, int argc, char **argv, int optind_);

#endif
