// SPDX-License-Identifier: GPL-2.0
/*
 * seccomp.c: linux.seccomp, the engine's profile (podman passes its default
 * one), compiled with libseccomp and loaded in the init as its last step
 * before execve. It stacks under libnabla's own filter, which the
 * application installs at its seal: the kernel runs both and the stricter
 * answer wins, so the engine's profile can only take away. Syscall names
 * this libseccomp does not know are skipped, as runc and crun skip them;
 * a notify action or a listener is refused (no agent here).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <seccomp.h>

#include "nrc.h"

static const char *const top_known[] = {
	"defaultAction", "defaultErrnoRet", "architectures", "flags", "syscalls", NULL };
static const char *const rule_known[] = {
	"names", "action", "errnoRet", "args", "comment", "includes", "excludes", NULL };
static const char *const arg_known[] = { "index", "value", "valueTwo", "op", NULL };

static const struct {
	const char *name;
	uint32_t arch;
} arches[] = {
	{ "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 }, { "SCMP_ARCH_X86", SCMP_ARCH_X86 },
	{ "SCMP_ARCH_X32", SCMP_ARCH_X32 }, { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
	{ "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
};

static const struct {
	const char *name;
	enum scmp_compare op;
} ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static int unknown_key(json_t *o, const char *path, const char *const *known)
{
	const char *key, *const *k;
	json_t *v;

	if (!json_is_object(o)) {
		nr_error("config.json: %s: must be an object", path);
		return -1;
	}
	json_object_foreach(o, key, v) {
		for (k = known; *k && strcmp(*k, key); k++)
			;
		if (!*k) {
			nr_error("config.json: %s.%s: not supported by nabla-runc", path, key);
			return -1;
		}
	}
	return 0;
}

/* The action named S (with ERRNO for SCMP_ACT_ERRNO), or -1 said. */
static int action(const char *s, json_t *errno_ret, const char *path, uint32_t *out)
{
	int e = json_is_integer(errno_ret) ? json_integer_value(errno_ret) : EPERM;

	if (!s)
		goto bad;
	if (!strcmp(s, "SCMP_ACT_KILL") || !strcmp(s, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL;
	else if (!strcmp(s, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(s, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(s, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO(e);
	else if (!strcmp(s, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE(e);
	else if (!strcmp(s, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(s, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else
		goto bad;
	return 0;
bad:
	nr_error("config.json: %s: action %s is not supported by nabla-runc", path,
		 s ? s : "(none)");
	return -1;
}

static int rule_args(json_t *args, const char *path, struct scmp_arg_cmp *cmp, unsigned int *n)
{
	json_t *a;
	size_t i, k;

	*n = 0;
	if (!args)
		return 0;
	if (!json_is_array(args) || json_array_size(args) > 6) {
		nr_error("config.json: %s.args: must be an array of at most 6", path);
		return -1;
	}
	json_array_foreach(args, i, a) {
		const char *op = json_string_value(json_object_get(a, "op"));
		char p[300];

		snprintf(p, sizeof(p), "%s.args[%zu]", path, i);
		if (unknown_key(a, p, arg_known))
			return -1;
		for (k = 0; op && k < sizeof(ops) / sizeof(ops[0]); k++)
			if (!strcmp(ops[k].name, op))
				break;
		if (!op || k == sizeof(ops) / sizeof(ops[0])) {
			nr_error("config.json: %s.op: unknown comparison %s", p, op ? op : "(none)");
			return -1;
		}
		cmp[i].arg = json_integer_value(json_object_get(a, "index"));
		cmp[i].op = ops[k].op;
		cmp[i].datum_a = json_integer_value(json_object_get(a, "value"));
		cmp[i].datum_b = json_integer_value(json_object_get(a, "valueTwo"));
		if (cmp[i].arg > 5) {
			nr_error("config.json: %s.index: must be 0 to 5", p);
			return -1;
		}
	}
	*n = json_array_size(args);
	return 0;
}

/* Checks the profile (CTX NULL) or compiles it into CTX. */
static int walk(json_t *prof, scmp_filter_ctx ctx)
{
	json_t *rules = json_object_get(prof, "syscalls"), *r, *v;
	uint32_t def, act;
	size_t i, j;

	if (unknown_key(prof, "linux.seccomp", top_known) ||
	    action(json_string_value(json_object_get(prof, "defaultAction")),
		   json_object_get(prof, "defaultErrnoRet"), "linux.seccomp.defaultAction", &def))
		return -1;
	json_array_foreach(rules, i, r) {
		struct scmp_arg_cmp cmp[6];
		unsigned int ncmp;
		char p[64];

		snprintf(p, sizeof(p), "linux.seccomp.syscalls[%zu]", i);
		if (unknown_key(r, p, rule_known) ||
		    action(json_string_value(json_object_get(r, "action")),
			   json_object_get(r, "errnoRet"), p, &act) ||
		    rule_args(json_object_get(r, "args"), p, cmp, &ncmp))
			return -1;
		if (json_object_get(r, "includes") || json_object_get(r, "excludes")) {
			/* Engines resolve these before writing config.json. */
			v = json_object_get(r, "includes");
			if ((v && json_object_size(v)) ||
			    ((v = json_object_get(r, "excludes")) && json_object_size(v))) {
				nr_error("config.json: %s: includes/excludes are not supported", p);
				return -1;
			}
		}
		if (!ctx || act == def)
			continue;
		json_array_foreach(json_object_get(r, "names"), j, v) {
			int nr = seccomp_syscall_resolve_name(json_string_value(v));

			if (nr == __NR_SCMP_ERROR)
				continue;
			if (seccomp_rule_add_array(ctx, act, nr, ncmp, cmp)) {
				nr_error("linux.seccomp: cannot add the rule for %s",
					 json_string_value(v));
				return -1;
			}
		}
	}
	return 0;
}

int nr_seccomp_check(json_t *prof)
{
	json_t *v;
	size_t i, k;

	if (walk(prof, NULL))
		return -1;
	json_array_foreach(json_object_get(prof, "architectures"), i, v) {
		for (k = 0; k < sizeof(arches) / sizeof(arches[0]); k++)
			if (json_is_string(v) && !strcmp(arches[k].name, json_string_value(v)))
				break;
		if (k == sizeof(arches) / sizeof(arches[0])) {
			nr_error("config.json: linux.seccomp.architectures[%zu]: unknown", i);
			return -1;
		}
	}
	json_array_foreach(json_object_get(prof, "flags"), i, v)
		if (!json_is_string(v) || strcmp(json_string_value(v), "SECCOMP_FILTER_FLAG_LOG")) {
			nr_error("config.json: linux.seccomp.flags[%zu]: not supported", i);
			return -1;
		}
	return 0;
}

int nr_seccomp_load(json_t *prof)
{
	scmp_filter_ctx ctx;
	uint32_t def;
	json_t *v;
	size_t i, k;
	int rc = -1;

	if (action(json_string_value(json_object_get(prof, "defaultAction")),
		   json_object_get(prof, "defaultErrnoRet"), "linux.seccomp.defaultAction", &def))
		return -1;
	ctx = seccomp_init(def);
	if (!ctx) {
		nr_error("linux.seccomp: seccomp_init failed");
		return -1;
	}
	json_array_foreach(json_object_get(prof, "architectures"), i, v)
		for (k = 0; k < sizeof(arches) / sizeof(arches[0]); k++) {
			int err;

			if (strcmp(arches[k].name, json_string_value(v)))
				continue;
			err = seccomp_arch_add(ctx, arches[k].arch);
			if (err && err != -EEXIST) {
				nr_error("linux.seccomp: cannot add architecture %s", arches[k].name);
				goto out;
			}
		}
	if (json_array_size(json_object_get(prof, "flags")) &&
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1))
		goto out;
	if (walk(prof, ctx))
		goto out;
	rc = seccomp_load(ctx);
	if (rc) {
		errno = -rc;
		nr_perror("linux.seccomp: cannot load the profile");
		rc = -1;
	}
out:
	seccomp_release(ctx);
	return rc;
}
