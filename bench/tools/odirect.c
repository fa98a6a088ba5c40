// SPDX-License-Identifier: GPL-2.0
/*
 * odirect: the block rows at the device backend's durability, measured by
 * libnabla's own syscall backend with its block device opened O_DIRECT
 * (--block-direct): pread64/pwrite64 that bypass the page cache, so a
 * completed write is on the device, made by a process confined as Solo5
 * spt confines its guests (the same seccomp filter as the syscall rows).
 *
 *   odirect PATH [N]
 *
 * Runs apps/speed (beside this program) as
 *   speed --backend=syscall --block-direct:storage=PATH -- N
 * whose "bench ROW ..." lines the report takes for the block rows only.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char self[PATH_MAX], speed[PATH_MAX], block[PATH_MAX + 32];
	const char *n = argc > 2 ? argv[2] : "300";
	ssize_t len;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: odirect PATH [N]\n");
		return 2;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len < 0) {
		perror("odirect: /proc/self/exe");
		return 1;
	}
	self[len] = '\0';
	if (snprintf(speed, sizeof(speed), "%s/apps/speed", dirname(self)) >=
	    (int)sizeof(speed) ||
	    snprintf(block, sizeof(block), "--block-direct:storage=%s",
		     argv[1]) >= (int)sizeof(block)) {
		fprintf(stderr, "odirect: path too long\n");
		return 2;
	}
	fflush(stdout);
	execl(speed, speed, "--backend=syscall", block, "--", n, (char *)NULL);
	perror(speed);
	return 1;
}
