// SPDX-License-Identifier: GPL-2.0
/*
 * libnabla_confine_test: once solo5_app_main runs, the process may make
 * only the calls its backend's filter allows; everything else must kill it
 * with SIGSYS. Each attempt runs apps/sys in a fresh process.
 *
 * dev backend: ioctl(nabla fd, hypercall) and exit_group only.
 * syscall backend: as Solo5 spt: read/write on tap fds, pread64/pwrite64
 * on block files within bounds, ppoll, clock_gettime, write(1), exit_group.
 */
#include <linux/filter.h>
#include <linux/nabla.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "libnabla_run.h"

/* Past the last x86_64 system call of 6.12 (462), to include unused ones. */
#define LAST_NR		511
#define RUN_MS		20000

FIXTURE(confine) {
	char block_path[64];
};

FIXTURE_VARIANT(confine) {
	const char *backend;
};

FIXTURE_VARIANT_ADD(confine, dev) {
	.backend = "--backend=dev",
};

FIXTURE_VARIANT_ADD(confine, syscall) {
	.backend = "--backend=syscall",
};

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

#define NEED_BACKEND() do {						\
	const char *why = backend_missing(variant->backend);		\
	if (why)							\
		SKIP(return, "%s", why);				\
} while (0)

/*
 * Start apps/sys with the backend, a 1 MiB block device "b0" and the words
 * of @cmd (space-separated) as its command line.
 */
static int start_sys(struct nabla_app *app, const char *backend,
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

static int run_sys(struct nabla_app *app, const char *backend,
		   const char *block_path, const char *cmd)
{
	if (start_sys(app, backend, block_path, cmd))
		return -2;
	return app_finish(app, RUN_MS);
}

#define EXPECT_KILLED(cmd) do {						\
	struct nabla_app __app;						\
	run_sys(&__app, variant->backend, self->block_path, cmd);	\
	EXPECT_TRUE(app_killed_by(&__app, SIGSYS)) {			\
		TH_LOG("'%s': %s, stdout: %s, stderr: %s", cmd,		\
		       app_ending(&__app), __app.out, __app.err);	\
	}								\
} while (0)

#define EXPECT_SURVIVES(cmd, rc) do {					\
	struct nabla_app __app;						\
	unsigned long long __v = 1;					\
	run_sys(&__app, variant->backend, self->block_path, cmd);	\
	EXPECT_TRUE(app_exited(&__app, 0) &&				\
		    app_value(&__app, "survived rc", &__v) &&		\
		    (long long)__v == (rc)) {				\
		TH_LOG("'%s': %s, stdout: %s, stderr: %s", cmd,		\
		       app_ending(&__app), __app.out, __app.err);	\
	}								\
} while (0)

static bool allowed_by_number(const char *backend, long nr)
{
	if (nr == __NR_exit_group)
		return true;
	/*
	 * The syscall backend allows these by argument, and with zero
	 * arguments they pass (clock_gettime of CLOCK_REALTIME) or block for
	 * ever (ppoll of no fds without a timeout): tested with bad arguments
	 * below instead.
	 */
	if (!backend_is_dev(backend))
		return nr == __NR_ppoll || nr == __NR_clock_gettime;
	return false;
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
	app_finish(app, RUN_MS);
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

/* Some at a time: each try is a whole process start-up. */
#define PARALLEL	4

TEST_F_TIMEOUT(confine, every_syscall_number, 280)
{
	static struct nabla_app apps[PARALLEL];
	long nrs[PARALLEL], nr, extra[] = { 1000, 0x3fffffff, -1 };
	unsigned int i, n = 0, survivors = 0;
	char cmd[32];

	NEED_BACKEND();
	for (nr = 0; nr <= LAST_NR; nr++) {
		if (allowed_by_number(variant->backend, nr))
			continue;
		snprintf(cmd, sizeof(cmd), "%ld", nr);
		ASSERT_EQ(0, start_sys(&apps[n], variant->backend,
				       self->block_path, cmd));
		nrs[n++] = nr;
		if (n < PARALLEL && nr < LAST_NR)
			continue;
		for (i = 0; i < n; i++)
			survivors += survived(_metadata, &apps[i], nrs[i]);
		n = 0;
	}
	for (i = 0; i < n; i++)
		survivors += survived(_metadata, &apps[i], nrs[i]);
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%ld", extra[i]);
		EXPECT_KILLED(cmd);
	}
	EXPECT_EQ(0, survivors);
}

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
		/* ppoll of no fds with a zero timeout. */
		snprintf(cmd, sizeof(cmd), "%d 0 0 buf 0", __NR_ppoll);
		EXPECT_SURVIVES(cmd, 0);
	}
	/* exit_group(7) ends the process normally, with its status. */
	{
		struct nabla_app app;
		unsigned long long v;

		snprintf(cmd, sizeof(cmd), "%d 7", __NR_exit_group);
		run_sys(&app, variant->backend, self->block_path, cmd);
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
		NABLA_SET_CONSOLE, NABLA_SEAL,
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
	/* ppoll: no signal mask, exactly the net fds (none here) */
	snprintf(cmd, sizeof(cmd), "%d 0 0 buf buf 8", __NR_ppoll);
	EXPECT_KILLED(cmd);
	snprintf(cmd, sizeof(cmd), "%d buf 1 buf 0", __NR_ppoll);
	EXPECT_KILLED(cmd);
}

TEST_HARNESS_MAIN
