// SPDX-License-Identifier: ISC
/*
 * store.c: chained hash table with power-of-two bucket arrays, doubled when
 * the load factor passes 1. Hash: 64-bit FNV-1a over a per-run random seed,
 * finished with a multiply-xorshift so the low bits (the bucket index) mix.
 */
#include <string.h>

#include "np.h"
#include "store.h"

#define STORE_MIN_BUCKETS	1024

static struct {
	struct kv_entry **buckets;
	size_t nbuckets;	/* power of two */
	size_t count;
	uint64_t bytes;		/* keys + values */
	uint64_t seed;
} st;

static uint64_t hash_key(const uint8_t *key, size_t klen)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ st.seed;
	size_t i;

	for (i = 0; i < klen; i++) {
		h ^= key[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

int store_init(uint64_t seed)
{
	st.seed = seed;
	st.count = 0;
	st.nbuckets = STORE_MIN_BUCKETS;
	st.buckets = np_alloc(st.nbuckets * sizeof(*st.buckets));
	if (!st.buckets)
		return -1;
	memset(st.buckets, 0, st.nbuckets * sizeof(*st.buckets));
	return 0;
}

/* Link slot holding the entry for @key, or the empty tail link. */
static struct kv_entry **find_link(const uint8_t *key, size_t klen,
				   uint64_t h)
{
	struct kv_entry **link = &st.buckets[h & (st.nbuckets - 1)];

	for (; *link; link = &(*link)->next) {
		struct kv_entry *e = *link;

		if (e->hash == h && e->klen == klen &&
		    !memcmp(e->data, key, klen))
			break;
	}
	return link;
}

struct kv_entry *store_get(const uint8_t *key, size_t klen)
{
	return *find_link(key, klen, hash_key(key, klen));
}

/* Double the bucket array; keep the old one if memory is short. */
static void grow(void)
{
	size_t n = st.nbuckets * 2, i;
	struct kv_entry **b = np_alloc(n * sizeof(*b));

	if (!b)
		return;
	memset(b, 0, n * sizeof(*b));
	for (i = 0; i < st.nbuckets; i++) {
		struct kv_entry *e = st.buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	np_free(st.buckets);
	st.buckets = b;
	st.nbuckets = n;
}

int store_set(const uint8_t *key, size_t klen, const uint8_t *val,
	      size_t vlen)
{
	uint64_t h = hash_key(key, klen);
	struct kv_entry **link = find_link(key, klen, h);
	struct kv_entry *e, *old = *link;

	if (klen > UINT32_MAX || vlen > UINT32_MAX)
		return -1;
	e = np_alloc(sizeof(*e) + klen + vlen);
	if (!e)
		return -1;
	e->hash = h;
	e->klen = (uint32_t)klen;
	e->vlen = (uint32_t)vlen;
	memcpy(e->data, key, klen);
	memcpy(e->data + klen, val, vlen);
	st.bytes += klen + vlen;
	if (old) {
		st.bytes -= (uint64_t)old->klen + old->vlen;
		e->next = old->next;
		*link = e;
		np_free(old);
		return 0;
	}
	e->next = NULL;
	*link = e;
	st.count++;
	if (st.count > st.nbuckets)
		grow();
	return 0;
}

bool store_del(const uint8_t *key, size_t klen)
{
	struct kv_entry **link = find_link(key, klen, hash_key(key, klen));
	struct kv_entry *e = *link;

	if (!e)
		return false;
	*link = e->next;
	st.bytes -= (uint64_t)e->klen + e->vlen;
	np_free(e);
	st.count--;
	return true;
}

void store_clear(void)
{
	size_t i;

	for (i = 0; i < st.nbuckets; i++) {
		struct kv_entry *e = st.buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			np_free(e);
		}
		st.buckets[i] = NULL;
	}
	st.count = 0;
	st.bytes = 0;
}

size_t store_count(void)
{
	return st.count;
}

uint64_t store_bytes(void)
{
	return st.bytes;
}

int store_foreach(int (*fn)(void *arg, const struct kv_entry *e), void *arg)
{
	size_t i;
	int r;

	for (i = 0; i < st.nbuckets; i++) {
		const struct kv_entry *e;

		for (e = st.buckets[i]; e; e = e->next) {
			r = fn(arg, e);
			if (r)
				return r;
		}
	}
	return 0;
}
