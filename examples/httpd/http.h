/* SPDX-License-Identifier: ISC */
/*
 * http.h: HTTP/1.x request parsing for a static file server (RFC 9112):
 * request line, the headers that matter to it, and the target path.
 * Pure functions over a byte buffer.
 */
#ifndef HTTPD_HTTP_H
#define HTTPD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEADER		(16 * 1024)	/* request line + headers */
#define HTTP_MAX_PATH		1024		/* decoded path */
#define HTTP_MAX_BODY		(1024 * 1024)	/* ignored request body */

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER };

struct http_req {
	enum http_method method;
	int minor;		/* HTTP/1.<minor> */
	bool keep_alive;	/* after this exchange */
	uint64_t body_len;	/* Content-Length of the request (to skip) */
	char path[HTTP_MAX_PATH + 1];	/* decoded, without the leading '/' */
	bool dir;		/* the path names a directory ("" or ends in '/') */
};

/*
 * Parse the request at buf[0..len). Returns 0 with *consumed = length of the
 * request head (body not included) when complete, -1 if more bytes are
 * needed, or an HTTP status code (400, 413, 414, 431, 501, 505) for a
 * request that must be refused; the connection is closed after the reply.
 */
int http_parse(const char *buf, size_t len, struct http_req *req,
	       size_t *consumed);

/* Content-Type for a file name, by its extension. */
const char *http_mime_type(const char *name);

/* The reason phrase of a status code. */
const char *http_reason(int status);

/* IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") of Unix time @t; 29 chars. */
void http_date(char out[30], uint64_t t);

#endif /* HTTPD_HTTP_H */
