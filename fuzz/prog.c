// SPDX-License-Identifier: GPL-2.0
/*
 * A program's two forms.
 *
 * Binary (what AFL mutates): instructions one after the other, each an
 * opcode byte (bit 7: run on the second thread; the rest, modulo the
 * number of operations: which one) and, per argument of the operation, a
 * selector byte (modulo the argument's number of choices) followed, for
 * wide arguments, by 8 little-endian bytes that the "raw" choice uses.
 * Every byte string is a valid program: a short one ends with zeros.
 *
 * Text (fuzz/corpus/, reports): one instruction a line,
 *   [&]OP [ARG=CHOICE]... [-> RESULT]
 * "&" runs it on the second thread, an argument left out is its first
 * choice, a number for a wide argument is its raw value, RESULT is 0, an
 * errno name or "*" (anything; the default). "#" starts a comment.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

const struct choice *insn_choice(const struct insn *in, unsigned int i)
{
	return &in->op->f[i].ch[in->sel[i]];
}

void prog_decode(struct prog *p, const uint8_t *buf, size_t len)
{
	size_t pos = 0;
	unsigned int i, b;

	memset(p, 0, sizeof(*p));
	while (pos < len && p->n < MAX_INSNS) {
		struct insn *in = &p->in[p->n++];

		in->op = &ops[(buf[pos] & 0x7f) % nops];
		in->async = buf[pos++] & 0x80;
		p->any_async |= in->async;
		for (i = 0; i < in->op->nf; i++) {
			in->sel[i] = (pos < len ? buf[pos++] : 0) % in->op->f[i].nch;
			if (!in->op->f[i].wide)
				continue;
			for (b = 0; b < WIDE_BYTES; b++)
				in->raw[i] |= (uint64_t)(pos < len ? buf[pos++] : 0) << (8 * b);
		}
	}
}

size_t prog_encode(const struct prog *p, uint8_t *buf, size_t size)
{
	size_t pos = 0;
	unsigned int n, i, b;

	for (n = 0; n < p->n; n++) {
		const struct insn *in = &p->in[n];

		if (pos + 1 + MAX_FIELDS * (1 + WIDE_BYTES) > size)
			break;
		buf[pos++] = (in->op - ops) | (in->async ? 0x80 : 0);
		for (i = 0; i < in->op->nf; i++) {
			buf[pos++] = in->sel[i];
			if (!in->op->f[i].wide)
				continue;
			for (b = 0; b < WIDE_BYTES; b++)
				buf[pos++] = in->raw[i] >> (8 * b);
		}
	}
	return pos;
}

static const struct { int err; const char *name; } errnos[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" }, { EIO, "EIO" },
	{ ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" },
	{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
	{ ENOTBLK, "ENOTBLK" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" },
	{ ENOTTY, "ENOTTY" }, { EPIPE, "EPIPE" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ EMSGSIZE, "EMSGSIZE" }, { ETIMEDOUT, "ETIMEDOUT" },
};

/* "0", an errno's name, or its number. */
const char *errno_name(int err)
{
	static __thread char num[16];
	unsigned int i;

	if (!err)
		return "0";
	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].err == -err)
			return errnos[i].name;
	snprintf(num, sizeof(num), "%d", err);
	return num;
}

static int errno_parse(const char *s, int *err)
{
	unsigned int i;
	char *end;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(s, errnos[i].name)) {
			*err = -errnos[i].err;
			return 0;
		}
	*err = strtol(s, &end, 0);
	return *end || end == s ? -1 : 0;
}

void insn_print(const struct insn *in, FILE *out)
{
	unsigned int i;

	fprintf(out, "%s%s", in->async ? "&" : "", in->op->name);
	for (i = 0; i < in->op->nf; i++) {
		const struct choice *c = insn_choice(in, i);

		if (c->tag == T_RAW)
			fprintf(out, " %s=%#llx", in->op->f[i].name,
				(unsigned long long)in->raw[i]);
		else if (in->sel[i])
			fprintf(out, " %s=%s", in->op->f[i].name, c->name);
	}
}

void prog_print(const struct prog *p, FILE *out)
{
	unsigned int n;

	for (n = 0; n < p->n; n++) {
		insn_print(&p->in[n], out);
		fputc('\n', out);
	}
}

/* ARG=CHOICE into @in; -1 with a message if it names nothing. */
static int parse_arg(struct insn *in, char *tok, const char *where)
{
	char *val = strchr(tok, '='), *end;
	unsigned int i, c;

	if (!val) {
		fprintf(stderr, "%s: '%s' is not ARG=CHOICE\n", where, tok);
		return -1;
	}
	*val++ = '\0';
	for (i = 0; i < in->op->nf; i++)
		if (!strcmp(in->op->f[i].name, tok))
			break;
	if (i == in->op->nf) {
		fprintf(stderr, "%s: %s has no argument '%s'\n", where, in->op->name, tok);
		return -1;
	}
	for (c = 0; c < in->op->f[i].nch; c++)
		if (!strcmp(in->op->f[i].ch[c].name, val)) {
			in->sel[i] = c;
			return 0;
		}
	for (c = 0; c < in->op->f[i].nch; c++)
		if (in->op->f[i].ch[c].tag == T_RAW)
			break;
	if (c < in->op->f[i].nch && (in->raw[i] = strtoull(val, &end, 0), !*end && end != val)) {
		in->sel[i] = c;
		return 0;
	}
	fprintf(stderr, "%s: %s: '%s' is not a choice of %s\n", where, in->op->name, val, tok);
	return -1;
}

static int parse_line(struct prog *p, char *line, const char *where, int lineno)
{
	char *result = strstr(line, "->"), *tok, *save;
	struct insn *in;
	unsigned int o;

	if (result) {
		*result = '\0';
		result += 2;
	}
	tok = strtok_r(line, " \t", &save);
	if (!tok)
		return 0;
	if (p->n == MAX_INSNS) {
		fprintf(stderr, "%s: more than %d instructions\n", where, MAX_INSNS);
		return -1;
	}
	in = &p->in[p->n];
	memset(in, 0, sizeof(*in));
	in->async = *tok == '&';
	tok += in->async;
	for (o = 0; o < nops; o++)
		if (!strcmp(ops[o].name, tok))
			break;
	if (o == nops) {
		fprintf(stderr, "%s: no operation '%s'\n", where, tok);
		return -1;
	}
	in->op = &ops[o];
	in->line = lineno;
	while ((tok = strtok_r(NULL, " \t", &save)))
		if (parse_arg(in, tok, where))
			return -1;
	if (result) {
		tok = strtok_r(result, " \t", &save);
		if (tok && strcmp(tok, "*")) {
			in->has_expect = true;
			if (errno_parse(tok, &in->expect)) {
				fprintf(stderr, "%s: result '%s' is not 0, an errno or *\n",
					where, tok);
				return -1;
			}
		}
	}
	p->any_async |= in->async;
	p->n++;
	return 0;
}

int prog_parse(struct prog *p, const char *text, const char *file)
{
	char *copy = strdup(text), *line = copy, *next, *hash, where[300];
	int lineno = 0, err = 0;

	memset(p, 0, sizeof(*p));
	for (; line && !err; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		snprintf(where, sizeof(where), "%s:%d", file, lineno);
		err = parse_line(p, line, where, lineno);
	}
	free(copy);
	return err;
}
