// SPDX-License-Identifier: ISC
/*
 * cmd.c: the Redis commands kv serves (see cmd.h).
 *
 * Replies follow Redis's wording where clients may match on it ("wrong
 * number of arguments", "value is not an integer or out of range").
 */
#include <limits.h>
#include <string.h>

#include "cmd.h"
#include "np.h"
#include "store.h"

/* ---- reply buffer ---- */

static bool out_reserve(struct kv_out *o, size_t more)
{
	size_t cap;
	uint8_t *n;

	if (o->oom)
		return false;
	if (o->len + more <= o->cap)
		return true;
	cap = o->cap ? o->cap : 1024;
	while (cap < o->len + more)
		cap *= 2;
	n = np_realloc(o->buf, cap);
	if (!n) {
		o->oom = true;
		return false;
	}
	o->buf = n;
	o->cap = np_alloc_size(n);
	return true;
}

void kv_out_bytes(struct kv_out *o, const void *p, size_t len)
{
	if (!out_reserve(o, len))
		return;
	memcpy(o->buf + o->len, p, len);
	o->len += len;
}

void kv_out_fmt(struct kv_out *o, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = np_vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(tmp))
		n = sizeof(tmp) - 1;
	kv_out_bytes(o, tmp, (size_t)n);
}

static void out_str(struct kv_out *o, const char *s)
{
	kv_out_bytes(o, s, strlen(s));
}

static void out_bulk(struct kv_out *o, const uint8_t *p, size_t len)
{
	kv_out_fmt(o, "$%zu\r\n", len);
	kv_out_bytes(o, p, len);
	kv_out_bytes(o, "\r\n", 2);
}

/* ---- helpers ---- */

/* Redis's notion of an integer value: canonical decimal, 64-bit signed. */
static bool parse_ll(const uint8_t *s, size_t len, long long *out)
{
	unsigned long long v = 0, limit;
	bool neg = false;
	size_t i = 0;

	if (len == 0 || len > 20)
		return false;
	if (s[0] == '-') {
		neg = true;
		i = 1;
		if (len == 1)
			return false;
	}
	if (s[i] == '0' && len - i > 1)
		return false;		/* no leading zeros */
	limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (limit - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg && v == 0)
		return false;		/* "-0" */
	*out = neg ? (long long)(0 - v) : (long long)v;
	return true;
}

static bool key_ok(const struct resp_arg *k, struct kv_out *o)
{
	if (k->len <= KVLOG_KEY_MAX)
		return true;
	kv_out_fmt(o, "-ERR key too long (limit %d bytes)\r\n", KVLOG_KEY_MAX);
	return false;
}

static int snapshot_entry(void *arg, const struct kv_entry *e)
{
	return kvlog_append(arg, KVLOG_SET, e->data, e->klen,
			    kv_entry_value(e), e->vlen);
}

static int snapshot(void *arg, struct kvlog *log)
{
	return store_foreach(snapshot_entry, log);
}

int kv_compact(struct kvlog *log)
{
	return kvlog_compact(log, snapshot, NULL);
}

static int snapshot_nothing(void *arg, struct kvlog *log)
{
	return 0;
}

/*
 * Make room in the log for a record, compacting it if the active region is
 * full: 0, -1 if the live data leave no room, -2 on an I/O error.
 *
 * A compaction is only worth it if it frees a quarter of a region: with
 * more live data than that, every write would rewrite the whole store.
 * Writes are refused instead (deleting keys makes room again).
 */
static int ensure_room(struct kvlog *log, size_t klen, size_t vlen)
{
	uint64_t live = store_bytes() + kvlog_record_size(0, 0) * store_count();
	int r;

	if (kvlog_has_room(log, klen, vlen))
		return 0;
	if (live + kvlog_record_size(klen, vlen) >
	    kvlog_region_bytes(log) / 4 * 3)
		return -1;
	r = kvlog_compact(log, snapshot, NULL);
	if (r)
		return r;
	return kvlog_has_room(log, klen, vlen) ? 0 : -1;
}

/* Staging failed: -1 is a full device (reply), -2 an I/O error (fatal). */
static enum kv_exec_result log_failed(int r, struct kv_out *o)
{
	if (r == -2)
		return KV_EXEC_FATAL;
	out_str(o, "-ERR log device full: write refused\r\n");
	return KV_EXEC_OK;
}

/* ---- commands ---- */

typedef enum kv_exec_result (*cmd_fn)(struct kvlog *log,
				      const struct resp_cmd *c,
				      struct kv_out *o);

static enum kv_exec_result cmd_ping(struct kvlog *log,
				    const struct resp_cmd *c, struct kv_out *o)
{
	if (c->argc == 2)
		out_bulk(o, c->argv[1].p, c->argv[1].len);
	else
		out_str(o, "+PONG\r\n");
	return KV_EXEC_OK;
}

static enum kv_exec_result cmd_get(struct kvlog *log,
				   const struct resp_cmd *c, struct kv_out *o)
{
	struct kv_entry *e = store_get(c->argv[1].p, c->argv[1].len);

	if (e)
		out_bulk(o, kv_entry_value(e), e->vlen);
	else
		out_str(o, "$-1\r\n");
	return KV_EXEC_OK;
}

/*
 * Store and log a value (SET, INCR): 0 when done, 1 when an error reply was
 * written instead, -1 on a log I/O error.
 */
static int put(struct kvlog *log, const struct resp_arg *k, const uint8_t *v,
	       size_t vlen, struct kv_out *o)
{
	int r = ensure_room(log, k->len, vlen);

	if (r == -2)
		return -1;
	if (r) {
		log_failed(-1, o);
		return 1;
	}
	/* Memory first: a failed store_set must leave nothing in the log. */
	if (store_set(k->p, k->len, v, vlen)) {
		out_str(o, "-OOM command not allowed when used memory > 'maxmemory'\r\n");
		return 1;
	}
	/* Room was checked: only an I/O error while making space can fail. */
	return kvlog_append(log, KVLOG_SET, k->p, k->len, v, vlen) ? -1 : 0;
}

static enum kv_exec_result cmd_set(struct kvlog *log,
				   const struct resp_cmd *c, struct kv_out *o)
{
	int r;

	if (c->argc != 3) {
		out_str(o, "-ERR syntax error (SET options are not supported)\r\n");
		return KV_EXEC_OK;
	}
	if (!key_ok(&c->argv[1], o))
		return KV_EXEC_OK;
	if (c->argv[2].len > KVLOG_VAL_MAX) {
		kv_out_fmt(o, "-ERR value too long (limit %d bytes)\r\n",
			   KVLOG_VAL_MAX);
		return KV_EXEC_OK;
	}
	r = put(log, &c->argv[1], c->argv[2].p, c->argv[2].len, o);
	if (r < 0)
		return KV_EXEC_FATAL;
	if (r == 0)
		out_str(o, "+OK\r\n");
	return KV_EXEC_OK;
}

static enum kv_exec_result cmd_incr(struct kvlog *log,
				    const struct resp_cmd *c, struct kv_out *o)
{
	const struct resp_arg *k = &c->argv[1];
	struct kv_entry *e;
	long long v = 0;
	char num[24];
	int n, r;

	if (!key_ok(k, o))
		return KV_EXEC_OK;
	e = store_get(k->p, k->len);
	if (e && !parse_ll(kv_entry_value(e), e->vlen, &v)) {
		out_str(o, "-ERR value is not an integer or out of range\r\n");
		return KV_EXEC_OK;
	}
	if (v == LLONG_MAX) {
		out_str(o, "-ERR increment or decrement would overflow\r\n");
		return KV_EXEC_OK;
	}
	v++;
	n = np_snprintf(num, sizeof(num), "%lld", v);
	r = put(log, k, (const uint8_t *)num, (size_t)n, o);
	if (r < 0)
		return KV_EXEC_FATAL;
	if (r == 0)
		kv_out_fmt(o, ":%lld\r\n", v);
	return KV_EXEC_OK;
}

static enum kv_exec_result cmd_del(struct kvlog *log,
				   const struct resp_cmd *c, struct kv_out *o)
{
	long long n = 0;
	int i, r;

	for (i = 1; i < c->argc; i++) {
		const struct resp_arg *k = &c->argv[i];

		if (!store_get(k->p, k->len))
			continue;
		r = ensure_room(log, k->len, 0);
		if (r)
			return log_failed(r, o);
		r = kvlog_append(log, KVLOG_DEL, k->p, k->len, NULL, 0);
		if (r)
			return log_failed(r, o);
		store_del(k->p, k->len);
		n++;
	}
	kv_out_fmt(o, ":%lld\r\n", n);
	return KV_EXEC_OK;
}

static enum kv_exec_result cmd_exists(struct kvlog *log,
				      const struct resp_cmd *c,
				      struct kv_out *o)
{
	long long n = 0;
	int i;

	for (i = 1; i < c->argc; i++)
		if (store_get(c->argv[i].p, c->argv[i].len))
			n++;
	kv_out_fmt(o, ":%lld\r\n", n);
	return KV_EXEC_OK;
}

static enum kv_exec_result cmd_dbsize(struct kvlog *log,
				      const struct resp_cmd *c,
				      struct kv_out *o)
{
	kv_out_fmt(o, ":%zu\r\n", store_count());
	return KV_EXEC_OK;
}

static enum kv_exec_result cmd_flushall(struct kvlog *log,
					const struct resp_cmd *c,
					struct kv_out *o)
{
	int r;

	if (c->argc == 2 && !resp_arg_is(&c->argv[1], "sync") &&
	    !resp_arg_is(&c->argv[1], "async")) {
		out_str(o, "-ERR syntax error\r\n");
		return KV_EXEC_OK;
	}
	/* Even a full log can be emptied: compact to nothing first. */
	r = kvlog_has_room(log, 0, 0) ? 0 :
	    kvlog_compact(log, snapshot_nothing, NULL);
	if (!r)
		r = kvlog_append(log, KVLOG_FLUSHALL, NULL, 0, NULL, 0);
	if (r)
		return log_failed(r, o);
	store_clear();
	out_str(o, "+OK\r\n");
	return KV_EXEC_OK;
}

/*
 * CONFIG GET: redis-benchmark asks for "save" and "appendonly" before it
 * starts. Answer truthfully for those two; other names match nothing.
 */
static enum kv_exec_result cmd_config(struct kvlog *log,
				      const struct resp_cmd *c,
				      struct kv_out *o)
{
	const struct resp_arg *p = &c->argv[2];

	if (!resp_arg_is(&c->argv[1], "get") || c->argc != 3) {
		out_str(o, "-ERR only CONFIG GET <parameter> is supported\r\n");
		return KV_EXEC_OK;
	}
	if (resp_arg_is(p, "save"))
		out_str(o, "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
	else if (resp_arg_is(p, "appendonly"))
		out_str(o, "*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n");
	else
		out_str(o, "*0\r\n");
	return KV_EXEC_OK;
}

static enum kv_exec_result cmd_quit(struct kvlog *log,
				    const struct resp_cmd *c, struct kv_out *o)
{
	out_str(o, "+OK\r\n");
	return KV_EXEC_CLOSE;
}

static const struct {
	const char *name;
	int min_argc, max_argc;	/* command name included; -1: no limit */
	cmd_fn fn;
} commands[] = {
	{ "ping", 1, 2, cmd_ping },
	{ "get", 2, 2, cmd_get },
	{ "set", 3, -1, cmd_set },
	{ "del", 2, -1, cmd_del },
	{ "exists", 2, -1, cmd_exists },
	{ "incr", 2, 2, cmd_incr },
	{ "dbsize", 1, 1, cmd_dbsize },
	{ "flushall", 1, 2, cmd_flushall },
	{ "config", 2, -1, cmd_config },
	{ "quit", 1, 1, cmd_quit },
};

/* The command name as printable text for an error reply. */
static void out_name(struct kv_out *o, const struct resp_arg *a)
{
	size_t i, n = a->len < 64 ? a->len : 64;

	for (i = 0; i < n; i++) {
		char ch = (char)a->p[i];

		if (ch < 0x20 || ch > 0x7e || ch == '\'')
			ch = '?';
		kv_out_bytes(o, &ch, 1);
	}
}

enum kv_exec_result kv_exec(struct kvlog *log, const struct resp_cmd *cmd,
			    struct kv_out *out)
{
	size_t i;

	if (cmd->argc == 0)
		return KV_EXEC_OK;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!resp_arg_is(&cmd->argv[0], commands[i].name))
			continue;
		if (cmd->argc < commands[i].min_argc ||
		    (commands[i].max_argc >= 0 &&
		     cmd->argc > commands[i].max_argc)) {
			kv_out_fmt(out, "-ERR wrong number of arguments for '%s' command\r\n",
				   commands[i].name);
			return KV_EXEC_OK;
		}
		return commands[i].fn(log, cmd, out);
	}
	out_str(out, "-ERR unknown command '");
	out_name(out, &cmd->argv[0]);
	out_str(out, "'\r\n");
	return KV_EXEC_OK;
}

int kv_apply(void *arg, enum kvlog_op op, const uint8_t *key, size_t klen,
	     const uint8_t *val, size_t vlen)
{
	switch (op) {
	case KVLOG_SET:
		if (store_set(key, klen, val, vlen)) {
			np_printf("kv: out of memory replaying the log\n");
			return -1;
		}
		return 0;
	case KVLOG_DEL:
		store_del(key, klen);
		return 0;
	case KVLOG_FLUSHALL:
		store_clear();
		return 0;
	}
	return -1;
}
