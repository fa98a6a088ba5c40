// SPDX-License-Identifier: ISC
/*
 * kv: a Redis-protocol (RESP2) key/value server for Solo5 on libnabla.
 *
 *   kv --net:service0=IF --block:storage=PATH -- 10.0.0.2/24 [gw=A.B.C.D]
 *      [port=6379] [format]
 *
 * The data lives in a hash table in the Solo5 heap and persists in an
 * append-only log on the block device (kvlog.h), replayed at start and
 * compacted when its region fills. A write is acknowledged only after the
 * block write carrying it has completed: each batch of requests (everything
 * that has arrived on a connection) is executed, the log is flushed, and
 * only then are the replies handed to TCP.
 *
 * A device whose first block is all zeros is formatted; "format" on the
 * command line formats any device (its data are lost).
 */
#include <string.h>

#include "cmd.h"
#include "kvlog.h"
#include "np.h"
#include "np_tcp.h"
#include "resp.h"
#include "store.h"

#define KV_PORT_DEFAULT		6379
#define KV_MAX_CONNS		200
/* Largest request: a maximal SET, with room for its headers. */
#define KV_REQ_MAX		(KVLOG_KEY_MAX + KVLOG_VAL_MAX + 4096)
/* Stop executing a connection's requests while this much output waits. */
#define KV_OUT_HIGH		(256 * 1024)
/* Block I/O is issued in pieces of at most this many bytes. */
#define KV_IO_CHUNK		(64 * 1024)

static struct kvlog kv_log;
static struct resp_cmd kv_cmd;	/* one request at a time: single thread */

/* ---- the block device for the log ---- */

struct kv_block {
	solo5_handle_t handle;
	struct solo5_block_info info;
};

static struct kv_block kv_blk;

static int blk_read(void *ctx, uint64_t off, uint8_t *buf, size_t len)
{
	struct kv_block *b = ctx;

	while (len) {
		size_t n = len < KV_IO_CHUNK ? len : KV_IO_CHUNK;

		if (solo5_block_read(b->handle, off, buf, n) != SOLO5_R_OK)
			return -1;
		off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static int blk_write(void *ctx, uint64_t off, const uint8_t *buf, size_t len)
{
	struct kv_block *b = ctx;

	while (len) {
		size_t n = len < KV_IO_CHUNK ? len : KV_IO_CHUNK;

		if (solo5_block_write(b->handle, off, buf, n) != SOLO5_R_OK)
			return -1;
		off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static void __attribute__((noreturn)) kv_fatal_io(void)
{
	/* Replies still unsent are for writes that may not be durable. */
	np_printf("kv: log write failed: stopping without acknowledging\n");
	solo5_exit(SOLO5_EXIT_FAILURE);
}

/* ---- connections ---- */

struct kv_conn {
	struct kv_out out;
};

static int kv_open(struct np_conn *c)
{
	c->app = np_zalloc(sizeof(struct kv_conn));
	return c->app ? 0 : -1;
}

static void kv_release(struct np_conn *c)
{
	struct kv_conn *k = c->app;

	np_free(k->out.buf);
	np_free(k);
	c->app = NULL;
}

enum kv_stop {
	KV_STOP_NEED_MORE,	/* all complete requests executed */
	KV_STOP_BUSY,		/* output backlog: resume when it drains */
	KV_STOP_CLOSING,	/* protocol error or QUIT */
	KV_STOP_ABORTED,	/* out of memory: connection reset */
};

/* Execute the complete requests buffered on @c, replies into @out. */
static enum kv_stop kv_execute(struct np_conn *c, struct kv_out *out)
{
	for (;;) {
		size_t used = 0;
		const char *err = NULL;
		enum resp_status st;

		if (c->want_close)
			return KV_STOP_CLOSING;
		if (c->out.len + out->len >= KV_OUT_HIGH)
			return KV_STOP_BUSY;
		st = resp_parse(np_conn_in(c), c->in.len, &kv_cmd, &used, &err);
		if (st == RESP_NEED_MORE) {
			if (c->in.len <= KV_REQ_MAX)
				return KV_STOP_NEED_MORE;
			err = "request too large";
			st = RESP_PROTO_ERROR;
		}
		if (st == RESP_PROTO_ERROR) {
			kv_out_fmt(out, "-ERR Protocol error: %s\r\n", err);
			np_conn_close(c);
			continue;
		}
		switch (kv_exec(&kv_log, &kv_cmd, out)) {
		case KV_EXEC_OK:
			break;
		case KV_EXEC_CLOSE:
			np_conn_close(c);
			break;
		case KV_EXEC_FATAL:
			kv_fatal_io();
		}
		np_conn_consume(c, used);
		if (out->oom) {
			np_printf("kv: out of memory for a reply: resetting\n");
			np_conn_abort(c);
			return KV_STOP_ABORTED;
		}
	}
}

static void kv_work(struct np_conn *c)
{
	struct kv_conn *k = c->app;
	enum kv_stop stop;

	k->out.len = 0;
	k->out.oom = false;
	stop = kv_execute(c, &k->out);
	if (stop == KV_STOP_ABORTED)
		return;
	/* Durable before acknowledged: flush, then hand replies to TCP. */
	if (kvlog_dirty(&kv_log) && kvlog_flush(&kv_log))
		kv_fatal_io();
	if (k->out.len && !np_conn_write(c, k->out.buf, k->out.len))
		return;
	/* After the peer's FIN, answer what is complete, then close. */
	if (c->peer_closed && stop == KV_STOP_NEED_MORE)
		np_conn_close(c);
}

static const struct np_conn_ops kv_ops = {
	.open = kv_open,
	.work = kv_work,
	.release = kv_release,
};

static struct np_listener kv_listener = {
	.ops = &kv_ops,
	.in_max = KV_REQ_MAX,
	.out_low = KV_OUT_HIGH / 2,
	.max_conns = KV_MAX_CONNS,
};

/* ---- start ---- */

struct kv_args {
	uint16_t port;
	bool format;
};

static int parse_args(const char *rest, struct kv_args *a)
{
	const char *p = rest, *tok;
	size_t len;
	uint64_t v;

	a->port = KV_PORT_DEFAULT;
	a->format = false;
	while ((tok = np_next_word(&p, &len))) {
		if (len == 6 && !memcmp(tok, "format", 6)) {
			a->format = true;
		} else if (len > 5 && !memcmp(tok, "port=", 5) &&
			   !np_parse_uint(tok + 5, len - 5, 65535, &v) && v) {
			a->port = (uint16_t)v;
		} else {
			np_printf("kv: unknown argument '%.*s'\n", (int)len, tok);
			return -1;
		}
	}
	return 0;
}

static int open_log(bool format)
{
	struct kvlog_dev dev;

	if (solo5_block_acquire("storage", &kv_blk.handle, &kv_blk.info) !=
	    SOLO5_R_OK) {
		np_printf("kv: no block device 'storage' (--block:storage=PATH)\n");
		return -1;
	}
	dev.read = blk_read;
	dev.write = blk_write;
	dev.ctx = &kv_blk;
	dev.capacity = kv_blk.info.capacity;
	dev.block_size = kv_blk.info.block_size;
	if (kvlog_open(&kv_log, &dev, format, kv_apply, NULL))
		return -1;
	np_printf("kv: log replayed: %llu records, %zu keys, %llu of %llu bytes used\n",
		  (unsigned long long)kv_log.replayed, store_count(),
		  (unsigned long long)kv_log.tail,
		  (unsigned long long)kv_log.dev.capacity);
	return 0;
}

int solo5_app_main(const struct solo5_start_info *si)
{
	struct np_net_config net;
	struct kv_args args;
	uint8_t *a;

	np_heap_init(si->heap_start, si->heap_size);
	if (np_net_parse(si->cmdline, &net) || parse_args(net.rest, &args))
		return SOLO5_EXIT_FAILURE;
	if (store_init(((uint64_t)np_rand() << 32) | np_rand())) {
		np_printf("kv: heap too small\n");
		return SOLO5_EXIT_FAILURE;
	}
	if (open_log(args.format))
		return SOLO5_EXIT_FAILURE;
	if (np_net_start("service0", &net) ||
	    np_tcp_listen(args.port, &kv_listener))
		return SOLO5_EXIT_FAILURE;
	a = (uint8_t *)&net.addr;
	np_printf("kv: listening on %u.%u.%u.%u:%u\n", a[0], a[1], a[2], a[3],
		  args.port);
	for (;;)
		np_net_poll(1000000000ULL);
}
