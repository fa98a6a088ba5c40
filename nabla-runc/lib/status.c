// SPDX-License-Identifier: GPL-2.0
/*
 * status.c: a container's state lives in ROOT/ID/ (mode 0700): state.json
 * (what create learnt: the init's pid and start time, the bundle, the
 * cgroup, the links it made, the hooks delete will run) and, between
 * create and start, the fifo exec.fifo on which the init waits. Every verb
 * is a new process that reads them; nothing else persists.
 *
 * The status is derived, never stored: no init process (or a zombie, or a
 * pid reused by another process, told apart by its start time) is
 * "stopped"; a live one with exec.fifo still there is "created"; a frozen
 * cgroup is "paused"; else "running".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nrc.h"

/* Container ids as runc allows them: no path tricks. */
int nr_check_id(const char *id)
{
	const char *p;

	if (!*id || strlen(id) > 200 || !strcmp(id, ".") || !strcmp(id, ".."))
		goto bad;
	for (p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_+-.", *p)))
			goto bad;
	return 0;
bad:
	nr_error("invalid container id '%s' (letters, digits and _+-. only)", id);
	return -1;
}

int nr_root_dir(const char *root, const char *id, char *dir, size_t size)
{
	if (snprintf(dir, size, "%s/%s", root, id) >= (int)size) {
		nr_error("--root %s: path too long", root);
		return -1;
	}
	return 0;
}

/* Field 22 (start time in clock ticks) and field 3 (state) of /proc/PID/stat. */
int nr_proc_start_time(pid_t pid, unsigned long long *start, char *state)
{
	char path[64], buf[1024], *p;
	int fd, i;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');	/* the command may hold spaces and parentheses */
	if (!p || !p[1])
		return -1;
	p += 2;
	if (state)
		*state = *p;
	for (i = 3; i < 22 && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return -1;
	*start = strtoull(p, NULL, 10);
	return 0;
}

static void copy(char *dst, size_t size, json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	snprintf(dst, size, "%s", v ? v : "");
}

int nr_state_load(const char *root, const char *id, struct nr_state *st)
{
	char path[PATH_MAX + 32];
	json_error_t err;
	json_t *o;

	memset(st, 0, sizeof(*st));
	if (nr_check_id(id) || nr_root_dir(root, id, st->dir, sizeof(st->dir)))
		return -1;
	snprintf(st->id, sizeof(st->id), "%s", id);
	snprintf(path, sizeof(path), "%s/state.json", st->dir);
	o = json_load_file(path, 0, &err);
	if (!o) {
		if (access(st->dir, F_OK))
			nr_error("container %s does not exist", id);
		else
			nr_error("container %s: %s: %s", id, path, err.text);
		return -1;
	}
	st->pid = json_integer_value(json_object_get(o, "pid"));
	st->start_time = json_integer_value(json_object_get(o, "start_time"));
	copy(st->bundle, sizeof(st->bundle), o, "bundle");
	copy(st->rootfs, sizeof(st->rootfs), o, "rootfs");
	copy(st->created, sizeof(st->created), o, "created");
	copy(st->cgroup, sizeof(st->cgroup), o, "cgroup");
	copy(st->netns, sizeof(st->netns), o, "netns");
	copy(st->bridge, sizeof(st->bridge), o, "bridge");
	copy(st->tap, sizeof(st->tap), o, "tap");
	st->annotations = json_incref(json_object_get(o, "annotations"));
	st->hooks = json_incref(json_object_get(o, "hooks"));
	json_decref(o);
	return 0;
}

/* Written whole to a temporary file and renamed: a reader sees old or new. */
int nr_state_save(const struct nr_state *st)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 32];
	json_t *o;
	int rc;

	o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		      "id", st->id, "pid", (json_int_t)st->pid,
		      "start_time", (json_int_t)st->start_time, "bundle", st->bundle,
		      "rootfs", st->rootfs, "created", st->created, "cgroup", st->cgroup,
		      "netns", st->netns, "bridge", st->bridge, "tap", st->tap);
	if (!o)
		return -1;
	if (st->annotations)
		json_object_set(o, "annotations", st->annotations);
	if (st->hooks)
		json_object_set(o, "hooks", st->hooks);
	snprintf(path, sizeof(path), "%s/state.json", st->dir);
	snprintf(tmp, sizeof(tmp), "%s/.state.json.tmp", st->dir);
	rc = json_dump_file(o, tmp, JSON_COMPACT);
	json_decref(o);
	if (rc || rename(tmp, path)) {
		nr_perror("cannot write %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

void nr_state_free(struct nr_state *st)
{
	json_decref(st->annotations);
	json_decref(st->hooks);
	st->annotations = st->hooks = NULL;
}

enum nr_status nr_state_status(const struct nr_state *st)
{
	unsigned long long start;
	char path[PATH_MAX + 16], state;

	if (st->pid <= 0)
		return NR_CREATING;
	if (nr_proc_start_time(st->pid, &start, &state) || start != st->start_time ||
	    state == 'Z' || state == 'X')
		return NR_STOPPED;
	snprintf(path, sizeof(path), "%s/exec.fifo", st->dir);
	if (!access(path, F_OK))
		return NR_CREATED;
	if (nr_cgroup_frozen(st->cgroup) == 1)
		return NR_PAUSED;
	return NR_RUNNING;
}

const char *nr_status_name(enum nr_status s)
{
	static const char *const names[] = {
		[NR_CREATING] = "creating", [NR_CREATED] = "created",
		[NR_RUNNING] = "running", [NR_PAUSED] = "paused",
		[NR_STOPPED] = "stopped",
	};

	return names[s];
}

/* The runtime-spec state, with runc's extra fields that engines read. */
json_t *nr_state_json(const struct nr_state *st, enum nr_status s)
{
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}",
		      "ociVersion", NR_OCI_VERSION, "id", st->id, "status", nr_status_name(s),
		      "pid", (json_int_t)(s == NR_STOPPED ? 0 : st->pid), "bundle", st->bundle,
		      "rootfs", st->rootfs, "created", st->created, "owner", "");
	if (o)
		json_object_set_new(o, "annotations",
				    st->annotations ? json_deep_copy(st->annotations)
						    : json_object());
	return o;
}

/* ROOT/ID and what create put there (state.json, exec.fifo, temporaries). */
int nr_state_remove(const struct nr_state *st)
{
	struct dirent *e;
	DIR *d = opendir(st->dir);

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	if (rmdir(st->dir)) {
		nr_perror("cannot remove %s", st->dir);
		return -1;
	}
	return 0;
}
