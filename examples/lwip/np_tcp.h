/* SPDX-License-Identifier: ISC */
/*
 * np_tcp.h: buffered TCP server connections over lwIP's raw API.
 *
 * An application supplies a work() callback that consumes bytes from
 * conn->in and appends replies to conn->out; this layer owns the lwIP side:
 * copying received pbufs in, opening the receive window as input is
 * buffered (up to a per-listener limit, which is the backpressure), pushing
 * conn->out into lwIP as send space frees up, calling work() again when the
 * output drains, and closing or aborting cleanly.
 *
 * Everything runs in lwIP callbacks on the one thread; no locking.
 */
#ifndef NABLA_NP_TCP_H
#define NABLA_NP_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tcp_pcb;

struct np_buf {
	uint8_t *p;
	size_t off;		/* first live byte */
	size_t len;		/* live bytes from off */
	size_t cap;
};

struct np_conn;

struct np_conn_ops {
	/* A new connection: set up conn->app; non-zero refuses it. */
	int (*open)(struct np_conn *c);
	/*
	 * Consume input / produce output. Called after input arrived, after
	 * the output drained below the low-water mark, after the peer closed
	 * its side (conn->peer_closed), and every 2 s. Must not block. The
	 * application decides when to close (np_conn_close), also after the
	 * peer's FIN, once it has answered what it will answer.
	 */
	void (*work)(struct np_conn *c);
	/* The connection is gone: release conn->app. */
	void (*release)(struct np_conn *c);
};

struct np_listener {
	const struct np_conn_ops *ops;
	size_t in_max;		/* stop opening the window beyond this */
	size_t out_low;		/* call work() again below this */
	unsigned int max_conns;
	unsigned int nconns;
	unsigned long accepted, refused;
};

struct np_conn {
	struct np_listener *lst;
	struct tcp_pcb *pcb;	/* NULL once lwIP has freed it */
	struct np_buf in;
	struct np_buf out;
	void *app;
	size_t uncredited;	/* received, window not yet reopened */
	bool peer_closed;	/* FIN received */
	bool want_close;	/* close once out is handed to lwIP */
	bool dead;		/* aborted or closed: no more work */
	bool draining;		/* FIN sent: dropping input until the peer's */
	uint8_t drain_polls;
	bool in_work;
};

/* Listen on @port of every local address. 0 or -1 (console message). */
int np_tcp_listen(uint16_t port, struct np_listener *lst);

/* Input helpers for work(). */
static inline const uint8_t *np_conn_in(const struct np_conn *c)
{
	return c->in.p + c->in.off;
}
void np_conn_consume(struct np_conn *c, size_t n);

/* Output: append (false if out of memory; the connection is then reset). */
bool np_conn_write(struct np_conn *c, const void *p, size_t len);
/* Room to write @len bytes at np_conn_out_tail(); commit with _produced. */
bool np_conn_reserve(struct np_conn *c, size_t len);
static inline uint8_t *np_conn_out_tail(struct np_conn *c)
{
	return c->out.p + c->out.off + c->out.len;
}
static inline void np_conn_produced(struct np_conn *c, size_t n)
{
	c->out.len += n;
}

/* Close after everything written so far has been sent. */
void np_conn_close(struct np_conn *c);
/* Reset the connection now (out of memory, protocol abuse). */
void np_conn_abort(struct np_conn *c);

#endif /* NABLA_NP_TCP_H */
