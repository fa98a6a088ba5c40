// SPDX-License-Identifier: GPL-2.0
/*
 * spec.c: config.json (OCI runtime-spec 1.0) with jansson. Every object is
 * walked against the list of the fields nabla-runc knows: a field it does
 * not know, or knows and cannot honour for a confined application, is an
 * error that names it ("process.apparmorProfile: not supported"). The few
 * fields that are accepted without effect are listed in ACCEPTED below
 * with the reason, and in README.md.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "nrc.h"

/*
 * Accepted without effect, because a confined process cannot use what they
 * govern: after libnabla's seal its seccomp filter allows only the
 * hypercall ioctls and exit_group, so capabilities, device access and
 * no_new_privs (which libnabla sets itself) change nothing it can do;
 * before the seal it runs only libnabla's start-up, which needs
 * CAP_NET_ADMIN for the attach.
 *   process.capabilities, process.noNewPrivileges,
 *   linux.resources.devices (the cgroup device filter)
 */

/* A field path for messages, e.g. "process.rlimits[1].type". */
struct walk {
	char path[256];
};

static const char *at(const struct walk *w, const char *key, char *buf, size_t size)
{
	/* Field paths are short; a cut one still names where it went wrong. */
	if (snprintf(buf, size, "%s%s%s", w->path, *w->path ? "." : "", key) >= (int)size)
		buf[size - 1] = 0;
	return buf;
}

/* Every key of OBJ must be in KNOWN (NULL-terminated). */
static int only_known(json_t *obj, const char *path, const char *const *known)
{
	const char *key, *const *k;
	json_t *v;

	json_object_foreach(obj, key, v) {
		for (k = known; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k) {
			nr_error("config.json: %s%s%s: not supported by nabla-runc",
				 path, *path ? "." : "", key);
			return -1;
		}
	}
	return 0;
}

static json_t *get(json_t *obj, const char *key, json_type type, const char *path,
		   bool required)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string", [JSON_INTEGER] = "an integer",
		[JSON_REAL] = "a number", [JSON_TRUE] = "a boolean",
		[JSON_FALSE] = "a boolean", [JSON_NULL] = "null",
	};
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v)) {
		if (required)
			nr_error("config.json: %s%s%s: missing", path, *path ? "." : "", key);
		return NULL;
	}
	if (json_typeof(v) != type &&
	    !(type == JSON_TRUE && json_is_boolean(v))) {
		nr_error("config.json: %s%s%s: must be %s", path, *path ? "." : "", key,
			 names[type]);
		return NULL;
	}
	return v;
}

#define GET(obj, key, type, w) get(obj, key, type, (w)->path, false)
#define WRONG(obj, key, type, w) \
	(json_object_get(obj, key) && !json_is_null(json_object_get(obj, key)) && \
	 !GET(obj, key, type, w))

/* A NULL-terminated array of the strings of array KEY (borrowed). */
static int strings(json_t *obj, const char *key, const struct walk *w, const char ***out,
		   size_t *n)
{
	json_t *a, *v;
	size_t i;
	char p[300];

	*out = NULL;
	if (n)
		*n = 0;
	if (WRONG(obj, key, JSON_ARRAY, w))
		return -1;
	a = GET(obj, key, JSON_ARRAY, w);
	*out = calloc(json_array_size(a) + 1, sizeof(char *));
	if (!*out)
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			nr_error("config.json: %s[%zu]: must be a string",
				 at(w, key, p, sizeof(p)), i);
			return -1;
		}
		(*out)[i] = json_string_value(v);
	}
	if (n)
		*n = json_array_size(a);
	return 0;
}

static int integer(json_t *obj, const char *key, const struct walk *w, int64_t min,
		   int64_t max, int64_t *out)
{
	json_t *v;
	char p[300];

	if (WRONG(obj, key, JSON_INTEGER, w))
		return -1;
	v = GET(obj, key, JSON_INTEGER, w);
	if (!v)
		return 0;
	if (json_integer_value(v) < min || json_integer_value(v) > max) {
		nr_error("config.json: %s: %lld is out of range",
			 at(w, key, p, sizeof(p)), (long long)json_integer_value(v));
		return -1;
	}
	*out = json_integer_value(v);
	return 1;
}

static void enter(struct walk *w, const struct walk *parent, const char *key)
{
	at(parent, key, w->path, sizeof(w->path));
}

/* --- process --------------------------------------------------------------- */

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE }, { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static int parse_rlimits(json_t *proc, const struct walk *pw, struct nr_spec *s)
{
	static const char *const known[] = { "type", "soft", "hard", NULL };
	json_t *a = GET(proc, "rlimits", JSON_ARRAY, pw), *r;
	struct walk w;
	size_t i, k;

	if (WRONG(proc, "rlimits", JSON_ARRAY, pw))
		return -1;
	if (!a)
		return 0;
	s->rlimits = calloc(json_array_size(a), sizeof(*s->rlimits));
	if (!s->rlimits)
		return -1;
	json_array_foreach(a, i, r) {
		int64_t soft = -1, hard = -1;
		json_t *t;

		snprintf(w.path, sizeof(w.path), "%s.rlimits[%zu]", pw->path, i);
		if (!json_is_object(r) || only_known(r, w.path, known))
			return -1;
		t = get(r, "type", JSON_STRING, w.path, true);
		if (!t || integer(r, "soft", &w, 0, INT64_MAX, &soft) < 0 ||
		    integer(r, "hard", &w, 0, INT64_MAX, &hard) < 0)
			return -1;
		for (k = 0; k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++)
			if (!strcmp(rlimit_names[k].name, json_string_value(t)))
				break;
		if (k == sizeof(rlimit_names) / sizeof(rlimit_names[0])) {
			nr_error("config.json: %s.type: unknown limit %s", w.path,
				 json_string_value(t));
			return -1;
		}
		s->rlimits[i].resource = rlimit_names[k].resource;
		s->rlimits[i].soft = soft < 0 ? RLIM_INFINITY : (rlim_t)soft;
		s->rlimits[i].hard = hard < 0 ? RLIM_INFINITY : (rlim_t)hard;
	}
	s->nrlimits = json_array_size(a);
	return 0;
}

static int parse_user(json_t *proc, const struct walk *pw, struct nr_spec *s)
{
	static const char *const known[] = { "uid", "gid", "umask", "additionalGids", NULL };
	json_t *u = GET(proc, "user", JSON_OBJECT, pw), *a, *g;
	struct walk w;
	int64_t v;
	size_t i;

	if (WRONG(proc, "user", JSON_OBJECT, pw))
		return -1;
	if (!u)
		return 0;
	enter(&w, pw, "user");
	if (only_known(u, w.path, known))
		return -1;
	v = 0;
	if (integer(u, "uid", &w, 0, UINT32_MAX - 1, &v) < 0)
		return -1;
	s->uid = v;
	v = 0;
	if (integer(u, "gid", &w, 0, UINT32_MAX - 1, &v) < 0)
		return -1;
	s->gid = v;
	switch (integer(u, "umask", &w, 0, 0777, &v)) {
	case -1:
		return -1;
	case 1:
		s->umask = v;
		s->has_umask = true;
	}
	if (WRONG(u, "additionalGids", JSON_ARRAY, &w))
		return -1;
	a = GET(u, "additionalGids", JSON_ARRAY, &w);
	if (!a)
		return 0;
	s->groups = calloc(json_array_size(a) + 1, sizeof(gid_t));
	if (!s->groups)
		return -1;
	json_array_foreach(a, i, g) {
		if (!json_is_integer(g) || json_integer_value(g) < 0 ||
		    json_integer_value(g) >= UINT32_MAX) {
			nr_error("config.json: %s.additionalGids[%zu]: not a group id", w.path, i);
			return -1;
		}
		s->groups[i] = json_integer_value(g);
	}
	s->ngroups = json_array_size(a);
	return 0;
}

static int parse_process(json_t *root, struct nr_spec *s)
{
	static const char *const known[] = {
		"terminal", "consoleSize", "user", "args", "env", "cwd", "rlimits",
		"oomScoreAdj", "capabilities", "noNewPrivileges", NULL };
	static const char *const cs_known[] = { "height", "width", NULL };
	struct walk w = { "process" }, cw;
	json_t *p = get(root, "process", JSON_OBJECT, "", true), *v;
	int64_t n;

	if (!p || only_known(p, w.path, known))
		return -1;
	if (WRONG(p, "terminal", JSON_TRUE, &w) || WRONG(p, "noNewPrivileges", JSON_TRUE, &w) ||
	    WRONG(p, "capabilities", JSON_OBJECT, &w))
		return -1;
	s->terminal = json_is_true(json_object_get(p, "terminal"));
	v = GET(p, "consoleSize", JSON_OBJECT, &w);
	if (WRONG(p, "consoleSize", JSON_OBJECT, &w))
		return -1;
	if (v) {
		enter(&cw, &w, "consoleSize");
		if (only_known(v, cw.path, cs_known))
			return -1;
		n = 0;
		if (integer(v, "height", &cw, 0, UINT16_MAX, &n) < 0)
			return -1;
		s->cons_height = n;
		n = 0;
		if (integer(v, "width", &cw, 0, UINT16_MAX, &n) < 0)
			return -1;
		s->cons_width = n;
	}
	if (parse_user(p, &w, s) || strings(p, "args", &w, &s->args, &s->nargs) ||
	    strings(p, "env", &w, &s->env, NULL) || parse_rlimits(p, &w, s))
		return -1;
	if (!s->nargs) {
		nr_error("config.json: process.args: missing or empty");
		return -1;
	}
	v = get(p, "cwd", JSON_STRING, w.path, true);
	if (!v)
		return -1;
	s->cwd = json_string_value(v);
	if (s->cwd[0] != '/') {
		nr_error("config.json: process.cwd: must be an absolute path");
		return -1;
	}
	switch (integer(p, "oomScoreAdj", &w, -1000, 1000, &n)) {
	case -1:
		return -1;
	case 1:
		s->oom_score_adj = n;
		s->has_oom_score_adj = true;
	}
	return 0;
}

/* --- root, mounts, hooks --------------------------------------------------- */

/* root.path, absolute, and inside the bundle when relative. */
static int parse_root(json_t *root, const char *bundle, struct nr_spec *s)
{
	static const char *const known[] = { "path", "readonly", NULL };
	struct walk w = { "root" };
	json_t *r = get(root, "root", JSON_OBJECT, "", true), *p;
	char *b, *rp;

	if (!r || only_known(r, w.path, known) || WRONG(r, "readonly", JSON_TRUE, &w))
		return -1;
	p = get(r, "path", JSON_STRING, w.path, true);
	if (!p)
		return -1;
	s->root_readonly = json_is_true(json_object_get(r, "readonly"));
	if (json_string_value(p)[0] == '/') {
		rp = realpath(json_string_value(p), NULL);
	} else {
		char tmp[PATH_MAX];

		snprintf(tmp, sizeof(tmp), "%s/%s", bundle, json_string_value(p));
		rp = realpath(tmp, NULL);
	}
	if (!rp) {
		nr_perror("config.json: root.path: %s", json_string_value(p));
		return -1;
	}
	b = realpath(bundle, NULL);
	if (!b) {
		free(rp);
		nr_perror("bundle %s", bundle);
		return -1;
	}
	/* A relative root is the bundle's: "../x" may not leave it. */
	if (json_string_value(p)[0] != '/' &&
	    (strncmp(rp, b, strlen(b)) || (rp[strlen(b)] != '/' && rp[strlen(b)])) ) {
		nr_error("config.json: root.path: %s is outside the bundle %s",
			 json_string_value(p), b);
		free(b);
		free(rp);
		return -1;
	}
	free(b);
	s->rootfs = rp;
	return 0;
}

static int parse_mounts(json_t *root, struct nr_spec *s)
{
	static const char *const known[] = { "destination", "type", "source", "options", NULL };
	struct walk w = { "" };
	json_t *a = GET(root, "mounts", JSON_ARRAY, &w), *m, *v;
	size_t i;

	if (WRONG(root, "mounts", JSON_ARRAY, &w))
		return -1;
	if (!a)
		return 0;
	s->mounts = calloc(json_array_size(a), sizeof(*s->mounts));
	if (!s->mounts)
		return -1;
	json_array_foreach(a, i, m) {
		struct nr_mount *nm = &s->mounts[i];
		struct walk mw;
		const char **opts;

		snprintf(mw.path, sizeof(mw.path), "mounts[%zu]", i);
		if (!json_is_object(m) || only_known(m, mw.path, known))
			return -1;
		v = get(m, "destination", JSON_STRING, mw.path, true);
		if (!v)
			return -1;
		nm->dest = (char *)json_string_value(v);
		if (nm->dest[0] != '/') {
			nr_error("config.json: %s.destination: must be an absolute path", mw.path);
			return -1;
		}
		if (WRONG(m, "type", JSON_STRING, &mw) || WRONG(m, "source", JSON_STRING, &mw))
			return -1;
		v = GET(m, "type", JSON_STRING, &mw);
		nm->type = v ? (char *)json_string_value(v) : "none";
		v = GET(m, "source", JSON_STRING, &mw);
		nm->source = v ? (char *)json_string_value(v) : nm->type;
		if (strings(m, "options", &mw, &opts, &nm->noptions))
			return -1;
		nm->options = (char **)opts;
	}
	s->nmounts = json_array_size(a);
	return 0;
}

/* --- linux ----------------------------------------------------------------- */

static int parse_namespaces(json_t *lx, const struct walk *lw, struct nr_spec *s)
{
	static const char *const known[] = { "type", "path", NULL };
	json_t *a = GET(lx, "namespaces", JSON_ARRAY, lw), *n, *t, *p;
	size_t i, j;

	if (WRONG(lx, "namespaces", JSON_ARRAY, lw))
		return -1;
	if (!a)
		return 0;
	s->ns = calloc(json_array_size(a), sizeof(*s->ns));
	if (!s->ns)
		return -1;
	json_array_foreach(a, i, n) {
		char path[64];
		struct walk nw;

		snprintf(path, sizeof(path), "linux.namespaces[%zu]", i);
		snprintf(nw.path, sizeof(nw.path), "%s", path);
		if (!json_is_object(n) || only_known(n, path, known))
			return -1;
		t = get(n, "type", JSON_STRING, path, true);
		if (!t || WRONG(n, "path", JSON_STRING, &nw))
			return -1;
		s->ns[i].type = nr_ns_type(json_string_value(t));
		if (s->ns[i].type < 0) {
			nr_error("config.json: %s.type: unknown namespace type '%s'", path,
				 json_string_value(t));
			return -1;
		}
		if (s->ns[i].type == CLONE_NEWUSER) {
			nr_error("config.json: %s: user namespaces are not supported by nabla-runc",
				 path);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (s->ns[j].type == s->ns[i].type) {
				nr_error("config.json: %s: namespace type '%s' given twice", path,
					 json_string_value(t));
				return -1;
			}
		p = GET(n, "path", JSON_STRING, &nw);
		s->ns[i].path = p ? (char *)json_string_value(p) : NULL;
	}
	s->nns = json_array_size(a);
	return 0;
}

static int parse_memory(json_t *res, const struct walk *rw, struct nr_spec *s)
{
	static const char *const known[] = { "limit", "swap", "reservation", "disableOOMKiller",
					     NULL };
	json_t *m = GET(res, "memory", JSON_OBJECT, rw);
	struct walk w;

	if (WRONG(res, "memory", JSON_OBJECT, rw))
		return -1;
	if (!m)
		return 0;
	enter(&w, rw, "memory");
	if (only_known(m, w.path, known) ||
	    integer(m, "limit", &w, -1, INT64_MAX, &s->mem_limit) < 0 ||
	    integer(m, "swap", &w, -1, INT64_MAX, &s->mem_swap) < 0 ||
	    integer(m, "reservation", &w, -1, INT64_MAX, &s->mem_reservation) < 0)
		return -1;
	if (json_is_true(json_object_get(m, "disableOOMKiller"))) {
		nr_error("config.json: %s.disableOOMKiller: not supported with cgroup v2", w.path);
		return -1;
	}
	return 0;
}

static int parse_cpu(json_t *res, const struct walk *rw, struct nr_spec *s)
{
	static const char *const known[] = { "shares", "quota", "period", "cpus", "mems", NULL };
	json_t *c = GET(res, "cpu", JSON_OBJECT, rw), *v;
	struct walk w;
	int64_t n;

	if (WRONG(res, "cpu", JSON_OBJECT, rw))
		return -1;
	if (!c)
		return 0;
	enter(&w, rw, "cpu");
	if (only_known(c, w.path, known))
		return -1;
	n = 0;
	if (integer(c, "shares", &w, 0, 262144, &n) < 0)
		return -1;
	s->cpu_shares = n;
	if (integer(c, "quota", &w, -1, INT64_MAX, &s->cpu_quota) < 0)
		return -1;
	n = 0;
	if (integer(c, "period", &w, 0, INT64_MAX, &n) < 0)
		return -1;
	s->cpu_period = n;
	if (WRONG(c, "cpus", JSON_STRING, &w) || WRONG(c, "mems", JSON_STRING, &w))
		return -1;
	v = GET(c, "cpus", JSON_STRING, &w);
	s->cpu_cpus = v && *json_string_value(v) ? json_string_value(v) : NULL;
	v = GET(c, "mems", JSON_STRING, &w);
	s->cpu_mems = v && *json_string_value(v) ? json_string_value(v) : NULL;
	return 0;
}

static int parse_resources(json_t *lx, const struct walk *lw, struct nr_spec *s)
{
	static const char *const known[] = { "memory", "pids", "cpu", "devices", NULL };
	static const char *const pids_known[] = { "limit", NULL };
	json_t *r = GET(lx, "resources", JSON_OBJECT, lw), *p;
	struct walk w, pw;

	s->mem_limit = s->mem_swap = s->mem_reservation = s->pids_limit = s->cpu_quota = -1;
	if (WRONG(lx, "resources", JSON_OBJECT, lw))
		return -1;
	if (!r)
		return 0;
	enter(&w, lw, "resources");
	if (only_known(r, w.path, known) || WRONG(r, "devices", JSON_ARRAY, &w) ||
	    WRONG(r, "pids", JSON_OBJECT, &w) || parse_memory(r, &w, s) || parse_cpu(r, &w, s))
		return -1;
	p = GET(r, "pids", JSON_OBJECT, &w);
	if (p) {
		enter(&pw, &w, "pids");
		if (only_known(p, pw.path, pids_known) ||
		    integer(p, "limit", &pw, -1, INT64_MAX, &s->pids_limit) < 0)
			return -1;
	}
	return 0;
}

static int parse_devices(json_t *lx, const struct walk *lw, struct nr_spec *s)
{
	static const char *const known[] = { "path", "type", "major", "minor", "fileMode",
					     "uid", "gid", NULL };
	json_t *a = GET(lx, "devices", JSON_ARRAY, lw), *d, *v;
	size_t i;

	if (WRONG(lx, "devices", JSON_ARRAY, lw))
		return -1;
	if (!a)
		return 0;
	s->devices = calloc(json_array_size(a), sizeof(*s->devices));
	if (!s->devices)
		return -1;
	json_array_foreach(a, i, d) {
		struct nr_device *nd = &s->devices[i];
		struct walk dw;
		int64_t n;

		snprintf(dw.path, sizeof(dw.path), "linux.devices[%zu]", i);
		if (!json_is_object(d) || only_known(d, dw.path, known))
			return -1;
		v = get(d, "path", JSON_STRING, dw.path, true);
		if (!v)
			return -1;
		nd->path = (char *)json_string_value(v);
		v = get(d, "type", JSON_STRING, dw.path, true);
		if (!v)
			return -1;
		if (strlen(json_string_value(v)) != 1 || !strchr("cbup", json_string_value(v)[0])) {
			nr_error("config.json: %s.type: must be c, b, u or p", dw.path);
			return -1;
		}
		nd->type = json_string_value(v)[0];
		if (integer(d, "major", &dw, 0, UINT32_MAX, &nd->major) < 0 ||
		    integer(d, "minor", &dw, 0, UINT32_MAX, &nd->minor) < 0)
			return -1;
		switch (integer(d, "fileMode", &dw, 0, 07777, &n)) {
		case -1:
			return -1;
		case 1:
			nd->mode = n;
			nd->has_mode = true;
		}
		n = 0;
		if (integer(d, "uid", &dw, 0, UINT32_MAX - 1, &n) < 0)
			return -1;
		nd->uid = n;
		n = 0;
		if (integer(d, "gid", &dw, 0, UINT32_MAX - 1, &n) < 0)
			return -1;
		nd->gid = n;
	}
	s->ndevices = json_array_size(a);
	return 0;
}

static int parse_propagation(json_t *lx, const struct walk *lw, struct nr_spec *s)
{
	json_t *v = GET(lx, "rootfsPropagation", JSON_STRING, lw);

	if (WRONG(lx, "rootfsPropagation", JSON_STRING, lw))
		return -1;
	if (!v || !*json_string_value(v) ||
	    !nr_propagation(json_string_value(v), &s->rootfs_propagation))
		return 0;
	nr_error("config.json: linux.rootfsPropagation: unknown value '%s'", json_string_value(v));
	return -1;
}

static int parse_linux(json_t *root, struct nr_spec *s)
{
	static const char *const known[] = {
		"namespaces", "resources", "cgroupsPath", "sysctl", "seccomp", "maskedPaths",
		"readonlyPaths", "devices", "rootfsPropagation", "mountLabel", NULL };
	struct walk w = { "linux" };
	json_t *lx = GET(root, "linux", JSON_OBJECT, &w), *v;

	s->mem_limit = s->mem_swap = s->mem_reservation = s->pids_limit = s->cpu_quota = -1;
	if (WRONG(root, "linux", JSON_OBJECT, &w))
		return -1;
	if (!lx)
		return 0;
	if (only_known(lx, w.path, known) || parse_namespaces(lx, &w, s) ||
	    parse_resources(lx, &w, s) || parse_devices(lx, &w, s) ||
	    parse_propagation(lx, &w, s) ||
	    strings(lx, "maskedPaths", &w, &s->masked, NULL) ||
	    strings(lx, "readonlyPaths", &w, &s->readonly, NULL) ||
	    WRONG(lx, "cgroupsPath", JSON_STRING, &w) || WRONG(lx, "sysctl", JSON_OBJECT, &w) ||
	    WRONG(lx, "seccomp", JSON_OBJECT, &w) || WRONG(lx, "mountLabel", JSON_STRING, &w))
		return -1;
	v = GET(lx, "mountLabel", JSON_STRING, &w);
	if (v && *json_string_value(v)) {
		nr_error("config.json: linux.mountLabel: SELinux labels are not supported by nabla-runc");
		return -1;
	}
	v = GET(lx, "cgroupsPath", JSON_STRING, &w);
	s->cgroups_path = v && *json_string_value(v) ? json_string_value(v) : NULL;
	s->sysctl = GET(lx, "sysctl", JSON_OBJECT, &w);
	s->seccomp = GET(lx, "seccomp", JSON_OBJECT, &w);
	if (s->seccomp && nr_seccomp_check(s->seccomp))
		return -1;
	if (s->sysctl) {
		const char *key;

		json_object_foreach(s->sysctl, key, v)
			if (!json_is_string(v)) {
				nr_error("config.json: linux.sysctl.%s: must be a string", key);
				return -1;
			}
	}
	return 0;
}

/* --- the document ---------------------------------------------------------- */

int nr_spec_load(const char *bundle, struct nr_spec *s)
{
	static const char *const known[] = {
		"ociVersion", "process", "root", "hostname", "domainname", "mounts", "hooks",
		"annotations", "linux", NULL };
	struct walk w = { "" };
	char path[PATH_MAX];
	json_error_t err;
	json_t *v;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	s->json = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (!s->json) {
		if (err.line < 0)
			nr_error("%s: %s", path, err.text);
		else
			nr_error("%s: line %d, column %d: %s", path, err.line, err.column,
				 err.text);
		return -1;
	}
	if (!json_is_object(s->json)) {
		nr_error("%s: not a JSON object", path);
		return -1;
	}
	if (only_known(s->json, "", known))
		return -1;
	v = get(s->json, "ociVersion", JSON_STRING, "", true);
	if (!v)
		return -1;
	if (strncmp(json_string_value(v), "1.", 2)) {
		nr_error("config.json: ociVersion: %s is not 1.x", json_string_value(v));
		return -1;
	}
	if (WRONG(s->json, "hostname", JSON_STRING, &w) ||
	    WRONG(s->json, "domainname", JSON_STRING, &w) ||
	    WRONG(s->json, "hooks", JSON_OBJECT, &w) ||
	    WRONG(s->json, "annotations", JSON_OBJECT, &w))
		return -1;
	v = GET(s->json, "hostname", JSON_STRING, &w);
	s->hostname = v ? json_string_value(v) : NULL;
	v = GET(s->json, "domainname", JSON_STRING, &w);
	s->domainname = v ? json_string_value(v) : NULL;
	s->hooks = GET(s->json, "hooks", JSON_OBJECT, &w);
	s->annotations = GET(s->json, "annotations", JSON_OBJECT, &w);
	if (parse_process(s->json, s) || parse_root(s->json, bundle, s) ||
	    parse_mounts(s->json, s) || parse_linux(s->json, s) ||
	    (s->hooks && nr_hooks_check(s->hooks)))
		return -1;
	if (s->annotations) {
		const char *key;

		json_object_foreach(s->annotations, key, v)
			if (!json_is_string(v)) {
				nr_error("config.json: annotations.%s: must be a string", key);
				return -1;
			}
	}
	return 0;
}

const char *nr_annotation(const struct nr_spec *s, const char *key)
{
	json_t *v = s->annotations ? json_object_get(s->annotations, key) : NULL;

	return v ? json_string_value(v) : NULL;
}

void nr_spec_free(struct nr_spec *s)
{
	size_t i;

	for (i = 0; i < s->nmounts; i++)
		free(s->mounts[i].options);
	free(s->mounts);
	free(s->args);
	free(s->env);
	free(s->groups);
	free(s->rlimits);
	free(s->rootfs);
	free(s->ns);
	free(s->masked);
	free(s->readonly);
	free(s->devices);
	json_decref(s->json);
	memset(s, 0, sizeof(*s));
}
