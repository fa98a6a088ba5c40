// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup.c: cgroup v2 only (a v1 or hybrid host is refused with that
 * said). linux.cgroupsPath is taken as a path below /sys/fs/cgroup, as
 * runc does without --systemd-cgroup (podman's cgroupfs manager gives
 * "/libpod_parent/libpod-ID", containerd "/NAMESPACE/ID"); without one the
 * container gets /sys/fs/cgroup/nabla-runc/ID. The controllers a limit
 * needs are enabled in each parent's cgroup.subtree_control on the way
 * down. Limits: memory.max, memory.swap.max (the spec's swap counts memory
 * too, v2's does not), memory.low, pids.max, cpu.weight (from shares, as
 * runc converts), cpu.max, cpuset.cpus, cpuset.mems.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "nrc.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static int enable_controllers(const char *path, const char *ctl)
{
	char dir[PATH_MAX], file[PATH_MAX + 32], buf[64], *p;

	/* Every ancestor below the root, top down, hands CTL to its children. */
	snprintf(dir, sizeof(dir), "%s", path);
	for (p = dir + strlen(CGROUP_ROOT); (p = strchr(p, '/'));) {
		*p = 0;
		snprintf(file, sizeof(file), "%s/cgroup.subtree_control", dir);
		snprintf(buf, sizeof(buf), "+%s", ctl);
		if (nr_write_file(file, buf)) {
			nr_perror("cgroup: cannot enable the %s controller in %s", ctl, dir);
			return -1;
		}
		*p++ = '/';
	}
	return 0;
}

static int set(const char *path, const char *file, const char *ctl, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int set(const char *path, const char *file, const char *ctl, const char *fmt, ...)
{
	char f[PATH_MAX + 64], buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	snprintf(f, sizeof(f), "%s/%s", path, file);
	if (nr_write_file(f, buf)) {
		nr_perror("cgroup: %s = %s (the %s controller)", f, buf, ctl);
		return -1;
	}
	return 0;
}

static int limits(const struct nr_spec *s, const char *p)
{
	if (s->mem_limit > 0 && set(p, "memory.max", "memory", "%lld", (long long)s->mem_limit))
		return -1;
	if (s->mem_swap > 0 && s->mem_limit > 0 &&
	    set(p, "memory.swap.max", "memory", "%lld",
		(long long)(s->mem_swap > s->mem_limit ? s->mem_swap - s->mem_limit : 0)))
		return -1;
	if (s->mem_reservation > 0 &&
	    set(p, "memory.low", "memory", "%lld", (long long)s->mem_reservation))
		return -1;
	if (s->pids_limit > 0 && set(p, "pids.max", "pids", "%lld", (long long)s->pids_limit))
		return -1;
	/* runc's conversion of shares (2..262144) to weight (1..10000). */
	if (s->cpu_shares &&
	    set(p, "cpu.weight", "cpu", "%llu",
		1 + ((unsigned long long)(s->cpu_shares < 2 ? 2 : s->cpu_shares) - 2) * 9999 / 262142))
		return -1;
	if (s->cpu_quota > 0 &&
	    set(p, "cpu.max", "cpu", "%lld %llu", (long long)s->cpu_quota,
		(unsigned long long)(s->cpu_period ?: 100000)))
		return -1;
	if (s->cpu_quota <= 0 && s->cpu_period &&
	    set(p, "cpu.max", "cpu", "max %llu", (unsigned long long)s->cpu_period))
		return -1;
	if (s->cpu_cpus && set(p, "cpuset.cpus", "cpuset", "%s", s->cpu_cpus))
		return -1;
	if (s->cpu_mems && set(p, "cpuset.mems", "cpuset", "%s", s->cpu_mems))
		return -1;
	return 0;
}

static int controllers(const struct nr_spec *s, const char *p)
{
	if ((s->mem_limit > 0 || s->mem_reservation > 0) && enable_controllers(p, "memory"))
		return -1;
	if (s->pids_limit > 0 && enable_controllers(p, "pids"))
		return -1;
	if ((s->cpu_shares || s->cpu_quota > 0 || s->cpu_period) && enable_controllers(p, "cpu"))
		return -1;
	if ((s->cpu_cpus || s->cpu_mems) && enable_controllers(p, "cpuset"))
		return -1;
	return 0;
}

int nr_cgroup_create(const struct nr_spec *s, const char *id, char *path, size_t size)
{
	struct statfs fs;

	if (statfs(CGROUP_ROOT, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC) {
		nr_error("cgroup: %s is not cgroup v2: nabla-runc supports only the unified hierarchy",
			 CGROUP_ROOT);
		return -1;
	}
	if (s->cgroups_path && (s->cgroups_path[0] != '/' || strstr(s->cgroups_path, ".."))) {
		nr_error("config.json: linux.cgroupsPath: '%s' must be an absolute path without '..' "
			 "(a systemd slice:prefix:name needs --systemd-cgroup, which nabla-runc does not support)",
			 s->cgroups_path);
		return -1;
	}
	if (s->cgroups_path)
		snprintf(path, size, "%s%s", CGROUP_ROOT, s->cgroups_path);
	else
		snprintf(path, size, "%s/nabla-runc/%s", CGROUP_ROOT, id);
	if (nr_mkdir_p(path, 0755)) {
		nr_perror("cgroup: cannot make %s", path);
		return -1;
	}
	if (controllers(s, path) || limits(s, path)) {
		rmdir(path);
		return -1;
	}
	return 0;
}

int nr_cgroup_enter(const char *path, pid_t pid)
{
	char f[PATH_MAX + 16], buf[16];

	snprintf(f, sizeof(f), "%s/cgroup.procs", path);
	snprintf(buf, sizeof(buf), "%d", pid);
	if (nr_write_file(f, buf)) {
		nr_perror("cgroup: cannot move the container into %s", path);
		return -1;
	}
	return 0;
}

int nr_cgroup_pids(const char *path, pid_t **pids, size_t *n)
{
	char f[PATH_MAX + 16];
	FILE *fp;
	int pid;

	*pids = NULL;
	*n = 0;
	snprintf(f, sizeof(f), "%s/cgroup.procs", path);
	fp = fopen(f, "re");
	if (!fp)
		return errno == ENOENT ? 0 : -1;
	while (fscanf(fp, "%d", &pid) == 1) {
		pid_t *p = realloc(*pids, (*n + 1) * sizeof(pid_t));

		if (!p) {
			fclose(fp);
			return -1;
		}
		*pids = p;
		(*pids)[(*n)++] = pid;
	}
	fclose(fp);
	return 0;
}

int nr_cgroup_kill_all(const char *path, int sig)
{
	pid_t *pids;
	size_t i, n;

	if (nr_cgroup_pids(path, &pids, &n)) {
		nr_perror("cgroup: cannot list %s", path);
		return -1;
	}
	for (i = 0; i < n; i++)
		kill(pids[i], sig);
	free(pids);
	return 0;
}

/* Removes the container's cgroup (empty by now), and nothing above it. */
int nr_cgroup_remove(const char *path)
{
	int tries;

	if (!*path)
		return 0;
	/* The last task may still be leaving it. */
	for (tries = 0; tries < 100; tries++) {
		if (!rmdir(path) || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		usleep(10000);
	}
	nr_perror("cgroup: cannot remove %s", path);
	return -1;
}

int nr_cgroup_freeze(const char *path, bool freeze)
{
	char f[PATH_MAX + 16];

	snprintf(f, sizeof(f), "%s/cgroup.freeze", path);
	if (nr_write_file(f, freeze ? "1" : "0")) {
		nr_perror("cgroup: %s", f);
		return -1;
	}
	return 0;
}

/* 1 frozen, 0 not, -1 unknown. */
int nr_cgroup_frozen(const char *path)
{
	char f[PATH_MAX + 16], line[64];
	int frozen = -1;
	FILE *fp;

	if (!*path)
		return -1;
	snprintf(f, sizeof(f), "%s/cgroup.events", path);
	fp = fopen(f, "re");
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, "frozen ", 7))
			frozen = line[7] == '1';
	fclose(fp);
	return frozen;
}
