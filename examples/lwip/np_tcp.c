// SPDX-License-Identifier: ISC
/*
 * np_tcp.c: buffered TCP server connections (see np_tcp.h).
 *
 * Lifetime: a struct np_conn lives from accept until lwIP is done with the
 * pcb: after a successful tcp_close (callbacks detached first), after
 * tcp_abort, or when lwIP reports an error (the pcb is already freed then).
 * A callback that aborts the pcb must return ERR_ABRT to lwIP.
 *
 * Closing lingers: once the last reply is handed over, only the sending
 * side is shut (FIN); input is read and dropped until the peer's FIN, for
 * at most NP_LINGER_POLLS polls. Closing both sides at once would make
 * lwIP answer any request still in flight with a reset, and a reset can
 * overtake the replies the peer has not read yet.
 */
#include <string.h>

#include "lwip/opt.h"
#include "lwip/tcp.h"

#include "np.h"
#include "np_tcp.h"

#define NP_POLL_INTERVAL	4	/* x 500 ms: retry stalled closes */
#define NP_LINGER_POLLS		5	/* polls to wait for the peer's FIN */
#define NP_BUF_MIN		4096

/* ---- buffers ---- */

/* Make room for @more bytes after the live ones, compacting or growing. */
static bool buf_reserve(struct np_buf *b, size_t more)
{
	size_t cap;
	uint8_t *n;

	if (b->off + b->len + more <= b->cap)
		return true;
	if (b->len + more <= b->cap && b->off >= b->cap / 2) {
		memmove(b->p, b->p + b->off, b->len);
		b->off = 0;
		return true;
	}
	cap = b->cap ? b->cap : NP_BUF_MIN;
	while (cap < b->len + more)
		cap *= 2;
	n = np_alloc(cap);
	if (!n)
		return false;
	if (b->len)
		memcpy(n, b->p + b->off, b->len);
	np_free(b->p);
	b->p = n;
	b->off = 0;
	b->cap = np_alloc_size(n);
	return true;
}

static void buf_drop(struct np_buf *b, size_t n)
{
	b->off += n;
	b->len -= n;
	if (!b->len)
		b->off = 0;
}

static void buf_free(struct np_buf *b)
{
	np_free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- connection teardown ---- */

static void detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
}

static void conn_free(struct np_conn *c)
{
	c->lst->ops->release(c);
	c->lst->nconns--;
	buf_free(&c->in);
	buf_free(&c->out);
	np_free(c);
}

void np_conn_abort(struct np_conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	if (c->pcb) {
		detach(c->pcb);
		tcp_abort(c->pcb);
		c->pcb = NULL;
	}
}

void np_conn_close(struct np_conn *c)
{
	c->want_close = true;
}

/* ---- output ---- */

bool np_conn_reserve(struct np_conn *c, size_t len)
{
	if (c->dead)
		return false;
	if (!buf_reserve(&c->out, len)) {
		np_printf("np_tcp: out of memory for output: resetting\n");
		np_conn_abort(c);
		return false;
	}
	return true;
}

bool np_conn_write(struct np_conn *c, const void *p, size_t len)
{
	if (!np_conn_reserve(c, len))
		return false;
	memcpy(np_conn_out_tail(c), p, len);
	c->out.len += len;
	return true;
}

/* Hand as much of c->out to lwIP as it takes now. */
static void push_out(struct np_conn *c)
{
	bool wrote = false;

	while (c->out.len) {
		u16_t room = tcp_sndbuf(c->pcb);
		size_t n = c->out.len;

		if (!room || tcp_sndqueuelen(c->pcb) >= TCP_SND_QUEUELEN - 4)
			break;
		if (n > room)
			n = room;
		if (tcp_write(c->pcb, c->out.p + c->out.off, (u16_t)n,
			      TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;	/* ERR_MEM: retried from the sent callback */
		buf_drop(&c->out, n);
		wrote = true;
	}
	if (wrote)
		tcp_output(c->pcb);
}

static void attach(struct tcp_pcb *pcb, struct np_conn *c);

/* Close both directions and forget the pcb; lwIP finishes on its own. */
static err_t close_now(struct np_conn *c)
{
	struct tcp_pcb *pcb = c->pcb;

	detach(pcb);
	if (tcp_close(pcb) != ERR_OK) {
		/* out of memory for the FIN: reattach, retry on poll */
		attach(pcb, c);
		return ERR_OK;
	}
	c->pcb = NULL;
	conn_free(c);
	return ERR_OK;
}

/* ---- the state machine run after every event ---- */

/*
 * Run the application and move data. Returns ERR_ABRT if the pcb was
 * aborted (and the connection freed), else ERR_OK.
 */
static err_t conn_run(struct np_conn *c)
{
	if (!c->dead) {
		c->in_work = true;
		c->lst->ops->work(c);
		c->in_work = false;
	}
	if (c->dead) {
		conn_free(c);
		return ERR_ABRT;
	}
	/*
	 * Reopen the window for what has been buffered, up to the limit; and
	 * all of it before a close: lwIP answers a close with unread data
	 * with a reset, which would throw away the last replies.
	 */
	if (c->uncredited && (c->in.len < c->lst->in_max || c->want_close)) {
		size_t n = c->uncredited;

		c->uncredited = 0;
		while (n) {
			u16_t part = n > 0xffff ? 0xffff : (u16_t)n;

			tcp_recved(c->pcb, part);
			n -= part;
		}
	}
	push_out(c);
	if (c->want_close && !c->out.len) {
		if (c->peer_closed)
			return close_now(c);
		/* ERR_MEM for the FIN: retried at the next event */
		if (tcp_shutdown(c->pcb, 0, 1) == ERR_OK)
			c->draining = true;
	}
	return ERR_OK;
}

/* ---- lwIP callbacks ---- */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
		     err_t err)
{
	struct np_conn *c = arg;
	struct pbuf *q;

	if (!c) {		/* detached while closing: drop the data */
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	if (c->draining) {	/* lingering close: drop, wait for FIN */
		if (!p)
			return close_now(c);
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	if (!p) {
		c->peer_closed = true;
		return conn_run(c);
	}
	if (err != ERR_OK || !buf_reserve(&c->in, p->tot_len)) {
		pbuf_free(p);
		np_conn_abort(c);
		conn_free(c);
		return ERR_ABRT;
	}
	for (q = p; q; q = q->next) {
		memcpy(c->in.p + c->in.off + c->in.len, q->payload, q->len);
		c->in.len += q->len;
	}
	c->uncredited += p->tot_len;
	pbuf_free(p);
	return conn_run(c);
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct np_conn *c = arg;

	if (!c || c->draining)
		return ERR_OK;
	if (c->out.len >= c->lst->out_low) {
		push_out(c);
		return ERR_OK;
	}
	return conn_run(c);
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	struct np_conn *c = arg;

	if (!c)
		return ERR_OK;
	if (c->draining) {
		if (++c->drain_polls <= NP_LINGER_POLLS)
			return ERR_OK;
		np_conn_abort(c);	/* the peer never closed */
		conn_free(c);
		return ERR_ABRT;
	}
	return conn_run(c);
}

static void on_err(void *arg, err_t err)
{
	struct np_conn *c = arg;

	if (!c)
		return;
	c->pcb = NULL;		/* already freed by lwIP */
	c->dead = true;
	if (!c->in_work)
		conn_free(c);
}

static void attach(struct tcp_pcb *pcb, struct np_conn *c)
{
	tcp_arg(pcb, c);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
	tcp_poll(pcb, on_poll, NP_POLL_INTERVAL);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct np_listener *lst = arg;
	struct np_conn *c;

	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	if (lst->nconns >= lst->max_conns)
		goto refuse;
	c = np_alloc(sizeof(*c));
	if (!c)
		goto refuse;
	memset(c, 0, sizeof(*c));
	c->lst = lst;
	c->pcb = pcb;
	if (lst->ops->open(c)) {
		np_free(c);
		goto refuse;
	}
	lst->nconns++;
	lst->accepted++;
	tcp_nagle_disable(pcb);
	attach(pcb, c);
	return ERR_OK;
refuse:
	lst->refused++;
	tcp_abort(pcb);
	return ERR_ABRT;
}

int np_tcp_listen(uint16_t port, struct np_listener *lst)
{
	struct tcp_pcb *pcb, *lpcb;

	pcb = tcp_new();
	if (!pcb) {
		np_printf("np_tcp: no pcb for the listener\n");
		return -1;
	}
	if (tcp_bind(pcb, IP_ADDR_ANY, port) != ERR_OK) {
		np_printf("np_tcp: cannot bind port %u\n", port);
		tcp_close(pcb);
		return -1;
	}
	lpcb = tcp_listen(pcb);
	if (!lpcb) {
		np_printf("np_tcp: cannot listen on port %u\n", port);
		tcp_close(pcb);
		return -1;
	}
	tcp_arg(lpcb, lst);
	tcp_accept(lpcb, on_accept);
	return 0;
}

void np_conn_consume(struct np_conn *c, size_t n)
{
	buf_drop(&c->in, n);
}
