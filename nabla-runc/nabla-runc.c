// SPDX-License-Identifier: GPL-2.0
/*
 * nabla-runc: an OCI runtime for nabla applications (README.md).
 *
 *   nabla-runc [--root DIR] [--log FILE] [--log-format text|json] VERB ...
 *
 * Global options are those runc takes and engines pass (containerd's shim:
 * --root, --log, --log-format json; conmon: none by default);
 * --systemd-cgroup is refused, --debug and --rootless=false are accepted.
 * Each verb is in its own file; the work is in lib/.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct {
	const char *name;
	int (*fn)(const struct global *g, int argc, char **argv);
	const char *help;
} verbs[] = {
	{ "create", cmd_create, "create [--bundle DIR] [--pid-file F] [--console-socket S] ID" },
	{ "start", cmd_start, "start ID" },
	{ "state", cmd_state, "state ID" },
	{ "kill", cmd_kill, "kill [--all] ID [SIGNAL]" },
	{ "delete", cmd_delete, "delete [--force] ID" },
	{ "ps", cmd_ps, "ps [--format table|json] ID" },
	{ "pause", cmd_pause, "pause ID" },
	{ "resume", cmd_resume, "resume ID" },
	{ "features", cmd_features, "features" },
	{ "exec", cmd_unsupported, "exec: refused (a confined application runs no other process)" },
	{ "run", cmd_unsupported, "run: refused (use create and start)" },
	{ "update", cmd_unsupported, "update: refused" },
	{ "checkpoint", cmd_unsupported, "checkpoint: refused" },
	{ "restore", cmd_unsupported, "restore: refused" },
	{ "events", cmd_unsupported, "events: refused" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: nabla-runc [--root DIR] [--log FILE] [--log-format text|json] VERB ...\n"
		   "An OCI runtime for nabla applications (Solo5 programs confined by libnabla).\n\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  nabla-runc %s\n", verbs[i].help);
	fprintf(f, "\n  --root DIR   state directory (default %s)\n", NR_DEFAULT_ROOT);
}

int main(int argc, char **argv)
{
	enum { O_ROOT = 1, O_LOG, O_LOGFMT, O_SYSTEMD, O_DEBUG, O_ROOTLESS, O_CRIU };
	static const struct option opts[] = {
		{ "root", required_argument, NULL, O_ROOT },
		{ "log", required_argument, NULL, O_LOG },
		{ "log-format", required_argument, NULL, O_LOGFMT },
		{ "systemd-cgroup", no_argument, NULL, O_SYSTEMD },
		{ "debug", no_argument, NULL, O_DEBUG },
		{ "rootless", required_argument, NULL, O_ROOTLESS },
		{ "criu", required_argument, NULL, O_CRIU },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct global g = { .root = NR_DEFAULT_ROOT };
	const char *log = NULL;
	enum nr_log_format fmt = NR_LOG_TEXT;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case O_ROOT:
			g.root = optarg;
			break;
		case O_LOG:
			log = optarg;
			break;
		case O_LOGFMT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "nabla-runc: --log-format: '%s' is neither text nor json\n",
					optarg);
				return 1;
			}
			fmt = strcmp(optarg, "json") ? NR_LOG_TEXT : NR_LOG_JSON;
			break;
		case O_SYSTEMD:
			fprintf(stderr, "nabla-runc: --systemd-cgroup: not supported: nabla-runc manages "
				"cgroup v2 directly (use the engine's cgroupfs manager)\n");
			return 1;
		case O_ROOTLESS:
			if (strcmp(optarg, "false")) {
				fprintf(stderr, "nabla-runc: --rootless %s: not supported\n", optarg);
				return 1;
			}
			break;
		case O_DEBUG:
		case O_CRIU:
			break;
		case 'v':
			printf("nabla-runc version %s\nspec: %s\n", NR_VERSION, NR_OCI_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (log && nr_log_open(log, fmt))
		return 1;
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i].name, argv[optind])) {
			optind++;
			return verbs[i].fn(&g, argc - optind + 1, argv + optind - 1);
		}
	nr_error("unknown command '%s' (nabla-runc --help lists them)", argv[optind]);
	return 1;
}
