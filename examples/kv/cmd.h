/* SPDX-License-Identifier: ISC */
/*
 * cmd.h: execution of Redis commands against the store and the log.
 *
 * Writes are staged in the log before they change the store, and only if
 * the log has room: the store never holds what the log would not replay.
 * The caller flushes the log before it sends any reply produced here.
 */
#ifndef KV_CMD_H
#define KV_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvlog.h"
#include "resp.h"

/* A growable reply buffer in the Solo5 heap. */
struct kv_out {
	uint8_t *buf;
	size_t len;
	size_t cap;
	bool oom;		/* a reply did not fit in memory */
};

void kv_out_bytes(struct kv_out *o, const void *p, size_t len);
void kv_out_fmt(struct kv_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

enum kv_exec_result {
	KV_EXEC_OK,
	KV_EXEC_CLOSE,		/* reply, then close the connection (QUIT) */
	KV_EXEC_FATAL,		/* the log device failed: stop serving */
};

enum kv_exec_result kv_exec(struct kvlog *log, const struct resp_cmd *cmd,
			    struct kv_out *out);

/* Compact the log now (see kvlog_compact). */
int kv_compact(struct kvlog *log);

/* Apply one replayed log record to the store (kvlog_apply_fn). */
int kv_apply(void *arg, enum kvlog_op op, const uint8_t *key, size_t klen,
	     const uint8_t *val, size_t vlen);

#endif /* KV_CMD_H */
