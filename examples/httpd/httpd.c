// SPDX-License-Identifier: ISC
/*
 * httpd: a static HTTP/1.1 file server for Solo5 on libnabla.
 *
 *   httpd --net:service0=IF --block:storage=site.tar -- 10.0.0.2/24
 *         [gw=A.B.C.D] [port=80]
 *
 * The site is a tar archive on the block device: its regular files are
 * indexed once at start, and each response body is read from the device as
 * it is sent (no cache), in pieces of at most HTTPD_CHUNK bytes, while the
 * connection's output backlog stays under HTTPD_OUT_HIGH. "/" and "dir/"
 * serve index.html. Keep-alive, pipelining, HEAD; everything else gets a
 * clear status (400, 404, 405, 413, 414, 431, 501, 505).
 */
#include <string.h>

#include "http.h"
#include "np.h"
#include "np_tcp.h"
#include "tar.h"

#define HTTPD_PORT_DEFAULT	80
#define HTTPD_MAX_CONNS		240
#define HTTPD_CHUNK		(64 * 1024)
#define HTTPD_OUT_HIGH		(128 * 1024)

static struct tar_index site;
static struct http_req req;		/* one request at a time */

/* ---- the block device ---- */

static struct {
	solo5_handle_t handle;
	uint64_t capacity;
	uint64_t bs;
	uint8_t *bounce;	/* HTTPD_CHUNK + 2 blocks */
} blk;

static int read_direct(uint64_t off, uint8_t *buf, size_t len)
{
	return solo5_block_read(blk.handle, off, buf, len) == SOLO5_R_OK ? 0 : -1;
}

/*
 * Read any byte range: aligned ranges straight into @buf, others through
 * the bounce buffer, in pieces of at most HTTPD_CHUNK bytes.
 */
static int read_bytes(uint64_t off, uint8_t *buf, size_t len)
{
	while (len) {
		size_t n = len < HTTPD_CHUNK ? len : HTTPD_CHUNK;
		uint64_t a = off & ~(blk.bs - 1);
		uint64_t e = (off + n + blk.bs - 1) & ~(blk.bs - 1);

		if (e > blk.capacity)
			return -1;
		if (a == off && e == off + n) {
			if (read_direct(off, buf, n))
				return -1;
		} else {
			if (read_direct(a, blk.bounce, (size_t)(e - a)))
				return -1;
			memcpy(buf, blk.bounce + (off - a), n);
		}
		off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static int tar_read(void *ctx, uint64_t off, uint8_t *buf, size_t len)
{
	return read_bytes(off, buf, len);
}

/* ---- responses ---- */

struct hconn {
	const struct tar_file *file;	/* body being sent, or NULL */
	uint64_t sent;			/* of file's bytes */
	uint64_t skip;			/* request body bytes to discard */
	bool close_after;		/* close once the response is out */
};

/* Status line and the headers every response has. */
static bool write_head(struct np_conn *c, int status, bool keep_alive,
		       const char *type, uint64_t length, const char *extra)
{
	char date[30], head[HTTP_MAX_PATH + 512];
	int n;

	http_date(date, solo5_clock_wall() / 1000000000ULL);
	n = np_snprintf(head, sizeof(head),
			"HTTP/1.1 %d %s\r\nServer: nabla-httpd\r\nDate: %s\r\n"
			"Content-Type: %s\r\nContent-Length: %llu\r\n"
			"Connection: %s\r\n%s\r\n",
			status, http_reason(status), date, type,
			(unsigned long long)length,
			keep_alive ? "keep-alive" : "close", extra ? extra : "");
	if (n >= (int)sizeof(head)) {
		np_conn_abort(c);	/* cannot happen: extra is bounded */
		return false;
	}
	return np_conn_write(c, head, (size_t)n);
}

static void send_error(struct np_conn *c, int status, bool keep_alive,
		       bool head_only, const char *extra)
{
	struct hconn *h = c->app;
	char body[80];
	int n;

	n = np_snprintf(body, sizeof(body), "%d %s\n", status,
			http_reason(status));
	if (!write_head(c, status, keep_alive, "text/plain; charset=utf-8",
			(uint64_t)n, extra))
		return;
	if (!head_only)
		np_conn_write(c, body, (size_t)n);
	if (!keep_alive)
		np_conn_close(c);
	h->close_after = false;
}

/* Find the file for a request path; *redirect if "path/" would match. */
static const struct tar_file *resolve(const struct http_req *r,
				      bool *redirect)
{
	static char name[HTTP_MAX_PATH + 16];
	size_t n = strlen(r->path);
	const struct tar_file *f;

	*redirect = false;
	if (!r->dir) {
		f = tar_lookup(&site, r->path, n);
		if (f)
			return f;
	}
	memcpy(name, r->path, n);
	if (n)
		name[n++] = '/';
	memcpy(name + n, "index.html", 11);
	f = tar_lookup(&site, name, n + 10);
	if (f && !r->dir) {
		*redirect = true;
		return NULL;
	}
	return f;
}

static void respond(struct np_conn *c, const struct http_req *r)
{
	struct hconn *h = c->app;
	const struct tar_file *f;
	bool redirect;
	char extra[HTTP_MAX_PATH + 64];
	char last_mod[30];

	if (r->method == HTTP_OTHER) {
		send_error(c, 405, r->keep_alive, false, "Allow: GET, HEAD\r\n");
		return;
	}
	f = resolve(r, &redirect);
	if (redirect) {
		np_snprintf(extra, sizeof(extra), "Location: /%s/\r\n", r->path);
		send_error(c, 301, r->keep_alive, r->method == HTTP_HEAD, extra);
		return;
	}
	if (!f) {
		send_error(c, 404, r->keep_alive, r->method == HTTP_HEAD, NULL);
		return;
	}
	http_date(last_mod, f->mtime);
	np_snprintf(extra, sizeof(extra), "Last-Modified: %s\r\n", last_mod);
	if (!write_head(c, 200, r->keep_alive, http_mime_type(f->name),
			f->size, extra))
		return;
	h->close_after = !r->keep_alive;
	if (r->method == HTTP_GET && f->size) {
		h->file = f;
		h->sent = 0;
	} else if (h->close_after) {
		np_conn_close(c);
	}
}

/* Produce body bytes until the backlog is high; true when the body is done. */
static bool produce_body(struct np_conn *c)
{
	struct hconn *h = c->app;

	while (h->sent < h->file->size && c->out.len < HTTPD_OUT_HIGH) {
		uint64_t left = h->file->size - h->sent;
		size_t n = left < HTTPD_CHUNK ? (size_t)left : HTTPD_CHUNK;

		if (!np_conn_reserve(c, n))
			return false;
		if (read_bytes(h->file->offset + h->sent, np_conn_out_tail(c),
			       n)) {
			/* headers are out: all we can do is cut the response */
			np_printf("httpd: read error in %s: resetting\n",
				  h->file->name);
			np_conn_abort(c);
			return false;
		}
		np_conn_produced(c, n);
		h->sent += n;
	}
	if (h->sent < h->file->size)
		return false;
	h->file = NULL;
	if (h->close_after)
		np_conn_close(c);
	return true;
}

static void httpd_work(struct np_conn *c)
{
	struct hconn *h = c->app;

	while (!c->dead && !c->want_close) {
		size_t used = 0;
		int r;

		if (h->file && !produce_body(c))
			return;
		if (h->skip) {
			size_t n = c->in.len < h->skip ? c->in.len : (size_t)h->skip;

			np_conn_consume(c, n);
			h->skip -= n;
			if (h->skip)
				break;
		}
		if (c->out.len >= HTTPD_OUT_HIGH)
			return;
		r = http_parse((const char *)np_conn_in(c), c->in.len, &req,
			       &used);
		if (r < 0)
			break;			/* incomplete */
		if (r > 0) {
			send_error(c, r, false, false, NULL);
			return;
		}
		np_conn_consume(c, used);
		h->skip = req.body_len;
		respond(c, &req);
	}
	/* After the peer's FIN: nothing more will complete. */
	if (c->peer_closed && !h->file && !c->dead)
		np_conn_close(c);
}

static int httpd_open(struct np_conn *c)
{
	c->app = np_zalloc(sizeof(struct hconn));
	return c->app ? 0 : -1;
}

static void httpd_release(struct np_conn *c)
{
	np_free(c->app);
	c->app = NULL;
}

static const struct np_conn_ops httpd_ops = {
	.open = httpd_open,
	.work = httpd_work,
	.release = httpd_release,
};

static struct np_listener httpd_listener = {
	.ops = &httpd_ops,
	.in_max = HTTP_MAX_HEADER + 64 * 1024,
	.out_low = HTTPD_OUT_HIGH / 2,
	.max_conns = HTTPD_MAX_CONNS,
};

/* ---- start ---- */

static int parse_args(const char *rest, uint16_t *port)
{
	const char *p = rest, *tok;
	size_t len;
	uint64_t v;

	*port = HTTPD_PORT_DEFAULT;
	while ((tok = np_next_word(&p, &len))) {
		if (len > 5 && !memcmp(tok, "port=", 5) &&
		    !np_parse_uint(tok + 5, len - 5, 65535, &v) && v) {
			*port = (uint16_t)v;
		} else {
			np_printf("httpd: unknown argument '%.*s'\n", (int)len,
				  tok);
			return -1;
		}
	}
	return 0;
}

static int open_site(void)
{
	struct solo5_block_info info;

	if (solo5_block_acquire("storage", &blk.handle, &info) != SOLO5_R_OK) {
		np_printf("httpd: no block device 'storage' (--block:storage=site.tar)\n");
		return -1;
	}
	if (info.block_size < 1 || info.block_size > 65536 ||
	    (info.block_size & (info.block_size - 1))) {
		np_printf("httpd: unusable block size %llu\n",
			  (unsigned long long)info.block_size);
		return -1;
	}
	blk.bs = info.block_size;
	blk.capacity = info.capacity & ~(blk.bs - 1);
	blk.bounce = np_alloc(HTTPD_CHUNK + 2 * blk.bs);
	if (!blk.bounce) {
		np_printf("httpd: heap too small\n");
		return -1;
	}
	return tar_index_build(&site, tar_read, NULL, blk.capacity);
}

int solo5_app_main(const struct solo5_start_info *si)
{
	struct np_net_config net;
	uint16_t port;
	uint8_t *a;

	np_heap_init(si->heap_start, si->heap_size);
	if (np_net_parse(si->cmdline, &net) || parse_args(net.rest, &port))
		return SOLO5_EXIT_FAILURE;
	if (open_site())
		return SOLO5_EXIT_FAILURE;
	if (np_net_start("service0", &net) ||
	    np_tcp_listen(port, &httpd_listener))
		return SOLO5_EXIT_FAILURE;
	a = (uint8_t *)&net.addr;
	np_printf("httpd: serving %zu files (%llu bytes) on %u.%u.%u.%u:%u\n",
		  site.count, (unsigned long long)site.bytes, a[0], a[1], a[2],
		  a[3], port);
	for (;;)
		np_net_poll(1000000000ULL);
}
