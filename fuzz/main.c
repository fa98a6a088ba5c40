// SPDX-License-Identifier: GPL-2.0
/*
 * nabla-fuzz: the target afl-fuzz drives, and the tools around its inputs.
 *
 *   nabla-fuzz --afl [--pcmap FILE] [--reports FILE] [--save DIR]
 *	AFL's fork server: the fixtures once, then one child per input
 *	(read from stdin), its KCOV coverage in AFL's bitmap. A kernel
 *	report in /dev/kmsg after an input (KASAN, UBSAN, lockdep, WARNING...)
 *	is told to AFL as a crash (SIGABRT), and the input and the report
 *	are saved in DIR.
 *   nabla-fuzz --replay [--reports FILE] PROG...
 *	KTAP: each program (text or binary) in a child; a case fails when a
 *	result differs from the one the text expects, the program crashes or
 *	hangs, or the kernel reports a problem meanwhile.
 *   nabla-fuzz --run PROG...	run and print every call and its result
 *   nabla-fuzz --encode PROG.prog OUT	the binary form of a text program
 *   nabla-fuzz --decode FILE	the text form of a binary program
 *
 * The fork server speaks AFL's protocol on fds 198 (control) and 199
 * (status): a four-byte hello that gives the size of the coverage map,
 * then per run a four-byte request, the child's pid and its wait status.
 * Without afl-fuzz (fd 199 closed) it runs stdin once.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "nabla_test.h"

#define FORKSRV_FD	198
/* The options of AFL++'s hello (its include/types.h). */
#define FS_OPT_ENABLED	0x80000001U
#define FS_OPT_MAPSIZE	0x40000000U
#define REPLAY_TIMEOUT	120	/* seconds per program */

static const char *reports_path = "/etc/nabla/reports";
static const char *save_dir;
static regex_t reports_re;
static int kmsg = -1;
static unsigned int nsaved;

/* ---- kernel reports ---------------------------------------------------------- */

/* /dev/kmsg from now on, and the report patterns of testhost/reports. */
static void reports_open(void)
{
	char buf[4096];
	ssize_t n = -1;
	int fd = open(reports_path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0 || (buf[n] = '\0', buf[strcspn(buf, "\n")] = '\0',
		       regcomp(&reports_re, buf, REG_EXTENDED | REG_NOSUB))) {
		fprintf(stderr, "nabla-fuzz: no report patterns in %s\n", reports_path);
		exit(1);
	}
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg < 0 || lseek(kmsg, 0, SEEK_END) < 0) {
		perror("nabla-fuzz: /dev/kmsg");
		exit(1);
	}
}

/*
 * Kernel messages since the last look that report a problem (level
 * warning or worse, matching the patterns), appended to @out. Lines of
 * level info and below are never reports: the console's kernel-log sink
 * writes there, whatever bytes a program gives it.
 */
static int reports_new(char *out, size_t size)
{
	char rec[2048], *msg;
	unsigned int pri;
	size_t used = strlen(out);
	ssize_t n;
	int found = 0;

	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten before we read them */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg || sscanf(rec, "%u", &pri) != 1 || (pri & 7) > 4)
			continue;
		*strchrnul(++msg, '\n') = '\0';
		if (regexec(&reports_re, msg, 0, NULL, 0))
			continue;
		found++;
		used += snprintf(out + used, used < size ? size - used : 0, "%s\n", msg);
		if (used >= size)
			used = size - 1;
	}
	return found;
}

/* The input of a run that made the kernel report, beside the report. */
static void save_report(const uint8_t *input, size_t len, const char *report)
{
	char path[512];
	FILE *f;

	fprintf(stderr, "nabla-fuzz: kernel report after an input (%zu bytes):\n%s", len, report);
	if (!save_dir)
		return;
	snprintf(path, sizeof(path), "%s/report-%03u.bin", save_dir, nsaved);
	f = fopen(path, "w");
	if (f) {
		fwrite(input, 1, len, f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/report-%03u.txt", save_dir, nsaved++);
	f = fopen(path, "w");
	if (f) {
		fputs(report, f);
		fclose(f);
	}
}

/* ---- inputs --------------------------------------------------------------------- */

static size_t read_all(int fd, uint8_t *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size && (n = read(fd, buf + len, size - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += n;
	}
	return len;
}

static bool is_text(const char *path)
{
	size_t n = strlen(path);

	return n > 5 && !strcmp(path + n - 5, ".prog");
}

/* A program from a file, text (.prog) or binary; 0 or -1 with a message. */
static int load(const char *path, struct prog *p)
{
	static uint8_t buf[1 << 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len;

	if (fd < 0) {
		fprintf(stderr, "nabla-fuzz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	len = read_all(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (!is_text(path)) {
		prog_decode(p, buf, len < MAX_PROG_BYTES ? len : MAX_PROG_BYTES);
		return 0;
	}
	buf[len] = '\0';
	return prog_parse(p, (char *)buf, path);
}

/* ---- modes ------------------------------------------------------------------------ */

static void setup(void)
{
	if (fixtures_setup())
		exit(1);
	if (cover_setup())
		fprintf(stderr, "nabla-fuzz: no KCOV in this kernel: no coverage\n");
}

static void child_run_stdin(void)
{
	static uint8_t buf[MAX_PROG_BYTES];
	static struct prog p;

	prog_decode(&p, buf, read_all(0, buf, sizeof(buf)));
	prog_run(&p, false, NULL);
	_exit(0);
}

static int afl_serve(void)
{
	static uint8_t input[MAX_PROG_BYTES];
	char report[8192];
	uint32_t word = 0;
	ssize_t len;
	int status;
	pid_t pid;

	setup();
	reports_open();
	/* The hello says the map's size (AFL++'s FS_OPT_MAPSIZE). */
	word = FS_OPT_ENABLED | FS_OPT_MAPSIZE | ((cover_map_size() - 1) << 1);
	if (write(FORKSRV_FD + 1, &word, 4) != 4) {
		/* Not under afl-fuzz: run stdin once. */
		pid = fork();
		if (!pid)
			child_run_stdin();
		waitpid(pid, &status, 0);
		report[0] = '\0';
		return reports_new(report, sizeof(report)) ? 1 : status != 0;
	}
	for (;;) {
		if (read(FORKSRV_FD, &word, 4) != 4)
			return 0;
		pid = fork();
		if (pid < 0)
			return 1;
		if (!pid) {
			close(FORKSRV_FD);
			close(FORKSRV_FD + 1);
			child_run_stdin();
		}
		if (write(FORKSRV_FD + 1, &pid, 4) != 4)
			return 1;
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				return 1;
		report[0] = '\0';
		if (reports_new(report, sizeof(report))) {
			len = pread(0, input, sizeof(input), 0);
			save_report(input, len > 0 ? len : 0, report);
			status = SIGABRT;
		}
		fixtures_restore();
		if (write(FORKSRV_FD + 1, &status, 4) != 4)
			return 1;
	}
}

/*
 * A program's fd 1 is /dev/null, as under afl-fuzz (the console's default
 * sink: no program writes to the terminal); the log goes to a copy of it.
 */
static void child_run(const struct prog *p, bool check, FILE *log)
{
	FILE *out = log ? fdopen(dup(fileno(log)), "w") : NULL;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (null < 0 || dup2(null, 1) < 0)
		_exit(2);
	if (out)
		setvbuf(out, NULL, _IOLBF, 0);
	_exit(prog_run(p, check, out) ? 1 : 0);
}

/* The child's wait status, killing it after @secs seconds. */
static int wait_timeout(pid_t pid, int secs, bool *timed_out)
{
	struct timespec tick = { 0, 10000000 };
	int status, n;

	*timed_out = false;
	for (n = 0; n < secs * 100; n++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		nanosleep(&tick, NULL);
	}
	*timed_out = true;
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* One program in a child, at most REPLAY_TIMEOUT s; 0 if all went as expected. */
static int run_child(const struct prog *p, bool check, FILE *log, char *why, size_t size)
{
	bool timed_out;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (!pid)
		child_run(p, check, log);
	status = wait_timeout(pid, REPLAY_TIMEOUT, &timed_out);
	fixtures_restore();
	if (timed_out) {
		snprintf(why, size, "no end within %d s", REPLAY_TIMEOUT);
		return 1;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, size, "killed by signal %d", WTERMSIG(status));
		return 1;
	}
	if (WEXITSTATUS(status))
		snprintf(why, size, "results differ from the expected ones");
	return WEXITSTATUS(status) != 0;
}

static int replay(int argc, char **argv)
{
	static struct prog p;
	char why[256], report[8192];
	uint64_t t0 = mono_ns(), t1;
	int i, failed = 0, bad;

	setup();
	reports_open();
	printf("TAP version 13\n1..%d\n", argc);
	for (i = 0; i < argc; i++) {
		t1 = mono_ns();
		why[0] = report[0] = '\0';
		bad = load(argv[i], &p) ? (snprintf(why, sizeof(why), "does not parse"), 1) :
		      run_child(&p, true, stdout, why, sizeof(why));
		if (reports_new(report, sizeof(report))) {
			printf("# the kernel reported:\n%s", report);
			snprintf(why, sizeof(why), "kernel report");
			bad = 1;
		}
		printf("%sok %d %s (%llu ms)%s%s\n", bad ? "not " : "", i + 1,
		       strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i],
		       (unsigned long long)(mono_ns() - t1) / 1000000, bad ? " # " : "", why);
		failed += bad;
	}
	printf("# %d passed, %d failed in %llu ms\n", argc - failed, failed,
	       (unsigned long long)(mono_ns() - t0) / 1000000);
	return failed ? 1 : 0;
}

static int run_verbose(int argc, char **argv)
{
	static struct prog p;
	char why[256];
	int i, failed = 0;

	setup();
	for (i = 0; i < argc; i++) {
		if (load(argv[i], &p))
			return 2;
		printf("%s:\n", argv[i]);
		why[0] = '\0';
		if (run_child(&p, is_text(argv[i]), stdout, why, sizeof(why))) {
			printf("%s: %s\n", argv[i], why);
			failed++;
		}
	}
	return failed ? 1 : 0;
}

static int encode(const char *in, const char *out)
{
	static uint8_t buf[MAX_PROG_BYTES];
	static struct prog p;
	size_t len;
	FILE *f;

	if (load(in, &p))
		return 2;
	len = prog_encode(&p, buf, sizeof(buf));
	f = fopen(out, "w");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "nabla-fuzz: %s: %s\n", out, strerror(errno));
		return 1;
	}
	return 0;
}

static int decode(const char *in)
{
	static struct prog p;

	if (load(in, &p))
		return 2;
	prog_print(&p, stdout);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: nabla-fuzz --afl [--pcmap FILE] [--reports FILE] [--save DIR]\n"
		"       nabla-fuzz --replay [--reports FILE] PROG...\n"
		"       nabla-fuzz --run PROG...\n"
		"       nabla-fuzz --encode PROG.prog OUT\n"
		"       nabla-fuzz --decode FILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int i = 2;

	while (i + 1 < argc && !strncmp(argv[i], "--", 2)) {
		if (!strcmp(argv[i], "--pcmap"))
			cover_pcmap_open(argv[i + 1]);
		else if (!strcmp(argv[i], "--reports"))
			reports_path = argv[i + 1];
		else if (!strcmp(argv[i], "--save"))
			save_dir = argv[i + 1];
		else
			usage();
		i += 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "--afl"))
		return afl_serve();
	if (!strcmp(mode, "--replay"))
		return replay(argc - i, argv + i);
	if (!strcmp(mode, "--run"))
		return run_verbose(argc - i, argv + i);
	if (!strcmp(mode, "--encode") && argc - i == 2)
		return encode(argv[i], argv[i + 1]);
	if (!strcmp(mode, "--decode") && argc - i == 1)
		return decode(argv[i]);
	usage();
	return 2;
}
