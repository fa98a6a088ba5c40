// SPDX-License-Identifier: ISC
/*
 * err.c: start-up errors, one line on stderr prefixed with the program's
 * name. Apart from start.c so that nabla-run, which has a main() of its
 * own, links it without libnabla's main().
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *nabla_prog = "libnabla";

void nabla_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", nabla_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Errors are prefixed with the program's name (argv[0] without its path). */
void nabla_set_prog(const char *argv0)
{
	const char *slash;

	if (!argv0 || !argv0[0])
		return;
	slash = strrchr(argv0, '/');
	nabla_prog = slash ? slash + 1 : argv0;
}

const char *nabla_prog_name(void)
{
	return nabla_prog;
}
