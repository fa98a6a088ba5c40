/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libnabla_run.h: launch the Solo5 test applications (apps/NAME beside the
 * test executable) and collect what they did: stdout (the Solo5 console),
 * stderr (libnabla's start-up errors) and how they ended.
 *
 * How a launcher tells the endings apart (waitpid status):
 *   WIFEXITED, status 0..254   the application's own exit status
 *   WIFEXITED, status 255      solo5_abort()
 *   WIFEXITED, status 2        also what libnabla exits with when it cannot
 *                              start the application (with one line on
 *                              stderr); an application may return 2 too
 *   WIFSIGNALED, SIGSYS        killed by the seccomp filter: a forbidden
 *                              system call
 */
#ifndef NABLA_LIBNABLA_RUN_H
#define NABLA_LIBNABLA_RUN_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define APP_OUT_MAX		65536
#define APP_ERR_MAX		4096
#define APP_MAX_ARGS		80

/* app_start() flags */
#define APP_HIDE_DEV_NABLA	(1 << 0)	/* run with /dev/nabla absent */

struct nabla_app {
	pid_t pid;
	int out_fd;		/* stdout: a pipe, read as it comes */
	int err_fd;		/* stderr: a memfd, read at the end */
	char out[APP_OUT_MAX];
	size_t out_len;
	char err[APP_ERR_MAX];
	int status;
};

static inline uint64_t app_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* @name (a relative path) in the directory of this test executable. */
static inline int beside_test(const char *name, char *buf, size_t size)
{
	char self[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -1;
	self[n] = '\0';
	if ((size_t)snprintf(buf, size, "%s/%s", dirname(self), name) >= size)
		return -1;
	return 0;
}

/* apps/@name in the directory of this test executable. */
static inline int app_path(const char *name, char *buf, size_t size)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "apps/%s", name);
	if (beside_test(rel, buf, size))
		return -1;
	return access(buf, X_OK);
}

static inline bool backend_is_dev(const char *backend)
{
	return !strcmp(backend, "--backend=dev");
}

/* Why @backend cannot run here, or NULL if it can. */
static inline const char *backend_missing(const char *backend)
{
	if (backend_is_dev(backend) && access("/dev/nabla", F_OK))
		return "/dev/nabla is missing (nabla.ko not loaded)";
	return NULL;
}

/*
 * Every test of fixture @f runs once per backend: variant->backend is the
 * option that selects it. (The including file has kselftest_harness.h.)
 */
#define BACKEND_VARIANTS(f)						\
	FIXTURE_VARIANT(f) {						\
		const char *backend;					\
	};								\
	FIXTURE_VARIANT_ADD(f, dev) {					\
		.backend = "--backend=dev",				\
	};								\
	FIXTURE_VARIANT_ADD(f, syscall) {				\
		.backend = "--backend=syscall",				\
	}

/* In a test of such a fixture: skip where its backend cannot run. */
#define NEED_BACKEND() do {						\
	const char *why = backend_missing(variant->backend);		\
	if (why)							\
		SKIP(return, "%s", why);				\
} while (0)

/* In the child: hide /dev/nabla behind an empty /dev in a private mount ns. */
static inline void app_hide_dev_nabla(void)
{
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("none", "/dev", "tmpfs", 0, "size=64k")) {
		perror("hiding /dev/nabla");
		_exit(126);
	}
}

/*
 * Start the program @path with the NULL-terminated @args (after argv[0]).
 * Returns 0, or -1 with errno.
 */
static inline int prog_start(struct nabla_app *app, const char *path,
			     const char *const *args, unsigned int flags)
{
	const char *argv[APP_MAX_ARGS + 2];
	int out[2], i;

	memset(app, 0, sizeof(*app));
	app->pid = -1;
	argv[0] = path;
	for (i = 0; args && args[i]; i++) {
		if (i == APP_MAX_ARGS) {
			errno = E2BIG;
			return -1;
		}
		argv[i + 1] = args[i];
	}
	argv[i + 1] = NULL;

	app->err_fd = memfd_create("app-stderr", MFD_CLOEXEC);
	if (app->err_fd < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC)) {
		close(app->err_fd);
		return -1;
	}
	app->pid = fork();
	if (app->pid < 0) {
		close(out[0]);
		close(out[1]);
		close(app->err_fd);
		return -1;
	}
	if (app->pid == 0) {
		if (flags & APP_HIDE_DEV_NABLA)
			app_hide_dev_nabla();
		if (dup2(out[1], 1) < 0 || dup2(app->err_fd, 2) < 0)
			_exit(126);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	app->out_fd = out[0];
	return 0;
}

/* Start apps/@name with @args, as prog_start(). */
static inline int app_start(struct nabla_app *app, const char *name,
			    const char *const *args, unsigned int flags)
{
	char path[PATH_MAX];

	memset(app, 0, sizeof(*app));
	app->pid = -1;
	if (app_path(name, path, sizeof(path)))
		return -1;
	return prog_start(app, path, args, flags);
}

/* Read what stdout has within @timeout_ms; false at EOF or timeout. */
static inline bool app_read_some(struct nabla_app *app, int timeout_ms)
{
	struct pollfd pfd = { .fd = app->out_fd, .events = POLLIN };
	ssize_t n;

	if (app->out_fd < 0 || poll(&pfd, 1, timeout_ms) <= 0)
		return false;
	n = read(app->out_fd, app->out + app->out_len,
		 sizeof(app->out) - 1 - app->out_len);
	if (n <= 0) {
		close(app->out_fd);
		app->out_fd = -1;
		return false;
	}
	app->out_len += n;
	app->out[app->out_len] = '\0';
	return true;
}

/* Whether stdout has the whole line @line. */
static inline bool app_has_line(const struct nabla_app *app, const char *line)
{
	size_t len = strlen(line);
	const char *p = app->out;

	while ((p = strstr(p, line))) {
		if ((p == app->out || p[-1] == '\n') && p[len] == '\n')
			return true;
		p++;
	}
	return false;
}

/* Read stdout until the line @line appears; false on EOF or timeout. */
static inline bool app_wait_line(struct nabla_app *app, const char *line,
				 int timeout_ms)
{
	uint64_t end = app_now_ms() + timeout_ms;

	while (!app_has_line(app, line)) {
		int64_t left = end - app_now_ms();

		if (left <= 0 || !app_read_some(app, left))
			return app_has_line(app, line);
	}
	return true;
}

/*
 * Wait for the application to end (SIGKILL after @timeout_ms), collect
 * stdout and stderr. Returns the wait status, or -1 if it had to be killed.
 */
static inline int app_finish(struct nabla_app *app, int timeout_ms)
{
	uint64_t end = app_now_ms() + timeout_ms;
	ssize_t n;
	int rc;

	while (app->out_fd >= 0) {
		int64_t left = end - app_now_ms();

		if (left <= 0)
			break;
		app_read_some(app, left);
	}
	for (;;) {
		rc = waitpid(app->pid, &app->status, WNOHANG);
		if (rc == app->pid)
			break;
		if (rc < 0 || (int64_t)(end - app_now_ms()) <= 0) {
			kill(app->pid, SIGKILL);
			waitpid(app->pid, &app->status, 0);
			app->status = -1;
			break;
		}
		usleep(5000);
	}
	if (app->out_fd >= 0) {
		close(app->out_fd);
		app->out_fd = -1;
	}
	n = pread(app->err_fd, app->err, sizeof(app->err) - 1, 0);
	app->err[n > 0 ? n : 0] = '\0';
	close(app->err_fd);
	app->err_fd = -1;
	return app->status;
}

static inline int app_run(struct nabla_app *app, const char *name,
			  const char *const *args, unsigned int flags,
			  int timeout_ms)
{
	if (app_start(app, name, args, flags))
		return -2;
	return app_finish(app, timeout_ms);
}

/* The value of "key=" at the start of a stdout line, as a number. */
static inline bool app_value(const struct nabla_app *app, const char *key,
			     unsigned long long *value)
{
	size_t len = strlen(key);
	const char *p = app->out;

	while ((p = strstr(p, key))) {
		if ((p == app->out || p[-1] == '\n') && p[len] == '=') {
			*value = strtoull(p + len + 1, NULL, 0);
			return true;
		}
		p++;
	}
	return false;
}

static inline bool app_exited(const struct nabla_app *app, int code)
{
	return app->status != -1 && WIFEXITED(app->status) &&
	       WEXITSTATUS(app->status) == code;
}

static inline bool app_killed_by(const struct nabla_app *app, int sig)
{
	return app->status != -1 && WIFSIGNALED(app->status) &&
	       WTERMSIG(app->status) == sig;
}

/* For TH_LOG: how it ended. */
static inline const char *app_ending(const struct nabla_app *app)
{
	static char buf[64];

	if (app->status == -1)
		return "timed out";
	if (WIFEXITED(app->status))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(app->status));
	else if (WIFSIGNALED(app->status))
		snprintf(buf, sizeof(buf), "signal %d (%s)",
			 WTERMSIG(app->status), strsignal(WTERMSIG(app->status)));
	else
		snprintf(buf, sizeof(buf), "status %#x", app->status);
	return buf;
}

/* A scratch file of @size bytes under /tmp; returns its fd, path in @path. */
static inline int scratch_file(char *path, size_t size_path, off_t size)
{
	int fd;

	snprintf(path, size_path, "/tmp/libnabla-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, size)) {
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/*
 * Start apps/sys (one system call once confined) with @backend, a block
 * device "b0" on @block_path and the words of @cmd (space-separated) as its
 * command line.
 */
static inline int sys_start(struct nabla_app *app, const char *backend,
			    const char *block_path, const char *cmd)
{
	char block_arg[128];
	const char *args[APP_MAX_ARGS];
	char words[256], *save, *w;
	int n = 0;

	snprintf(block_arg, sizeof(block_arg), "--block:b0=%s", block_path);
	args[n++] = backend;
	args[n++] = "--mem=1";
	args[n++] = block_arg;
	args[n++] = "--";
	snprintf(words, sizeof(words), "%s", cmd);
	for (w = strtok_r(words, " ", &save); w && n < APP_MAX_ARGS - 1;
	     w = strtok_r(NULL, " ", &save))
		args[n++] = w;
	args[n] = NULL;
	return app_start(app, "sys", args, 0);
}

#define SYS_RUN_MS	20000

static inline int sys_run(struct nabla_app *app, const char *backend,
			  const char *block_path, const char *cmd)
{
	if (sys_start(app, backend, block_path, cmd))
		return -2;
	return app_finish(app, SYS_RUN_MS);
}

#endif /* NABLA_LIBNABLA_RUN_H */
