// SPDX-License-Identifier: GPL-2.0
/*
 * log.c: messages. Every message goes to stderr as "nabla-runc: LEVEL: ..."
 * (errors without the level), and, with --log FILE, also to FILE: as text,
 * or with --log-format json one object a line, {"level", "msg", "time"},
 * which is what containerd's shim reads from log.json when create fails,
 * and conmon from its --log file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nrc.h"

static FILE *log_file;
static enum nr_log_format log_format;

int nr_log_open(const char *path, enum nr_log_format fmt)
{
	log_file = fopen(path, "ae");
	if (!log_file) {
		fprintf(stderr, "nabla-runc: --log %s: %s\n", path, strerror(errno));
		return -1;
	}
	log_format = fmt;
	return 0;
}

/* Now, as RFC 3339 with nanoseconds, UTC (the log's and state.json's). */
void nr_time_rfc3339(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}

static void log_line(const char *level, const char *msg, bool to_stderr)
{
	char t[64];

	if (to_stderr && strcmp(level, "error"))
		fprintf(stderr, "nabla-runc: %s: %s\n", level, msg);
	else if (to_stderr)
		fprintf(stderr, "nabla-runc: %s\n", msg);
	if (!log_file)
		return;
	nr_time_rfc3339(t, sizeof(t));
	if (log_format == NR_LOG_JSON) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg,
				      "time", t);
		char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (s)
			fprintf(log_file, "%s\n", s);
		free(s);
		json_decref(o);
	} else {
		fprintf(log_file, "%s %s: %s\n", t, level, msg);
	}
	fflush(log_file);
}

static void vlog(const char *level, const char *fmt, va_list ap, int err)
{
	char msg[2048];
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(err));
	log_line(level, msg, true);
}

void nr_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error", fmt, ap, 0);
	va_end(ap);
}

void nr_perror(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog("error", fmt, ap, err);
	va_end(ap);
	errno = err;
}

void nr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning", fmt, ap, 0);
	va_end(ap);
}

/* Only to the log file: what a run did that no one asked to see. */
void nr_info(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line("info", msg, false);
}
