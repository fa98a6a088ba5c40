/* SPDX-License-Identifier: ISC */
/*
 * store.h: the key/value table, a chained hash table in the Solo5 heap
 * (np_alloc). Keys and values are byte strings; each entry holds both in
 * one allocation.
 */
#ifndef KV_STORE_H
#define KV_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kv_entry {
	struct kv_entry *next;
	uint64_t hash;
	uint32_t klen;
	uint32_t vlen;
	uint8_t data[];		/* key, then value */
};

static inline const uint8_t *kv_entry_value(const struct kv_entry *e)
{
	return e->data + e->klen;
}

/* 0 on success, -1 if the heap cannot hold the first bucket array. */
int store_init(uint64_t seed);
struct kv_entry *store_get(const uint8_t *key, size_t klen);
/* Insert or replace; -1 (store unchanged) when out of memory. */
int store_set(const uint8_t *key, size_t klen, const uint8_t *val,
	      size_t vlen);
/* True if the key existed. */
bool store_del(const uint8_t *key, size_t klen);
void store_clear(void);
size_t store_count(void);
/* Sum of the key and value lengths of all entries. */
uint64_t store_bytes(void);
/* Call @fn for every entry until it returns non-zero; returns that. */
int store_foreach(int (*fn)(void *arg, const struct kv_entry *e), void *arg);

#endif /* KV_STORE_H */
