// SPDX-License-Identifier: GPL-2.0
/*
 * libnabla_api_test: the Solo5 API as applications see it, on both
 * backends: console and command line, exit statuses, clocks, yield without
 * network, block I/O, device lookup, TLS. (Networking: libnabla_net_test.)
 */
#include "kselftest_harness.h"
#include "libnabla_run.h"
#include "nabla_test.h"

#define RUN_MS		60000
#define DISK_SIZE	(4 << 20)	/* more than one 3 MiB piece */

FIXTURE(api) {
	char file[64];
	char block_arg[96];
};

BACKEND_VARIANTS(api);

FIXTURE_SETUP(api)
{
	int fd = scratch_file(self->file, sizeof(self->file), DISK_SIZE);

	ASSERT_LE(0, fd);
	close(fd);
	snprintf(self->block_arg, sizeof(self->block_arg), "--block:b0=%s",
		 self->file);
}

FIXTURE_TEARDOWN(api)
{
	umount2(self->file, MNT_DETACH);	/* block_read_only's bind mount */
	unlink(self->file);
}

#define LOG_APP(app) TH_LOG("%s, stdout: '%s', stderr: '%s'",		\
			    app_ending(app), (app)->out, (app)->err)

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

TEST_F(api, hello_console_and_cmdline)
{
	const char *args[] = { variant->backend, "--mem=3", "--", "one",
			       "two  three", "", "four", NULL };
	struct nabla_app app;
	unsigned long long heap;

	NEED_BACKEND();
	app_run(&app, "hello", args, 0, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "hello from a Solo5 application"));
	/* argv joined by single spaces, as they were */
	EXPECT_TRUE(app_has_line(&app, "cmdline=[one two  three  four]"))
		LOG_APP(&app);
	EXPECT_TRUE(app_value(&app, "heap_size", &heap) && heap == 3 << 20);
	EXPECT_TRUE(app_has_line(&app, "done"));
	EXPECT_STREQ("", app.err);
}

TEST_F(api, exit_status)
{
	static const struct {
		const char *how, *n;
		int status;
	} cases[] = {
		{ "return", "0", 0 },
		{ "return", "7", 7 },
		{ "exit", "3", 3 },
		{ "exit", "254", 254 },
		{ "exit", "300", 300 & 255 },
		{ "abort", NULL, 255 },
	};
	unsigned int i;

	NEED_BACKEND();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[] = { variant->backend, "--mem=1", "--",
				       cases[i].how, cases[i].n, NULL };
		struct nabla_app app;

		app_run(&app, "exit", args, 0, RUN_MS);
		EXPECT_TRUE(app_exited(&app, cases[i].status)) {
			TH_LOG("%s %s: %s, want exit %d", cases[i].how,
			       cases[i].n ? cases[i].n : "", app_ending(&app),
			       cases[i].status);
		}
	}
}

TEST_F(api, clocks)
{
	const char *args[] = { variant->backend, "--mem=1", "--", "20000", NULL };
	unsigned long long mono, wall, reads;
	uint64_t wall_before, wall_after, mono_before, mono_after;
	struct nabla_app app;

	NEED_BACKEND();
	wall_before = now_ns(CLOCK_REALTIME);
	mono_before = now_ns(CLOCK_MONOTONIC);
	app_run(&app, "clock", args, 0, RUN_MS);
	mono_after = now_ns(CLOCK_MONOTONIC);
	wall_after = now_ns(CLOCK_REALTIME);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	ASSERT_TRUE(app_value(&app, "reads", &reads) && reads == 20000);
	ASSERT_TRUE(app_value(&app, "monotonic", &mono));
	ASSERT_TRUE(app_value(&app, "wall", &wall));
	/* The same clocks as the host's: within the run, give or take 1 s. */
	EXPECT_LE(wall_before - 1000000000ULL, wall);
	EXPECT_GE(wall_after + 1000000000ULL, wall);
	EXPECT_LE(mono_before, mono);
	EXPECT_GE(mono_after, mono);
}

static void yield_for(struct __test_metadata *_metadata, const char *backend,
		      unsigned int ms, unsigned long long slack_ms)
{
	char ms_arg[16];
	const char *args[] = { backend, "--mem=1", "--", "idle", ms_arg, NULL };
	unsigned long long elapsed, ready;
	struct nabla_app app;

	snprintf(ms_arg, sizeof(ms_arg), "%u", ms);
	app_run(&app, "yield", args, 0, RUN_MS);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	ASSERT_TRUE(app_value(&app, "elapsed_ns", &elapsed));
	ASSERT_TRUE(app_value(&app, "ready_set", &ready));
	EXPECT_EQ(0, ready);
	/* Not early; not much later (generous: TCG is slow and shared). */
	EXPECT_LE(ms * 1000000ULL, elapsed);
	EXPECT_GE((ms + slack_ms) * 1000000ULL, elapsed);
}

TEST_F(api, yield_until_deadline)
{
	NEED_BACKEND();
	yield_for(_metadata, variant->backend, 300, 1500);
	yield_for(_metadata, variant->backend, 1000, 1500);
	/* A deadline now (or past) only polls. */
	yield_for(_metadata, variant->backend, 0, 1500);
}

/* Must match apps/block.c. */
static uint8_t pattern(uint64_t offset, uint64_t seed)
{
	uint64_t x = (offset + 1) * 0x9e3779b97f4a7c15ULL ^ seed;

	return x >> 56;
}

/*
 * What the host sees in @path is what apps/block wrote (pattern @seed
 * over [0, @len)), and the file did not grow.
 */
static bool file_matches(struct __test_metadata *_metadata, const char *path,
			 uint64_t len, uint64_t seed)
{
	static uint8_t data[DISK_SIZE];
	struct stat st;
	uint64_t i;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || len > sizeof(data) ||
	    pread(fd, data, len, 0) != (ssize_t)len || fstat(fd, &st)) {
		TH_LOG("cannot read %llu bytes of %s", (unsigned long long)len,
		       path);
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	for (i = 0; i < len; i++)
		if (data[i] != pattern(i, seed))
			break;
	if (i < len || st.st_size != DISK_SIZE) {
		TH_LOG("%s: first difference at %llu, size %lld", path,
		       (unsigned long long)i, (long long)st.st_size);
		return false;
	}
	return true;
}

TEST_F(api, block_write_read_exact)
{
	const char *args[] = { variant->backend, "--mem=1", self->block_arg,
			       "--", "rw", "12345", NULL };
	unsigned long long cap, bs;
	struct nabla_app app;

	NEED_BACKEND();
	app_run(&app, "block", args, 0, RUN_MS);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "rw=ok")) LOG_APP(&app);
	EXPECT_TRUE(app_value(&app, "capacity", &cap) && cap == DISK_SIZE);
	EXPECT_TRUE(app_value(&app, "block_size", &bs) && bs == 512);
	EXPECT_TRUE(file_matches(_metadata, self->file, DISK_SIZE, 12345));
}

/* A block device (brd's /dev/ram1 in the test host): the first 4 MiB. */
TEST_F(api, block_device_write_read_exact)
{
	const char *dev = "/dev/ram1";
	char block_arg[64];
	const char *args[] = { variant->backend, "--mem=1", block_arg,
			       "--", "rw", "777", "4194304", NULL };
	static uint8_t data[4 << 20];
	struct nabla_app app;
	uint64_t i;
	int fd;

	NEED_BACKEND();
	if (access(dev, W_OK))
		SKIP(return, "no %s (brd not loaded)", dev);
	snprintf(block_arg, sizeof(block_arg), "--block:b0=%s", dev);
	app_run(&app, "block", args, 0, RUN_MS);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "rw=ok")) LOG_APP(&app);
	fd = open(dev, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(data), pread(fd, data, sizeof(data), 0));
	close(fd);
	for (i = 0; i < sizeof(data); i++)
		if (data[i] != pattern(i, 777))
			break;
	EXPECT_EQ(sizeof(data), i);
}

/*
 * --block-direct: the same on /dev/ram1 opened O_DIRECT, with buffers at
 * a page boundary, 512 bytes after one and at odd addresses (the syscall
 * backend bounces those; the dev backend too). What the application wrote
 * is on the device (an O_DIRECT read sees it) as soon as it said so.
 */
TEST_F(api, block_device_direct)
{
	static const char *const skews[] = { "0", "512", "1", "4095" };
	const char *dev = "/dev/ram1";
	char block_arg[64], seed[16];
	const char *args[] = { variant->backend, "--mem=1", block_arg,
			       "--", "rw", seed, "2097152", NULL, NULL };
	uint8_t *data;
	unsigned int s;
	uint64_t i;
	int fd;

	NEED_BACKEND();
	if (access(dev, W_OK))
		SKIP(return, "no %s (brd not loaded)", dev);
	ASSERT_EQ(0, posix_memalign((void **)&data, 4096, 2 << 20));
	snprintf(block_arg, sizeof(block_arg), "--block-direct:b0=%s", dev);
	for (s = 0; s < sizeof(skews) / sizeof(skews[0]); s++) {
		struct nabla_app app;

		snprintf(seed, sizeof(seed), "%u", 900 + s);
		args[7] = skews[s];
		app_run(&app, "block", args, 0, RUN_MS);
		ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
		EXPECT_TRUE(app_has_line(&app, "rw=ok")) LOG_APP(&app);
		fd = open(dev, O_RDONLY | O_DIRECT);
		ASSERT_LE(0, fd);
		ASSERT_EQ(2 << 20, pread(fd, data, 2 << 20, 0));
		close(fd);
		for (i = 0; i < 2 << 20; i++)
			if (data[i] != pattern(i, 900 + s))
				break;
		EXPECT_EQ(2 << 20, i) TH_LOG("skew %s", skews[s]);
	}
	free(data);
}

/* Stopped and continued in the middle of a yield: still waits it out. */
TEST_F(api, yield_survives_stop_and_continue)
{
	const char *args[] = { variant->backend, "--mem=1", "--", "idle",
			       "1500", NULL };
	unsigned long long elapsed;
	struct nabla_app app;

	NEED_BACKEND();
	ASSERT_EQ(0, app_start(&app, "yield", args, 0));
	ASSERT_TRUE(app_wait_line(&app, "ready", 20000)) {
		app_finish(&app, 1000);
		LOG_APP(&app);
	}
	usleep(200 * 1000);
	kill(app.pid, SIGSTOP);
	usleep(200 * 1000);
	kill(app.pid, SIGCONT);
	app_finish(&app, RUN_MS);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	ASSERT_TRUE(app_value(&app, "elapsed_ns", &elapsed));
	EXPECT_LE(1500ULL * 1000000, elapsed);
}

/*
 * The dev backend registers the heap and the program's .data/.bss with the
 * module before the seal, so that block transfers from them are not pinned
 * per call: two regions, the 1 MiB heap and at least a page more, seen in
 * the context's debugfs while the application runs.
 */
TEST(dev_registers_heap_and_data)
{
	const char *args[] = { "--backend=dev", "--mem=1", "--", "idle",
			       "1500", NULL };
	long long heap_pages = (1 << 20) / sysconf(_SC_PAGESIZE);
	const char *why = backend_missing("--backend=dev");
	struct nabla_app app;
	char dir[256];
	int found;

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, app_start(&app, "yield", args, 0));
	ASSERT_TRUE(app_wait_line(&app, "ready", 20000)) {
		app_finish(&app, 1000);
		LOG_APP(&app);
	}
	found = ctx_debugfs_dir(app.pid, dir, sizeof(dir));
	if (!found) {
		EXPECT_EQ(2, debugfs_get(dir, "context", "regions"));
		EXPECT_LT(heap_pages, debugfs_get(dir, "context",
						  "registered_pages"));
	}
	app_finish(&app, RUN_MS);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	if (found)
		SKIP(return, "no debugfs directory for the application's context");
}

/*
 * A block file that can only be opened read-only (a read-only bind mount,
 * in this test's own mount namespace): reads work, writes fail with
 * SOLO5_R_EUNSPEC, and nothing is killed.
 */
TEST_F(api, block_read_only)
{
	const char *args[] = { variant->backend, "--mem=1", self->block_arg,
			       "--", "write", NULL };
	unsigned long long wr, rd;
	struct nabla_app app;

	NEED_BACKEND();
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount(self->file, self->file, NULL, MS_BIND, NULL) ||
	    mount(NULL, self->file, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL))
		SKIP(return, "cannot make a read-only bind mount: %s",
		     strerror(errno));
	app_run(&app, "block", args, 0, RUN_MS);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	EXPECT_TRUE(app_value(&app, "write_result", &wr) &&
		    wr == 3 /* SOLO5_R_EUNSPEC */) LOG_APP(&app);
	EXPECT_TRUE(app_value(&app, "read_result", &rd) && rd == 0);
}

TEST_F(api, block_bad_io_refused)
{
	const char *args[] = { variant->backend, "--mem=1", self->block_arg,
			       "--", "bad", NULL };
	struct nabla_app app;
	struct stat st;

	NEED_BACKEND();
	app_run(&app, "block", args, 0, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0) && app_has_line(&app, "bad=ok"))
		LOG_APP(&app);
	ASSERT_EQ(0, stat(self->file, &st));
	EXPECT_EQ(DISK_SIZE, st.st_size);
}

/*
 * --block-sector-size:b0=4096: block_size and capacity as given, whole
 * pieces of any number of sectors (and of 3 MiB) written and read back,
 * I/O aligned to 512 but not to 4096 refused. Both backends; the dev
 * backend through the module's per-attach block size.
 */
TEST_F(api, block_sector_size_4096)
{
	const char *rw[] = { variant->backend, "--mem=1",
			     "--block-sector-size:b0=4096", self->block_arg,
			     "--", "rw", "77", NULL };
	const char *bad[] = { variant->backend, "--mem=1", self->block_arg,
			      "--block-sector-size:b0=4096", "--", "bad", NULL };
	unsigned long long cap, bs;
	struct nabla_app app;

	NEED_BACKEND();
	app_run(&app, "block", rw, 0, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0) && app_has_line(&app, "rw=ok"))
		LOG_APP(&app);
	EXPECT_TRUE(app_value(&app, "block_size", &bs) && bs == 4096);
	EXPECT_TRUE(app_value(&app, "capacity", &cap) && cap == DISK_SIZE);
	EXPECT_TRUE(file_matches(_metadata, self->file, DISK_SIZE, 77));
	app_run(&app, "block", bad, 0, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0) && app_has_line(&app, "bad=ok"))
		LOG_APP(&app);
}

/* The largest sector size: one transfer is one sector. */
TEST_F(api, block_sector_size_max)
{
	char size_arg[64];
	const char *args[] = { variant->backend, "--mem=1", size_arg,
			       self->block_arg, "--", "rw", "5", NULL };
	unsigned long long bs;
	struct nabla_app app;

	NEED_BACKEND();
	snprintf(size_arg, sizeof(size_arg), "--block-sector-size:b0=%u",
		 NABLA_BLOCK_MAX_IO);
	app_run(&app, "block", args, 0, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0) && app_has_line(&app, "rw=ok"))
		LOG_APP(&app);
	EXPECT_TRUE(app_value(&app, "block_size", &bs) &&
		    bs == NABLA_BLOCK_MAX_IO);
	EXPECT_TRUE(file_matches(_metadata, self->file, DISK_SIZE, 5));
}

/* solo5.h: a device may be acquired once; later calls get EINVAL. */
TEST_F(api, acquire_once)
{
	const char *args[] = { variant->backend, "--mem=1", self->block_arg,
			       "--", "block:b0", "block:b0", NULL };
	struct nabla_app app;

	NEED_BACKEND();
	app_run(&app, "acquire", args, 0, RUN_MS);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	EXPECT_TRUE(strstr(app.out, "block:b0=ok\nblock:b0=einval\n"))
		LOG_APP(&app);
}

TEST_F(api, acquire_by_name_and_type)
{
	const char *args[] = { variant->backend, "--mem=1", self->block_arg,
			       "--", "block:b0", "net:b0", "block:nosuch",
			       "net:nosuch", "block:", "block:B0", NULL };
	struct nabla_app app;

	NEED_BACKEND();
	app_run(&app, "acquire", args, 0, RUN_MS);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "block:b0=ok")) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "net:b0=einval"));
	EXPECT_TRUE(app_has_line(&app, "block:nosuch=einval"));
	EXPECT_TRUE(app_has_line(&app, "net:nosuch=einval"));
	EXPECT_TRUE(app_has_line(&app, "block:=einval"));
	EXPECT_TRUE(app_has_line(&app, "block:B0=einval"));
	EXPECT_TRUE(app_has_line(&app, "cross=einval"));
}

TEST_F(api, tls)
{
	const char *args[] = { variant->backend, "--mem=1", NULL };
	static const char *const keys[] = {
		"fs0_is_tp", "tdata_ok", "tbss_zero", "tdata_str_ok",
		"block2_fresh", "block1_kept", "in_block", "clock_ok",
		"noncanonical_einval",
	};
	struct nabla_app app;
	unsigned long long v;
	unsigned int i;

	NEED_BACKEND();
	app_run(&app, "tls", args, 0, RUN_MS);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	if (app_has_line(&app, "tls=unsupported"))
		SKIP(return, "no FSGSBASE on this CPU or kernel: "
		     "solo5_set_tls_base returns SOLO5_R_EUNSPEC");
	EXPECT_TRUE(app_has_line(&app, "tls=done")) LOG_APP(&app);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		EXPECT_TRUE(app_value(&app, keys[i], &v) && v == 1) {
			TH_LOG("%s: %s", keys[i], app.out);
		}
	}
}

TEST_HARNESS_MAIN
