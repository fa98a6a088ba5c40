/* SPDX-License-Identifier: ISC */
/*
 * json.h: a small, strict JSON (RFC 8259) reader for manifests: the whole
 * document in memory, every value with the line it starts on, duplicate
 * object keys and nesting deeper than JSON_MAX_DEPTH refused.
 */
#ifndef NABLA_JSON_H
#define NABLA_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH	32

enum json_kind {
	JSON_NULL,
	JSON_BOOL,
	JSON_INT,	/* a number without fraction or exponent */
	JSON_REAL,	/* any other number */
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_kind kind;
	unsigned int line;
	char *key;		/* the member's name, in an object */
	bool b;
	long long i;
	char *s;		/* NUL-terminated; a \u0000 is refused */
	struct json **items;	/* array elements or object members */
	size_t n;
};

/*
 * Parse @len bytes of @text. Returns the root value, or NULL with a
 * message "LINE: what" in @err.
 */
struct json *json_parse(const char *text, size_t len, char *err,
			size_t errsize);
void json_free(struct json *v);

/* The member @key of object @obj, or NULL. */
struct json *json_get(const struct json *obj, const char *key);

/* "null", "boolean", "integer", ... for messages. */
const char *json_kind_name(enum json_kind kind);

#endif /* NABLA_JSON_H */
