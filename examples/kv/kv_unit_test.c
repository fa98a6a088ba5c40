// SPDX-License-Identifier: ISC
/*
 * kv_unit_test.c: host-side unit tests of the kv server's parts (RESP
 * parser, hash table, append-only log and its replay), over a memory block
 * device. Prints KTAP; exit status 0 only if every test passed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvlog.h"
#include "np.h"
#include "resp.h"
#include "cmd.h"
#include "store.h"

/* ---- the Solo5 calls the parts use, for the host ---- */

static char console[8192];
static size_t console_len;

void solo5_console_write(const char *buf, size_t size)
{
	if (console_len + size < sizeof(console)) {
		memcpy(console + console_len, buf, size);
		console_len += size;
		console[console_len] = '\0';
	}
	fwrite(buf, 1, size, stderr);
}

void solo5_abort(void)
{
	abort();
}

unsigned int np_rand(void)
{
	static unsigned int x = 0x12345678u;

	x = x * 1103515245u + 12345u;
	return x;
}

/* ---- a memory block device ---- */

struct memdev {
	uint8_t *data;
	uint64_t cap;
	unsigned long writes;
	long fail_after;	/* writes left before failing; -1: never */
};

static int mem_read(void *ctx, uint64_t off, uint8_t *buf, size_t len)
{
	struct memdev *m = ctx;

	if (off % 512 || len % 512 || off + len > m->cap)
		return -1;
	memcpy(buf, m->data + off, len);
	return 0;
}

static int mem_write(void *ctx, uint64_t off, const uint8_t *buf, size_t len)
{
	struct memdev *m = ctx;

	if (off % 512 || len % 512 || off + len > m->cap)
		return -1;
	if (m->fail_after == 0)
		return -1;
	if (m->fail_after > 0)
		m->fail_after--;
	memcpy(m->data + off, buf, len);
	m->writes++;
	return 0;
}

static struct kvlog_dev mem_dev(struct memdev *m)
{
	struct kvlog_dev d = {
		.read = mem_read, .write = mem_write, .ctx = m,
		.capacity = m->cap, .block_size = 512,
	};
	return d;
}

static int apply(void *arg, enum kvlog_op op, const uint8_t *key, size_t klen,
		 const uint8_t *val, size_t vlen)
{
	(void)arg;
	switch (op) {
	case KVLOG_SET:
		return store_set(key, klen, val, vlen);
	case KVLOG_DEL:
		store_del(key, klen);
		return 0;
	case KVLOG_FLUSHALL:
		store_clear();
		return 0;
	}
	return -1;
}

/* ---- KTAP ---- */

static int test_no, failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("# %s:%d: check failed: %s\n", __FILE__,	\
		       __LINE__, #cond);				\
		return 1;						\
	}								\
} while (0)

static void run(const char *name, int (*fn)(void))
{
	int r = fn();

	test_no++;
	printf("%sok %d %s\n", r ? "not " : "", test_no, name);
	failed += r != 0;
}

static int parse_str(const char *s, struct resp_cmd *c, size_t *used,
		     const char **err)
{
	return resp_parse((const uint8_t *)s, strlen(s), c, used, err);
}

static int arg_eq(const struct resp_arg *a, const char *s)
{
	return a->len == strlen(s) && !memcmp(a->p, s, a->len);
}

/* ---- tests ---- */

static struct resp_cmd cmd;

static int t_resp_multibulk(void)
{
	const char *s = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n*1\r\n";
	const char *err = NULL;
	size_t used = 0;

	CHECK(parse_str(s, &cmd, &used, &err) == RESP_OK);
	CHECK(cmd.argc == 3);
	CHECK(arg_eq(&cmd.argv[0], "SET") && arg_eq(&cmd.argv[1], "key"));
	CHECK(arg_eq(&cmd.argv[2], "va\r\nl"));	/* binary safe */
	CHECK(used == strlen(s) - 4);
	CHECK(resp_arg_is(&cmd.argv[0], "set") && !resp_arg_is(&cmd.argv[0], "se"));
	/* the pipelined "*1\r\n" that follows needs more */
	CHECK(parse_str(s + used, &cmd, &used, &err) == RESP_NEED_MORE);
	return 0;
}

static int t_resp_partial(void)
{
	const char *s = "*2\r\n$3\r\nGET\r\n$10\r\n0123456789\r\n";
	size_t n, used;
	const char *err;

	/* every strict prefix is incomplete, the whole is one request */
	for (n = 0; n < strlen(s); n++)
		CHECK(resp_parse((const uint8_t *)s, n, &cmd, &used, &err) ==
		      RESP_NEED_MORE);
	CHECK(resp_parse((const uint8_t *)s, n, &cmd, &used, &err) == RESP_OK);
	CHECK(used == n && cmd.argc == 2 && arg_eq(&cmd.argv[1], "0123456789"));
	return 0;
}

static int t_resp_inline(void)
{
	const char *err;
	size_t used;

	CHECK(parse_str("  set  a   1 \r\nPING\n", &cmd, &used, &err) == RESP_OK);
	CHECK(cmd.argc == 3 && arg_eq(&cmd.argv[0], "set") &&
	      arg_eq(&cmd.argv[1], "a") && arg_eq(&cmd.argv[2], "1"));
	CHECK(used == 15);
	CHECK(parse_str("\r\n", &cmd, &used, &err) == RESP_OK && cmd.argc == 0);
	CHECK(parse_str("PING", &cmd, &used, &err) == RESP_NEED_MORE);
	return 0;
}

static int t_resp_errors(void)
{
	const char *err;
	size_t used;
	static char big[RESP_MAX_INLINE + 10];

	CHECK(parse_str("*x\r\n", &cmd, &used, &err) == RESP_PROTO_ERROR);
	CHECK(parse_str("*1\r\n+3\r\n", &cmd, &used, &err) == RESP_PROTO_ERROR);
	CHECK(parse_str("*1\r\n$-5\r\n", &cmd, &used, &err) == RESP_PROTO_ERROR);
	CHECK(parse_str("*1\r\n$999999999\r\n", &cmd, &used, &err) ==
	      RESP_PROTO_ERROR);
	CHECK(parse_str("*1\r\n$3\r\nabcXY", &cmd, &used, &err) ==
	      RESP_PROTO_ERROR);
	CHECK(parse_str("*9999\r\n", &cmd, &used, &err) == RESP_PROTO_ERROR);
	CHECK(parse_str("*1111111111111111111111111111111", &cmd, &used, &err) ==
	      RESP_PROTO_ERROR);
	memset(big, 'a', sizeof(big) - 1);
	CHECK(parse_str(big, &cmd, &used, &err) == RESP_PROTO_ERROR);
	CHECK(parse_str("*0\r\n", &cmd, &used, &err) == RESP_OK && cmd.argc == 0);
	return 0;
}

/*
 * Random requests from RESP's alphabet: the parser must stay in bounds
 * (ASan watches), and an accepted request must read as incomplete when cut
 * short, so that re-parsing after more input is safe.
 */
static int t_resp_fuzz(void)
{
	static const char alphabet[] = "*$\r\n\r\n0123456789-+ aZ";
	static uint8_t buf[80];
	unsigned int seed = 1;
	int i;

	for (i = 0; i < 200000; i++) {
		size_t len, used = 0, cut, j;
		const char *err;
		enum resp_status st;
		uint8_t *copy;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % sizeof(buf);
		for (j = 0; j < len; j++) {
			seed = seed * 1103515245u + 12345u;
			buf[j] = (uint8_t)alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		if (i % 3 == 0 && len > 2)
			buf[0] = '*';
		/* exactly len bytes, so that ASan sees any overread */
		copy = malloc(len ? len : 1);
		CHECK(copy);
		memcpy(copy, buf, len);
		st = resp_parse(copy, len, &cmd, &used, &err);
		if (st == RESP_OK) {
			CHECK(used > 0 && used <= len);
			for (j = 0; j < (size_t)cmd.argc; j++)
				CHECK(cmd.argv[j].p >= copy &&
				      cmd.argv[j].p + cmd.argv[j].len <= copy + used);
			for (cut = 0; cut < used; cut++) {
				st = resp_parse(copy, cut, &cmd, &used, &err);
				CHECK(st != RESP_OK);
			}
		}
		free(copy);
	}
	return 0;
}

static int t_store(void)
{
	char k[32], v[32];
	int i;
	struct kv_entry *e;

	store_clear();
	for (i = 0; i < 5000; i++) {
		snprintf(k, sizeof(k), "key:%d", i);
		snprintf(v, sizeof(v), "value-%d", i * 7);
		CHECK(!store_set((uint8_t *)k, strlen(k), (uint8_t *)v, strlen(v)));
	}
	CHECK(store_count() == 5000);
	CHECK(!store_set((uint8_t *)"key:7", 5, (uint8_t *)"x", 1));
	CHECK(store_count() == 5000);
	e = store_get((uint8_t *)"key:7", 5);
	CHECK(e && e->vlen == 1 && kv_entry_value(e)[0] == 'x');
	e = store_get((uint8_t *)"key:4999", 8);
	CHECK(e && e->vlen == strlen("value-34993") &&
	      !memcmp(kv_entry_value(e), "value-34993", e->vlen));
	CHECK(store_del((uint8_t *)"key:7", 5));
	CHECK(!store_del((uint8_t *)"key:7", 5));
	CHECK(!store_get((uint8_t *)"key:7", 5));
	CHECK(!store_set((uint8_t *)"", 0, (uint8_t *)"", 0));
	CHECK(store_get((uint8_t *)"", 0) != NULL);
	store_clear();
	CHECK(store_count() == 0 && !store_get((uint8_t *)"key:1", 5));
	return 0;
}

static struct memdev dev;

static int reopen(struct kvlog *log)
{
	struct kvlog_dev d = mem_dev(&dev);

	store_clear();
	console_len = 0;
	console[0] = '\0';
	return kvlog_open(log, &d, false, apply, NULL);
}

static int set_and_log(struct kvlog *log, const char *k, const char *v)
{
	if (kvlog_append(log, KVLOG_SET, (const uint8_t *)k, strlen(k),
			 (const uint8_t *)v, strlen(v)))
		return -1;
	return store_set((const uint8_t *)k, strlen(k), (const uint8_t *)v,
			 strlen(v));
}

static int value_is(const char *k, const char *v)
{
	struct kv_entry *e = store_get((const uint8_t *)k, strlen(k));

	return e && e->vlen == strlen(v) && !memcmp(kv_entry_value(e), v, e->vlen);
}

static int t_log_replay(void)
{
	static struct kvlog log;
	char k[32], v[64];
	int i;

	dev.cap = 4 << 20;
	dev.data = calloc(1, dev.cap);
	dev.fail_after = -1;
	CHECK(dev.data);
	CHECK(!reopen(&log));
	CHECK(strstr(console, "formatted"));
	for (i = 0; i < 1000; i++) {
		snprintf(k, sizeof(k), "k%d", i % 300);
		snprintf(v, sizeof(v), "v%d-%d", i, i * 31);
		CHECK(!set_and_log(&log, k, v));
		if (i % 7 == 0)
			CHECK(!kvlog_flush(&log));	/* varied batch sizes */
	}
	CHECK(!kvlog_append(&log, KVLOG_DEL, (const uint8_t *)"k5", 2, NULL, 0));
	CHECK(!kvlog_flush(&log));
	CHECK(!kvlog_dirty(&log));

	CHECK(!reopen(&log));
	CHECK(log.replayed == 1001 && log.torn_at == 0);
	CHECK(store_count() == 299);
	CHECK(value_is("k299", "v899-27869") && !store_get((const uint8_t *)"k5", 2));
	/* appending after a replay continues the sequence */
	CHECK(!set_and_log(&log, "after", "replay"));
	CHECK(!kvlog_flush(&log));
	CHECK(!reopen(&log));
	CHECK(log.replayed == 1002 && value_is("after", "replay"));
	/* FLUSHALL empties */
	CHECK(!kvlog_append(&log, KVLOG_FLUSHALL, NULL, 0, NULL, 0));
	CHECK(!set_and_log(&log, "only", "one"));
	CHECK(!kvlog_flush(&log));
	CHECK(!reopen(&log));
	CHECK(store_count() == 1 && value_is("only", "one"));
	return 0;
}

static int t_log_torn_tail(void)
{
	static struct kvlog log;
	uint64_t tail_before, last;
	int i;

	CHECK(!reopen(&log));
	for (i = 0; i < 10; i++) {
		char k[16];

		snprintf(k, sizeof(k), "t%d", i);
		CHECK(!set_and_log(&log, k, "0123456789abcdef0123456789"));
		CHECK(!kvlog_flush(&log));
	}
	last = log.tail - (32 + 2 + 26);
	tail_before = log.tail;
	/* tear the last record: lose its final bytes */
	memset(dev.data + tail_before - 5, 0, 5);
	CHECK(!reopen(&log));
	CHECK(log.torn_at == last);
	CHECK(strstr(console, "torn record") && strstr(console, "bad checksum"));
	CHECK(value_is("t8", "0123456789abcdef0123456789"));
	CHECK(!store_get((const uint8_t *)"t9", 2));
	/* the torn bytes were zeroed: a second open is clean */
	CHECK(!reopen(&log));
	CHECK(log.torn_at == 0 && log.tail == last);
	/* a garbage header at the tail is torn too, and new writes reuse it */
	memcpy(dev.data + last, "KVL1garbagegarbagegarbagegarbage", 32);
	memcpy(dev.data + last + 8, &log.epoch, 4);	/* same log, bad rest */
	CHECK(!reopen(&log));
	CHECK(log.torn_at == last && strstr(console, "torn record"));
	CHECK(!set_and_log(&log, "new", "value"));
	CHECK(!kvlog_flush(&log));
	CHECK(!reopen(&log));
	CHECK(log.torn_at == 0 && value_is("new", "value") &&
	      value_is("t8", "0123456789abcdef0123456789"));
	return 0;
}

static int t_log_full_and_errors(void)
{
	static struct kvlog log;
	static uint8_t val[KVLOG_VAL_MAX + 1];
	int i, r = 0;

	CHECK(kvlog_append(&log, KVLOG_SET, (const uint8_t *)"k", 1, val,
			   KVLOG_VAL_MAX + 1) == -1);
	for (i = 0; i < 100 && r == 0; i++)
		r = kvlog_append(&log, KVLOG_SET, (const uint8_t *)"big", 3,
				 val, KVLOG_VAL_MAX);
	CHECK(r == -1);		/* device full: refused, not wrapped */
	CHECK(!kvlog_flush(&log));
	CHECK(!reopen(&log));
	CHECK(log.torn_at == 0);
	/* a failing device: the flush reports it */
	memset(dev.data, 0, dev.cap);
	CHECK(!reopen(&log) && strstr(console, "formatted"));
	CHECK(!set_and_log(&log, "x", "y"));
	dev.fail_after = 0;
	CHECK(kvlog_flush(&log) == -1);
	dev.fail_after = -1;
	/* a foreign device is refused, not formatted */
	memset(dev.data, 0xab, 512);
	CHECK(reopen(&log) == -1 && strstr(console, "no kv log"));
	return 0;
}

/* Run one inline command through kv_exec; the reply, NUL-terminated. */
static const char *exec_reply(struct kvlog *log, const char *line)
{
	static struct kv_out out;
	const char *err;
	size_t used;
	int r;

	if (resp_parse((const uint8_t *)line, strlen(line), &cmd, &used, &err) !=
	    RESP_OK)
		return "(parse error)";
	out.len = 0;
	r = kv_exec(log, &cmd, &out);
	if (r != KV_EXEC_OK && r != KV_EXEC_CLOSE)
		return "(fatal)";
	kv_out_bytes(&out, "", 1);
	return (const char *)out.buf;
}

/* Run one inline command; compare the reply. */
static int exec_is(struct kvlog *log, const char *line, const char *want)
{
	const char *got = exec_reply(log, line);

	if (strcmp(got, want)) {
		printf("# %s-> %s", line, got);
		return 0;
	}
	return 1;
}

static int t_commands(void)
{
	static struct kvlog log;

	memset(dev.data, 0, dev.cap);
	CHECK(!reopen(&log));
	CHECK(exec_is(&log, "PING\n", "+PONG\r\n"));
	CHECK(exec_is(&log, "ping hi\n", "$2\r\nhi\r\n"));
	CHECK(exec_is(&log, "GET a\n", "$-1\r\n"));
	CHECK(exec_is(&log, "SET a 10\n", "+OK\r\n"));
	CHECK(exec_is(&log, "get a\n", "$2\r\n10\r\n"));
	CHECK(exec_is(&log, "INCR a\n", ":11\r\n"));
	CHECK(exec_is(&log, "INCR n\n", ":1\r\n"));
	CHECK(exec_is(&log, "SET s x1\n", "+OK\r\n"));
	CHECK(exec_is(&log, "INCR s\n",
		      "-ERR value is not an integer or out of range\r\n"));
	CHECK(exec_is(&log, "SET m 9223372036854775807\n", "+OK\r\n"));
	CHECK(exec_is(&log, "INCR m\n",
		      "-ERR increment or decrement would overflow\r\n"));
	CHECK(exec_is(&log, "SET z 007\n", "+OK\r\n"));
	CHECK(exec_is(&log, "INCR z\n",
		      "-ERR value is not an integer or out of range\r\n"));
	CHECK(exec_is(&log, "EXISTS a n nope a\n", ":3\r\n"));
	CHECK(exec_is(&log, "DBSIZE\n", ":5\r\n"));
	CHECK(exec_is(&log, "DEL a nope\n", ":1\r\n"));
	CHECK(exec_is(&log, "DBSIZE\n", ":4\r\n"));
	CHECK(exec_is(&log, "GET\n",
		      "-ERR wrong number of arguments for 'get' command\r\n"));
	CHECK(exec_is(&log, "SET a b EX 10\n",
		      "-ERR syntax error (SET options are not supported)\r\n"));
	CHECK(exec_is(&log, "HSET h f v\n", "-ERR unknown command 'HSET'\r\n"));
	CHECK(exec_is(&log, "CONFIG GET save\n",
		      "*2\r\n$4\r\nsave\r\n$0\r\n\r\n"));
	CHECK(exec_is(&log, "CONFIG GET maxmemory\n", "*0\r\n"));
	CHECK(!kvlog_flush(&log));
	/* what the commands did survives a replay */
	CHECK(!reopen(&log));
	CHECK(exec_is(&log, "GET n\n", "$1\r\n1\r\n"));
	CHECK(exec_is(&log, "GET a\n", "$-1\r\n"));
	CHECK(exec_is(&log, "DBSIZE\n", ":4\r\n"));
	CHECK(exec_is(&log, "FLUSHALL\n", "+OK\r\n"));
	CHECK(exec_is(&log, "DBSIZE\n", ":0\r\n"));
	CHECK(!kvlog_flush(&log));
	CHECK(!reopen(&log));
	CHECK(exec_is(&log, "DBSIZE\n", ":0\r\n"));
	CHECK(exec_is(&log, "QUIT\n", "+OK\r\n"));
	return 0;
}

static int t_compaction(void)
{
	static struct kvlog log;
	char line[128], want[64], reply[96];
	int i, full = 0;

	free(dev.data);
	dev.cap = 256 * 1024;
	dev.data = calloc(1, dev.cap);
	dev.fail_after = -1;
	CHECK(dev.data);
	CHECK(!reopen(&log));
	for (i = 0; i < 5000; i++) {
		snprintf(line, sizeof(line), "SET key%d value-%d-%d\n", i % 50, i,
			 i * 13);
		CHECK(exec_is(&log, line, "+OK\r\n"));
		if (i % 3 == 0)
			CHECK(!kvlog_flush(&log));
	}
	CHECK(!kvlog_flush(&log));
	CHECK(log.compactions >= 2);
	CHECK(!reopen(&log));
	CHECK(store_count() == 50);
	for (i = 4950; i < 5000; i++) {
		snprintf(line, sizeof(line), "GET key%d\n", i % 50);
		snprintf(want, sizeof(want), "value-%d-%d", i, i * 13);
		snprintf(reply, sizeof(reply), "$%zu\r\n%s\r\n", strlen(want),
			 want);
		CHECK(exec_is(&log, line, reply));
	}
	/* a compaction whose commit fails leaves the old region in charge */
	dev.fail_after = 1;
	CHECK(kv_compact(&log) == -2);
	dev.fail_after = -1;
	CHECK(exec_is(&log, "SET after failed\n", "+OK\r\n"));
	CHECK(!kvlog_flush(&log));
	CHECK(!reopen(&log));
	CHECK(store_count() == 51 && exec_is(&log, "GET after\n", "$6\r\nfailed\r\n"));
	/* distinct keys until even a compaction cannot make room */
	for (i = 0; i < 20000 && !full; i++) {
		snprintf(line, sizeof(line), "SET unique%d %0100d\n", i, i);
		full = !strcmp(exec_reply(&log, line),
			       "-ERR log device full: write refused\r\n");
		CHECK(!kvlog_flush(&log));
	}
	CHECK(full);
	CHECK(exec_is(&log, "FLUSHALL\n", "+OK\r\n"));
	CHECK(!kvlog_flush(&log));
	CHECK(!reopen(&log));
	CHECK(store_count() == 0);
	CHECK(exec_is(&log, "SET again 1\n", "+OK\r\n"));
	return 0;
}

/* The shared parts of the applications' start-up (np_config.c, np_heap.c). */
static int t_np_start_up(void)
{
	const char *p = "  10.0.0.2/24  gw=10.0.0.1 port=7 format ", *w;
	struct np_net_config cfg;
	uint8_t *b;
	size_t len;

	w = np_next_word(&p, &len);
	CHECK(w && len == 11 && !memcmp(w, "10.0.0.2/24", len));
	w = np_next_word(&p, &len);
	CHECK(w && len == 11 && !memcmp(w, "gw=10.0.0.1", len));
	CHECK(np_next_word(&p, &len) && np_next_word(&p, &len));
	CHECK(!np_next_word(&p, &len) && !*p);

	CHECK(!np_net_parse("10.0.0.2/24 gw=10.0.0.1 port=7 format", &cfg));
	CHECK(cfg.addr == htonl(0x0a000002) && cfg.netmask == htonl(0xffffff00));
	CHECK(cfg.gw == htonl(0x0a000001) && !strcmp(cfg.rest, "port=7 format"));
	CHECK(np_net_parse("port=7", &cfg) == -1);
	CHECK(np_net_parse("10.0.0.2/24 gw=10.0.0", &cfg) == -1);
	CHECK(np_net_parse("10.0.0.2/33", &cfg) == -1);

	/* np_zalloc zeroes a block that np_free handed back dirty. */
	b = np_alloc(100);
	CHECK(b);
	memset(b, 0xa5, 100);
	np_free(b);
	b = np_zalloc(100);
	CHECK(b && !memchr(b, 0xa5, 100));
	np_free(b);
	return 0;
}

int main(void)
{
	static uint8_t heap_mem[64 << 20];

	np_heap_init((uintptr_t)heap_mem, sizeof(heap_mem));
	if (store_init(42)) {
		printf("Bail out! no heap\n");
		return 1;
	}
	printf("KTAP version 1\n1..12\n");
	run("resp_multibulk", t_resp_multibulk);
	run("resp_partial", t_resp_partial);
	run("resp_inline", t_resp_inline);
	run("resp_errors", t_resp_errors);
	run("resp_fuzz", t_resp_fuzz);
	run("store", t_store);
	run("log_replay", t_log_replay);
	run("log_torn_tail", t_log_torn_tail);
	run("log_full_and_errors", t_log_full_and_errors);
	run("commands", t_commands);
	run("compaction", t_compaction);
	run("np_start_up", t_np_start_up);
	printf("# %d of %d failed\n", failed, test_no);
	return failed ? 1 : 0;
}
