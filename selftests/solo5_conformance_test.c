// SPDX-License-Identifier: GPL-2.0
/*
 * solo5_conformance_test: freestanding Solo5 unikernels (unikernels/, built
 * with Solo5's x86_64 flags and nabla's bindings) run by nabla-run on both
 * backends, against what Solo5 documents: solo5.h's contract, and what its
 * tests (tests/tests.bats) expect of a tender on Linux (spt): the exit
 * status or the signal, and a marker in the output. Where Solo5 lets an
 * implementation choose, the test says which choice nabla makes.
 *
 * Solo5's outcomes: SUCCESS and status 0; an abort is status 255 and
 * "ABORT" in the output; a fault kills the process with a signal (SIGSEGV:
 * a shell's 139); a forbidden system call with SIGSYS (159); a tender that
 * cannot run the unikernel says why and exits with 1, running nothing.
 */
#include <sys/resource.h>
#include <elf.h>

#include "kselftest_harness.h"
#include "libnabla_run.h"
#include "net_peer.h"

#include "mft_abi.h"

#define RUN_MS		60000
#define TEST_MTU	1400

FIXTURE(uk) {
	char dir[64];		/* scratch files */
};

BACKEND_VARIANTS(uk);

FIXTURE_SETUP(uk)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/nabla-uk-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(uk)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		perror(cmd);
}

#define LOG_APP(app) TH_LOG("%s, stdout: '%s', stderr: '%s'",		\
			    app_ending(app), (app)->out, (app)->err)

static const char *suffix(const char *backend)
{
	return backend_is_dev(backend) ? "dev" : "syscall";
}

/*
 * nabla-run: beside this test when installed (make install of the
 * selftests, the test host), else in the tree this test was built in.
 */
static int tender_path(char *buf, size_t size)
{
	if (beside_test("nabla-run", buf, size))
		return -1;
	if (!access(buf, X_OK))
		return 0;
	return beside_test("../tenders/nabla/nabla-run", buf, size);
}

/* unikernels/NAME.dev or .syscall, for @backend. */
static int uk_path(const char *name, const char *backend, char *buf,
		   size_t size)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "unikernels/%s.%s", name, suffix(backend));
	return beside_test(rel, buf, size);
}

/*
 * nabla-run OPTS... UNIKERNEL ARGS... (both lists NULL-terminated; --mem=4
 * unless OPTS has a --mem=), UNIKERNEL being @path. Returns app_finish()'s
 * status.
 */
static int uk_run_path(struct nabla_app *app, const char *path,
		       const char *const *opts, const char *const *args)
{
	const char *argv[APP_MAX_ARGS + 1];
	const char *mem = "--mem=4";
	char tender[PATH_MAX];
	int n = 0, i;

	for (i = 0; opts && opts[i]; i++)
		if (!strncmp(opts[i], "--mem=", 6))
			mem = NULL;
	if (mem)
		argv[n++] = mem;
	for (i = 0; opts && opts[i] && n < APP_MAX_ARGS - 1; i++)
		argv[n++] = opts[i];
	argv[n++] = path;
	for (i = 0; args && args[i] && n < APP_MAX_ARGS; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (tender_path(tender, sizeof(tender)) ||
	    prog_start(app, tender, argv, 0))
		return -2;
	return app_finish(app, RUN_MS);
}

static int uk_run(struct nabla_app *app, const char *backend, const char *name,
		  const char *const *opts, const char *const *args)
{
	char path[PATH_MAX];

	if (uk_path(name, backend, path, sizeof(path)))
		return -2;
	return uk_run_path(app, path, opts, args);
}

#define ARGS(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define NONE		NULL

static bool succeeded(const struct nabla_app *app)
{
	return app_exited(app, 0) && app_has_line(app, "SUCCESS");
}

static bool aborted(const struct nabla_app *app)
{
	return app_exited(app, 255) && strstr(app->out, "ABORT");
}

/* nabla-run refused to run it: status 1, a reason, nothing run. */
static bool refused(const struct nabla_app *app, const char *why)
{
	return app_exited(app, 1) && app->out_len == 0 && strstr(app->err, why);
}

/* A file of @size bytes in the fixture's directory; its path in @path. */
static int make_file(const char *dir, const char *name, off_t size,
		     char *path, size_t len)
{
	int fd;

	snprintf(path, len, "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, size)) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Solo5 "hello": the command line arrives, SUCCESS, the bindings log. */
TEST_F(uk, hello)
{
	struct nabla_app app;

	NEED_BACKEND();
	uk_run(&app, variant->backend, "hello", NONE, ARGS("Hello_Solo5"));
	EXPECT_TRUE(succeeded(&app)) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "cmdline=[Hello_Solo5]"));
	EXPECT_TRUE(strstr(app.out, "Solo5: Bindings version"));
	EXPECT_TRUE(app_has_line(&app, "Solo5: solo5_exit(0) called"));
	EXPECT_EQ(0, app.err[0]) LOG_APP(&app);
}

/* Solo5 "quiet": --solo5:quiet leaves nothing of "Solo5:" in the output. */
TEST_F(uk, quiet)
{
	struct nabla_app app;

	NEED_BACKEND();
	uk_run(&app, variant->backend, "hello", ARGS("--"),
	       ARGS("--solo5:quiet", "Hello_Solo5"));
	EXPECT_TRUE(succeeded(&app)) LOG_APP(&app);
	EXPECT_EQ(NULL, strstr(app.out, "Solo5:")) LOG_APP(&app);
}

/* solo5_exit(n) and returning n end with n; solo5_abort() with 255. */
TEST_F(uk, exit_status)
{
	static const char *const codes[] = { "0", "1", "2", "42", "254" };
	struct nabla_app app;
	unsigned int i;

	NEED_BACKEND();
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		uk_run(&app, variant->backend, "exit", NONE,
		       ARGS("--solo5:quiet", "exit", codes[i]));
		EXPECT_TRUE(app_exited(&app, atoi(codes[i])) &&
			    app_has_line(&app, "ending")) LOG_APP(&app);
		uk_run(&app, variant->backend, "exit", NONE,
		       ARGS("return", codes[i]));
		EXPECT_TRUE(app_exited(&app, atoi(codes[i]))) LOG_APP(&app);
	}
	uk_run(&app, variant->backend, "exit", NONE, ARGS("abort"));
	EXPECT_TRUE(app_exited(&app, 255) &&
		    app_has_line(&app, "Solo5: solo5_abort() called"))
		LOG_APP(&app);
}

TEST_F(uk, globals)
{
	struct nabla_app app;

	NEED_BACKEND();
	uk_run(&app, variant->backend, "globals", NONE, NONE);
	EXPECT_TRUE(succeeded(&app)) LOG_APP(&app);
}

TEST_F(uk, fpu_and_sse)
{
	struct nabla_app app;

	NEED_BACKEND();
	uk_run(&app, variant->backend, "fpu", NONE, NONE);
	EXPECT_TRUE(succeeded(&app)) LOG_APP(&app);
}

/* Solo5 "notls": no TLS before solo5_set_tls_base(): %fs faults. */
TEST_F(uk, no_tls_before_set_tls_base)
{
	struct nabla_app app;

	NEED_BACKEND();
	uk_run(&app, variant->backend, "notls", NONE, NONE);
	EXPECT_TRUE(app_killed_by(&app, SIGSEGV) &&
		    app_has_line(&app, "reading through %fs")) LOG_APP(&app);
	uk_run(&app, variant->backend, "notls", NONE, ARGS("zero"));
	EXPECT_TRUE(app_killed_by(&app, SIGSEGV)) LOG_APP(&app);
}

/* Solo5 "tls": solo5.h's TLS calls, two blocks switched. */
TEST_F(uk, tls)
{
	struct nabla_app app;

	NEED_BACKEND();
	uk_run(&app, variant->backend, "tls", NONE, NONE);
	EXPECT_TRUE(succeeded(&app)) LOG_APP(&app);
}

/*
 * Solo5 "ssp": a smashed canary aborts, saying so. The canary is random
 * (another each run), its low byte zero.
 */
TEST_F(uk, stack_protector)
{
	unsigned long long g1 = 0, g2 = 0;
	struct nabla_app app;

	NEED_BACKEND();
	uk_run(&app, variant->backend, "ssp", NONE, NONE);
	EXPECT_TRUE(aborted(&app) &&
		    app_has_line(&app, "Solo5: ABORT: Stack corruption detected") &&
		    !strstr(app.out, "survived")) LOG_APP(&app);
	EXPECT_TRUE(app_value(&app, "guard", &g1));
	uk_run(&app, variant->backend, "ssp", NONE, NONE);
	EXPECT_TRUE(app_value(&app, "guard", &g2) && aborted(&app));
	EXPECT_NE(g1, g2);
	EXPECT_EQ(0, g1 & 0xff);
	EXPECT_NE(0x00deadbeef0d0a00ULL, g1);
}

/* Solo5 "wnox", "xnow": no page both writable and executable. */
TEST_F(uk, write_xor_execute)
{
	static const char *const faults[] = { "text", "rodata", "data", "heap",
					      "stack" };
	struct nabla_app app;
	unsigned int i;

	NEED_BACKEND();
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		uk_run(&app, variant->backend, "wxorx", NONE, ARGS(faults[i]));
		EXPECT_TRUE(app_killed_by(&app, SIGSEGV) &&
			    app_has_line(&app, "trying")) {
			TH_LOG("%s:", faults[i]);
			LOG_APP(&app);
		}
	}
	/* The control: the code runs where it is. */
	uk_run(&app, variant->backend, "wxorx", NONE, ARGS("ok"));
	EXPECT_TRUE(succeeded(&app) && app_has_line(&app, "ran=42"))
		LOG_APP(&app);
}

/*
 * Solo5 "zeropage", "exception": NULL, the read-only boot page and memory
 * beyond the unikernel's fault; so does an invalid instruction (SIGILL).
 */
TEST_F(uk, faults)
{
	static const struct {
		const char *what;
		int sig;
	} cases[] = {
		{ "null", SIGSEGV }, { "lowmem", SIGSEGV },
		{ "beyond", SIGSEGV }, { "ud2", SIGILL },
	};
	struct nabla_app app;
	unsigned int i;

	NEED_BACKEND();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uk_run(&app, variant->backend, "fault", NONE,
		       ARGS(cases[i].what));
		EXPECT_TRUE(app_killed_by(&app, cases[i].sig) &&
			    app_has_line(&app, "trying")) {
			TH_LOG("%s:", cases[i].what);
			LOG_APP(&app);
		}
	}
}

/* Solo5 "seccomp": a system call outside the filter: SIGSYS. */
TEST_F(uk, forbidden_system_call)
{
	struct nabla_app app;

	NEED_BACKEND();
	uk_run(&app, variant->backend, "seccomp", NONE, NONE);
	EXPECT_TRUE(app_killed_by(&app, SIGSYS) &&
		    app_has_line(&app, "calling getpid")) LOG_APP(&app);
}

/* Solo5 "noexec host": the host kernel will not run a unikernel itself. */
TEST_F(uk, host_will_not_exec_it)
{
	char path[PATH_MAX];
	int status;
	pid_t pid;

	ASSERT_EQ(0, uk_path("hello", variant->backend, path, sizeof(path)));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl(path, path, (char *)NULL);
		_exit(errno == ENOENT ? 42 : 43);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42);
}

/*
 * Solo5 "time": monotonic time passes, a past deadline returns, each 1 s
 * sleep lasts at least 1 s and (most of them: unikernels/time.c says why)
 * at most 100 ms more; wall time is sane.
 */
TEST_F(uk, clock_and_yield)
{
	struct nabla_app app;

	NEED_BACKEND();
	uk_run(&app, variant->backend, "time", NONE, ARGS("5", "100"));
	EXPECT_TRUE(succeeded(&app)) LOG_APP(&app);
}

/*
 * The same with every CPU busy: the deadline is absolute on both backends
 * (the syscall backend arms its timer at it, as spt does), so the only
 * lateness is the wake-up's. Hogs at nice 10: busy, not starving.
 */
TEST_F(uk, clock_and_yield_under_load)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), i;
	pid_t hogs[16];
	struct nabla_app app;

	NEED_BACKEND();
	if (cpus < 1 || cpus > 16)
		cpus = 2;
	for (i = 0; i < cpus; i++) {
		hogs[i] = fork();
		ASSERT_LE(0, hogs[i]);
		if (hogs[i] == 0) {
			if (setpriority(PRIO_PROCESS, 0, 10))
				_exit(1);
			for (;;)
				asm volatile ("" : : : "memory");
		}
	}
	uk_run(&app, variant->backend, "time", NONE, ARGS("3", "100"));
	for (i = 0; i < cpus; i++) {
		kill(hogs[i], SIGKILL);
		waitpid(hogs[i], NULL, 0);
	}
	EXPECT_TRUE(succeeded(&app)) LOG_APP(&app);
}

/* block devices "b0" (apps/block.c) with @size_opt, the file of @size */
static void block_run(struct __test_metadata *_metadata,
		      FIXTURE_DATA(uk) *self, const char *backend,
		      const char *size_opt, off_t size, const char *mode,
		      struct nabla_app *app)
{
	char path[128], arg[160];

	ASSERT_EQ(0, make_file(self->dir, "b0.img", size, path, sizeof(path)));
	snprintf(arg, sizeof(arg), "--block:b0=%s", path);
	/* Its buffers are 6 MiB of .bss. */
	if (size_opt)
		uk_run(app, backend, "block", ARGS("--mem=16", arg, size_opt),
		       ARGS("--solo5:quiet", mode, "99"));
	else
		uk_run(app, backend, "block", ARGS("--mem=16", arg),
		       ARGS("--solo5:quiet", mode, "99"));
}

/*
 * Solo5 "blk", with the sector sizes of --block-sector-size (512, the
 * default, and 4096): the whole device written in pieces of several
 * sectors and read back; I/O not on sector boundaries, empty or out of
 * range is EINVAL.
 */
TEST_F(uk, block_sector_sizes)
{
	static const struct {
		const char *opt;
		unsigned long long bs;
	} sizes[] = {
		{ NULL, 512 },
		{ "--block-sector-size:b0=512", 512 },
		{ "--block-sector-size:b0=4096", 4096 },
	};
	unsigned long long bs, cap;
	struct nabla_app app;
	unsigned int i;

	NEED_BACKEND();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		block_run(_metadata, self, variant->backend, sizes[i].opt,
			  1 << 20, "rw", &app);
		EXPECT_TRUE(app_exited(&app, 0) && app_has_line(&app, "rw=ok") &&
			    app_value(&app, "block_size", &bs) &&
			    bs == sizes[i].bs &&
			    app_value(&app, "capacity", &cap) && cap == 1 << 20)
			LOG_APP(&app);
		block_run(_metadata, self, variant->backend, sizes[i].opt,
			  1 << 20, "bad", &app);
		EXPECT_TRUE(app_exited(&app, 0) && app_has_line(&app, "bad=ok"))
			LOG_APP(&app);
	}
}

/*
 * The sector size's error cases, as Solo5's tender: not a power of two,
 * below 512, and a file whose size is not a multiple of it.
 */
TEST_F(uk, block_sector_size_refused)
{
	struct nabla_app app;

	NEED_BACKEND();
	block_run(_metadata, self, variant->backend,
		  "--block-sector-size:b0=1000", 1 << 20, "rw", &app);
	EXPECT_TRUE(refused(&app, "bad sector size")) LOG_APP(&app);
	block_run(_metadata, self, variant->backend,
		  "--block-sector-size:b0=256", 1 << 20, "rw", &app);
	EXPECT_TRUE(refused(&app, "bad sector size")) LOG_APP(&app);
	block_run(_metadata, self, variant->backend,
		  "--block-sector-size:b0=4096", (1 << 20) + 512, "rw", &app);
	EXPECT_TRUE(refused(&app, "not a multiple of its sector size (4096"))
		LOG_APP(&app);
	block_run(_metadata, self, variant->backend, NULL, (1 << 20) + 100,
		  "rw", &app);
	EXPECT_TRUE(refused(&app, "not a multiple of its sector size (512"))
		LOG_APP(&app);
}

/*
 * Solo5 "mft_maxdevices": 63 block devices, each acquired (once) and
 * read; a 64th is more than a manifest holds, and than nabla-run takes.
 */
TEST_F(uk, max_devices)
{
	static char args[64][160];
	const char *opts[66];
	char path[128], name[32];
	struct nabla_app app;
	int i;

	NEED_BACKEND();
	for (i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "storage%d.img", i);
		ASSERT_EQ(0, make_file(self->dir, name, 4096, path, sizeof(path)));
		snprintf(args[i], sizeof(args[i]), "--block:storage%d=%s", i,
			 path);
		opts[i] = args[i];
	}
	opts[63] = NULL;
	uk_run(&app, variant->backend, "maxdevices", opts, NONE);
	EXPECT_TRUE(succeeded(&app) && app_has_line(&app, "acquired=63"))
		LOG_APP(&app);
	/* A 64th device: refused before anything runs. */
	opts[63] = args[63];
	opts[64] = NULL;
	uk_run(&app, variant->backend, "maxdevices", opts, NONE);
	EXPECT_TRUE(refused(&app, "too many devices")) LOG_APP(&app);
}

/*
 * The manifest and the command line must agree (Solo5's tenders): every
 * manifest device given, as its type, and no other.
 */
TEST_F(uk, manifest_mismatch)
{
	char path[128], block[160], net[64];
	struct nabla_app app;

	NEED_BACKEND();
	ASSERT_EQ(0, make_file(self->dir, "b0.img", 4096, path, sizeof(path)));
	snprintf(block, sizeof(block), "--block:b0=%s", path);
	snprintf(net, sizeof(net), "--net:b0=lo");
	uk_run(&app, variant->backend, "block", ARGS("--mem=16"), ARGS("rw"));
	EXPECT_TRUE(refused(&app, "its BLOCK_BASIC device 'b0' is not given"))
		LOG_APP(&app);
	uk_run(&app, variant->backend, "hello", ARGS(block), ARGS("x"));
	EXPECT_TRUE(refused(&app, "no device 'b0' in the manifest"))
		LOG_APP(&app);
	uk_run(&app, variant->backend, "block", ARGS("--mem=16", net),
	       ARGS("rw"));
	EXPECT_TRUE(refused(&app, "'b0' is a BLOCK_BASIC device in the manifest"))
		LOG_APP(&app);
}

/* The bindings' backend and --backend must agree. */
TEST_F(uk, backend_mismatch)
{
	struct nabla_app app;
	const char *other = backend_is_dev(variant->backend) ?
			    "--backend=syscall" : "--backend=dev";

	uk_run(&app, variant->backend, "hello", ARGS(other), ARGS("x"));
	EXPECT_TRUE(refused(&app, "cannot run with --backend=")) LOG_APP(&app);
}

/* A copy of hello's unikernel with @len bytes at @off replaced by @bytes. */
static int corrupt_copy(const char *backend, const char *dir, const char *name,
			off_t off, const void *bytes, size_t len, off_t truncate_to,
			char *path, size_t size)
{
	static uint8_t image[4 << 20];
	char src[PATH_MAX];
	ssize_t n;
	int fd;

	if (uk_path("hello", backend, src, sizeof(src)))
		return -1;
	fd = open(src, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, image, sizeof(image));
	close(fd);
	if (n <= 0 || off + (off_t)len > n)
		return -1;
	memcpy(image + off, bytes, len);
	if (truncate_to)
		n = truncate_to;
	snprintf(path, size, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
	if (fd < 0)
		return -1;
	if (write(fd, image, n) != n) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The program header of hello's unikernel of type @type, flags @flags. */
static int phdr_index(const char *backend, uint32_t type, uint32_t flags,
		      Elf64_Ehdr *eh, Elf64_Phdr *ph)
{
	char path[PATH_MAX];
	int fd, i, found = -1;

	if (uk_path("hello", backend, path, sizeof(path)))
		return -1;
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, eh, sizeof(*eh), 0) != sizeof(*eh)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (i = 0; i < eh->e_phnum && found < 0; i++) {
		if (pread(fd, ph, sizeof(*ph), eh->e_phoff + i * sizeof(*ph)) !=
		    sizeof(*ph))
			break;
		if (ph->p_type == type && (!flags || ph->p_flags == flags))
			found = i;
	}
	close(fd);
	return found;
}

/*
 * A bad or hostile ELF file: nabla-run says why, exits with 1, and runs
 * nothing. Each case is hello's unikernel with one field broken.
 */
TEST_F(uk, corrupt_elf)
{
	Elf64_Ehdr eh;
	Elf64_Phdr text, note;
	struct {
		const char *name, *why;
		off_t off;
		uint64_t value;
		size_t len;
		off_t truncate_to;
	} cases[16];
	struct nabla_app app;
	char path[128];
	int ti, ni, n = 0, i;

	NEED_BACKEND();
	ti = phdr_index(variant->backend, PT_LOAD, PF_R | PF_X, &eh, &text);
	ni = phdr_index(variant->backend, PT_NOTE, 0, &eh, &note);
	ASSERT_LE(0, ti);
	ASSERT_LE(0, ni);
#define CASE(n_, w_, o_, v_, l_, t_) \
	cases[n++] = (typeof(cases[0])){ n_, w_, o_, v_, l_, t_ }
#define PH(i_, field) (eh.e_phoff + (i_) * sizeof(Elf64_Phdr) + \
		       offsetof(Elf64_Phdr, field))
	CASE("short", "too short for an ELF header", 0, 0x464c457f, 4, 40);
	CASE("magic", "not an ELF file", 0, 0x464c457e, 4, 0);
	CASE("type", "not a static executable", offsetof(Elf64_Ehdr, e_type),
	     ET_DYN, 2, 0);
	CASE("machine", "not an x86_64 ELF file",
	     offsetof(Elf64_Ehdr, e_machine), EM_AARCH64, 2, 0);
	CASE("phoff", "program headers beyond the end of the file",
	     offsetof(Elf64_Ehdr, e_phoff), 1ULL << 40, 8, 0);
	CASE("truncated", "beyond the end of the file", 0, 0x464c457f, 4,
	     text.p_offset + 16);
	CASE("wx", "both writable and executable", PH(ti, p_flags),
	     PF_R | PF_W | PF_X, 4, 0);
	CASE("low", "below the lowest load address", PH(ti, p_vaddr),
	     0x10000, 8, 0);
	CASE("memsz", "its end overflows", PH(ti, p_memsz), ~0ULL - 4096, 8, 0);
	CASE("filesz", "file size larger than memory size", PH(ti, p_filesz),
	     text.p_memsz + 1, 8, 0);
	CASE("entry", "not in an executable segment",
	     offsetof(Elf64_Ehdr, e_entry), 0x7fffffff0000ULL, 8, 0);
	/* The manifest note: another type, then a bad entry count. */
	CASE("nomanifest", "no Solo5 manifest",
	     note.p_offset + offsetof(struct mft_note_header, n_type),
	     0x3254464d, 4, 0);
	CASE("entries", "bad number of entries",
	     note.p_offset + offsetof(struct mft_note, m.entries), 65, 4, 0);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, corrupt_copy(variant->backend, self->dir,
					  cases[i].name, cases[i].off,
					  &cases[i].value, cases[i].len,
					  cases[i].truncate_to, path,
					  sizeof(path)));
		uk_run_path(&app, path, NONE, ARGS("Hello_Solo5"));
		EXPECT_TRUE(refused(&app, cases[i].why)) {
			TH_LOG("%s (want '%s'):", cases[i].name, cases[i].why);
			LOG_APP(&app);
		}
	}
}

/*
 * Solo5 "net": the MTU and MAC as the interface's, nothing to read before
 * a frame comes (AGAIN), frames too large or too small to send and a read
 * buffer smaller than mtu + 14 refused (EINVAL, the frame kept); then a
 * burst of frames sent before any is read comes back, every one, in order
 * and intact (the ring: queued, not lost).
 */
TEST_F(uk, net_mtu_and_ring)
{
	enum { frames = 100 };
	static uint8_t out[frames][2048];
	uint8_t mac[6], in[2048];
	char count[16];
	unsigned long long v;
	struct nabla_app app;
	struct net_peer peer;
	char uk[PATH_MAX], tender[PATH_MAX];
	unsigned int seq;
	const char *why = net_peer_missing(variant->backend);

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, net_peer_setup(&peer, variant->backend, TEST_MTU));
	/* Room for every echo while the test is still sending. */
	ASSERT_EQ(0, setsockopt(peer.sock, SOL_SOCKET, SO_RCVBUFFORCE,
				&(int){ 8 << 20 }, sizeof(int)));
	snprintf(count, sizeof(count), "%u", frames);
	ASSERT_EQ(0, uk_path("echo", variant->backend, uk, sizeof(uk)));
	ASSERT_EQ(0, tender_path(tender, sizeof(tender)));
	ASSERT_EQ(0, prog_start(&app, tender, ARGS("--mem=4", peer.net_arg,
						   uk, "--solo5:quiet", count),
				0));
	ASSERT_TRUE(app_wait_line(&app, "ready", RUN_MS)) {
		app_finish(&app, 1000);
		LOG_APP(&app);
		net_peer_teardown(&peer);
	}
	ASSERT_TRUE(app_mac(&app, mac));
	EXPECT_TRUE(app_value(&app, "mtu", &v) && v == TEST_MTU) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "first_read=again")) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "bad_write=einval")) LOG_APP(&app);
	for (seq = 0; seq < frames; seq++) {
		size_t len = make_frame(out[seq], mac, peer.peer_mac, seq,
					TEST_MTU);

		ASSERT_EQ(0, send_frame(peer.sock, peer.ifindex, out[seq], len));
	}
	for (seq = 0; seq < frames; seq++) {
		size_t len = make_frame(out[seq], mac, peer.peer_mac, seq,
					TEST_MTU);
		ssize_t n = recv_frame(peer.sock, in, sizeof(in), 10000);

		EXPECT_EQ((ssize_t)len, n) {
			TH_LOG("frame %u: sent %zu bytes, got %zd", seq, len, n);
			break;
		}
		EXPECT_EQ(0, memcmp(in, peer.peer_mac, 6));
		EXPECT_EQ(0, memcmp(in + 6, mac, 6));
		EXPECT_EQ(0, memcmp(in + 12, out[seq] + 12, len - 12));
	}
	app_finish(&app, RUN_MS);
	net_peer_teardown(&peer);
	EXPECT_TRUE(app_exited(&app, 0) && app_value(&app, "echoed", &v) &&
		    v == frames) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "short_read=einval")) LOG_APP(&app);
}

TEST_HARNESS_MAIN
