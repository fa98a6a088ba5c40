// SPDX-License-Identifier: GPL-2.0
/*
 * linux.c: what the container's init does in its new namespaces before it
 * becomes the application: the mounts of config.json under the rootfs
 * (in its own mount namespace, made private first so that nothing
 * propagates back), masked and read-only paths, device nodes, the device
 * the application needs (/dev/nabla, or /dev/net/tun for the syscall
 * backend, bound from the host), a read-only root, chroot, then the
 * process attributes: rlimits, oom_score_adj, umask, groups, gid, uid.
 *
 * chroot rather than pivot_root: the application can make no system call
 * but its hypercalls once sealed, so it cannot try to leave a chroot, and
 * chroot also works where the host's root is an initramfs (pivot_root
 * refuses to move rootfs).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <grp.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include "nrc.h"

static const struct {
	const char *name;
	int type;
} ns_names[] = {
	{ "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP },
};

int nr_ns_type(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++)
		if (!strcmp(ns_names[i].name, name))
			return ns_names[i].type;
	return -1;
}

const char *nr_ns_name(int type)
{
	size_t i;

	for (i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++)
		if (ns_names[i].type == type)
			return ns_names[i].name;
	return "?";
}

int nr_write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, strlen(data));
	if (close(fd) || n != (ssize_t)strlen(data))
		return -1;
	return 0;
}

int nr_mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return -1;
	return 0;
}

/* --- mounts ---------------------------------------------------------------- */

static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} mount_flags[] = {
	{ "ro", false, MS_RDONLY }, { "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID }, { "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV }, { "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC }, { "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS }, { "async", true, MS_SYNCHRONOUS },
	{ "noatime", false, MS_NOATIME }, { "atime", true, MS_NOATIME },
	{ "nodiratime", false, MS_NODIRATIME }, { "diratime", true, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME }, { "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME }, { "nostrictatime", true, MS_STRICTATIME },
	{ "dirsync", false, MS_DIRSYNC }, { "mand", false, MS_MANDLOCK },
	{ "nomand", true, MS_MANDLOCK }, { "defaults", false, 0 },
	{ "bind", false, MS_BIND }, { "rbind", false, MS_BIND | MS_REC },
};

static const struct {
	const char *name;
	unsigned long flag;
} propagation[] = {
	{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
	{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
	{ "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

/* A propagation name (rprivate...) to its mount flags; -1 if unknown. */
int nr_propagation(const char *name, unsigned long *flags)
{
	size_t k;

	for (k = 0; k < sizeof(propagation) / sizeof(propagation[0]); k++)
		if (!strcmp(name, propagation[k].name)) {
			*flags = propagation[k].flag;
			return 0;
		}
	return -1;
}

struct mount_args {
	unsigned long flags, prop;
	char data[1024];
};

/* Options to mount(2) flags, propagation, and the rest as data. */
static int mount_options(const struct nr_mount *m, size_t idx, struct mount_args *a)
{
	size_t i, k;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < m->noptions; i++) {
		const char *o = m->options[i];

		for (k = 0; k < sizeof(mount_flags) / sizeof(mount_flags[0]); k++)
			if (!strcmp(o, mount_flags[k].name))
				break;
		if (k < sizeof(mount_flags) / sizeof(mount_flags[0])) {
			if (mount_flags[k].clear)
				a->flags &= ~mount_flags[k].flag;
			else
				a->flags |= mount_flags[k].flag;
			continue;
		}
		if (!nr_propagation(o, &a->prop))
			continue;
		if (strchr(o, '=') || !strcmp(o, "newinstance")) {
			/* Type-specific: mode=, size=, gid=, newinstance... */
			size_t n = strlen(a->data);

			snprintf(a->data + n, sizeof(a->data) - n, "%s%s", n ? "," : "", o);
			continue;
		}
		nr_error("config.json: mounts[%zu].options: unknown option '%s'", idx, o);
		return -1;
	}
	if (!strcmp(m->type, "bind"))
		a->flags |= MS_BIND;
	return 0;
}

static int mkdir_parent(const char *path)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	return nr_mkdir_p(dir, 0755);
}

/* The mount point under the rootfs: a directory, or for a bind of a file a file. */
static int make_target(const char *target, const char *source, bool bind)
{
	struct stat st;
	int fd;

	if (!lstat(target, &st))
		return 0;
	if (!bind || stat(source, &st) || S_ISDIR(st.st_mode))
		return nr_mkdir_p(target, 0755);
	if (mkdir_parent(target))
		return -1;
	fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* A destination under the rootfs; ".." could climb out of it. */
static int target_path(const char *rootfs, const char *dest, char *out, size_t size)
{
	const char *p;

	for (p = dest; (p = strstr(p, "..")); p += 2)
		if ((p == dest || p[-1] == '/') && (p[2] == '/' || !p[2])) {
			nr_error("config.json: %s: '..' is not allowed in a container path", dest);
			return -1;
		}
	if (snprintf(out, size, "%s%s", rootfs, dest) >= (int)size) {
		nr_error("%s: path too long", dest);
		return -1;
	}
	return 0;
}

static int do_mount(const struct nr_spec *s, size_t i)
{
	const struct nr_mount *m = &s->mounts[i];
	struct mount_args a;
	char target[PATH_MAX];
	bool bind;

	if (mount_options(m, i, &a) || target_path(s->rootfs, m->dest, target, sizeof(target)))
		return -1;
	bind = a.flags & MS_BIND;
	if (make_target(target, m->source, bind)) {
		nr_perror("mounts[%zu]: cannot make %s", i, m->dest);
		return -1;
	}
	if (bind) {
		if (mount(m->source, target, NULL, a.flags & (MS_BIND | MS_REC), NULL)) {
			nr_perror("mounts[%zu]: bind %s on %s", i, m->source, m->dest);
			return -1;
		}
		/* A bind takes its other flags only on a remount. */
		if ((a.flags & ~(MS_BIND | MS_REC)) &&
		    mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | (a.flags & ~MS_REC), NULL)) {
			nr_perror("mounts[%zu]: remount %s with its options", i, m->dest);
			return -1;
		}
	} else if (!strcmp(m->type, "cgroup")) {
		/* cgroup v2 only: the container's view in its cgroup namespace. */
		if (mount("cgroup2", target, "cgroup2", a.flags, NULL)) {
			nr_perror("mounts[%zu]: cgroup2 on %s", i, m->dest);
			return -1;
		}
	} else if (mount(m->source, target, m->type, a.flags, *a.data ? a.data : NULL)) {
		nr_perror("mounts[%zu]: %s on %s", i, m->type, m->dest);
		return -1;
	}
	if (a.prop && mount(NULL, target, NULL, a.prop, NULL)) {
		nr_perror("mounts[%zu]: propagation of %s", i, m->dest);
		return -1;
	}
	return 0;
}

/* A host device node bound at the same path in the rootfs. */
static int bind_device(const char *rootfs, const char *dev)
{
	char target[PATH_MAX];

	snprintf(target, sizeof(target), "%s%s", rootfs, dev);
	if (make_target(target, dev, true) || mount(dev, target, NULL, MS_BIND, NULL)) {
		nr_perror("cannot bind %s into the container", dev);
		return -1;
	}
	return 0;
}

static int make_devices(const struct nr_spec *s)
{
	char target[PATH_MAX];
	size_t i;

	for (i = 0; i < s->ndevices; i++) {
		const struct nr_device *d = &s->devices[i];
		mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;

		if (target_path(s->rootfs, d->path, target, sizeof(target)))
			return -1;
		unlink(target);
		if (mkdir_parent(target) || mknod(target, type | (d->has_mode ? d->mode : 0666),
			  makedev(d->major, d->minor)) ||
		    chown(target, d->uid, d->gid)) {
			nr_perror("linux.devices[%zu]: %s", i, d->path);
			return -1;
		}
	}
	return 0;
}

static int mask_paths(const struct nr_spec *s)
{
	char target[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; s->masked && s->masked[i]; i++) {
		if (target_path(s->rootfs, s->masked[i], target, sizeof(target)))
			return -1;
		if (lstat(target, &st))
			continue;
		if (S_ISDIR(st.st_mode) ?
		    mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0") :
		    mount("/dev/null", target, NULL, MS_BIND, NULL)) {
			nr_perror("linux.maskedPaths: %s", s->masked[i]);
			return -1;
		}
	}
	for (i = 0; s->readonly && s->readonly[i]; i++) {
		if (target_path(s->rootfs, s->readonly[i], target, sizeof(target)))
			return -1;
		if (lstat(target, &st))
			continue;
		if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) ||
		    mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL)) {
			nr_perror("linux.readonlyPaths: %s", s->readonly[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * In the container's mount namespace: nothing propagates back, the rootfs
 * is a mount of its own (so that it can be made read-only alone), then
 * the mounts in the order given, the device the application needs; then
 * (nr_enter_root) the chroot.
 */
int nr_setup_mounts(const struct nr_spec *s, bool want_tun)
{
	size_t i;

	if (mount(NULL, "/", NULL, s->rootfs_propagation ?: MS_REC | MS_PRIVATE, NULL) ||
	    (s->rootfs_propagation & (MS_SHARED | MS_SLAVE) &&
	     mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))) {
		nr_perror("cannot make the container's mounts private");
		return -1;
	}
	if (mount(s->rootfs, s->rootfs, NULL, MS_BIND | MS_REC, NULL)) {
		nr_perror("cannot bind the rootfs %s", s->rootfs);
		return -1;
	}
	for (i = 0; i < s->nmounts; i++)
		if (do_mount(s, i))
			return -1;
	if (make_devices(s) || bind_device(s->rootfs, want_tun ? "/dev/net/tun" : "/dev/nabla") ||
	    mask_paths(s))
		return -1;
	if (s->root_readonly &&
	    mount(NULL, s->rootfs, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL)) {
		nr_perror("root.readonly: cannot remount the rootfs read-only");
		return -1;
	}
	return 0;
}

int nr_enter_root(const struct nr_spec *s)
{
	if (chdir(s->rootfs) || chroot(".") || chdir(s->cwd)) {
		nr_perror("cannot enter the rootfs (chroot %s, cwd %s)", s->rootfs, s->cwd);
		return -1;
	}
	return 0;
}

/* --- the process ----------------------------------------------------------- */

/*
 * A non-root application keeps CAP_NET_ADMIN, which libnabla's attach
 * needs, as an ambient capability across its execve; libnabla's filter
 * takes every use of it away at the seal.
 */
static int keep_net_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	d[0].effective = d[0].permitted = d[0].inheritable = 1u << CAP_NET_ADMIN;
	if (syscall(SYS_capset, &h, d) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0)) {
		nr_perror("process.user: cannot keep CAP_NET_ADMIN for the attach");
		return -1;
	}
	return 0;
}

int nr_setup_process(const struct nr_spec *s, bool net_admin)
{
	char buf[32];
	size_t i;

	for (i = 0; i < s->nrlimits; i++) {
		struct rlimit r = { s->rlimits[i].soft, s->rlimits[i].hard };

		if (setrlimit(s->rlimits[i].resource, &r)) {
			nr_perror("process.rlimits[%zu]", i);
			return -1;
		}
	}
	if (s->has_oom_score_adj) {
		snprintf(buf, sizeof(buf), "%d", s->oom_score_adj);
		if (nr_write_file("/proc/self/oom_score_adj", buf) && errno != ENOENT) {
			nr_perror("process.oomScoreAdj");
			return -1;
		}
	}
	if (s->has_umask)
		umask(s->umask);
	if (setgroups(s->ngroups, s->groups) || setresgid(s->gid, s->gid, s->gid)) {
		nr_perror("process.user: gid %u", (unsigned int)s->gid);
		return -1;
	}
	if (s->uid != 0 && net_admin && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)) {
		nr_perror("prctl(PR_SET_KEEPCAPS)");
		return -1;
	}
	if (setresuid(s->uid, s->uid, s->uid)) {
		nr_perror("process.user: uid %u", (unsigned int)s->uid);
		return -1;
	}
	if (s->uid != 0 && net_admin)
		return keep_net_admin();
	return 0;
}
