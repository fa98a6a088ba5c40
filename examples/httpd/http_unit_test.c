// SPDX-License-Identifier: ISC
/*
 * http_unit_test.c: host-side tests of httpd's request parser, helpers and
 * tar index. Usage: http_unit_test [ARCHIVE.tar...] where each archive
 * holds the fixture made by the Makefile's check target (see there).
 * Prints KTAP; exit status 0 only if every test passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "np.h"
#include "tar.h"

void solo5_console_write(const char *buf, size_t size)
{
	fwrite(buf, 1, size, stderr);
}

void solo5_abort(void)
{
	abort();
}

static int test_no, failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: check failed: %s\n", __FILE__,	\
		       __LINE__, #cond);				\
		return 1;						\
	}								\
} while (0)

static void report(const char *name, int r)
{
	test_no++;
	printf("%sok %d %s\n", r ? "not " : "", test_no, name);
	failed += r != 0;
}

static struct http_req req;

static int parse(const char *s, size_t *used)
{
	size_t u = 0;
	int r = http_parse(s, strlen(s), &req, &u);

	if (used)
		*used = u;
	return r;
}

static int t_parse_ok(void)
{
	const char *two = "GET /a/b.html?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"
			  "HEAD / HTTP/1.0\r\n\r\n";
	size_t used;

	CHECK(parse(two, &used) == 0);
	CHECK(req.method == HTTP_GET && req.minor == 1 && req.keep_alive);
	CHECK(!strcmp(req.path, "a/b.html") && !req.dir);
	CHECK(parse(two + used, &used) == 0);
	CHECK(req.method == HTTP_HEAD && req.minor == 0 && !req.keep_alive);
	CHECK(req.dir && req.path[0] == '\0');
	CHECK(parse("GET /x HTTP/1.0\nConnection: Keep-Alive\n\n", NULL) == 0);
	CHECK(req.keep_alive);
	CHECK(parse("GET /x HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n",
		    NULL) == 0 && !req.keep_alive);
	CHECK(parse("\r\nGET /%7euser/./d/ HTTP/1.1\r\nHost: h\r\n\r\n", NULL) == 0);
	CHECK(!strcmp(req.path, "~user/d") && req.dir);
	CHECK(parse("GET http://h/i.css HTTP/1.1\r\nHost: h\r\n\r\n", NULL) == 0);
	CHECK(!strcmp(req.path, "i.css"));
	CHECK(parse("POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
		    &used) == 0);
	CHECK(req.method == HTTP_OTHER && req.body_len == 5 && used == 48);
	return 0;
}

static int t_parse_incomplete(void)
{
	const char *s = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t n, used;

	for (n = 0; n < strlen(s); n++)
		CHECK(http_parse(s, n, &req, &used) == -1);
	CHECK(http_parse(s, n, &req, &used) == 0 && used == n);
	return 0;
}

static int t_parse_errors(void)
{
	static char big[HTTP_MAX_HEADER + 100];

	CHECK(parse("GET /x HTTP/1.1\r\n\r\n", NULL) == 400);	/* no Host */
	CHECK(parse("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", NULL) == 400);
	CHECK(parse("GET /x\r\n\r\n", NULL) == 400);
	CHECK(parse("GET  /x HTTP/1.1\r\nHost: a\r\n\r\n", NULL) == 400);
	CHECK(parse("GET x HTTP/1.1\r\nHost: a\r\n\r\n", NULL) == 400);
	CHECK(parse("GET /../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", NULL) == 400);
	CHECK(parse("GET /a/%2e%2e/b HTTP/1.1\r\nHost: a\r\n\r\n", NULL) == 400);
	CHECK(parse("GET /a%00 HTTP/1.1\r\nHost: a\r\n\r\n", NULL) == 400);
	CHECK(parse("GET /a%2fb HTTP/1.1\r\nHost: a\r\n\r\n", NULL) == 400);
	CHECK(parse("GET /a%4 HTTP/1.1\r\nHost: a\r\n\r\n", NULL) == 400);
	CHECK(parse("GET /a HTTP/2.0\r\nHost: a\r\n\r\n", NULL) == 505);
	CHECK(parse("GET /a HTTP/1.1\r\nHost : a\r\n\r\n", NULL) == 400);
	CHECK(parse("GET /a HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", NULL) == 400);
	CHECK(parse("GET /a HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
		    "Content-Length: 2\r\n\r\n", NULL) == 400);
	CHECK(parse("GET /a HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n",
		    NULL) == 413);
	CHECK(parse("GET /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
		    NULL) == 501);
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "GET /", 5);
	CHECK(parse(big, NULL) == 431);
	return 0;
}

/* Does the path have a ".." segment? */
static int has_dotdot(const char *p)
{
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		p += n + (end != NULL);
	}
	return 0;
}

/* Random requests: in bounds (ASan), and a cut-short request is incomplete. */
static int t_parse_fuzz(void)
{
	static const char *pieces[] = {
		"GET ", "HEAD ", "POST ", "/", "a", "%2", "%41", "..", ".", "?",
		" HTTP/1.1", " HTTP/1.0", "\r\n", "\n", "Host: h", ": ",
		"Content-Length: 3", "Connection: close", " ", "x",
	};
	static char buf[256];
	unsigned int seed = 7;
	int i;

	for (i = 0; i < 100000; i++) {
		size_t len = 0, used = 0, cut;
		int n, r;
		char *copy;

		seed = seed * 1103515245u + 12345u;
		n = (int)((seed >> 16) % 16);
		while (n--) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			p = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
			if (len + strlen(p) >= sizeof(buf))
				break;
			memcpy(buf + len, p, strlen(p));
			len += strlen(p);
		}
		copy = malloc(len ? len : 1);
		CHECK(copy);
		memcpy(copy, buf, len);
		r = http_parse(copy, len, &req, &used);
		CHECK(r == -1 || r == 0 || (r >= 400 && r <= 505));
		if (r == 0) {
			CHECK(used > 0 && used <= len);
			CHECK(strlen(req.path) <= HTTP_MAX_PATH);
			CHECK(!has_dotdot(req.path));
			for (cut = 0; cut < used; cut++)
				CHECK(http_parse(copy, cut, &req, &used) != 0);
		}
		free(copy);
	}
	return 0;
}

static int t_helpers(void)
{
	char d[30];

	CHECK(!strcmp(http_mime_type("a/b.HTML"), "text/html; charset=utf-8"));
	CHECK(!strcmp(http_mime_type("x.png"), "image/png"));
	CHECK(!strcmp(http_mime_type("dir.d/noext"), "application/octet-stream"));
	http_date(d, 784111777);
	CHECK(!strcmp(d, "Sun, 06 Nov 1994 08:49:37 GMT"));
	http_date(d, 0);
	CHECK(!strcmp(d, "Thu, 01 Jan 1970 00:00:00 GMT"));
	http_date(d, 951782400);	/* leap day */
	CHECK(!strcmp(d, "Tue, 29 Feb 2000 00:00:00 GMT"));
	return 0;
}

/* ---- tar fixtures: see the Makefile's check target ---- */

static FILE *tar_fp;

static int file_read(void *ctx, uint64_t off, uint8_t *buf, size_t len)
{
	if (fseek(tar_fp, (long)off, SEEK_SET))
		return -1;
	return fread(buf, 1, len, tar_fp) == len ? 0 : -1;
}

static int file_is(const struct tar_index *ix, const char *name,
		   const char *content)
{
	const struct tar_file *f = tar_lookup(ix, name, strlen(name));
	static uint8_t buf[4096];

	if (!f || f->size != strlen(content) || f->size > sizeof(buf) ||
	    f->offset % TAR_BLOCK)
		return 0;
	if (fseek(tar_fp, (long)f->offset, SEEK_SET) ||
	    fread(buf, 1, f->size, tar_fp) != f->size)
		return 0;
	return !memcmp(buf, content, f->size);
}

static int t_tar(const char *path)
{
	static struct tar_index ix;
	long size;
	static char long_name[300];

	tar_fp = fopen(path, "rb");
	CHECK(tar_fp);
	CHECK(!fseek(tar_fp, 0, SEEK_END));
	size = ftell(tar_fp);
	CHECK(!tar_index_build(&ix, file_read, NULL, (uint64_t)size));
	CHECK(file_is(&ix, "index.html", "<h1>hi</h1>\n"));
	CHECK(file_is(&ix, "sub/a.txt", "A\n"));
	memcpy(long_name, "sub/", 4);
	memset(long_name + 4, 'd', 60);
	long_name[64] = '/';
	memset(long_name + 65, 'n', 80);
	strcpy(long_name + 145, ".txt");
	CHECK(file_is(&ix, long_name, "long\n"));
	CHECK(!tar_lookup(&ix, "sub", 3));	/* directories are not files */
	CHECK(!tar_lookup(&ix, "missing", 7));
	fclose(tar_fp);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t heap_mem[16 << 20];
	int i;

	np_heap_init((uintptr_t)heap_mem, sizeof(heap_mem));
	printf("KTAP version 1\n1..%d\n", 5 + argc - 1);
	report("parse_ok", t_parse_ok());
	report("parse_incomplete", t_parse_incomplete());
	report("parse_errors", t_parse_errors());
	report("parse_fuzz", t_parse_fuzz());
	report("helpers", t_helpers());
	for (i = 1; i < argc; i++) {
		char name[64];

		snprintf(name, sizeof(name), "tar_index_%d", i);
		report(name, t_tar(argv[i]));
	}
	printf("# %d of %d failed\n", failed, test_no);
	return failed ? 1 : 0;
}
