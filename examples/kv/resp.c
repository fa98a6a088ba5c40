// SPDX-License-Identifier: ISC
/*
 * resp.c: RESP2 request parser (see resp.h).
 *
 * The parser is restartable by re-parsing: an incomplete request yields
 * RESP_NEED_MORE and nothing is remembered. Bulk payloads are skipped by
 * their announced length, never scanned, so re-parsing a large request that
 * arrives in many segments costs only its headers each time.
 */
#include <string.h>

#include "resp.h"

/* Longest "*<n>" or "$<n>" header line we accept, CRLF included. */
#define RESP_MAX_HEADER		24

/* Find "\r\n" in buf[from..len); return the index of '\r' or -1. */
static long find_crlf(const uint8_t *buf, size_t from, size_t len)
{
	const uint8_t *p = buf + from;
	size_t left = len - from;

	while (left >= 2) {
		const uint8_t *cr = memchr(p, '\r', left - 1);

		if (!cr)
			return -1;
		if (cr[1] == '\n')
			return (long)(cr - buf);
		left -= (size_t)(cr + 1 - p);
		p = cr + 1;
	}
	return -1;
}

/* Signed decimal in buf[0..len): 0 on success. */
static int parse_int(const uint8_t *s, size_t len, long long *out)
{
	long long v = 0;
	int neg = 0;
	size_t i = 0;

	if (len && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == len || len - i > 18)
		return -1;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

/*
 * Parse the header line "<type><n>\r\n" at buf[*pos]; advance *pos past it.
 * RESP_NEED_MORE if the line is not complete yet.
 */
static enum resp_status parse_header(const uint8_t *buf, size_t len,
				     size_t *pos, long long *n,
				     const char **error, const char *what)
{
	long cr = find_crlf(buf, *pos, len);

	if (cr < 0) {
		if (len - *pos > RESP_MAX_HEADER) {
			*error = what;
			return RESP_PROTO_ERROR;
		}
		return RESP_NEED_MORE;
	}
	if ((size_t)cr - *pos > RESP_MAX_HEADER ||
	    parse_int(buf + *pos + 1, (size_t)cr - *pos - 1, n)) {
		*error = what;
		return RESP_PROTO_ERROR;
	}
	*pos = (size_t)cr + 2;
	return RESP_OK;
}

static enum resp_status parse_multibulk(const uint8_t *buf, size_t len,
					struct resp_cmd *cmd, size_t *consumed,
					const char **error)
{
	size_t pos = 0;
	long long n, blen;
	enum resp_status st;
	int i;

	st = parse_header(buf, len, &pos, &n, error, "invalid multibulk length");
	if (st != RESP_OK)
		return st;
	if (n > RESP_MAX_ARGS) {
		*error = "too many arguments in request";
		return RESP_PROTO_ERROR;
	}
	cmd->argc = 0;
	for (i = 0; i < n; i++) {
		if (pos >= len)
			return RESP_NEED_MORE;
		if (buf[pos] != '$') {
			*error = "expected '$' for a bulk string";
			return RESP_PROTO_ERROR;
		}
		st = parse_header(buf, len, &pos, &blen, error,
				  "invalid bulk length");
		if (st != RESP_OK)
			return st;
		if (blen < 0 || blen > RESP_MAX_BULK) {
			*error = "invalid bulk length (limit 524352 bytes)";
			return RESP_PROTO_ERROR;
		}
		if (len - pos < (size_t)blen + 2)
			return RESP_NEED_MORE;
		if (buf[pos + blen] != '\r' || buf[pos + blen + 1] != '\n') {
			*error = "expected CRLF after a bulk string";
			return RESP_PROTO_ERROR;
		}
		cmd->argv[i].p = buf + pos;
		cmd->argv[i].len = (size_t)blen;
		pos += (size_t)blen + 2;
	}
	cmd->argc = n > 0 ? (int)n : 0;	/* "*0" and "*-1" ask for nothing */
	*consumed = pos;
	return RESP_OK;
}

static int is_blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static enum resp_status parse_inline(const uint8_t *buf, size_t len,
				     struct resp_cmd *cmd, size_t *consumed,
				     const char **error)
{
	const uint8_t *nl = memchr(buf, '\n', len);
	size_t end, i = 0;

	if (!nl) {
		if (len > RESP_MAX_INLINE) {
			*error = "too big inline request";
			return RESP_PROTO_ERROR;
		}
		return RESP_NEED_MORE;
	}
	end = (size_t)(nl - buf);
	if (end > RESP_MAX_INLINE) {
		*error = "too big inline request";
		return RESP_PROTO_ERROR;
	}
	cmd->argc = 0;
	while (i < end) {
		size_t start;

		while (i < end && is_blank(buf[i]))
			i++;
		if (i == end)
			break;
		if (cmd->argc == RESP_MAX_ARGS) {
			*error = "too many arguments in request";
			return RESP_PROTO_ERROR;
		}
		start = i;
		while (i < end && !is_blank(buf[i]))
			i++;
		cmd->argv[cmd->argc].p = buf + start;
		cmd->argv[cmd->argc].len = i - start;
		cmd->argc++;
	}
	*consumed = end + 1;
	return RESP_OK;
}

enum resp_status resp_parse(const uint8_t *buf, size_t len,
			    struct resp_cmd *cmd, size_t *consumed,
			    const char **error)
{
	if (len == 0)
		return RESP_NEED_MORE;
	if (buf[0] == '*')
		return parse_multibulk(buf, len, cmd, consumed, error);
	return parse_inline(buf, len, cmd, consumed, error);
}

int resp_arg_is(const struct resp_arg *a, const char *word)
{
	size_t i;

	for (i = 0; i < a->len; i++) {
		uint8_t c = a->p[i];

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (!word[i] || c != (uint8_t)word[i])
			return 0;
	}
	return word[i] == '\0';
}
