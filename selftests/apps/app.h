/* SPDX-License-Identifier: GPL-2.0 */
/*
 * app.h: what the libnabla test applications share. They run confined, so
 * nothing here calls libc: output goes through solo5_console_write, numbers
 * are parsed and printed by hand.
 *
 * Each application reads its instructions from its command line (words
 * separated by spaces) and reports on the console in "key=value" lines that
 * the tests parse; a line "FAIL ..." means the application found a fault.
 */
#ifndef NABLA_TEST_APP_H
#define NABLA_TEST_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "solo5.h"

static inline size_t app_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static inline void app_puts(const char *s)
{
	solo5_console_write(s, app_strlen(s));
}

static inline void app_put_u64(uint64_t v)
{
	char buf[21];
	int i = sizeof(buf);

	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	solo5_console_write(buf + i, sizeof(buf) - i);
}

static inline void app_put_i64(int64_t v)
{
	if (v < 0) {
		app_puts("-");
		app_put_u64(-(uint64_t)v);
	} else {
		app_put_u64(v);
	}
}

/* key=value\n */
static inline void app_kv(const char *key, uint64_t v)
{
	app_puts(key);
	app_puts("=");
	app_put_u64(v);
	app_puts("\n");
}

static inline void app_kv_i(const char *key, int64_t v)
{
	app_puts(key);
	app_puts("=");
	app_put_i64(v);
	app_puts("\n");
}

static inline void app_mac(const uint8_t mac[6])
{
	static const char hex[] = "0123456789abcdef";
	char buf[17];
	int i;

	for (i = 0; i < 6; i++) {
		buf[3 * i] = hex[mac[i] >> 4];
		buf[3 * i + 1] = hex[mac[i] & 15];
		if (i < 5)
			buf[3 * i + 2] = ':';
	}
	solo5_console_write(buf, sizeof(buf));
}

static inline bool app_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static inline bool app_prefix(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}

/*
 * The next space-separated word of *cursor, copied into @word (at most
 * @size - 1 characters); false at the end.
 */
static inline bool app_word(const char **cursor, char *word, size_t size)
{
	const char *p = *cursor;
	size_t n = 0;

	while (*p == ' ')
		p++;
	if (!*p)
		return false;
	while (*p && *p != ' ') {
		if (n + 1 < size)
			word[n++] = *p;
		p++;
	}
	word[n] = '\0';
	*cursor = p;
	return true;
}

/* Decimal or 0x hexadecimal, optionally negative; false if malformed. */
static inline bool app_number(const char *s, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	int base = 10;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			return false;
		v = v * base + d;
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

static inline void app_fail(const char *what)
{
	app_puts("FAIL ");
	app_puts(what);
	app_puts("\n");
}

#endif /* NABLA_TEST_APP_H */
