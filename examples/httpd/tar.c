// SPDX-License-Identifier: ISC
/*
 * tar.c: index a tar archive (see tar.h).
 *
 * Header fields as in POSIX.1-2017 "pax" (ustar format): name[100] at 0,
 * size[12] at 124, mtime[12] at 136, chksum[8] at 148, typeflag at 156,
 * magic "ustar" at 257, prefix[155] at 345. Numbers are octal text, or
 * base-256 (GNU) when the first byte has its high bit set. The archive ends
 * at a zero block (two, normally) or at the end of the device.
 */
#include <string.h>

#include "np.h"
#include "tar.h"

#define TAR_PAX_MAX		(64 * 1024)	/* larger pax headers: skipped */

struct tar_scan {
	tar_read_fn rd;
	void *ctx;
	uint64_t capacity;
	char next_name[TAR_NAME_MAX + 1];	/* from 'L' or 'x', for the next */
	size_t cap_files;
};

/* Octal or base-256 number field; -1 if malformed. */
static int parse_num(const uint8_t *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {	/* base-256, big-endian, positive only */
		if (f[0] != 0x80)
			return -1;
		for (i = 1; i < n; i++) {
			if (v >> 56)
				return -1;
			v = (v << 8) | f[i];
		}
		*out = v;
		return 0;
	}
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -1;
		v = (v << 3) | (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = v;
	return 0;
}

static bool checksum_ok(const uint8_t *h)
{
	uint64_t want, sum = 0;
	size_t i;

	if (parse_num(h + 148, 8, &want))
		return false;
	for (i = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* ---- index ---- */

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--) {
		h ^= (uint8_t)*s++;
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static size_t *slot_for(const struct tar_index *ix, const char *name,
			size_t len)
{
	size_t i = (size_t)name_hash(name, len) & (ix->nslots - 1);

	for (;; i = (i + 1) & (ix->nslots - 1)) {
		size_t *s = &ix->slots[i];
		const struct tar_file *f;

		if (!*s)
			return s;
		f = &ix->files[*s - 1];
		if (strlen(f->name) == len && !memcmp(f->name, name, len))
			return s;
	}
}

const struct tar_file *tar_lookup(const struct tar_index *ix,
				  const char *name, size_t len)
{
	size_t *s;

	if (!ix->nslots)
		return NULL;
	s = slot_for(ix, name, len);
	return *s ? &ix->files[*s - 1] : NULL;
}

static int build_table(struct tar_index *ix)
{
	size_t i, n = 16;

	while (n < 2 * ix->count)
		n *= 2;
	ix->slots = np_alloc(n * sizeof(*ix->slots));
	if (!ix->slots)
		return -1;
	memset(ix->slots, 0, n * sizeof(*ix->slots));
	ix->nslots = n;
	ix->bytes = 0;
	for (i = 0; i < ix->count; i++) {
		const struct tar_file *f = &ix->files[i];

		/* a later member of the same name replaces an earlier one */
		*slot_for(ix, f->name, strlen(f->name)) = i + 1;
	}
	for (i = 0; i < n; i++)
		if (ix->slots[i])
			ix->bytes += ix->files[ix->slots[i] - 1].size;
	return 0;
}

/* ---- members ---- */

/* Normalise a member name: drop leading "/" and "./" and a trailing "/". */
static size_t normalise(char *name)
{
	char *p = name;
	size_t n;

	for (;;) {
		if (p[0] == '/')
			p++;
		else if (p[0] == '.' && p[1] == '/')
			p += 2;
		else
			break;
	}
	n = strlen(p);
	memmove(name, p, n + 1);
	while (n && name[n - 1] == '/')
		name[--n] = '\0';
	return n;
}

static int add_file(struct tar_index *ix, struct tar_scan *sc,
		    const char *name, uint64_t size, uint64_t off,
		    uint64_t mtime)
{
	struct tar_file *f;
	size_t n = strlen(name);

	if (ix->count == sc->cap_files) {
		size_t cap = sc->cap_files ? sc->cap_files * 2 : 64;
		struct tar_file *nf = np_realloc(ix->files, cap * sizeof(*nf));

		if (!nf)
			return -1;
		ix->files = nf;
		sc->cap_files = cap;
	}
	f = &ix->files[ix->count];
	f->name = np_alloc(n + 1);
	if (!f->name)
		return -1;
	memcpy(f->name, name, n + 1);
	f->size = size;
	f->offset = off;
	f->mtime = mtime;
	ix->count++;
	return 0;
}

/* Read a member's data (a long name or pax header) into @buf. */
static int read_data(struct tar_scan *sc, uint64_t off, uint64_t size,
		     uint8_t *buf, size_t bufsize)
{
	uint64_t len = (size + TAR_BLOCK - 1) & ~(uint64_t)(TAR_BLOCK - 1);

	if (len > bufsize || off + len > sc->capacity)
		return -1;
	return sc->rd(sc->ctx, off, buf, (size_t)len);
}

/* The "path" record of a pax extended header, if any, into next_name. */
static void pax_path(struct tar_scan *sc, const uint8_t *p, size_t size)
{
	size_t pos = 0;

	while (pos < size) {
		uint64_t rlen = 0;
		size_t i = pos;
		const char *kv;

		while (i < size && p[i] >= '0' && p[i] <= '9')
			rlen = rlen * 10 + (p[i++] - '0');
		if (i >= size || p[i] != ' ' || rlen < 5 || rlen > size - pos)
			return;		/* malformed: ignore the rest */
		kv = (const char *)p + i + 1;
		if (i + 6 <= pos + rlen - 1 && !memcmp(kv, "path=", 5)) {
			size_t vlen = pos + rlen - 1 - (i + 6);

			if (vlen <= TAR_NAME_MAX) {
				memcpy(sc->next_name, kv + 5, vlen);
				sc->next_name[vlen] = '\0';
			}
		}
		pos += rlen;
	}
}

/* The name of a ustar member: prefix "/" name, or a pending long name. */
static void member_name(struct tar_scan *sc, const uint8_t *h, char *out)
{
	size_t n = 0;

	if (sc->next_name[0]) {
		strcpy(out, sc->next_name);
		sc->next_name[0] = '\0';
		return;
	}
	if (!memcmp(h + 257, "ustar", 5) && h[345]) {
		n = strnlen((const char *)h + 345, 155);
		memcpy(out, h + 345, n);
		out[n++] = '/';
	}
	memcpy(out + n, h, strnlen((const char *)h, 100));
	out[n + strnlen((const char *)h, 100)] = '\0';
}

int tar_index_build(struct tar_index *ix, tar_read_fn rd, void *ctx,
		    uint64_t capacity)
{
	static struct tar_scan sc;
	static uint8_t h[TAR_BLOCK];
	static uint8_t meta[TAR_PAX_MAX];
	static char name[TAR_NAME_MAX + 260];
	uint64_t off = 0;

	memset(ix, 0, sizeof(*ix));
	memset(&sc, 0, sizeof(sc));
	sc.rd = rd;
	sc.ctx = ctx;
	sc.capacity = capacity & ~(uint64_t)(TAR_BLOCK - 1);
	while (off + TAR_BLOCK <= sc.capacity) {
		uint64_t size, mtime, data = off + TAR_BLOCK;
		uint8_t type;

		if (rd(ctx, off, h, TAR_BLOCK)) {
			np_printf("tar: read error at offset %llu\n",
				  (unsigned long long)off);
			return -1;
		}
		if (all_zero(h, TAR_BLOCK))
			break;		/* end of archive */
		if (!checksum_ok(h) || parse_num(h + 124, 12, &size) ||
		    parse_num(h + 136, 12, &mtime)) {
			np_printf("tar: bad header at offset %llu\n",
				  (unsigned long long)off);
			return -1;
		}
		type = h[156];
		if (data + size > sc.capacity || data + size < data) {
			np_printf("tar: member at offset %llu runs past the end\n",
				  (unsigned long long)off);
			return -1;
		}
		if (type == 'L' || type == 'x') {
			if (read_data(&sc, data, size, meta, sizeof(meta)) == 0) {
				if (type == 'L') {
					size_t n = strnlen((char *)meta,
						size < TAR_NAME_MAX ? size : TAR_NAME_MAX);

					memcpy(sc.next_name, meta, n);
					sc.next_name[n] = '\0';
				} else {
					pax_path(&sc, meta, (size_t)size);
				}
			}
		} else if (type == '0' || type == '\0' || type == '7') {
			member_name(&sc, h, name);
			if (normalise(name) && add_file(ix, &sc, name, size,
							 data, mtime)) {
				np_printf("tar: out of memory for the index\n");
				return -1;
			}
		} else if (type != 'g') {
			sc.next_name[0] = '\0';	/* directory, link, ...: not served */
		}
		off = data + ((size + TAR_BLOCK - 1) & ~(uint64_t)(TAR_BLOCK - 1));
	}
	if (build_table(ix)) {
		np_printf("tar: out of memory for the index\n");
		return -1;
	}
	return 0;
}
