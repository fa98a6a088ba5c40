// SPDX-License-Identifier: ISC
/*
 * http.c: HTTP/1.x request parsing (see http.h).
 *
 * Strict where being lenient would be a smuggling or traversal risk
 * (duplicate Content-Length, Transfer-Encoding on a request, obs-fold,
 * whitespace before the colon, ".." segments, encoded NULs), lenient where
 * RFC 9112 allows it (bare LF line ends, empty lines before the request).
 */
#include <string.h>

#include "http.h"

struct line {
	const char *p;
	size_t len;	/* without the line end */
};

/* Next line at buf[*pos]; false if no complete line is buffered. */
static bool next_line(const char *buf, size_t len, size_t *pos,
		      struct line *l)
{
	const char *nl = memchr(buf + *pos, '\n', len - *pos);

	if (!nl)
		return false;
	l->p = buf + *pos;
	l->len = (size_t)(nl - l->p);
	if (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	*pos = (size_t)(nl - buf) + 1;
	return true;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ieq(const char *a, size_t alen, const char *word)
{
	size_t i;

	for (i = 0; i < alen; i++)
		if (!word[i] || lower(a[i]) != word[i])
			return false;
	return word[i] == '\0';
}

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* ---- request target -> path ---- */

/* Append one decoded segment to req->path; 0, or a status code. */
static int add_segment(struct http_req *req, size_t *plen, const char *s,
		       size_t n)
{
	if (n == 0 || (n == 1 && s[0] == '.'))
		return 0;
	if (n == 2 && s[0] == '.' && s[1] == '.')
		return 400;	/* never above the root */
	if (*plen + n + 1 > HTTP_MAX_PATH)
		return 414;
	if (*plen)
		req->path[(*plen)++] = '/';
	memcpy(req->path + *plen, s, n);
	*plen += n;
	req->path[*plen] = '\0';
	return 0;
}

static int parse_target(const char *t, size_t len, struct http_req *req)
{
	char seg[HTTP_MAX_PATH + 1];
	size_t i, n = 0, plen = 0, end;
	bool dot_last = false;
	int r;

	if (len > 7 && ieq(t, 7, "http://")) {	/* absolute-form */
		const char *slash = memchr(t + 7, '/', len - 7);

		if (!slash)
			return 400;
		len -= (size_t)(slash - t);
		t = slash;
	}
	if (!len || t[0] != '/')
		return 400;
	for (i = 0; i < len; i++)
		if ((unsigned char)t[i] <= 0x20 || t[i] == 0x7f)
			return 400;
	/* The path ends where the query or the fragment begins. */
	for (end = 0; end < len && t[end] != '?' && t[end] != '#'; end++)
		;
	req->path[0] = '\0';
	for (i = 1; i < end; i++) {
		char c = t[i];

		if (c == '/') {
			dot_last = n == 1 && seg[0] == '.';
			r = add_segment(req, &plen, seg, n);
			if (r)
				return r;
			n = 0;
			continue;
		}
		if (c == '%') {
			int hi, lo;

			if (i + 2 >= end)
				return 400;
			hi = hexval(t[i + 1]);
			lo = hexval(t[i + 2]);
			c = (char)(hi * 16 + lo);
			/* no NUL, and a slash only as a separator */
			if (hi < 0 || lo < 0 || c == '\0' || c == '/')
				return 400;
			i += 2;
		}
		if (n >= HTTP_MAX_PATH)
			return 414;
		seg[n++] = c;
	}
	if (n)
		dot_last = n == 1 && seg[0] == '.';
	r = add_segment(req, &plen, seg, n);
	if (r)
		return r;
	req->dir = n == 0 || dot_last || plen == 0;
	return 0;
}

/* ---- request line and headers ---- */

static int parse_request_line(const struct line *l, struct http_req *req)
{
	const char *sp1 = memchr(l->p, ' ', l->len), *sp2;
	size_t mlen, tlen, vlen;
	const char *v;

	if (!sp1)
		return 400;
	mlen = (size_t)(sp1 - l->p);
	sp2 = memchr(sp1 + 1, ' ', l->len - mlen - 1);
	if (!sp2 || !mlen)
		return 400;
	tlen = (size_t)(sp2 - sp1 - 1);
	v = sp2 + 1;
	vlen = l->len - (size_t)(v - l->p);
	if (vlen != 8 || memcmp(v, "HTTP/", 5) || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		return 400;
	if (v[5] != '1')
		return 505;
	req->minor = v[7] - '0';
	if (mlen == 3 && !memcmp(l->p, "GET", 3))
		req->method = HTTP_GET;
	else if (mlen == 4 && !memcmp(l->p, "HEAD", 4))
		req->method = HTTP_HEAD;
	else
		req->method = HTTP_OTHER;
	while (mlen--)
		if (!is_tchar(l->p[mlen]))
			return 400;
	if (tlen > 3 * HTTP_MAX_PATH)
		return 414;
	return parse_target(sp1 + 1, tlen, req);
}

/* Comma-separated tokens of a Connection header. */
static void parse_connection(const char *v, size_t n, struct http_req *req)
{
	size_t i = 0;

	while (i < n) {
		size_t start, end;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < n && v[i] != ',')
			i++;
		end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (ieq(v + start, end - start, "close"))
			req->keep_alive = false;
		else if (ieq(v + start, end - start, "keep-alive"))
			req->keep_alive = true;
	}
}

static int parse_content_length(const char *v, size_t n, bool *seen,
				struct http_req *req)
{
	uint64_t x = 0;
	size_t i;

	if (!n || n > 19)
		return n ? 413 : 400;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 400;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (*seen && x != req->body_len)
		return 400;
	*seen = true;
	req->body_len = x;
	return x > HTTP_MAX_BODY ? 413 : 0;
}

static int parse_header(const struct line *l, struct http_req *req,
			int *hosts, bool *cl_seen)
{
	const char *colon = memchr(l->p, ':', l->len);
	size_t nlen, vlen;
	const char *v;
	size_t i;

	if (l->p[0] == ' ' || l->p[0] == '\t')
		return 400;	/* obs-fold */
	if (!colon || colon == l->p)
		return 400;
	nlen = (size_t)(colon - l->p);
	for (i = 0; i < nlen; i++)
		if (!is_tchar(l->p[i]))
			return 400;	/* includes space before the colon */
	v = colon + 1;
	vlen = l->len - nlen - 1;
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (ieq(l->p, nlen, "host"))
		(*hosts)++;
	else if (ieq(l->p, nlen, "connection"))
		parse_connection(v, vlen, req);
	else if (ieq(l->p, nlen, "content-length"))
		return parse_content_length(v, vlen, cl_seen, req);
	else if (ieq(l->p, nlen, "transfer-encoding"))
		return 501;
	return 0;
}

int http_parse(const char *buf, size_t len, struct http_req *req,
	       size_t *consumed)
{
	size_t pos = 0;
	struct line l;
	int hosts = 0, r;
	bool cl_seen = false;

	/* Empty lines before a request are ignored (RFC 9112 2.2). */
	do {
		if (!next_line(buf, len, &pos, &l))
			return len > HTTP_MAX_HEADER ? 431 : -1;
	} while (l.len == 0);
	memset(req, 0, sizeof(*req));
	r = parse_request_line(&l, req);
	if (r)
		return r;
	req->keep_alive = req->minor >= 1;
	for (;;) {
		if (pos > HTTP_MAX_HEADER)
			return 431;
		if (!next_line(buf, len, &pos, &l))
			return len > HTTP_MAX_HEADER ? 431 : -1;
		if (l.len == 0)
			break;
		r = parse_header(&l, req, &hosts, &cl_seen);
		if (r)
			return r;
	}
	if (pos > HTTP_MAX_HEADER)
		return 431;
	if (hosts > 1 || (req->minor >= 1 && hosts == 0))
		return 400;	/* RFC 9112 3.2: exactly one Host in 1.1 */
	*consumed = pos;
	return 0;
}

/* ---- responses ---- */

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

static const struct {
	const char *ext;
	const char *type;
} mime_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "xml", "application/xml" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "pdf", "application/pdf" },
	{ "wasm", "application/wasm" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "tar", "application/x-tar" },
	{ "gz", "application/gzip" },
};

const char *http_mime_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	const char *slash = strrchr(name, '/');
	size_t i;

	if (!dot || (slash && dot < slash))
		return "application/octet-stream";
	dot++;
	for (i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
		if (ieq(dot, strlen(dot), mime_types[i].ext))
			return mime_types[i].type;
	return "application/octet-stream";
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

void http_date(char out[30], uint64_t t)
{
	static const char wd[] = "ThuFriSatSunMonTueWed";	/* 1970-01-01: Thu */
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int64_t days = (int64_t)(t / 86400);
	int secs = (int)(t % 86400), y, m, d;

	civil_from_days(days, &y, &m, &d);
	memcpy(out, wd + 3 * (days % 7), 3);
	memcpy(out + 3, ", ", 2);
	put2(out + 5, d);
	out[7] = ' ';
	memcpy(out + 8, mon + 3 * (m - 1), 3);
	out[11] = ' ';
	put2(out + 12, y / 100);
	put2(out + 14, y % 100);
	out[16] = ' ';
	put2(out + 17, secs / 3600);
	out[19] = ':';
	put2(out + 20, secs / 60 % 60);
	out[22] = ':';
	put2(out + 23, secs % 60);
	memcpy(out + 25, " GMT", 5);	/* with the terminator */
}
