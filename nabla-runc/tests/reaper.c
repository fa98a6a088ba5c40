// SPDX-License-Identifier: GPL-2.0
/*
 * reaper LOG COMMAND [ARG...]: what conmon and the shim are to a container,
 * for the tests: a child subreaper (PR_SET_CHILD_SUBREAPER) that runs
 * COMMAND and reaps every process orphaned below it, writing one line per
 * reaped process to LOG: "PID exited N" or "PID signaled N". Exits with
 * COMMAND's status once COMMAND has ended (later orphans go to init).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	FILE *log;
	pid_t cmd, pid;
	int status, rc = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: reaper LOG COMMAND [ARG...]\n");
		return 2;
	}
	log = fopen(argv[1], "a");
	if (!log || prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
		perror("reaper");
		return 2;
	}
	setvbuf(log, NULL, _IOLBF, 0);
	cmd = fork();
	if (cmd == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	while ((pid = wait(&status)) > 0 || errno == EINTR) {
		if (pid <= 0)
			continue;
		if (pid == cmd) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
		fprintf(log, "%d %s %d\n", pid, WIFEXITED(status) ? "exited" : "signaled",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
	return rc;
}
