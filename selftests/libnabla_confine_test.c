// SPDX-License-Identifier: GPL-2.0
/*
 * libnabla_confine_test: once solo5_app_main runs, the process may make
 * only the calls its backend's filter allows; everything else must kill it
 * with SIGSYS. Each attempt runs apps/sys in a fresh process. Here: the
 * allowed calls (which must work), ioctls on other fds, setup commands,
 * other ABIs, and the syscall backend's argument rules; every syscall
 * number is tried by libnabla_syscalls_test.
 *
 * dev backend: ioctl(nabla fd, hypercall) and exit_group only;
 * clock_gettime of CLOCK_MONOTONIC or CLOCK_REALTIME (the vDSO's fallback)
 * fails with ENOSYS without reaching the kernel's clock code.
 * syscall backend: as Solo5 spt: read/write on tap fds, pread64/pwrite64
 * on block files within bounds, timerfd_settime (absolute) on its timer and
 * epoll_pwait on its epoll fd, clock_gettime, write(1), exit_group.
 */
#include <linux/nabla.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>

#include "kselftest_harness.h"
#include "libnabla_run.h"


FIXTURE(confine) {
	char block_path[64];
};

BACKEND_VARIANTS(confine);

FIXTURE_SETUP(confine)
{
	int fd = scratch_file(self->block_path, sizeof(self->block_path),
			      1 << 20);

	ASSERT_LE(0, fd);
	close(fd);
}

FIXTURE_TEARDOWN(confine)
{
	unlink(self->block_path);
}

#define EXPECT_KILLED(cmd) do {						\
	struct nabla_app __app;						\
	sys_run(&__app, variant->backend, self->block_path, cmd);	\
	EXPECT_TRUE(app_killed_by(&__app, SIGSYS)) {			\
		TH_LOG("'%s': %s, stdout: %s, stderr: %s", cmd,		\
		       app_ending(&__app), __app.out, __app.err);	\
	}								\
} while (0)

#define EXPECT_SURVIVES(cmd, rc) do {					\
	struct nabla_app __app;						\
	unsigned long long __v = 1;					\
	sys_run(&__app, variant->backend, self->block_path, cmd);	\
	EXPECT_TRUE(app_exited(&__app, 0) &&				\
		    app_value(&__app, "survived rc", &__v) &&		\
		    (long long)__v == (rc)) {				\
		TH_LOG("'%s': %s, stdout: %s, stderr: %s", cmd,		\
		       app_ending(&__app), __app.out, __app.err);	\
	}								\
} while (0)

/* The allowed calls do work: without these the test could not fail. */
TEST_F(confine, allowed_calls_survive)
{
	char cmd[64];

	NEED_BACKEND();
	if (backend_is_dev(variant->backend)) {
		snprintf(cmd, sizeof(cmd), "nabla %lu", (unsigned long)NABLA_CLOCK_MONOTONIC);
		EXPECT_SURVIVES(cmd, 0);
		/* The command compared on its low 32 bits: sign-extended too. */
		snprintf(cmd, sizeof(cmd), "nabla %lu sext", (unsigned long)NABLA_CLOCK_WALL);
		EXPECT_SURVIVES(cmd, 0);
		/* A hypercall with bad arguments: refused by the module, alive. */
		snprintf(cmd, sizeof(cmd), "nabla %lu", (unsigned long)NABLA_BLOCK_READ);
		EXPECT_SURVIVES(cmd, -EINVAL);
	} else {
		snprintf(cmd, sizeof(cmd), "%d 1 buf 0", __NR_write);
		EXPECT_SURVIVES(cmd, 0);
		snprintf(cmd, sizeof(cmd), "%d %d buf", __NR_clock_gettime,
			 CLOCK_MONOTONIC);
		EXPECT_SURVIVES(cmd, 0);
		snprintf(cmd, sizeof(cmd), "%d fd:b0 buf 512 0", __NR_pread64);
		EXPECT_SURVIVES(cmd, 512);
		snprintf(cmd, sizeof(cmd), "%d fd:b0 buf 4096 %d", __NR_pwrite64,
			 (1 << 20) - 4096);
		EXPECT_SURVIVES(cmd, 4096);
		/* yield's calls: disarm the timer (a zeroed value), poll. */
		snprintf(cmd, sizeof(cmd), "%d fd:timer %d buf 0",
			 __NR_timerfd_settime, TFD_TIMER_ABSTIME);
		EXPECT_SURVIVES(cmd, 0);
		snprintf(cmd, sizeof(cmd), "%d fd:epoll buf 1 0 0 8",
			 __NR_epoll_pwait);
		EXPECT_SURVIVES(cmd, 0);
	}
	/* exit_group(7) ends the process normally, with its status. */
	{
		struct nabla_app app;
		unsigned long long v;

		snprintf(cmd, sizeof(cmd), "%d 7", __NR_exit_group);
		sys_run(&app, variant->backend, self->block_path, cmd);
		EXPECT_TRUE(app_exited(&app, 7) &&
			    !app_value(&app, "survived rc", &v)) {
			TH_LOG("exit_group: %s, stdout: %s, stderr: %s",
			       app_ending(&app), app.out, app.err);
		}
	}
}

TEST_F(confine, ioctl_on_another_fd)
{
	char cmd[64];

	NEED_BACKEND();
	snprintf(cmd, sizeof(cmd), "%d 0 %lu buf", __NR_ioctl,
		 (unsigned long)NABLA_CLOCK_MONOTONIC);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d 1 %lu buf", __NR_ioctl,
		 (unsigned long)NABLA_CLOCK_MONOTONIC);
	EXPECT_KILLED(cmd);
}

TEST_F(confine, setup_commands_and_version)
{
	const unsigned long cmds[] = {
		NABLA_VERSION, NABLA_ATTACH_NET, NABLA_ATTACH_BLOCK,
		NABLA_SET_CONSOLE, NABLA_SEAL, NABLA_REGISTER_MEMORY,
		/* unknown commands, in the hypercall range and beyond */
		_IOWR(NABLA_IOC_MAGIC, 0x3f, struct nabla_clock),
		_IOWR(NABLA_IOC_MAGIC, 0x20, struct nabla_yield),
	};
	char cmd[64];
	unsigned int i;

	NEED_BACKEND();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(cmd, sizeof(cmd), "nabla %lu", cmds[i]);
		EXPECT_KILLED(cmd);
		snprintf(cmd, sizeof(cmd), "nabla %lu sext", cmds[i]);
		EXPECT_KILLED(cmd);
	}
}

/*
 * A thread that was started before the seal (apps/thread: by a
 * constructor) is confined too: its system call kills the process.
 */
TEST_F(confine, thread_started_before_seal)
{
	const char *args[] = { variant->backend, "--mem=1", NULL };
	struct nabla_app app;

	NEED_BACKEND();
	ASSERT_LE(0, app_run(&app, "thread", args, 0, SYS_RUN_MS));
	EXPECT_TRUE(app_killed_by(&app, SIGSYS)) {
		TH_LOG("%s, stdout: %s, stderr: %s", app_ending(&app), app.out,
		       app.err);
	}
}

/* Other ABIs: i386 through int 0x80 (getpid, exit_group), x32. */
TEST_F(confine, other_abis)
{
	NEED_BACKEND();
	EXPECT_KILLED("int80 20");
	EXPECT_KILLED("int80 252 0");
	EXPECT_KILLED("x32 39");
	EXPECT_KILLED("x32 231 0");
	EXPECT_KILLED("x32 16 0");
}

/*
 * The dev backend reads the clocks through the vDSO; should the vDSO fall
 * back to the system call, the filter refuses it for the two clocks with
 * ENOSYS (libnabla then uses the hypercalls) and kills every other clock.
 */
TEST_F(confine, dev_backend_clock_fallback)
{
	char cmd[96];

	if (!backend_is_dev(variant->backend))
		SKIP(return, "dev backend only");
	NEED_BACKEND();
	snprintf(cmd, sizeof(cmd), "%d %d buf", __NR_clock_gettime,
		 CLOCK_MONOTONIC);
	EXPECT_SURVIVES(cmd, -ENOSYS);
	snprintf(cmd, sizeof(cmd), "%d %d buf", __NR_clock_gettime,
		 CLOCK_REALTIME);
	EXPECT_SURVIVES(cmd, -ENOSYS);
	/* Nothing is written: the refusal comes before the kernel's code. */
	snprintf(cmd, sizeof(cmd), "%d %d 1", __NR_clock_gettime,
		 CLOCK_MONOTONIC);
	EXPECT_SURVIVES(cmd, -ENOSYS);
	snprintf(cmd, sizeof(cmd), "%d %d buf", __NR_clock_gettime,
		 CLOCK_PROCESS_CPUTIME_ID);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d %d buf", __NR_clock_gettime,
		 CLOCK_BOOTTIME);
	EXPECT_KILLED(cmd);
	/* The clock id is compared on all 64 bits. */
	snprintf(cmd, sizeof(cmd), "%d %lld buf", __NR_clock_gettime,
		 0x100000000LL | CLOCK_MONOTONIC);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d %d buf", __NR_clock_getres,
		 CLOCK_MONOTONIC);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d %d buf", __NR_gettimeofday, 0);
	EXPECT_KILLED(cmd);
}

/* The syscall backend's rules hold by argument. */
TEST_F(confine, syscall_backend_arguments)
{
	char cmd[96];

	if (backend_is_dev(variant->backend))
		SKIP(return, "syscall backend only");
	/* console: fd 1 only */
	snprintf(cmd, sizeof(cmd), "%d 2 buf 1", __NR_write);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d 0 buf 1", __NR_read);
	EXPECT_KILLED(cmd);
	/* block: writes neither past the capacity nor of odd lengths */
	snprintf(cmd, sizeof(cmd), "%d fd:b0 buf 512 %d", __NR_pwrite64, 1 << 20);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d fd:b0 buf 1024 %d", __NR_pwrite64,
		 (1 << 20) - 512);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d fd:b0 buf 1000 0", __NR_pwrite64);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d fd:b0 buf 512 %d", __NR_pread64, 1 << 20);
	EXPECT_KILLED(cmd);
	/* read/write are not for block files */
	snprintf(cmd, sizeof(cmd), "%d fd:b0 buf 512", __NR_write);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d fd:b0 buf 512", __NR_read);
	EXPECT_KILLED(cmd);
	/* clocks: only MONOTONIC and REALTIME */
	snprintf(cmd, sizeof(cmd), "%d %d buf", __NR_clock_gettime,
		 CLOCK_PROCESS_CPUTIME_ID);
	EXPECT_KILLED(cmd);
	/*
	 * yield: the timer armed only at an absolute time and without
	 * reading the old value back, epoll_pwait only on the epoll fd and
	 * without a signal mask; no other way to wait.
	 */
	snprintf(cmd, sizeof(cmd), "%d fd:timer 0 buf 0", __NR_timerfd_settime);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d fd:timer %d buf buf",
		 __NR_timerfd_settime, TFD_TIMER_ABSTIME);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d fd:epoll %d buf 0",
		 __NR_timerfd_settime, TFD_TIMER_ABSTIME);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d fd:epoll buf 1 0 buf 8", __NR_epoll_pwait);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d fd:timer buf 1 0 0 8", __NR_epoll_pwait);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d fd:epoll buf 1 0", __NR_epoll_wait);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d 0 0 buf 0", __NR_ppoll);
	EXPECT_KILLED(cmd);
}

TEST_HARNESS_MAIN
