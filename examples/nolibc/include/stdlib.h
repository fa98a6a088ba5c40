/* SPDX-License-Identifier: ISC */
/*
 * stdlib.h of nolibc: atoi (lwIP's netif_find) only; no allocator: lwIP's
 * memory is static, the examples' allocator (np_heap.c) is their own.
 */
#ifndef NOLIBC_STDLIB_H
#define NOLIBC_STDLIB_H

#include <stddef.h>

int atoi(const char *s);

#endif /* NOLIBC_STDLIB_H */
