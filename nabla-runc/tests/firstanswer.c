// SPDX-License-Identifier: GPL-2.0
/*
 * firstanswer IP PORT COMMAND [ARG...]: runs COMMAND (which starts a
 * server) and prints the milliseconds from just before COMMAND to the
 * first "HTTP/1.x 200" answer to "GET / HTTP/1.0" at IP:PORT, asked again
 * every 2 ms (connection refused, reset or no answer yet: ask again).
 * Gives up after 60 s (status 1). For the start-up measurement
 * (nabla-runc/tests/bench.sh).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int answered(const struct sockaddr_in *sa)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	struct timeval tv = { .tv_sec = 1 };
	char buf[16] = "";
	int fd, ok = 0;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) &&
	    write(fd, req, sizeof(req) - 1) == sizeof(req) - 1 &&
	    read(fd, buf, 12) == 12)
		ok = !strncmp(buf, "HTTP/1.", 7) && !strncmp(buf + 9, "200", 3);
	close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	double t0;
	pid_t pid;
	int status;

	if (argc < 4 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: firstanswer IP PORT COMMAND [ARG...]\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[2]));
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		perror(argv[3]);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "firstanswer: %s failed\n", argv[3]);
		return 1;
	}
	while (now_ms() - t0 < 60000) {
		if (answered(&sa)) {
			printf("%.0f\n", now_ms() - t0);
			return 0;
		}
		usleep(2000);
	}
	fprintf(stderr, "firstanswer: no answer from %s:%s within 60 s\n", argv[1], argv[2]);
	return 1;
}
