// SPDX-License-Identifier: GPL-2.0
/*
 * hooks.c: the spec's hooks, each run with the container's state JSON on
 * its stdin, its own args and env, and its timeout (seconds; killed when
 * it runs out). When they run (container.c):
 *   prestart, createRuntime  by create, in the runtime's namespaces, once
 *                            the init is set up and waiting
 *   createContainer          by the init, in the container's namespaces,
 *                            after its mounts and before its chroot
 *   startContainer           by the init after start, in the container,
 *                            just before the application runs
 *   poststart                by start, once the application runs
 *   poststop                 by delete
 * A failing hook fails its verb, except poststart and poststop, which only
 * warn (as the spec says).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nrc.h"

static const char *const kinds[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart",
	"poststop", NULL };

int nr_hooks_check(json_t *hooks)
{
	static const char *const known[] = { "path", "args", "env", "timeout", NULL };
	const char *kind, *key, *const *k;
	json_t *list, *h, *v;
	size_t i;

	json_object_foreach(hooks, kind, list) {
		for (k = kinds; *k && strcmp(*k, kind); k++)
			;
		if (!*k) {
			nr_error("config.json: hooks.%s: not a hook nabla-runc knows", kind);
			return -1;
		}
		if (!json_is_array(list)) {
			nr_error("config.json: hooks.%s: must be an array", kind);
			return -1;
		}
		json_array_foreach(list, i, h) {
			json_object_foreach(h, key, v) {
				for (k = known; *k && strcmp(*k, key); k++)
					;
				if (!*k) {
					nr_error("config.json: hooks.%s[%zu].%s: not supported by nabla-runc",
						 kind, i, key);
					return -1;
				}
			}
			v = json_object_get(h, "path");
			if (!json_is_string(v) || json_string_value(v)[0] != '/') {
				nr_error("config.json: hooks.%s[%zu].path: must be an absolute path",
					 kind, i);
				return -1;
			}
			v = json_object_get(h, "timeout");
			if (v && (!json_is_integer(v) || json_integer_value(v) <= 0)) {
				nr_error("config.json: hooks.%s[%zu].timeout: must be more than 0",
					 kind, i);
				return -1;
			}
		}
	}
	return 0;
}

/* The strings of array A, NULL-terminated; A empty: just FALLBACK. */
static char **strv(json_t *a, const char *fallback)
{
	char **v = calloc(json_array_size(a) + 2, sizeof(char *));
	size_t i, n = 0;
	json_t *s;

	if (!v)
		return NULL;
	json_array_foreach(a, i, s)
		if (json_is_string(s))
			v[n++] = (char *)json_string_value(s);
	if (!n && fallback)
		v[0] = (char *)fallback;
	return v;
}

/* Waits for PID up to TIMEOUT seconds (0: forever); kills it after that. */
static int wait_timeout(pid_t pid, int timeout, int *status)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t r = waitpid(pid, status, timeout ? WNOHANG : 0);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (timeout && t.tv_sec - t0.tv_sec >= timeout) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			errno = ETIMEDOUT;
			return -1;
		}
		if (timeout)
			usleep(10000);
	}
}

static int run_one(json_t *h, const char *kind, size_t i, const char *state)
{
	const char *path = json_string_value(json_object_get(h, "path"));
	json_t *args = json_object_get(h, "args"), *env = json_object_get(h, "env");
	int timeout = json_integer_value(json_object_get(h, "timeout")), status, p[2];
	char **argv = NULL, **envp = NULL;
	pid_t pid;
	int rc = -1;

	/* args[0] is the hook's argv[0]; without args, its path. */
	argv = strv(args, path);
	envp = strv(env, NULL);
	if (!argv || !envp || pipe2(p, O_CLOEXEC))
		goto out;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		goto out;
	}
	if (pid == 0) {
		dup2(p[0], 0);
		execve(path, argv, envp);
		fprintf(stderr, "nabla-runc: hooks.%s[%zu]: %s: %s\n", kind, i, path,
			strerror(errno));
		_exit(127);
	}
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	if (write(p[1], state, strlen(state)) < 0 && errno != EPIPE)
		nr_perror("hooks.%s[%zu]: writing the state", kind, i);
	close(p[1]);
	if (wait_timeout(pid, timeout, &status)) {
		nr_perror("hooks.%s[%zu]: %s", kind, i, path);
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		nr_error("hooks.%s[%zu]: %s failed (%s %d)", kind, i, path,
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto out;
	}
	rc = 0;
out:
	free(argv);
	free(envp);
	return rc;
}

int nr_hooks_run(json_t *hooks, const char *kind, json_t *state)
{
	json_t *list = hooks ? json_object_get(hooks, kind) : NULL, *h;
	char *s;
	size_t i;
	int rc = 0;

	if (!json_array_size(list))
		return 0;
	s = json_dumps(state, JSON_COMPACT);
	if (!s)
		return -1;
	json_array_foreach(list, i, h)
		if (run_one(h, kind, i, s)) {
			rc = -1;
			break;
		}
	free(s);
	return rc;
}
