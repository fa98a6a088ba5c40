// SPDX-License-Identifier: GPL-2.0
/*
 * libnabla_args_test: libnabla's command line. A bad or conflicting
 * argument is one clear line on stderr and exit status 2, and nothing runs.
 *
 * "Before anything is attached": each bad command line is also run with
 * /dev/nabla hidden (a private mount namespace with an empty /dev). If
 * libnabla looked at the device before the arguments, the error would be
 * about the missing device; it must be about the argument.
 */
#include "kselftest_harness.h"
#include "libnabla_run.h"

#define RUN_MS	20000

FIXTURE(args) {
	char file[64];
	char block_arg[96];
	char block_arg2[96];
};

FIXTURE_SETUP(args)
{
	int fd = scratch_file(self->file, sizeof(self->file), 1 << 20);

	ASSERT_LE(0, fd);
	close(fd);
	snprintf(self->block_arg, sizeof(self->block_arg), "--block:b0=%s",
		 self->file);
	snprintf(self->block_arg2, sizeof(self->block_arg2), "--block:n0=%s",
		 self->file);
}

FIXTURE_TEARDOWN(args)
{
	unlink(self->file);
}

/* One line, ending in a newline, containing @needle. */
static bool one_line_with(const char *err, const char *needle)
{
	size_t len = strlen(err);

	return len > 0 && err[len - 1] == '\n' && !strchr(err, '\n')[1] &&
	       strstr(err, needle);
}

static void expect_refused(struct __test_metadata *_metadata,
			   const char *const *args, const char *needle)
{
	unsigned int flags[] = { 0, APP_HIDE_DEV_NABLA };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct nabla_app app;

		app_run(&app, "hello", args, flags[i], RUN_MS);
		EXPECT_TRUE(app_exited(&app, 2) && app.out_len == 0 &&
			    one_line_with(app.err, needle)) {
			TH_LOG("%s%s: %s, stdout: '%s', stderr: '%s' (want '%s')",
			       args[0], i ? " (no /dev/nabla)" : "",
			       app_ending(&app), app.out, app.err, needle);
		}
	}
}

#define REFUSED(needle, ...) do {					\
	const char *__args[] = { __VA_ARGS__, "--", "x", NULL };	\
	expect_refused(_metadata, __args, needle);			\
} while (0)

TEST_F(args, unknown_option)
{
	REFUSED("unknown option '--frob'", "--frob");
	REFUSED("unknown option '-x'", "-x");
	REFUSED("unknown option '--net'", "--net");
	REFUSED("unexpected argument 'stray'", "stray");
}

TEST_F(args, malformed_net)
{
	REFUSED("malformed '--net:n0'", "--net:n0");
	REFUSED("malformed '--net:n0='", "--net:n0=");
	REFUSED("malformed '--net:=lo'", "--net:=lo");
	REFUSED("bad device name", "--net:n.0=lo");
	REFUSED("bad device name",
		"--net:a2345678901234567890123456789012345678901234567890123456789012345678=lo");
	REFUSED("bad interface name", "--net:n0=a23456789012345678");
	REFUSED("bad interface name", "--net:n0=a/b");
	REFUSED("bad MAC address", "--net:n0=lo", "--net-mac:n0=01:00:00:00:00:01");
	REFUSED("bad MAC address", "--net:n0=lo", "--net-mac:n0=02:00:00:00:00");
	REFUSED("no --net:n1= device", "--net:n0=lo", "--net-mac:n1=02:00:00:00:00:01");
}

TEST_F(args, name_given_twice)
{
	REFUSED("device name 'n0' given twice", "--net:n0=lo", "--net:n0=lo2");
	REFUSED("device name 'n0' given twice", "--net:n0=lo", self->block_arg2);
	REFUSED("device name 'b0' given twice", self->block_arg, self->block_arg);
	REFUSED("interface 'lo' given twice", "--net:n0=lo", "--net:n1=lo");
	REFUSED("MAC of 'n0' given twice", "--net:n0=lo",
		"--net-mac:n0=02:00:00:00:00:01", "--net-mac:n0=02:00:00:00:00:02");
}

TEST_F(args, missing_block_file)
{
	REFUSED("cannot open '/nonexistent/disk.img'",
		"--block:b0=/nonexistent/disk.img");
	REFUSED("malformed '--block:b0='", "--block:b0=");
	REFUSED("cannot open '/tmp': Is a directory", "--block:b0=/tmp");
}

TEST_F(args, block_not_a_file_or_device)
{
	char fifo[96], arg[128], needle[160];

	snprintf(fifo, sizeof(fifo), "%s.fifo", self->file);
	ASSERT_EQ(0, mkfifo(fifo, 0600));
	snprintf(arg, sizeof(arg), "--block:b0=%s", fifo);
	snprintf(needle, sizeof(needle),
		 "'%s' is neither a regular file nor a block device", fifo);
	REFUSED(needle, arg);
	unlink(fifo);
}

/* --block-direct: a block device with 512-byte logical blocks only. */
TEST_F(args, block_direct_needs_a_block_device)
{
	char arg[128], needle[192];

	snprintf(arg, sizeof(arg), "--block-direct:b0=%s", self->file);
	snprintf(needle, sizeof(needle), "--block-direct needs a block device, "
		 "'%s' is not one", self->file);
	REFUSED(needle, arg);
	REFUSED("cannot open '/nonexistent'", "--block-direct:b0=/nonexistent");
	REFUSED("malformed '--block-direct:b0'", "--block-direct:b0");
	REFUSED("device name 'b0' given twice", self->block_arg,
		"--block-direct:b0=/dev/null");
}

/*
 * --block-sector-size:NAME=N (Solo5 0.7.4 and later): a power of two of
 * at least 512 (here: up to NABLA_BLOCK_MAX_IO), for a --block: device
 * given before or after it, once; the backing file must hold whole
 * sectors.
 */
TEST_F(args, bad_sector_size)
{
	const char *fmt = "bad sector size in '--block-sector-size:b0=%s'";
	const char *bad[] = { "1000", "256", "0", "2097152", "4k", "-512",
			      "", "0x1000", "99999999999999999999" };
	char needle[128], arg[64];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(arg, sizeof(arg), "--block-sector-size:b0=%s", bad[i]);
		snprintf(needle, sizeof(needle), fmt, bad[i]);
		if (!bad[i][0])
			snprintf(needle, sizeof(needle),
				 "malformed '--block-sector-size:b0='");
		REFUSED(needle, self->block_arg, arg);
	}
	REFUSED("'--block-sector-size:b1=512': no --block:b1= device",
		self->block_arg, "--block-sector-size:b1=512");
	REFUSED("sector size of 'b0' given twice",
		"--block-sector-size:b0=512", self->block_arg,
		"--block-sector-size:b0=4096");
}

TEST_F(args, block_size_not_a_multiple_of_the_sector_size)
{
	char needle[192];

	ASSERT_EQ(0, truncate(self->file, (1 << 20) + 512));
	snprintf(needle, sizeof(needle), "the size of '%s' (%d bytes) is not a "
		 "multiple of its sector size (4096 bytes)", self->file,
		 (1 << 20) + 512);
	REFUSED(needle, "--block-sector-size:b0=4096", self->block_arg);
	ASSERT_EQ(0, truncate(self->file, (1 << 20) + 100));
	snprintf(needle, sizeof(needle), "the size of '%s' (%d bytes) is not a "
		 "multiple of its sector size (512 bytes)", self->file,
		 (1 << 20) + 100);
	REFUSED(needle, self->block_arg);
}

TEST_F(args, bad_mem_and_backend)
{
	REFUSED("bad '--mem=0'", "--mem=0");
	REFUSED("bad '--mem=12x'", "--mem=12x");
	REFUSED("bad '--mem=-1'", "--mem=-1");
	REFUSED("bad '--mem=99999999999999999999'", "--mem=99999999999999999999");
	REFUSED("bad '--mem=2000000'", "--mem=2000000");
	REFUSED("'--mem' given twice", "--mem=1", "--mem=2");
	REFUSED("bad '--backend=kvm'", "--backend=kvm");
	REFUSED("'--backend' given twice", "--backend=dev", "--backend=syscall");
}

TEST_F(args, dev_nabla_missing)
{
	const char *args[] = { "--backend=dev", "--", "x", NULL };
	struct nabla_app app;

	app_run(&app, "hello", args, APP_HIDE_DEV_NABLA, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 2) && app.out_len == 0 &&
		    one_line_with(app.err, "/dev/nabla is missing") &&
		    strstr(app.err, "--backend=syscall")) {
		TH_LOG("%s, stdout: '%s', stderr: '%s'", app_ending(&app),
		       app.out, app.err);
	}
	/* The default backend is dev. */
	app_run(&app, "hello", args + 1, APP_HIDE_DEV_NABLA, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 2) &&
		    one_line_with(app.err, "/dev/nabla is missing"));
}

TEST_F(args, syscall_backend_needs_a_tap)
{
	const char *args[] = { "--backend=syscall", "--net:n0=nbnosuch0", NULL };
	const char *lo[] = { "--backend=syscall", "--net:n0=lo", NULL };
	struct nabla_app app;

	app_run(&app, "hello", args, 0, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 2) && app.out_len == 0 &&
		    one_line_with(app.err, "no interface 'nbnosuch0'") &&
		    strstr(app.err, "ip tuntap add")) {
		TH_LOG("%s, stderr: '%s'", app_ending(&app), app.err);
	}
	if (access("/dev/net/tun", F_OK))
		SKIP(return, "no /dev/net/tun");
	app_run(&app, "hello", lo, 0, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 2) && app.out_len == 0 &&
		    one_line_with(app.err, "cannot attach to tap 'lo'")) {
		TH_LOG("%s, stderr: '%s'", app_ending(&app), app.err);
	}
}

TEST_F(args, help_and_version)
{
	const char *help[] = { "--help", NULL };
	const char *version[] = { "--version", "--frob", NULL };
	struct nabla_app app;

	app_run(&app, "hello", help, APP_HIDE_DEV_NABLA, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0) && strstr(app.out, "usage:") &&
		    strstr(app.out, "--backend=dev|syscall") && !app.err[0]);
	app_run(&app, "hello", version, APP_HIDE_DEV_NABLA, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0) && strstr(app.out, "libnabla ") &&
		    !app.err[0]);
}

/* The good cases around the bad ones: these start the application. */
TEST_F(args, good_command_lines)
{
	const char *args[] = { "--backend=syscall", "--mem=2",
			       "--block-sector-size:b0=65536", self->block_arg,
			       "--", "a", "--mem=7", "--", "b", NULL };
	const char *none[] = { "--backend=syscall", NULL };
	struct nabla_app app;
	unsigned long long heap;

	app_run(&app, "hello", args, 0, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0) &&
		    app_has_line(&app, "cmdline=[a --mem=7 -- b]") &&
		    app_value(&app, "heap_size", &heap) && heap == 2 << 20) {
		TH_LOG("%s, stdout: '%s', stderr: '%s'", app_ending(&app),
		       app.out, app.err);
	}
	app_run(&app, "hello", none, 0, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0) && app_has_line(&app, "cmdline=[]"));
}

TEST_HARNESS_MAIN
