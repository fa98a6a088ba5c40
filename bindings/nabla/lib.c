// SPDX-License-Identifier: ISC
/*
 * lib.c: the few libc functions the bindings need (the compiler emits
 * calls to memcpy and memset, api.c compares names). Local to the
 * bindings object: the unikernel brings its own if it needs them; the
 * examples' small libc (examples/nolibc) builds this same file.
 * Built -fno-builtin, so that these loops are not turned into calls to
 * themselves. Freestanding: no header but the compiler's.
 */
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	asm volatile ("rep movsb"
		      : "+D" (d), "+S" (src), "+c" (n) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	asm volatile ("rep stosb" : "+D" (d), "+c" (n) : "a" (c) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++)
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	return 0;
}
