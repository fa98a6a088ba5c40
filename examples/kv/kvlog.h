/* SPDX-License-Identifier: ISC */
/*
 * kvlog.h: the kv server's append-only log on a block device.
 *
 * Layout: block 0 holds a superblock (magic, version, the active region, a
 * random epoch, CRC32C). The rest is two equal regions; records fill the
 * active one from its start, packed back to back:
 *
 *   struct kvlog_rec { magic, crc32c, epoch, op, seq, klen, vlen } + key + value
 *
 * The CRC covers the header (crc field zero) and the payload. Sequence
 * numbers increase by one from 1, so stale bytes beyond the end of the log
 * cannot pass for records. Replay stops at the first record that is not
 * complete and intact: a clean end (zeros or a record of another epoch) or a
 * torn tail, which is reported on the console and zeroed so that it cannot
 * reappear.
 *
 * When the active region is full, kvlog_compact() writes the live data as
 * fresh records into the other region under a new epoch and then switches
 * block 0 to it: one block write is the commit, and a crash before it
 * leaves the old region in charge, untouched.
 *
 * Appends are staged in memory and written by kvlog_flush(): the caller
 * acknowledges a write to its client only after the flush that carries it
 * has returned successfully (block write completed).
 */
#ifndef KV_KVLOG_H
#define KV_KVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KVLOG_KEY_MAX		4096
#define KVLOG_VAL_MAX		(512 * 1024)

enum kvlog_op {
	KVLOG_SET = 1,
	KVLOG_DEL = 2,
	KVLOG_FLUSHALL = 3,
};

/* The block device, as functions so that tests can run over memory. */
struct kvlog_dev {
	int (*read)(void *ctx, uint64_t off, uint8_t *buf, size_t len);
	int (*write)(void *ctx, uint64_t off, const uint8_t *buf, size_t len);
	void *ctx;
	uint64_t capacity;	/* bytes */
	uint64_t block_size;	/* power of two, 512 .. 65536 */
};

/* Called for each record during replay; non-zero stops the open. */
typedef int (*kvlog_apply_fn)(void *arg, enum kvlog_op op,
			      const uint8_t *key, size_t klen,
			      const uint8_t *val, size_t vlen);

struct kvlog {
	struct kvlog_dev dev;
	uint64_t start, end;	/* the active region */
	uint32_t epoch;
	uint64_t next_seq;
	uint64_t tail;		/* end of the log, staged records included */
	uint64_t stage_base;	/* device offset of stage[0], block aligned */
	uint8_t *stage;		/* log bytes from stage_base to tail */
	size_t stage_cap;
	bool dirty;		/* staged records not yet written */
	uint8_t *sb_buf;	/* one block, for the superblock */
	uint64_t compactions;
	/* What the last open found, for the console. */
	uint64_t replayed;
	uint64_t torn_at;	/* offset of a discarded torn record, or 0 */
	const char *torn_why;
};

/*
 * Open the log on @dev: format it if block 0 is all zeros (or if @format),
 * else check the superblock and replay every record through @apply.
 * Returns 0, or -1 with a console message.
 */
int kvlog_open(struct kvlog *log, const struct kvlog_dev *dev, bool format,
	       kvlog_apply_fn apply, void *arg);

/*
 * Stage one record: 0, -1 if the device is full or the record too large
 * (nothing staged), -2 on an I/O error while making room.
 */
int kvlog_append(struct kvlog *log, enum kvlog_op op, const uint8_t *key,
		 size_t klen, const uint8_t *val, size_t vlen);

/* True if a record with these lengths fits in the active region. */
bool kvlog_has_room(const struct kvlog *log, size_t klen, size_t vlen);

/* Bytes a record with these lengths takes in the log. */
uint64_t kvlog_record_size(size_t klen, size_t vlen);

/* Bytes of one region: what a compaction has to fit into. */
uint64_t kvlog_region_bytes(const struct kvlog *log);

/* Write all staged records to the device. -1 on an I/O error. */
int kvlog_flush(struct kvlog *log);

/* True if records are staged but not yet written. */
bool kvlog_dirty(const struct kvlog *log);

/*
 * Compaction: @snap calls kvlog_append(log, KVLOG_SET, ...) for every live
 * key and returns what the first failing append returned, else 0.
 */
typedef int (*kvlog_snapshot_fn)(void *arg, struct kvlog *log);

/*
 * Rewrite the live data into the other region and switch to it. 0 on
 * success; -1 if the live data do not fit in a region, -2 on an I/O error
 * (in both cases the log goes on in its old region, unchanged).
 */
int kvlog_compact(struct kvlog *log, kvlog_snapshot_fn snap, void *arg);

uint32_t kvlog_crc32c(uint32_t crc, const uint8_t *p, size_t len);

#endif /* KV_KVLOG_H */
