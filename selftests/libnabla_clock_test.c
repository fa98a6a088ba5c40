// SPDX-License-Identifier: GPL-2.0
/*
 * libnabla_clock_test: the dev backend reads the clocks through the vDSO
 * whenever the vDSO does not enter the kernel, and through its hypercalls
 * otherwise; either way the clocks are the kernel's own, monotonic, and
 * the process stays confined, also when the clocksource changes under it.
 *
 * The oracle for "the vDSO does not enter the kernel": a child forbids
 * clock_gettime with a seccomp filter (ENOSYS) and reads the clock through
 * glibc, which uses the vDSO; the read succeeds only if the vDSO did not
 * make the system call.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "libnabla_run.h"

#define CS_DIR		"/sys/devices/system/clocksource/clocksource0/"
#define RUN_MS		60000

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Does the vDSO read CLOCK_MONOTONIC and CLOCK_REALTIME without a syscall? */
static bool vdso_reads_without_syscall(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clock_gettime, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};
	struct timespec ts;
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(2);
		_exit(clock_gettime(CLOCK_MONOTONIC, &ts) ||
		      clock_gettime(CLOCK_REALTIME, &ts));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Read a clocksource attribute file into @buf, without the newline. */
static int cs_read(const char *file, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int cs_set(const char *name)
{
	ssize_t n;
	int fd;

	fd = open(CS_DIR "current_clocksource", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, name, strlen(name));
	close(fd);
	return n == (ssize_t)strlen(name) ? 0 : -1;
}

FIXTURE(clock) {
	char saved[64];		/* the clocksource to restore, or "" */
};

BACKEND_VARIANTS(clock);

FIXTURE_SETUP(clock)
{
	self->saved[0] = '\0';
	NEED_BACKEND();
}

FIXTURE_TEARDOWN(clock)
{
	if (self->saved[0] && cs_set(self->saved))
		TH_LOG("could not restore the clocksource %s", self->saved);
}

#define LOG_APP(app)							\
	TH_LOG("%s, stdout: %s, stderr: %s", app_ending(app), (app)->out, \
	       (app)->err)

/*
 * The kernel's clocks, through whichever path: the values lie within the
 * run as the host reads it, and the dev backend uses the vDSO exactly when
 * the vDSO does not enter the kernel.
 */
TEST_F(clock, kernel_clocks_and_path)
{
	const char *args[] = { variant->backend, "--mem=1", "--", "200", NULL };
	unsigned long long mono, wall, reads, vdso_start, vdso_end;
	uint64_t wall_before, wall_after, mono_before, mono_after;
	bool fast = vdso_reads_without_syscall();
	char cs[64] = "?";
	struct nabla_app app;

	cs_read(CS_DIR "current_clocksource", cs, sizeof(cs));
	TH_LOG("clocksource %s: the vDSO %s", cs,
	       fast ? "reads without a system call" : "makes the system call");
	wall_before = now_ns(CLOCK_REALTIME);
	mono_before = now_ns(CLOCK_MONOTONIC);
	app_run(&app, "clockrun", args, 0, RUN_MS);
	mono_after = now_ns(CLOCK_MONOTONIC);
	wall_after = now_ns(CLOCK_REALTIME);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	ASSERT_TRUE(app_value(&app, "reads", &reads));
	ASSERT_TRUE(app_value(&app, "monotonic", &mono));
	ASSERT_TRUE(app_value(&app, "wall", &wall));
	ASSERT_TRUE(app_value(&app, "vdso_start", &vdso_start));
	ASSERT_TRUE(app_value(&app, "vdso_end", &vdso_end));
	EXPECT_LT(1, reads);
	/* Between the host's reads (wall: give or take a step of 1 s). */
	EXPECT_LE(mono_before, mono);
	EXPECT_GE(mono_after, mono);
	EXPECT_LE(wall_before - 1000000000ULL, wall);
	EXPECT_GE(wall_after + 1000000000ULL, wall);
	/* A vDSO exists on x86_64 Linux: both backends start with it. */
	EXPECT_EQ(1, vdso_start);
	if (backend_is_dev(variant->backend)) {
		EXPECT_EQ(fast, vdso_end);
	} else {
		EXPECT_EQ(1, vdso_end);
	}
}

/* The next clocksource in the list after the current one, or -1. */
static int other_clocksource(const char *cur, char *out, size_t size)
{
	char list[256], *save, *w;

	if (cs_read(CS_DIR "available_clocksource", list, sizeof(list)))
		return -1;
	for (w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (strcmp(w, cur)) {
			snprintf(out, size, "%s", w);
			return 0;
		}
	}
	return -1;
}

/*
 * The clocksource changes while the application reads the clock: it is
 * neither killed (the vDSO's fallback is refused, not fatal) nor does its
 * clock go back, and it ends on the path the new clocksource allows.
 */
TEST_F_TIMEOUT(clock, clocksource_changes_under_it, 120)
{
	const char *args[] = { variant->backend, "--mem=1", "--", "1500", NULL };
	unsigned long long mono, vdso_start, vdso_end;
	bool fast_before, fast_after;
	struct nabla_app app;
	char other[64];

	if (geteuid())
		SKIP(return, "needs root to change the clocksource");
	if (cs_read(CS_DIR "current_clocksource", self->saved,
		    sizeof(self->saved)))
		SKIP(return, "no clocksource in sysfs");
	if (other_clocksource(self->saved, other, sizeof(other))) {
		self->saved[0] = '\0';
		SKIP(return, "only one clocksource available");
	}
	fast_before = vdso_reads_without_syscall();
	ASSERT_EQ(0, app_start(&app, "clockrun", args, 0));
	ASSERT_TRUE(app_wait_line(&app, "running", RUN_MS)) LOG_APP(&app);
	usleep(200000);
	ASSERT_EQ(0, cs_set(other)) TH_LOG("switching to %s", other);
	fast_after = vdso_reads_without_syscall();
	TH_LOG("clocksource %s (vDSO %s) -> %s (vDSO %s)", self->saved,
	       fast_before ? "fast" : "falls back", other,
	       fast_after ? "fast" : "falls back");
	app_finish(&app, RUN_MS);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	ASSERT_TRUE(app_value(&app, "monotonic", &mono));
	ASSERT_TRUE(app_value(&app, "vdso_start", &vdso_start));
	ASSERT_TRUE(app_value(&app, "vdso_end", &vdso_end));
	EXPECT_GE(now_ns(CLOCK_MONOTONIC), mono);
	if (backend_is_dev(variant->backend)) {
		/* Once fallen back, the hypercalls for good. */
		EXPECT_EQ(fast_before && fast_after, vdso_end);
	}
}

TEST_HARNESS_MAIN
