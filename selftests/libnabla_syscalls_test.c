// SPDX-License-Identifier: GPL-2.0
/*
 * libnabla_syscalls_test: once confined, every system call number the
 * backend's filter does not allow kills the process with SIGSYS. Each
 * number is tried with zero arguments (so ioctl is on fd 0, not the nabla
 * fd) by apps/sys in a fresh process, a few processes at a time.
 *
 * A sweep is about 500 process start-ups per backend: seconds on a real
 * machine, a minute or two under TCG, and ten times that on the debug
 * kernel (KASAN, lockdep, kmemleak), where the test is there for the
 * module's and libnabla's paths rather than for the filter's table: there
 * it tries every STRIDE_DEBUG-th number (all of them, in the other
 * kernels' runs), starting at an offset that changes with the boot. Each
 * backend's sweep also has a time budget; if it runs out with nothing
 * having survived, the test SKIPs and says how far it got (a slow kernel
 * is no failure); any survivor is a failure at once.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "libnabla_run.h"

/* Past the last x86_64 system call of 6.12 (462), to include unused ones. */
#define LAST_NR		511
/* Per backend, within kselftest's 300 s for the whole program. */
#ifndef BUDGET_MS
#define BUDGET_MS	130000
#endif
/* Some at a time: each try is a whole process start-up. */
#define PARALLEL	4
/* On the debug kernel: every 8th number. */
#define STRIDE_DEBUG	8

FIXTURE(syscalls) {
	char block_path[64];
};

BACKEND_VARIANTS(syscalls);

FIXTURE_SETUP(syscalls)
{
	int fd = scratch_file(self->block_path, sizeof(self->block_path),
			      1 << 20);

	ASSERT_LE(0, fd);
	close(fd);
}

FIXTURE_TEARDOWN(syscalls)
{
	unlink(self->block_path);
}

static bool allowed_by_number(const char *backend, long nr)
{
	if (nr == __NR_exit_group)
		return true;
	/*
	 * Decided by argument, so tested with each argument in
	 * libnabla_confine_test instead: with zero arguments the syscall
	 * backend's clock_gettime (CLOCK_REALTIME) passes, and the dev
	 * backend refuses clock_gettime of CLOCK_REALTIME with ENOSYS (the
	 * vDSO's fallback) without killing. (The syscall backend's
	 * timerfd_settime and epoll_pwait need its own fds and flags: with
	 * zero arguments they kill.)
	 */
	(void)backend;
	return nr == __NR_clock_gettime;
}

/*
 * Control: does this kernel apply seccomp to syscall @nr at all? A child
 * installs a filter that kills everything but exit_group and makes the
 * call. Some calls are passed through seccomp by the kernel itself, so no
 * filter can stop them: on recent kernels (the test host's 6.12 included)
 * uretprobe (335 on x86_64), which raises SIGILL unless made from a
 * uretprobe trampoline, and uprobe (336).
 */
static bool kernel_filters(long nr)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(1);
		syscall(nr, 0, 0, 0, 0, 0, 0);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return true;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
}

/* Every system call number, with zero arguments (for ioctl: fd 0). */
/* Did syscall @nr, tried by @app, get through? */
static bool survived(struct __test_metadata *_metadata, struct nabla_app *app,
		     long nr)
{
	app_finish(app, SYS_RUN_MS);
	if (app_killed_by(app, SIGSYS))
		return false;
	if (!kernel_filters(nr)) {
		TH_LOG("syscall %ld: %s, but this kernel does not apply "
		       "seccomp to it at all: not counted", nr, app_ending(app));
		return false;
	}
	TH_LOG("syscall %ld: %s, stdout: %s, stderr: %s", nr, app_ending(app),
	       app->out, app->err);
	return true;
}

/*
 * The debug kernel is the one with kmemleak. Its sweep starts at an offset
 * taken from the boot's uptime, so that runs cover different numbers.
 */
static unsigned int sweep_stride(unsigned int *offset)
{
	struct timespec ts;

	*offset = 0;
	if (access("/sys/kernel/debug/kmemleak", F_OK))
		return 1;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	*offset = ts.tv_sec % STRIDE_DEBUG;
	return STRIDE_DEBUG;
}

/*
 * The @i-th number to try: offset, offset + stride, ... up to LAST_NR,
 * then a few far beyond; LONG_MIN past the end.
 */
static long nth_number(unsigned int i, unsigned int stride,
		       unsigned int offset)
{
	static const long beyond[] = { 1000, 0x3fffffff, -1 };
	unsigned int in_range = (LAST_NR - offset) / stride + 1;

	if (i < in_range)
		return offset + (long)i * stride;
	i -= in_range;
	return i < sizeof(beyond) / sizeof(beyond[0]) ? beyond[i] : LONG_MIN;
}

TEST_F_TIMEOUT(syscalls, every_number_dies, BUDGET_MS / 1000 + 60)
{
	static struct nabla_app apps[PARALLEL];
	uint64_t end = app_now_ms() + BUDGET_MS;
	unsigned int i, j, n = 0, tried = 0, survivors = 0, stride, offset;
	long nrs[PARALLEL], nr;
	char cmd[32];

	NEED_BACKEND();
	stride = sweep_stride(&offset);
	if (stride > 1)
		TH_LOG("debug kernel: every %u-th number from %u, and a few "
		       "beyond %d", stride, offset, LAST_NR);
	for (i = 0; (nr = nth_number(i, stride, offset)) != LONG_MIN; i++) {
		if (allowed_by_number(variant->backend, nr))
			continue;
		if (app_now_ms() > end)
			break;
		snprintf(cmd, sizeof(cmd), "%ld", nr);
		ASSERT_EQ(0, sys_start(&apps[n], variant->backend,
				       self->block_path, cmd));
		nrs[n++] = nr;
		if (n < PARALLEL)
			continue;
		for (j = 0; j < n; j++)
			survivors += survived(_metadata, &apps[j], nrs[j]);
		tried += n;
		n = 0;
	}
	for (j = 0; j < n; j++)
		survivors += survived(_metadata, &apps[j], nrs[j]);
	tried += n;
	ASSERT_EQ(0, survivors);
	if (nr != LONG_MIN)
		SKIP(return, "time budget (%d s) spent after %u numbers, up to "
		     "%ld, all killed: a slow kernel; the rest not tried",
		     BUDGET_MS / 1000, tried, nrs[n ? n - 1 : PARALLEL - 1]);
	TH_LOG("%u numbers tried, all killed", tried);
}


TEST_HARNESS_MAIN
