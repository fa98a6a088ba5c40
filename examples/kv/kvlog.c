// SPDX-License-Identifier: ISC
/*
 * kvlog.c: append-only log with per-record CRC32C (see kvlog.h).
 *
 * All integers are stored little-endian (the only byte order libnabla runs
 * on: x86_64). Every write covers whole blocks: the last, partial block of
 * the log is kept in the staging buffer and rewritten, with its durable
 * prefix unchanged, by the next flush; bytes past the end are zeros.
 */
#include <string.h>

#include "kvlog.h"
#include "np.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "kvlog stores little-endian integers in host order"
#endif

#define KVLOG_REC_MAGIC		0x314c564bu	/* "KVL1" */
#define KVLOG_SB_MAGIC		"NABLAKV1"
#define KVLOG_VERSION		2
#define KVLOG_REC_MAX		(sizeof(struct kvlog_rec) + KVLOG_KEY_MAX + \
				 KVLOG_VAL_MAX)
/* Staging/replay buffer: one maximal record plus two blocks of slack. */
#define KVLOG_STAGE_CAP		(1024 * 1024 + 2 * 65536)

struct kvlog_rec {
	uint32_t magic;
	uint32_t crc;
	uint32_t epoch;
	uint8_t op;
	uint8_t pad[3];
	uint64_t seq;
	uint32_t klen;
	uint32_t vlen;
};

struct kvlog_sb {
	char magic[8];
	uint32_t version;
	uint32_t epoch;
	uint32_t block_size;
	uint32_t pad;
	uint64_t log_start;	/* the active region */
	uint64_t log_end;
	uint8_t reserved[16];
	uint32_t crc;		/* CRC32C of everything above */
	uint32_t pad2;
};

_Static_assert(sizeof(struct kvlog_rec) == 32, "record header layout");
_Static_assert(sizeof(struct kvlog_sb) == 64, "superblock layout");
_Static_assert(KVLOG_STAGE_CAP >= 65536 + KVLOG_REC_MAX, "stage too small");

/* ---- CRC32C (Castagnoli, reflected 0x82f63b78) ---- */

static uint32_t crc_table[256];

static void crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ ((c & 1) ? 0x82f63b78u : 0);
		crc_table[i] = c;
	}
}

uint32_t kvlog_crc32c(uint32_t crc, const uint8_t *p, size_t len)
{
	if (!crc_table[1])
		crc_init();
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t rec_crc(const struct kvlog_rec *h, const uint8_t *payload)
{
	struct kvlog_rec tmp = *h;
	uint32_t crc;

	tmp.crc = 0;
	crc = kvlog_crc32c(0, (const uint8_t *)&tmp, sizeof(tmp));
	return kvlog_crc32c(crc, payload, (size_t)h->klen + h->vlen);
}

static uint64_t align_down(const struct kvlog *log, uint64_t off)
{
	return off & ~(log->dev.block_size - 1);
}

static uint64_t align_up(const struct kvlog *log, uint64_t off)
{
	return (off + log->dev.block_size - 1) & ~(log->dev.block_size - 1);
}

static int dev_read(struct kvlog *log, uint64_t off, uint8_t *buf, size_t len)
{
	return log->dev.read(log->dev.ctx, off, buf, len);
}

static int dev_write(struct kvlog *log, uint64_t off, const uint8_t *buf,
		     size_t len)
{
	return log->dev.write(log->dev.ctx, off, buf, len);
}

/* ---- superblock ---- */

/* The two regions: [bs, bs + half) and [bs + half, bs + 2 * half). */
static uint64_t region_size(const struct kvlog *log)
{
	return align_down(log, (log->dev.capacity - log->dev.block_size) / 2);
}

static uint64_t other_region(const struct kvlog *log)
{
	uint64_t a = log->dev.block_size;

	return log->start == a ? a + region_size(log) : a;
}

/*
 * Point block 0 at the active region and epoch. One block write: the
 * commit point of a format and of a compaction.
 */
static int write_superblock(struct kvlog *log)
{
	struct kvlog_sb sb;
	size_t bs = log->dev.block_size;

	memset(&sb, 0, sizeof(sb));
	memcpy(sb.magic, KVLOG_SB_MAGIC, sizeof(sb.magic));
	sb.version = KVLOG_VERSION;
	sb.epoch = log->epoch;
	sb.block_size = (uint32_t)bs;
	sb.log_start = log->start;
	sb.log_end = log->end;
	sb.crc = kvlog_crc32c(0, (const uint8_t *)&sb,
			      offsetof(struct kvlog_sb, crc));
	memset(log->sb_buf, 0, bs);
	memcpy(log->sb_buf, &sb, sizeof(sb));
	return dev_write(log, 0, log->sb_buf, bs);
}

/* A new, empty log in region A (the first block of which is zeroed). */
static int format_log(struct kvlog *log)
{
	log->start = log->dev.block_size;
	log->end = log->start + region_size(log);
	log->epoch = np_rand() | 1;
	memset(log->stage, 0, log->dev.block_size);
	if (dev_write(log, log->start, log->stage, log->dev.block_size))
		return -1;
	return write_superblock(log);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/* Read block 0: 1 to format, 0 for a valid log, -1 for anything else. */
static int check_superblock(struct kvlog *log)
{
	struct kvlog_sb sb;

	if (dev_read(log, 0, log->stage, log->dev.block_size)) {
		np_printf("kvlog: cannot read the superblock\n");
		return -1;
	}
	if (all_zero(log->stage, log->dev.block_size))
		return 1;
	memcpy(&sb, log->stage, sizeof(sb));
	if (memcmp(sb.magic, KVLOG_SB_MAGIC, sizeof(sb.magic)) ||
	    sb.crc != kvlog_crc32c(0, (const uint8_t *)&sb,
				   offsetof(struct kvlog_sb, crc))) {
		np_printf("kvlog: the block device holds no kv log (give 'format' on the command line to initialise it)\n");
		return -1;
	}
	if (sb.version != KVLOG_VERSION || sb.block_size != log->dev.block_size) {
		np_printf("kvlog: unsupported log (version %u, block size %u)\n",
			  sb.version, sb.block_size);
		return -1;
	}
	log->start = log->dev.block_size;
	if (sb.log_start != log->start)
		log->start = other_region(log);
	log->end = log->start + region_size(log);
	if (sb.log_start != log->start || sb.log_end != log->end) {
		np_printf("kvlog: the log was made for a device of another size\n");
		return -1;
	}
	log->epoch = sb.epoch;
	return 0;
}

/* ---- replay ---- */

/* A window of the device in the staging buffer. */
struct reader {
	uint64_t base;
	size_t len;
};

/* Make [off, off+len) available; NULL if it runs past the device end. */
static const uint8_t *reader_get(struct kvlog *log, struct reader *rd,
				 uint64_t off, size_t len, int *io_error)
{
	uint64_t base, avail;
	size_t n;

	if (off >= rd->base && off + len <= rd->base + rd->len)
		return log->stage + (off - rd->base);
	if (off + len > log->end)
		return NULL;
	base = align_down(log, off);
	avail = log->end - base;
	n = align_down(log, log->stage_cap);
	if (n > avail)
		n = (size_t)avail;
	if (dev_read(log, base, log->stage, n)) {
		*io_error = 1;
		return NULL;
	}
	rd->base = base;
	rd->len = n;
	return log->stage + (off - base);
}

/*
 * Zero [from, to) on the device, keeping the bytes of from's block that lie
 * before it: a discarded torn record must not come back on a later replay.
 */
static int zero_range(struct kvlog *log, uint64_t from, uint64_t to)
{
	size_t bs = log->dev.block_size;
	uint64_t off = align_down(log, from);
	uint64_t end = align_up(log, to);

	if (end > log->end)
		end = log->end;
	if (dev_read(log, off, log->stage, bs))
		return -1;
	memset(log->stage + (from - off), 0, bs - (size_t)(from - off));
	if (dev_write(log, off, log->stage, bs))
		return -1;
	memset(log->stage, 0, log->stage_cap);
	for (off += bs; off < end;) {
		size_t n = align_down(log, log->stage_cap);

		if (n > end - off)
			n = (size_t)(end - off);
		if (dev_write(log, off, log->stage, n))
			return -1;
		off += n;
	}
	return 0;
}

enum rec_state { REC_OK, REC_END, REC_TORN, REC_IO };

/* Examine the record at @off; on REC_OK fill *h and *payload. */
static enum rec_state read_record(struct kvlog *log, struct reader *rd,
				  uint64_t off, struct kvlog_rec *h,
				  const uint8_t **payload, uint64_t *extent)
{
	const uint8_t *p;
	int io = 0;
	uint64_t size;

	*extent = off + sizeof(*h);
	p = reader_get(log, rd, off, sizeof(*h), &io);
	if (!p)
		return io ? REC_IO : REC_END;	/* device exactly full */
	memcpy(h, p, sizeof(*h));
	if (all_zero(p, sizeof(*h)))
		return REC_END;
	if (h->magic != KVLOG_REC_MAGIC) {
		log->torn_why = "bad magic";
		return REC_TORN;
	}
	if (h->epoch != log->epoch)
		return REC_END;		/* left over from an earlier format */
	if (h->op < KVLOG_SET || h->op > KVLOG_FLUSHALL ||
	    h->klen > KVLOG_KEY_MAX || h->vlen > KVLOG_VAL_MAX) {
		log->torn_why = "bad header";
		return REC_TORN;
	}
	size = sizeof(*h) + (uint64_t)h->klen + h->vlen;
	*extent = off + size;
	if (off + size > log->end) {
		*extent = log->end;
		log->torn_why = "runs past the region end";
		return REC_TORN;
	}
	p = reader_get(log, rd, off, (size_t)size, &io);
	if (!p)
		return REC_IO;
	*payload = p + sizeof(*h);
	if (rec_crc(h, *payload) != h->crc) {
		log->torn_why = "bad checksum";
		return REC_TORN;
	}
	if (h->seq != log->next_seq) {
		log->torn_why = "out of sequence";
		return REC_TORN;
	}
	return REC_OK;
}

static int replay(struct kvlog *log, kvlog_apply_fn apply, void *arg)
{
	struct reader rd = { 0, 0 };
	uint64_t off = log->start, extent;
	struct kvlog_rec h;
	const uint8_t *payload = NULL;
	enum rec_state s;

	for (;;) {
		s = read_record(log, &rd, off, &h, &payload, &extent);
		if (s != REC_OK)
			break;
		if (apply(arg, (enum kvlog_op)h.op, payload, h.klen,
			  payload + h.klen, h.vlen))
			return -1;
		off = extent;
		log->next_seq++;
		log->replayed++;
	}
	if (s == REC_IO) {
		np_printf("kvlog: read error at offset %llu\n",
			  (unsigned long long)off);
		return -1;
	}
	if (s == REC_TORN) {
		log->torn_at = off;
		np_printf("kvlog: torn record at offset %llu (%s): discarded\n",
			  (unsigned long long)off, log->torn_why);
		if (zero_range(log, off, extent)) {
			np_printf("kvlog: cannot zero the torn record\n");
			return -1;
		}
	}
	log->tail = off;
	return 0;
}

/* Load the partial block at the tail into the staging buffer. */
static int load_tail(struct kvlog *log)
{
	size_t bs = log->dev.block_size;

	log->stage_base = align_down(log, log->tail);
	if (log->tail == log->stage_base)
		return 0;
	if (dev_read(log, log->stage_base, log->stage, bs))
		return -1;
	memset(log->stage + (log->tail - log->stage_base), 0,
	       bs - (size_t)(log->tail - log->stage_base));
	return 0;
}

static bool dev_ok(const struct kvlog_dev *dev)
{
	uint64_t bs = dev->block_size;

	return bs >= 512 && bs <= 65536 && !(bs & (bs - 1)) &&
	       dev->capacity / bs >= 8;
}

int kvlog_open(struct kvlog *log, const struct kvlog_dev *dev, bool format,
	       kvlog_apply_fn apply, void *arg)
{
	int r;

	memset(log, 0, sizeof(*log));
	log->dev = *dev;
	if (!dev_ok(dev)) {
		np_printf("kvlog: unusable block device (%llu bytes, blocks of %llu)\n",
			  (unsigned long long)dev->capacity,
			  (unsigned long long)dev->block_size);
		return -1;
	}
	log->dev.capacity = align_down(log, dev->capacity);
	log->stage_cap = KVLOG_STAGE_CAP;
	log->stage = np_alloc(log->stage_cap);
	log->sb_buf = np_alloc(log->dev.block_size);
	if (!log->stage || !log->sb_buf) {
		np_printf("kvlog: out of memory\n");
		return -1;
	}
	log->next_seq = 1;
	r = format ? 1 : check_superblock(log);
	if (r < 0)
		return -1;
	if (r == 1) {
		if (format_log(log)) {
			np_printf("kvlog: cannot write the superblock\n");
			return -1;
		}
		np_printf("kvlog: formatted a new log (epoch %08x)\n", log->epoch);
	}
	if (replay(log, apply, arg) || load_tail(log)) {
		np_printf("kvlog: replay failed\n");
		return -1;
	}
	return 0;
}

bool kvlog_dirty(const struct kvlog *log)
{
	return log->dirty;
}

int kvlog_flush(struct kvlog *log)
{
	size_t len = (size_t)(log->tail - log->stage_base);
	size_t wlen = (size_t)align_up(log, len);
	uint64_t new_base;
	size_t keep;

	if (!log->dirty)
		return 0;
	memset(log->stage + len, 0, wlen - len);
	if (dev_write(log, log->stage_base, log->stage, wlen))
		return -1;
	log->dirty = false;
	new_base = align_down(log, log->tail);
	keep = (size_t)(log->tail - new_base);
	memmove(log->stage, log->stage + (new_base - log->stage_base), keep);
	log->stage_base = new_base;
	return 0;
}

uint64_t kvlog_record_size(size_t klen, size_t vlen)
{
	return sizeof(struct kvlog_rec) + (uint64_t)klen + vlen;
}

uint64_t kvlog_region_bytes(const struct kvlog *log)
{
	return log->end - log->start;
}

bool kvlog_has_room(const struct kvlog *log, size_t klen, size_t vlen)
{
	return klen <= KVLOG_KEY_MAX && vlen <= KVLOG_VAL_MAX &&
	       log->tail + sizeof(struct kvlog_rec) + klen + vlen <= log->end;
}

int kvlog_append(struct kvlog *log, enum kvlog_op op, const uint8_t *key,
		 size_t klen, const uint8_t *val, size_t vlen)
{
	struct kvlog_rec h;
	size_t size = sizeof(h) + klen + vlen;
	uint8_t *p;

	if (!kvlog_has_room(log, klen, vlen))
		return -1;
	if (log->tail - log->stage_base + size > log->stage_cap &&
	    kvlog_flush(log))
		return -2;
	memset(&h, 0, sizeof(h));
	h.magic = KVLOG_REC_MAGIC;
	h.epoch = log->epoch;
	h.op = (uint8_t)op;
	h.seq = log->next_seq;
	h.klen = (uint32_t)klen;
	h.vlen = (uint32_t)vlen;
	p = log->stage + (log->tail - log->stage_base);
	if (klen)
		memcpy(p + sizeof(h), key, klen);
	if (vlen)
		memcpy(p + sizeof(h) + klen, val, vlen);
	h.crc = rec_crc(&h, p + sizeof(h));
	memcpy(p, &h, sizeof(h));
	log->tail += size;
	log->next_seq++;
	log->dirty = true;
	return 0;
}

int kvlog_compact(struct kvlog *log, kvlog_snapshot_fn snap, void *arg)
{
	struct kvlog old;
	int r;

	/* What is staged belongs to the old region: make it durable there. */
	if (kvlog_flush(log))
		return -2;
	old = *log;
	log->start = other_region(log);
	log->end = log->start + region_size(log);
	log->epoch = np_rand() | 1;
	if (log->epoch == old.epoch)
		log->epoch ^= 2;	/* any other value will do */
	log->next_seq = 1;
	log->tail = log->start;
	log->stage_base = log->start;
	log->dirty = false;
	r = snap(arg, log);
	if (!r && kvlog_flush(log))
		r = -2;
	if (!r && write_superblock(log))
		r = -2;	/* the commit failed: block 0 still names the old region */
	if (r) {
		/* Nothing of the old region changed: carry on there. */
		*log = old;
		if (load_tail(log))
			return -2;
		return r;
	}
	log->compactions++;
	np_printf("kvlog: compacted to %llu bytes (%llu records) in region %c\n",
		  (unsigned long long)(log->tail - log->start),
		  (unsigned long long)(log->next_seq - 1),
		  log->start == log->dev.block_size ? 'A' : 'B');
	return 0;
}
