// SPDX-License-Identifier: ISC
/*
 * filter.c: the seccomp filter, built with libseccomp during start-up and
 * installed with the raw seccomp() system call as the last thing before
 * the application runs.
 *
 * libseccomp's own seccomp_load() allocates and frees after the filter is
 * live, and a free() that trims the heap calls brk(), which the filter
 * kills (Solo5 issue #477). So the filter is exported to BPF, read back
 * into a static buffer, the libseccomp context is released, and only then,
 * with nothing left to allocate or free, is the program installed.
 *
 * Default action: kill the process. Calls made through another ABI (i386
 * via int 0x80, x32 via syscall numbers with bit 30 set) do not match the
 * filter's native architecture and take the "bad arch" action, which is
 * also kill the process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "raw.h"

int (*nabla_filter_extra)(void *scmp_ctx);

static struct sock_filter filter_insns[BPF_MAXINSNS];
static struct sock_fprog filter_prog;

static int filter_export(scmp_filter_ctx ctx)
{
	size_t size = 0;
	ssize_t n;
	int fd, rc;

	fd = memfd_create("nabla-filter", MFD_CLOEXEC);
	if (fd < 0) {
		nabla_err("memfd_create: %s", strerror(errno));
		return -1;
	}
	rc = seccomp_export_bpf(ctx, fd);
	if (rc) {
		nabla_err("seccomp_export_bpf: %s", strerror(-rc));
		goto out_close;
	}
	for (;;) {
		n = pread(fd, (char *)filter_insns + size,
			  sizeof(filter_insns) - size, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size += n;
		if (size == sizeof(filter_insns))
			break;
	}
	rc = -1;
	if (n < 0) {
		nabla_err("reading the exported filter: %s", strerror(errno));
	} else if (size == sizeof(filter_insns) &&
		   pread(fd, &(char){0}, 1, size) == 1) {
		nabla_err("the seccomp filter is larger than %d instructions "
			  "(too many devices)", BPF_MAXINSNS);
	} else if (size == 0 || size % sizeof(filter_insns[0])) {
		nabla_err("the exported seccomp filter has a bad size (%zu)",
			  size);
	} else {
		filter_prog.len = size / sizeof(filter_insns[0]);
		filter_prog.filter = filter_insns;
		rc = 0;
	}
out_close:
	close(fd);
	return rc;
}

int nabla_filter_build(const struct nabla_setup *setup)
{
	scmp_filter_ctx ctx;
	int rc;

	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		nabla_err("seccomp_init failed");
		return -1;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			      SCMP_ACT_KILL_PROCESS);
	if (rc) {
		nabla_err("seccomp_attr_set(ACT_BADARCH): %s", strerror(-rc));
		goto out_release;
	}
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0);
	if (rc) {
		nabla_err("seccomp_rule_add(exit_group): %s", strerror(-rc));
		goto out_release;
	}
	rc = setup->rules(ctx);
	if (!rc && nabla_filter_extra)
		rc = nabla_filter_extra(ctx);
	if (rc)
		goto out_release;
	rc = filter_export(ctx);
out_release:
	seccomp_release(ctx);
	return rc ? -1 : 0;
}

/*
 * Confined phase: raw seccomp(2), no libc. Every thread of the process
 * gets the filter (and no_new_privs), not only this one: a thread a
 * library started earlier must not stay unconfined. Returns 0, -errno, or
 * the id of a thread that could not be synchronized.
 */
long nabla_filter_install(void)
{
	return nabla_raw3(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
			  SECCOMP_FILTER_FLAG_TSYNC, (long)&filter_prog);
}
