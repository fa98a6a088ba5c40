// SPDX-License-Identifier: GPL-2.0
/*
 * rawcopy: copy a tracefs per-CPU ring buffer (per_cpu/cpuN/trace_pipe_raw)
 * to a file, page by page, until it is empty. cat(1) would block at the
 * end (trace_pipe_raw waits for data unless opened O_NONBLOCK), and
 * formatting the text trace in the guest is what made a run slow under
 * TCG; the host parses the raw pages (bench/report).
 *
 *   rawcopy TRACE_PIPE_RAW OUT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char page[1 << 16];
	long total = 0;
	int in, out;
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: rawcopy TRACE_PIPE_RAW OUT\n");
		return 2;
	}
	in = open(argv[1], O_RDONLY | O_NONBLOCK);
	if (in < 0) {
		fprintf(stderr, "rawcopy: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		fprintf(stderr, "rawcopy: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	for (;;) {
		n = read(in, page, sizeof(page));
		if (n == 0 || (n < 0 && errno == EAGAIN))
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "rawcopy: read: %s\n", strerror(errno));
			return 1;
		}
		if (write(out, page, n) != n) {
			fprintf(stderr, "rawcopy: write: %s\n", strerror(errno));
			return 1;
		}
		total += n;
	}
	if (close(out)) {
		fprintf(stderr, "rawcopy: close: %s\n", strerror(errno));
		return 1;
	}
	printf("%ld\n", total);
	return 0;
}
