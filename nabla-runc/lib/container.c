// SPDX-License-Identifier: GPL-2.0
/*
 * container.c: the lifecycle, as runc and crun implement it.
 *
 * create  checks everything it can before it makes anything (config.json,
 *         the application, the annotations), then makes ROOT/ID with its
 *         exec.fifo and the cgroup, and clones the init into the new
 *         namespaces. The init joins the namespaces given by path, reads
 *         the engine's interface, makes the mounts, chroots, sets up the
 *         process, says "ready" on a socket and blocks opening exec.fifo
 *         for writing. create then writes state.json and the pid file,
 *         runs the createRuntime hooks and exits; the init is left to the
 *         engine's subreaper (conmon, the shim), which gets its exit
 *         status. A failure anywhere undoes all of it: the init is
 *         killed, the cgroup, the links and ROOT/ID removed.
 * start   opens exec.fifo for reading, which lets the init's open finish;
 *         the init writes one byte, start reads it and removes the fifo;
 *         the init execs the application.
 * kill    signals the init (the application), or with --all every task
 *         in the cgroup.
 * delete  of a stopped or created container (or of any, with --force:
 *         SIGKILL first) removes the fallback links, the cgroup and
 *         ROOT/ID and runs the poststop hooks. The module's context went
 *         with the application's last file descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "nrc.h"

#define FALLBACK_TAP "nbtap0"
#define FALLBACK_BRIDGE "nbbr0"
#define DEFAULT_NETIF "eth0"
#define DEFAULT_NETDEV "service0"
#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 5000

struct init {
	const struct nr_create_opts *o;
	const struct nr_spec *s;
	struct nr_app *app;
	int sync;		/* the init's end of the socket pair */
	int statefd;		/* ROOT/ID, O_PATH */
	int nsfd[8];
	int nsfd_type[8];
	size_t nnsfd;
	int tender;		/* the tender, opened before the chroot */
	pid_t pid;		/* the init's pid as the runtime sees it */
};

/* --- checks made before anything exists ------------------------------------ */

static int choose_backend(const struct nr_spec *s, struct nr_app *app)
{
	const char *b = nr_annotation(s, "org.nabla.backend");

	if (b && strcmp(b, "dev") && strcmp(b, "syscall")) {
		nr_error("annotations.org.nabla.backend: '%s' is neither dev nor syscall", b);
		return -1;
	}
	if (app->unikernel) {
		/* Its bindings chose: there is no other backend to fall back to. */
		if (b && strcmp(b, app->uk_backend)) {
			nr_error("annotations.org.nabla.backend: %s, but the unikernel's bindings "
				 "are the %s backend's", b, app->uk_backend);
			return -1;
		}
		if (!strcmp(app->uk_backend, "dev") && access("/dev/nabla", R_OK | W_OK)) {
			nr_perror("the unikernel's bindings are the dev backend's, and /dev/nabla "
				  "cannot be used (is nabla.ko loaded?)");
			return -1;
		}
		snprintf(app->backend, sizeof(app->backend), "%s", app->uk_backend);
		return 0;
	}
	snprintf(app->backend, sizeof(app->backend), "%s", b ? b : "dev");
	if (!b && access("/dev/nabla", R_OK | W_OK)) {
		snprintf(app->backend, sizeof(app->backend), "syscall");
		app->fallback = true;
		app->fallback_errno = errno;
	}
	return 0;
}

/* Said once everything else is known to be right. */
static void say_fallback(const char *id, const struct nr_app *app)
{
	if (app->fallback)
		nr_warn("container %s: no usable /dev/nabla (%s; is nabla.ko loaded?): "
			"falling back to the syscall backend (Solo5 spt's system calls on a tap)",
			id, strerror(app->fallback_errno));
}

static int choose_net(const struct nr_spec *s, struct nr_app *app)
{
	const char *n = nr_annotation(s, "org.nabla.net");
	const char *d = nr_annotation(s, "org.nabla.net.device");
	size_t i;

	if (n && (!*n || strlen(n) >= sizeof(app->netif) || strchr(n, '/'))) {
		nr_error("annotations.org.nabla.net: '%s' is not an interface name", n);
		return -1;
	}
	if (d && (!*d || strlen(d) >= sizeof(app->netdev))) {
		nr_error("annotations.org.nabla.net.device: '%s' is not a Solo5 device name", d);
		return -1;
	}
	for (i = 0; d && d[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-",
			    d[i])) {
			nr_error("annotations.org.nabla.net.device: '%s' is not a Solo5 device name", d);
			return -1;
		}
	snprintf(app->netif, sizeof(app->netif), "%s", n && strcmp(n, "none") ? n : "");
	snprintf(app->netdev, sizeof(app->netdev), "%s", d ? d :
		 app->unikernel ? app->uk_netdev : DEFAULT_NETDEV);
	/* A unikernel whose manifest has no net device takes no interface. */
	if (app->unikernel && !*app->netdev)
		app->no_net = true;
	return 0;
}

static bool has_ns(const struct nr_spec *s, int type)
{
	size_t i;

	for (i = 0; i < s->nns; i++)
		if (s->ns[i].type == type)
			return true;
	return false;
}

static int open_namespaces(const struct nr_spec *s, struct init *in)
{
	size_t i;

	if (!has_ns(s, CLONE_NEWNS)) {
		nr_error("config.json: linux.namespaces: nabla-runc needs a mount namespace");
		return -1;
	}
	for (i = 0; i < s->nns; i++) {
		int fd, type;

		if (!s->ns[i].path)
			continue;
		fd = open(s->ns[i].path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			nr_perror("config.json: linux.namespaces[%zu].path %s", i, s->ns[i].path);
			return -1;
		}
		type = ioctl(fd, NS_GET_NSTYPE);
		if (type != s->ns[i].type) {
			nr_error("config.json: linux.namespaces[%zu].path: %s is not a %s namespace",
				 i, s->ns[i].path, nr_ns_name(s->ns[i].type));
			close(fd);
			return -1;
		}
		in->nsfd[in->nnsfd] = fd;
		in->nsfd_type[in->nnsfd++] = type;
	}
	return 0;
}

static int open_tender(const struct nr_spec *s, struct init *in)
{
	const char *t = nr_annotation(s, "org.nabla.tender");
	char self[PATH_MAX], path[PATH_MAX + 16];
	ssize_t n;

	in->tender = -1;
	if (!in->app->unikernel)
		return 0;
	if (!t) {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		self[n > 0 ? n : 0] = 0;
		if (n > 0 && strrchr(self, '/'))
			*strrchr(self, '/') = 0;
		snprintf(path, sizeof(path), "%s/nabla-run", self);
		t = path;
	}
	in->tender = open(t, O_PATH | O_CLOEXEC);
	if (in->tender < 0) {
		nr_perror("process.args[0] is a Solo5 unikernel, but its tender %s cannot be used "
			  "(annotation org.nabla.tender names another)", t);
		return -1;
	}
	return 0;
}

/* --- the init -------------------------------------------------------------- */

static void init_fail(struct init *in)
{
	char c = 'E';

	if (write(in->sync, &c, 1) < 0)
		_exit(1);
	_exit(1);
}

static int join_namespaces(struct init *in)
{
	size_t i;

	/* The mount namespace last: the others' paths are the runtime's. */
	for (i = 0; i < in->nnsfd; i++)
		if (in->nsfd_type[i] != CLONE_NEWPID && in->nsfd_type[i] != CLONE_NEWNS &&
		    setns(in->nsfd[i], in->nsfd_type[i])) {
			nr_perror("cannot join the %s namespace", nr_ns_name(in->nsfd_type[i]));
			return -1;
		}
	for (i = 0; i < in->nnsfd; i++)
		if (in->nsfd_type[i] == CLONE_NEWNS && setns(in->nsfd[i], CLONE_NEWNS)) {
			nr_perror("cannot join the mount namespace");
			return -1;
		}
	/* After the cgroup move, so that the namespace's root is the container's cgroup. */
	for (i = 0; i < in->s->nns; i++)
		if (in->s->ns[i].type == CLONE_NEWCGROUP && !in->s->ns[i].path &&
		    unshare(CLONE_NEWCGROUP)) {
			nr_perror("cannot make a cgroup namespace");
			return -1;
		}
	return 0;
}

static int apply_sysctl(const struct nr_spec *s)
{
	const char *key;
	json_t *v;

	if (!s->sysctl)
		return 0;
	json_object_foreach(s->sysctl, key, v) {
		char path[PATH_MAX], *p;

		if (strstr(key, "..") || strchr(key, '/')) {
			nr_error("config.json: linux.sysctl: '%s' is not a sysctl name", key);
			return -1;
		}
		snprintf(path, sizeof(path), "/proc/sys/%s", key);
		for (p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		if (nr_write_file(path, json_string_value(v))) {
			nr_perror("config.json: linux.sysctl: %s = %s", key, json_string_value(v));
			return -1;
		}
	}
	return 0;
}

static int set_names(const struct nr_spec *s)
{
	if (s->hostname && *s->hostname && sethostname(s->hostname, strlen(s->hostname))) {
		nr_perror("config.json: hostname %s", s->hostname);
		return -1;
	}
	if (s->domainname && *s->domainname &&
	    setdomainname(s->domainname, strlen(s->domainname))) {
		nr_perror("config.json: domainname %s", s->domainname);
		return -1;
	}
	return 0;
}

/* process.terminal: a pty whose master goes to the engine's console socket. */
static int setup_terminal(const struct init *in)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, name[] = "/dev/ptmx";
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	struct winsize ws = { .ws_row = in->s->cons_height, .ws_col = in->s->cons_width };
	int master, slave, sock;

	if (!in->o->console_socket) {
		nr_error("config.json: process.terminal needs --console-socket");
		return -1;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    (slave = open(ptsname(master), O_RDWR | O_NOCTTY)) < 0) {
		nr_perror("process.terminal: cannot make a pty");
		return -1;
	}
	if (ws.ws_row && ws.ws_col)
		ioctl(slave, TIOCSWINSZ, &ws);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", in->o->console_socket);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) ||
	    sendmsg(sock, &msg, 0) < 0) {
		nr_perror("--console-socket %s", in->o->console_socket);
		return -1;
	}
	close(sock);
	close(master);
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) || dup2(slave, 0) < 0 ||
	    dup2(slave, 1) < 0 || dup2(slave, 2) < 0) {
		nr_perror("process.terminal: cannot make the pty the controlling terminal");
		return -1;
	}
	if (slave > 2)
		close(slave);
	return 0;
}

/* The engine's interface, and for the syscall backend the tap bridged to it. */
static int setup_net(struct init *in, struct nr_netinfo *ni, unsigned char *mac)
{
	struct nr_app *app = in->app;

	if (!*app->netif) {
		if (app->no_net || nr_annotation(in->s, "org.nabla.net") ||
		    !nr_net_exists(DEFAULT_NETIF))
			return 0;
		snprintf(app->netif, sizeof(app->netif), DEFAULT_NETIF);
	}
	if (nr_net_info(app->netif, ni))
		return -1;
	memcpy(mac, ni->mac, 6);
	if (strcmp(app->backend, "syscall"))
		return 0;
	/* The bridge owns the interface's MAC: the application takes another. */
	if (getrandom(mac, 6, 0) != 6) {
		nr_perror("getrandom");
		return -1;
	}
	mac[0] = (mac[0] & 0xfe) | 0x02;
	if (nr_net_tap_bridge(ni, FALLBACK_TAP, FALLBACK_BRIDGE))
		return -1;
	snprintf(app->netif, sizeof(app->netif), FALLBACK_TAP);
	return 0;
}

static void undo_net(const struct init *in)
{
	if (!strcmp(in->app->netif, FALLBACK_TAP)) {
		nr_net_del(FALLBACK_BRIDGE);
		nr_net_del(FALLBACK_TAP);
	}
}

static json_t *init_state(const struct init *in, const char *status)
{
	char bundle[PATH_MAX];

	if (!realpath(in->o->bundle, bundle))
		snprintf(bundle, sizeof(bundle), "%s", in->o->bundle);
	return json_pack("{s:s, s:s, s:s, s:i, s:s}", "ociVersion", NR_OCI_VERSION, "id",
			 in->o->id, "status", status, "pid", (int)in->pid, "bundle", bundle);
}

static int run_hooks_in_init(const struct init *in, const char *kind, const char *status)
{
	json_t *st;
	int rc;

	if (!in->s->hooks || !json_array_size(json_object_get(in->s->hooks, kind)))
		return 0;
	st = init_state(in, status);
	rc = nr_hooks_run(in->s->hooks, kind, st);
	json_decref(st);
	return rc;
}

/* Blocks until start opens the fifo; then the application runs. */
static void wait_for_start(struct init *in)
{
	char c = '0';
	int fd;

	fd = openat(in->statefd, "exec.fifo", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, &c, 1) != 1) {
		nr_perror("container %s: waiting for start", in->o->id);
		_exit(1);
	}
	close(fd);
	close(in->statefd);
}

static void leave(int sig)
{
	(void)sig;
	_exit(0);
}

/* A pod's sandbox: hold the namespaces until told to stop, as pause does. */
static void hold(void)
{
	signal(SIGTERM, leave);
	signal(SIGINT, leave);
	for (;;)
		pause();
}

static void exec_app(struct init *in)
{
	char *const *env = (char *const *)in->s->env;
	static char *const empty[] = { NULL };

	if (run_hooks_in_init(in, "startContainer", "running"))
		_exit(1);
	if (in->app->sandbox)
		hold();
	if (in->s->seccomp && nr_seccomp_load(in->s->seccomp))
		_exit(1);
	if (in->app->unikernel)
		syscall(SYS_execveat, in->tender, "", in->app->argv, env ? env : empty,
			AT_EMPTY_PATH);
	else
		execve(in->app->path, in->app->argv, env ? env : empty);
	nr_perror("container %s: cannot run %s", in->o->id, in->app->path);
	_exit(127);
}

static void init_main(struct init *in)
{
	struct nr_netinfo ni = { 0 };
	unsigned char mac[6] = { 0 };
	char go;

	/* The runtime has put us in the cgroup and tells our pid. */
	if (read(in->sync, &in->pid, sizeof(in->pid)) != sizeof(in->pid))
		_exit(1);
	if (join_namespaces(in) || (!in->app->sandbox && setup_net(in, &ni, mac)))
		init_fail(in);
	if (apply_sysctl(in->s) || set_names(in->s) ||
	    (in->s->terminal && setup_terminal(in)) ||
	    nr_setup_mounts(in->s, !strcmp(in->app->backend, "syscall")) ||
	    run_hooks_in_init(in, "createContainer", "created") ||
	    nr_enter_root(in->s) ||
	    (!in->app->sandbox && (nr_app_blocks(in->s) || nr_app_argv(in->s, in->app, &ni, mac))) ||
	    nr_setup_process(in->s, *in->app->netif && !strcmp(in->app->backend, "dev"))) {
		undo_net(in);
		init_fail(in);
	}
	go = 'R';
	if (write(in->sync, &go, 1) != 1)
		_exit(1);
	close(in->sync);
	wait_for_start(in);
	exec_app(in);
}

/* --- create ---------------------------------------------------------------- */

static pid_t clone_init(const struct nr_spec *s, struct init *in)
{
	unsigned long flags = SIGCHLD;
	size_t i;
	pid_t pid;

	for (i = 0; i < s->nns; i++)
		if (!s->ns[i].path && s->ns[i].type != CLONE_NEWCGROUP)
			flags |= s->ns[i].type;
	/* A pid namespace is entered by the children of whoever joins it. */
	for (i = 0; i < in->nnsfd; i++)
		if (in->nsfd_type[i] == CLONE_NEWPID && setns(in->nsfd[i], CLONE_NEWPID)) {
			nr_perror("cannot join the pid namespace");
			return -1;
		}
	pid = syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		nr_perror("cannot create the container's init (clone)");
		return -1;
	}
	if (pid == 0)
		init_main(in);	/* never returns */
	return pid;
}

static int write_pid_file(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], buf[16];
	int fd, n;

	snprintf(tmp, sizeof(tmp), "%s.nabla-runc.tmp", path);
	n = snprintf(buf, sizeof(buf), "%d", pid);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, n) != n || close(fd) || rename(tmp, path)) {
		nr_perror("--pid-file %s", path);
		if (fd >= 0)
			unlink(tmp);
		return -1;
	}
	return 0;
}

/* After the init said it is ready: what start, state and delete will read. */
static int record(const struct nr_create_opts *o, const struct nr_spec *s, struct nr_app *app,
		  struct nr_state *st, pid_t pid)
{
	json_t *state;
	int rc;

	st->pid = pid;
	if (nr_proc_start_time(pid, &st->start_time, NULL)) {
		nr_error("container %s: its init %d died during create", o->id, pid);
		return -1;
	}
	if (!realpath(o->bundle, st->bundle))
		snprintf(st->bundle, sizeof(st->bundle), "%s", o->bundle);
	snprintf(st->rootfs, sizeof(st->rootfs), "%s", s->rootfs);
	nr_time_rfc3339(st->created, sizeof(st->created));
	if (app->fallback || !strcmp(app->backend, "syscall")) {
		snprintf(st->tap, sizeof(st->tap), FALLBACK_TAP);
		snprintf(st->bridge, sizeof(st->bridge), FALLBACK_BRIDGE);
	}
	st->annotations = s->annotations ? json_incref(s->annotations) : NULL;
	st->hooks = s->hooks ? json_incref(s->hooks) : NULL;
	if (nr_state_save(st))
		return -1;
	state = nr_state_json(st, NR_CREATED);
	rc = nr_hooks_run(s->hooks, "prestart", state) ||
	     nr_hooks_run(s->hooks, "createRuntime", state);
	json_decref(state);
	if (rc)
		return -1;
	return o->pid_file ? write_pid_file(o->pid_file, pid) : 0;
}

static const char *netns_path(const struct nr_spec *s)
{
	size_t i;

	for (i = 0; i < s->nns; i++)
		if (s->ns[i].type == CLONE_NEWNET)
			return s->ns[i].path;
	return NULL;
}

static int make_dirs(const struct nr_create_opts *o, struct nr_state *st)
{
	if (nr_mkdir_p(o->root, 0700)) {
		nr_perror("--root %s", o->root);
		return -1;
	}
	if (mkdir(st->dir, 0700)) {
		if (errno == EEXIST)
			nr_error("container %s already exists", o->id);
		else
			nr_perror("cannot make %s", st->dir);
		return -1;
	}
	return 0;
}

int nr_create(const struct nr_create_opts *o)
{
	struct nr_spec s;
	struct nr_app app = { 0 };
	struct nr_state st = { 0 };
	struct init in = { .o = o, .s = &s, .app = &app, .statefd = -1, .tender = -1 };
	int sv[2] = { -1, -1 }, rc = -1;
	size_t i;
	pid_t pid = -1;
	char ready = 0, fifo[PATH_MAX + 16];

	if (nr_check_id(o->id) || nr_root_dir(o->root, o->id, st.dir, sizeof(st.dir)) ||
	    nr_spec_load(o->bundle, &s))
		goto out_spec;
	if (nr_app_check(&s, &app) || choose_net(&s, &app) || choose_backend(&s, &app) ||
	    (!app.sandbox && nr_app_argv(&s, &app, NULL, (unsigned char[6]){ 0 })) ||
	    open_namespaces(&s, &in) || open_tender(&s, &in))
		goto out_spec;
	if (app.sandbox) {
		app.netif[0] = 0;
		app.fallback = false;
	}
	/* That was a dry run of the command line, to refuse bad annotations now. */
	for (i = 0; app.argv && app.argv[i]; i++)
		free(app.argv[i]);
	free(app.argv);
	app.argv = NULL;
	snprintf(st.id, sizeof(st.id), "%s", o->id);
	say_fallback(o->id, &app);
	if (make_dirs(o, &st))
		goto out_spec;
	/* From here on, everything made is undone on failure. */
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", st.dir);
	if (mkfifo(fifo, 0600)) {
		nr_perror("cannot make %s", fifo);
		goto out_dir;
	}
	in.statefd = open(st.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (in.statefd < 0 || nr_cgroup_create(&s, o->id, st.cgroup, sizeof(st.cgroup)))
		goto out_dir;
	if (netns_path(&s))
		snprintf(st.netns, sizeof(st.netns), "%s", netns_path(&s));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		nr_perror("socketpair");
		goto out_cgroup;
	}
	in.sync = sv[1];
	pid = clone_init(&s, &in);
	if (pid < 0)
		goto out_cgroup;
	close(sv[1]);
	sv[1] = -1;
	if (nr_cgroup_enter(st.cgroup, pid) || write(sv[0], &pid, sizeof(pid)) != sizeof(pid) ||
	    read(sv[0], &ready, 1) != 1 || ready != 'R') {
		if (ready != 'E')
			nr_error("container %s: its init failed before it was ready", o->id);
		goto out_kill;
	}
	if (record(o, &s, &app, &st, pid))
		goto out_kill;
	rc = 0;
	goto out_fds;
out_kill:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
out_cgroup:
	nr_cgroup_remove(st.cgroup);
out_dir:
	nr_state_remove(&st);
out_fds:
	if (o->pid_file && rc)
		unlink(o->pid_file);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (in.statefd >= 0)
		close(in.statefd);
out_spec:
	for (i = 0; i < in.nnsfd; i++)
		close(in.nsfd[i]);
	if (in.tender >= 0)
		close(in.tender);
	nr_state_free(&st);
	nr_app_free(&app);
	nr_spec_free(&s);
	return rc;
}

/* --- start, kill, delete, state -------------------------------------------- */

int nr_start(const char *root, const char *id)
{
	struct nr_state st;
	struct pollfd p;
	enum nr_status status;
	char path[PATH_MAX + 16], c;
	json_t *state;
	int fd, rc = -1;

	if (nr_state_load(root, id, &st))
		return -1;
	status = nr_state_status(&st);
	if (status != NR_CREATED) {
		nr_error("cannot start container %s: it is %s, not created", id,
			 nr_status_name(status));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/exec.fifo", st.dir);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		nr_perror("cannot start container %s: %s", id, path);
		goto out;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&p, 1, START_TIMEOUT_MS) != 1 || read(fd, &c, 1) != 1) {
		nr_error("cannot start container %s: its init did not answer", id);
		close(fd);
		goto out;
	}
	close(fd);
	unlink(path);
	rc = 0;
	state = nr_state_json(&st, NR_RUNNING);
	if (nr_hooks_run(st.hooks, "poststart", state))
		nr_warn("container %s: a poststart hook failed", id);
	json_decref(state);
out:
	nr_state_free(&st);
	return rc;
}

int nr_parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
		{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
		{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
		{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
		{ "TERM", SIGTERM }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },
		{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
		{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU },
		{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
		{ "WINCH", SIGWINCH }, { "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
	};
	char *end;
	long n;
	size_t i;

	n = strtol(s, &end, 10);
	if (*s && !*end)
		return n > 0 && n < NSIG ? (int)n : -1;
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcmp(sigs[i].name, s))
			return sigs[i].sig;
	return -1;
}

int nr_kill(const char *root, const char *id, int sig, bool all)
{
	struct nr_state st;
	enum nr_status status;
	int rc = -1;

	if (nr_state_load(root, id, &st))
		return -1;
	status = nr_state_status(&st);
	if (status == NR_STOPPED) {
		nr_error("cannot kill container %s: it is not running", id);
		goto out;
	}
	if (all) {
		rc = nr_cgroup_kill_all(st.cgroup, sig);
	} else {
		rc = kill(st.pid, sig);
		if (rc)
			nr_perror("cannot kill container %s (pid %d)", id, st.pid);
	}
out:
	nr_state_free(&st);
	return rc;
}

/* SIGKILL and wait until the init is gone (or a zombie for its reaper). */
static int stop_init(struct nr_state *st)
{
	int waited;

	if (st->cgroup[0] && nr_cgroup_frozen(st->cgroup) == 1)
		nr_cgroup_freeze(st->cgroup, false);
	if (st->cgroup[0])
		nr_cgroup_kill_all(st->cgroup, SIGKILL);
	kill(st->pid, SIGKILL);
	for (waited = 0; waited < STOP_TIMEOUT_MS; waited += 10) {
		if (nr_state_status(st) == NR_STOPPED)
			return 0;
		/* Our own child when create and delete share a process (tests). */
		waitpid(st->pid, NULL, WNOHANG);
		usleep(10000);
	}
	nr_error("container %s: pid %d did not die within %d ms of SIGKILL", st->id, st->pid,
		 STOP_TIMEOUT_MS);
	return -1;
}

/* The fallback's tap and bridge, in the namespace the engine made. */
static void remove_links(const struct nr_state *st)
{
	int self, ns;

	if (!st->tap[0] || !st->netns[0])
		return;	/* a namespace of our own went with the container */
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = open(st->netns, O_RDONLY | O_CLOEXEC);
	if (self >= 0 && ns >= 0 && !setns(ns, CLONE_NEWNET)) {
		nr_net_del(st->bridge);
		nr_net_del(st->tap);
		if (setns(self, CLONE_NEWNET))
			nr_perror("cannot return to the runtime's network namespace");
	}
	if (self >= 0)
		close(self);
	if (ns >= 0)
		close(ns);
}

int nr_delete(const char *root, const char *id, bool force)
{
	struct nr_state st;
	enum nr_status status;
	json_t *state;
	int rc = -1;

	if (force && !nr_check_id(id) && !nr_root_dir(root, id, st.dir, sizeof(st.dir))) {
		char path[PATH_MAX + 16];

		/* As runc: --force on a container without a state is not an error
		 * (what an interrupted create left is removed). */
		snprintf(path, sizeof(path), "%s/state.json", st.dir);
		if (access(path, F_OK))
			return access(st.dir, F_OK) ? 0 : nr_state_remove(&st);
	}
	if (nr_state_load(root, id, &st))
		return -1;
	status = nr_state_status(&st);
	if ((status == NR_RUNNING || status == NR_PAUSED) && !force) {
		nr_error("cannot delete container %s: it is %s (stop it, or use --force)", id,
			 nr_status_name(status));
		goto out;
	}
	if (status != NR_STOPPED && stop_init(&st))
		goto out;
	remove_links(&st);
	rc = nr_cgroup_remove(st.cgroup);
	state = nr_state_json(&st, NR_STOPPED);
	if (nr_hooks_run(st.hooks, "poststop", state))
		nr_warn("container %s: a poststop hook failed", id);
	json_decref(state);
	if (nr_state_remove(&st))
		rc = -1;
out:
	nr_state_free(&st);
	return rc;
}

int nr_state_print(const char *root, const char *id)
{
	struct nr_state st;
	json_t *o;
	char *s;

	if (nr_state_load(root, id, &st))
		return -1;
	o = nr_state_json(&st, nr_state_status(&st));
	s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(o);
	nr_state_free(&st);
	return s ? 0 : -1;
}

int nr_ps(const char *root, const char *id, bool json)
{
	struct nr_state st;
	pid_t *pids = NULL;
	size_t i, n = 0;

	if (nr_state_load(root, id, &st))
		return -1;
	if (nr_state_status(&st) != NR_STOPPED && nr_cgroup_pids(st.cgroup, &pids, &n)) {
		nr_perror("ps: cannot read the cgroup of container %s", id);
		nr_state_free(&st);
		return -1;
	}
	if (json) {
		printf("[");
		for (i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", pids[i]);
		printf("]\n");
	} else {
		printf("PID\n");
		for (i = 0; i < n; i++)
			printf("%d\n", pids[i]);
	}
	free(pids);
	nr_state_free(&st);
	return 0;
}

int nr_pause(const char *root, const char *id, bool pause)
{
	struct nr_state st;
	enum nr_status status;
	int rc = -1;

	if (nr_state_load(root, id, &st))
		return -1;
	status = nr_state_status(&st);
	if (status != (pause ? NR_RUNNING : NR_PAUSED)) {
		nr_error("cannot %s container %s: it is %s", pause ? "pause" : "resume", id,
			 nr_status_name(status));
		goto out;
	}
	rc = nr_cgroup_freeze(st.cgroup, pause);
out:
	nr_state_free(&st);
	return rc;
}
