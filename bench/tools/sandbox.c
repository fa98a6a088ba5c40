// SPDX-License-Identifier: GPL-2.0
/*
 * sandbox: run a program as a container engine runs a container's
 * process, for the "container" option of the isolation measurement: in a
 * network namespace of its own, under a seccomp filter made from a
 * container engine's default profile (bench/seccomp_rules.py writes the
 * rules from podman's seccomp.json, resolved for podman's default
 * capabilities), loaded last before execve, as runc and crun load it.
 *
 *   sandbox [--netns PATH] [--seccomp RULES] -- PROG [ARG...]
 *
 * RULES, one a line ('#' starts a comment):
 *   default ACTION            the action for every other system call
 *   arch NAME                 x86_64, x86 or x32: the filter covers it
 *   ACTION NAME [ARG...]      a rule; ARG is INDEX:OP:VALUE[:VALUE2] with
 *                             OP one of ne lt le eq ge gt masked_eq
 * ACTION is allow, kill or errno:N. Names this libseccomp does not know
 * are skipped, as runc and crun skip them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_action(const char *s, uint32_t *act)
{
	char *end;
	long e;

	if (!strcmp(s, "allow")) {
		*act = SCMP_ACT_ALLOW;
	} else if (!strcmp(s, "kill")) {
		*act = SCMP_ACT_KILL_PROCESS;
	} else if (!strncmp(s, "errno:", 6)) {
		e = strtol(s + 6, &end, 10);
		if (*end || e < 0 || e > 4095)
			return -1;
		*act = SCMP_ACT_ERRNO(e);
	} else {
		return -1;
	}
	return 0;
}

static int parse_arg(const char *s, struct scmp_arg_cmp *c)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
		{ "ne", SCMP_CMP_NE }, { "lt", SCMP_CMP_LT }, { "le", SCMP_CMP_LE },
		{ "eq", SCMP_CMP_EQ }, { "ge", SCMP_CMP_GE }, { "gt", SCMP_CMP_GT },
		{ "masked_eq", SCMP_CMP_MASKED_EQ },
	};
	char op[16];
	unsigned long long a, b = 0;
	unsigned int idx;
	size_t i;
	int n;

	n = sscanf(s, "%u:%15[a-z_]:%llu:%llu", &idx, op, &a, &b);
	if (n < 3 || idx > 5)
		return -1;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].name, op)) {
			*c = (struct scmp_arg_cmp){ .arg = idx, .op = ops[i].op,
						    .datum_a = a, .datum_b = b };
			return 0;
		}
	return -1;
}

static int parse_arch(const char *s, uint32_t *arch)
{
	if (!strcmp(s, "x86_64"))
		*arch = SCMP_ARCH_X86_64;
	else if (!strcmp(s, "x86"))
		*arch = SCMP_ARCH_X86;
	else if (!strcmp(s, "x32"))
		*arch = SCMP_ARCH_X32;
	else
		return -1;
	return 0;
}

/* One rule line into @ctx; -1 on a malformed line. */
static int add_rule(scmp_filter_ctx ctx, char *line)
{
	struct scmp_arg_cmp cmp[6];
	char *tok[8], *save = NULL;
	unsigned int n = 0, i;
	uint32_t act;
	int nr;

	for (char *t = strtok_r(line, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
		if (n == 8)
			return -1;
		tok[n++] = t;
	}
	if (n < 2 || parse_action(tok[0], &act))
		return -1;
	for (i = 2; i < n; i++)
		if (parse_arg(tok[i], &cmp[i - 2]))
			return -1;
	nr = seccomp_syscall_resolve_name(tok[1]);
	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add_array(ctx, act, nr, n - 2, cmp) ? -1 : 0;
}

static int load_rules(const char *path)
{
	scmp_filter_ctx ctx = NULL;
	char line[512], word[16], *p;
	uint32_t act, arch;
	int lineno = 0, err = -1;
	FILE *f = fopen(path, "re");

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || !*p)
			continue;
		if (!ctx) {
			/* The first rule is the default action. */
			if (sscanf(p, "default %15s", word) != 1 || parse_action(word, &act) ||
			    !(ctx = seccomp_init(act)))
				goto bad;
		} else if (sscanf(p, "arch %15s", word) == 1) {
			if (parse_arch(word, &arch))
				goto bad;
			err = seccomp_arch_add(ctx, arch);
			if (err && err != -EEXIST)
				goto bad;
		} else if (add_rule(ctx, p)) {
			goto bad;
		}
	}
	if (!ctx)
		goto bad;
	err = seccomp_load(ctx);
	if (err) {
		fprintf(stderr, "sandbox: seccomp_load: %s\n", strerror(-err));
		err = -1;
	}
	goto out;
bad:
	fprintf(stderr, "sandbox: %s:%d: not a rule this tool knows\n", path, lineno);
	err = -1;
out:
	if (ctx)
		seccomp_release(ctx);
	fclose(f);
	return err;
}

int main(int argc, char **argv)
{
	const char *netns = NULL, *rules = NULL;
	int i = 1, fd;

	for (; i < argc && strcmp(argv[i], "--"); i += 2) {
		if (i + 1 >= argc)
			goto usage;
		if (!strcmp(argv[i], "--netns"))
			netns = argv[i + 1];
		else if (!strcmp(argv[i], "--seccomp"))
			rules = argv[i + 1];
		else
			goto usage;
	}
	if (i + 1 >= argc)
		goto usage;
	if (netns) {
		fd = open(netns, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET)) {
			fprintf(stderr, "sandbox: %s: %s\n", netns, strerror(errno));
			return 1;
		}
		close(fd);
	}
	if (rules && load_rules(rules))
		return 1;
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "sandbox: %s: %s\n", argv[i + 1], strerror(errno));
	return 1;
usage:
	fprintf(stderr, "usage: sandbox [--netns PATH] [--seccomp RULES] -- PROG [ARG...]\n");
	return 2;
}
