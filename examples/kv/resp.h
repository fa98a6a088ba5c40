/* SPDX-License-Identifier: ISC */
/*
 * resp.h: parsing of Redis (RESP2) requests, as sent by redis-cli and
 * redis-benchmark: multi-bulk arrays ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and
 * inline commands ("GET k\r\n"). Pure functions over a byte buffer: the
 * arguments point into the caller's buffer.
 */
#ifndef KV_RESP_H
#define KV_RESP_H

#include <stddef.h>
#include <stdint.h>

#define RESP_MAX_ARGS		256
#define RESP_MAX_BULK		(512 * 1024 + 64)	/* one argument */
#define RESP_MAX_INLINE		(64 * 1024)		/* one inline line */

struct resp_arg {
	const uint8_t *p;
	size_t len;
};

struct resp_cmd {
	int argc;		/* 0: an empty request (nothing to do) */
	struct resp_arg argv[RESP_MAX_ARGS];
};

enum resp_status {
	RESP_OK,		/* one request parsed, *consumed bytes */
	RESP_NEED_MORE,		/* incomplete: read more and call again */
	RESP_PROTO_ERROR,	/* malformed: *error says why; close after reply */
};

/*
 * Parse the first request in buf[0..len). On RESP_OK, *consumed is its
 * length in bytes and cmd holds its arguments; on RESP_PROTO_ERROR, *error
 * is a message for "-ERR Protocol error: <message>".
 */
enum resp_status resp_parse(const uint8_t *buf, size_t len,
			    struct resp_cmd *cmd, size_t *consumed,
			    const char **error);

/* Case-insensitive comparison of an argument with a (lower-case) word. */
int resp_arg_is(const struct resp_arg *a, const char *word);

#endif /* KV_RESP_H */
