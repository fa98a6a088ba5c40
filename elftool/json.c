// SPDX-License-Identifier: ISC
/*
 * json.c: the JSON reader of json.h, recursive descent over the text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct parser {
	const char *p, *end;
	unsigned int line;
	char *err;
	size_t errsize;
	bool failed;
};

static void fail(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed)
		return;
	ps->failed = true;
	n = snprintf(ps->err, ps->errsize, "%u: ", ps->line);
	if (n < 0 || (size_t)n >= ps->errsize)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errsize - n, fmt, ap);
	va_end(ap);
}

const char *json_kind_name(enum json_kind kind)
{
	static const char *const names[] = {
		[JSON_NULL] = "null", [JSON_BOOL] = "boolean",
		[JSON_INT] = "integer", [JSON_REAL] = "number",
		[JSON_STRING] = "string", [JSON_ARRAY] = "array",
		[JSON_OBJECT] = "object",
	};

	return names[kind];
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;

		if (c == '\n')
			ps->line++;
		else if (c != ' ' && c != '\t' && c != '\r')
			return;
		ps->p++;
	}
}

static struct json *new_value(struct parser *ps, enum json_kind kind)
{
	struct json *v = calloc(1, sizeof(*v));

	if (!v) {
		fail(ps, "out of memory");
		return NULL;
	}
	v->kind = kind;
	v->line = ps->line;
	return v;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t len = strlen(word);

	if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len))
		return false;
	ps->p += len;
	return true;
}

static int hex4(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Append code point @cp as UTF-8. */
static char *put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		*o++ = cp;
	} else if (cp < 0x800) {
		*o++ = 0xc0 | cp >> 6;
		*o++ = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		*o++ = 0xe0 | cp >> 12;
		*o++ = 0x80 | ((cp >> 6) & 0x3f);
		*o++ = 0x80 | (cp & 0x3f);
	} else {
		*o++ = 0xf0 | cp >> 18;
		*o++ = 0x80 | ((cp >> 12) & 0x3f);
		*o++ = 0x80 | ((cp >> 6) & 0x3f);
		*o++ = 0x80 | (cp & 0x3f);
	}
	return o;
}

/* \uXXXX (with a surrogate pair's second half): the code point, or -1. */
static long unicode_escape(struct parser *ps)
{
	int hi, lo;

	if (ps->end - ps->p < 4 || (hi = hex4(ps->p)) < 0)
		return -1;
	ps->p += 4;
	if (hi < 0xd800 || hi > 0xdfff)
		return hi;
	if (hi > 0xdbff || ps->end - ps->p < 6 || ps->p[0] != '\\' ||
	    ps->p[1] != 'u' || (lo = hex4(ps->p + 2)) < 0xdc00 || lo > 0xdfff)
		return -1;
	ps->p += 6;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

static int escape(struct parser *ps, char **o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	long cp;

	if (ps->p == ps->end)
		return -1;
	e = strchr(from, *ps->p);
	if (e && *ps->p) {
		*(*o)++ = to[e - from];
		ps->p++;
		return 0;
	}
	if (*ps->p++ != 'u')
		return -1;
	cp = unicode_escape(ps);
	if (cp <= 0)	/* bad, or \u0000 */
		return -1;
	*o = put_utf8(*o, cp);
	return 0;
}

/* The raw length of the string at ps->p, up to its closing quote. */
static size_t raw_length(const struct parser *ps)
{
	const char *q = ps->p;

	while (q < ps->end && *q != '"')
		q += *q == '\\' && q + 1 < ps->end ? 2 : 1;
	return q - ps->p;
}

/* A string; ps->p is just after the opening quote. */
static char *string(struct parser *ps)
{
	/* Escapes never make the text longer: \uXXXX is 6 bytes, UTF-8 4. */
	char *s = malloc(raw_length(ps) + 1), *o = s;

	if (!s) {
		fail(ps, "out of memory");
		return NULL;
	}
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = *ps->p++;

		if (c < 0x20) {
			fail(ps, "a control character in a string");
			goto err;
		}
		if (c != '\\') {
			*o++ = c;
		} else if (escape(ps, &o)) {
			fail(ps, "a bad escape in a string");
			goto err;
		}
	}
	if (ps->p == ps->end) {
		fail(ps, "a string without its closing quote");
		goto err;
	}
	ps->p++;
	*o = '\0';
	return s;
err:
	free(s);
	return NULL;
}

static void digits(struct parser *ps)
{
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
}

static struct json *number(struct parser *ps)
{
	const char *start = ps->p;
	struct json *v;
	char buf[64];

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p == ps->end || *ps->p < '0' || *ps->p > '9') {
		fail(ps, "not a value");
		return NULL;
	}
	if (*ps->p == '0')
		ps->p++;
	else
		digits(ps);
	v = new_value(ps, JSON_INT);
	if (!v)
		return NULL;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		digits(ps);
		v->kind = JSON_REAL;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		digits(ps);
		v->kind = JSON_REAL;
	}
	if (v->kind == JSON_INT) {
		if ((size_t)(ps->p - start) >= sizeof(buf))
			goto range;
		memcpy(buf, start, ps->p - start);
		buf[ps->p - start] = '\0';
		errno = 0;
		v->i = strtoll(buf, NULL, 10);
		if (errno)
			goto range;
	}
	return v;
range:
	fail(ps, "an integer out of range");
	json_free(v);
	return NULL;
}

static struct json *value(struct parser *ps, unsigned int depth);

static int add_item(struct parser *ps, struct json *to, struct json *item)
{
	struct json **items;

	items = realloc(to->items, (to->n + 1) * sizeof(*items));
	if (!items) {
		fail(ps, "out of memory");
		json_free(item);
		return -1;
	}
	to->items = items;
	to->items[to->n++] = item;
	return 0;
}

/* One "key": value of an object. */
static struct json *member(struct parser *ps, const struct json *obj,
			   unsigned int depth)
{
	unsigned int line = ps->line;
	struct json *v;
	char *key;

	if (ps->p == ps->end || *ps->p != '"') {
		fail(ps, "expected a key (a string)");
		return NULL;
	}
	ps->p++;
	key = string(ps);
	if (!key)
		return NULL;
	if (json_get(obj, key)) {
		ps->line = line;
		fail(ps, "key \"%s\" given twice", key);
		free(key);
		return NULL;
	}
	skip_space(ps);
	if (ps->p == ps->end || *ps->p != ':') {
		fail(ps, "expected ':' after \"%s\"", key);
		free(key);
		return NULL;
	}
	ps->p++;
	v = value(ps, depth + 1);
	if (!v) {
		free(key);
		return NULL;
	}
	v->key = key;
	return v;
}

/* An array or object; ps->p is on the opening bracket. */
static struct json *container(struct parser *ps, unsigned int depth)
{
	bool object = *ps->p == '{';
	char close = object ? '}' : ']';
	struct json *v, *item;

	v = new_value(ps, object ? JSON_OBJECT : JSON_ARRAY);
	if (!v)
		return NULL;
	ps->p++;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return v;
	}
	for (;;) {
		skip_space(ps);
		item = object ? member(ps, v, depth) : value(ps, depth + 1);
		if (!item || add_item(ps, v, item))
			break;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return v;
		}
		fail(ps, "expected ',' or '%c'", close);
		break;
	}
	json_free(v);
	return NULL;
}

static struct json *value(struct parser *ps, unsigned int depth)
{
	struct json *v;

	skip_space(ps);
	if (depth > JSON_MAX_DEPTH) {
		fail(ps, "nested deeper than %d", JSON_MAX_DEPTH);
		return NULL;
	}
	if (ps->p == ps->end) {
		fail(ps, "expected a value");
		return NULL;
	}
	switch (*ps->p) {
	case '{':
	case '[':
		return container(ps, depth);
	case '"':
		v = new_value(ps, JSON_STRING);
		ps->p++;
		if (v && !(v->s = string(ps))) {
			json_free(v);
			return NULL;
		}
		return v;
	case 't':
	case 'f':
	case 'n':
		v = new_value(ps, JSON_NULL);
		if (!v)
			return NULL;
		if (literal(ps, "true")) {
			v->kind = JSON_BOOL;
			v->b = true;
		} else if (literal(ps, "false")) {
			v->kind = JSON_BOOL;
		} else if (!literal(ps, "null")) {
			fail(ps, "not a value");
			json_free(v);
			return NULL;
		}
		return v;
	default:
		return number(ps);
	}
}

struct json *json_parse(const char *text, size_t len, char *err,
			size_t errsize)
{
	struct parser ps = {
		.p = text, .end = text + len, .line = 1,
		.err = err, .errsize = errsize,
	};
	struct json *root;

	root = value(&ps, 0);
	if (!root)
		return NULL;
	skip_space(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "text after the end of the document");
		json_free(root);
		return NULL;
	}
	return root;
}

void json_free(struct json *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++)
		json_free(v->items[i]);
	free(v->items);
	free(v->key);
	free(v->s);
	free(v);
}

struct json *json_get(const struct json *obj, const char *key)
{
	size_t i;

	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->items[i]->key, key))
			return obj->items[i];
	return NULL;
}
