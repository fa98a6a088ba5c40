// SPDX-License-Identifier: ISC
/*
 * np_heap.c: a small allocator over one memory region (the Solo5 heap).
 *
 * glibc's malloc may call brk() or mmap(), which the seccomp filter forbids
 * after start-up, so the applications allocate from the region Solo5 hands
 * them. Blocks come in power-of-two size classes (64 B .. 1 GiB, a 16-byte
 * header included) with one free list per class; fresh blocks are carved
 * from the end of the used part of the region. A freed block is only reused
 * for its own class: simple and predictable, at the price of up to half of
 * each block and of memory that does not move between classes.
 *
 * Single-threaded by design: a Solo5 application has one thread.
 */
#include <string.h>

#include "np.h"

#define NP_HEAP_MIN_SHIFT	6	/* 64 bytes */
#define NP_HEAP_MAX_SHIFT	30	/* 1 GiB */
#define NP_HEAP_CLASSES		(NP_HEAP_MAX_SHIFT - NP_HEAP_MIN_SHIFT + 1)
#define NP_HEAP_MAGIC		0x6e706870u	/* "nphp" */

struct np_block {
	uint32_t magic;
	uint32_t cls;
	struct np_block *next_free;	/* valid only while free */
	/* payload follows, 16-byte aligned */
};

_Static_assert(sizeof(struct np_block) == 16, "header keeps 16-byte alignment");

static struct {
	uintptr_t next;		/* first byte never handed out */
	uintptr_t end;
	struct np_block *free[NP_HEAP_CLASSES];
	size_t in_use;		/* bytes in blocks handed out, headers included */
} heap;

void np_heap_init(uintptr_t start, size_t size)
{
	uintptr_t aligned = (start + 15) & ~(uintptr_t)15;

	memset(&heap, 0, sizeof(heap));
	if (size < aligned - start)
		return;
	heap.next = aligned;
	heap.end = start + size;
}

static int size_class(size_t size)
{
	int shift = NP_HEAP_MIN_SHIFT;

	if (size > ((size_t)1 << NP_HEAP_MAX_SHIFT) - sizeof(struct np_block))
		return -1;
	size += sizeof(struct np_block);
	while (((size_t)1 << shift) < size)
		shift++;
	return shift - NP_HEAP_MIN_SHIFT;
}

void *np_alloc(size_t size)
{
	struct np_block *b;
	size_t bytes;
	int cls = size_class(size);

	if (cls < 0)
		return NULL;
	bytes = (size_t)1 << (cls + NP_HEAP_MIN_SHIFT);
	b = heap.free[cls];
	if (b) {
		heap.free[cls] = b->next_free;
	} else {
		if (heap.end - heap.next < bytes)
			return NULL;
		b = (struct np_block *)heap.next;
		heap.next += bytes;
		b->cls = (uint32_t)cls;
	}
	b->magic = NP_HEAP_MAGIC;
	b->next_free = NULL;
	heap.in_use += bytes;
	return b + 1;
}

void *np_zalloc(size_t size)
{
	void *p = np_alloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

static struct np_block *block_of(void *p)
{
	struct np_block *b = (struct np_block *)p - 1;

	if (b->magic != NP_HEAP_MAGIC || b->cls >= NP_HEAP_CLASSES) {
		np_printf("np_heap: bad free of %p\n", p);
		solo5_abort();
	}
	return b;
}

void np_free(void *p)
{
	struct np_block *b;

	if (!p)
		return;
	b = block_of(p);
	b->magic = 0;
	b->next_free = heap.free[b->cls];
	heap.free[b->cls] = b;
	heap.in_use -= (size_t)1 << (b->cls + NP_HEAP_MIN_SHIFT);
}

size_t np_alloc_size(void *p)
{
	return ((size_t)1 << (block_of(p)->cls + NP_HEAP_MIN_SHIFT)) -
	       sizeof(struct np_block);
}

void *np_realloc(void *p, size_t size)
{
	size_t have;
	void *n;

	if (!p)
		return np_alloc(size);
	have = np_alloc_size(p);
	if (size <= have)
		return p;
	n = np_alloc(size);
	if (!n)
		return NULL;
	memcpy(n, p, have);
	np_free(p);
	return n;
}

void np_heap_stats(size_t *in_use, size_t *never_used)
{
	*in_use = heap.in_use;
	*never_used = heap.end - heap.next;
}
