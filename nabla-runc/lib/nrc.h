/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nrc.h: libnrc, the library of nabla-runc (crun's split: the command line,
 * one file per verb in the directory above, only parses and calls this).
 * The lifecycle (container.c), the state files under --root (status.c),
 * config.json (spec.c), and the Linux specifics in their own files:
 * namespaces, mounts and the process (linux.c), cgroup v2 (cgroup.c),
 * netlink (net.c), the OCI seccomp profile (seccomp.c), hooks (hooks.c),
 * the application's command line (app.c).
 *
 * Errors: a function that fails has said why with nr_error() (one line,
 * naming what was wrong) and returns -1; the caller only unwinds.
 */
#ifndef NRC_H
#define NRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <jansson.h>

#define NR_VERSION "0.1.0"
#define NR_OCI_VERSION "1.0.2"
#define NR_DEFAULT_ROOT "/run/nabla-runc"

/* --- log.c ----------------------------------------------------------------- */

enum nr_log_format { NR_LOG_TEXT, NR_LOG_JSON };

int nr_log_open(const char *path, enum nr_log_format fmt);
void nr_time_rfc3339(char *buf, size_t size);
void nr_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void nr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void nr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* nr_error() with ": strerror(errno)" appended. */
void nr_perror(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- spec.c: config.json --------------------------------------------------- */

struct nr_mount {
	char *dest, *type, *source;
	char **options;
	size_t noptions;
};

struct nr_ns {
	int type;		/* CLONE_NEW* */
	char *path;		/* join it, or NULL: create one */
};

struct nr_rlimit {
	int resource;
	rlim_t soft, hard;
};

struct nr_device {
	char *path;
	char type;		/* 'c', 'b', 'u', 'p' */
	int64_t major, minor;
	mode_t mode;
	bool has_mode;
	uid_t uid;
	gid_t gid;
};

struct nr_spec {
	json_t *json;		/* the whole document (owns every string) */
	/* process */
	bool terminal;
	unsigned int cons_height, cons_width;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t ngroups;
	mode_t umask;
	bool has_umask;
	const char **args;	/* NULL-terminated */
	size_t nargs;
	const char **env;	/* NULL-terminated */
	const char *cwd;
	struct nr_rlimit *rlimits;
	size_t nrlimits;
	int oom_score_adj;
	bool has_oom_score_adj;
	/* root */
	char *rootfs;		/* absolute */
	bool root_readonly;
	const char *hostname, *domainname;
	struct nr_mount *mounts;
	size_t nmounts;
	json_t *hooks;		/* the "hooks" object, or NULL */
	json_t *annotations;	/* object, or NULL */
	/* linux */
	struct nr_ns *ns;
	size_t nns;
	json_t *sysctl;		/* object, or NULL */
	const char *cgroups_path;
	int64_t mem_limit, mem_swap, mem_reservation, pids_limit;
	uint64_t cpu_shares;
	int64_t cpu_quota;
	uint64_t cpu_period;
	const char *cpu_cpus, *cpu_mems;
	json_t *seccomp;	/* object, or NULL */
	const char **masked, **readonly;	/* NULL-terminated */
	struct nr_device *devices;
	size_t ndevices;
	unsigned long rootfs_propagation;	/* MS_* or 0 */
};

/* Reads BUNDLE/config.json; every field it does not honour is an error. */
int nr_spec_load(const char *bundle, struct nr_spec *spec);
void nr_spec_free(struct nr_spec *spec);
const char *nr_annotation(const struct nr_spec *spec, const char *key);

/* --- status.c: the state under --root -------------------------------------- */

enum nr_status { NR_CREATING, NR_CREATED, NR_RUNNING, NR_PAUSED, NR_STOPPED };

struct nr_state {
	char id[256];
	char dir[4096];		/* ROOT/ID */
	pid_t pid;
	unsigned long long start_time;	/* /proc/PID/stat field 22 */
	char bundle[4096];
	char rootfs[4096];
	char created[64];	/* RFC 3339 */
	char cgroup[4096];	/* absolute path in /sys/fs/cgroup, or "" */
	char netns[4096];	/* the netns joined, "" if a new one */
	char bridge[16], tap[16];	/* fallback links made, or "" */
	json_t *annotations;
	json_t *hooks;
};

int nr_check_id(const char *id);
int nr_root_dir(const char *root, const char *id, char *dir, size_t size);
int nr_state_load(const char *root, const char *id, struct nr_state *st);
int nr_state_save(const struct nr_state *st);
void nr_state_free(struct nr_state *st);
enum nr_status nr_state_status(const struct nr_state *st);
const char *nr_status_name(enum nr_status s);
json_t *nr_state_json(const struct nr_state *st, enum nr_status s);
int nr_state_remove(const struct nr_state *st);
int nr_proc_start_time(pid_t pid, unsigned long long *start, char *state);

/* --- container.c: the lifecycle -------------------------------------------- */

struct nr_create_opts {
	const char *root, *id, *bundle, *pid_file, *console_socket;
	bool no_pivot;
};

int nr_create(const struct nr_create_opts *o);
int nr_start(const char *root, const char *id);
int nr_kill(const char *root, const char *id, int sig, bool all);
int nr_delete(const char *root, const char *id, bool force);
int nr_state_print(const char *root, const char *id);
int nr_ps(const char *root, const char *id, bool json);
int nr_pause(const char *root, const char *id, bool pause);
int nr_parse_signal(const char *s);

/* --- linux.c: namespaces, mounts, the process ------------------------------ */

int nr_ns_type(const char *name);
int nr_propagation(const char *name, unsigned long *flags);
const char *nr_ns_name(int type);
/* In the container's init: everything from mounts to the user. */
int nr_setup_mounts(const struct nr_spec *spec, bool want_tun);
int nr_enter_root(const struct nr_spec *spec);
int nr_setup_process(const struct nr_spec *spec, bool keep_net_admin);
int nr_write_file(const char *path, const char *data);
int nr_mkdir_p(const char *path, mode_t mode);

/* --- cgroup.c -------------------------------------------------------------- */

int nr_cgroup_create(const struct nr_spec *spec, const char *id, char *path, size_t size);
int nr_cgroup_enter(const char *path, pid_t pid);
int nr_cgroup_remove(const char *path);
int nr_cgroup_kill_all(const char *path, int sig);
int nr_cgroup_pids(const char *path, pid_t **pids, size_t *n);
int nr_cgroup_freeze(const char *path, bool freeze);
int nr_cgroup_frozen(const char *path);

/* --- net.c: the engine's interface ----------------------------------------- */

struct nr_netinfo {
	char ifname[16];
	int ifindex;
	unsigned char mac[6];
	unsigned int mtu;
	char addr[16];		/* dotted quad, "" if none */
	unsigned int prefix;
	char gateway[16];	/* "" if none */
};

int nr_net_info(const char *ifname, struct nr_netinfo *ni);
bool nr_net_exists(const char *ifname);
/* Fallback for the syscall backend: a tap bridged with IFNAME. */
int nr_net_tap_bridge(const struct nr_netinfo *ni, const char *tap, const char *bridge);
int nr_net_del(const char *ifname);

/* --- seccomp.c ------------------------------------------------------------- */

int nr_seccomp_check(json_t *profile);
int nr_seccomp_load(json_t *profile);

/* --- hooks.c --------------------------------------------------------------- */

int nr_hooks_check(json_t *hooks);
int nr_hooks_run(json_t *hooks, const char *kind, json_t *state);

/* --- app.c: what runs ------------------------------------------------------ */

struct nr_app {
	char *path;		/* inside the rootfs, as exec'd after chroot */
	bool unikernel;		/* Solo5 manifest: run by the tender */
	bool sandbox;		/* a Kubernetes pod's sandbox: the init holds it */
	char uk_netdev[68];	/* a unikernel's first net device, "" if none */
	const char *uk_backend;	/* a unikernel's bindings' backend */
	char **argv;		/* built by nr_app_argv */
	char backend[8];	/* "dev" or "syscall" */
	char netif[16];		/* "" when no network */
	char netdev[68];	/* the Solo5 device name */
	bool no_net;		/* a unikernel without a net device */
	bool fallback;		/* syscall backend because /dev/nabla is absent */
	int fallback_errno;	/* why */
};

int nr_app_check(const struct nr_spec *spec, struct nr_app *app);
int nr_app_argv(const struct nr_spec *spec, struct nr_app *app,
		const struct nr_netinfo *ni, const unsigned char *mac);
int nr_app_blocks(const struct nr_spec *spec);
void nr_app_free(struct nr_app *app);

#endif
