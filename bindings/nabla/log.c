// SPDX-License-Identifier: ISC
/*
 * log.c: the bindings' own console messages, and the --solo5:LEVEL options
 * at the start of the unikernel's command line that set how many of them
 * to print (Solo5's: quiet is error; the default is info).
 */
#include "bindings.h"

enum log_level log_level = LOG_INFO;

void log_str(enum log_level level, const char *s)
{
	if (level <= log_level)
		nabla_ops->console_write(s, __builtin_strlen(s));
}

void log_dec(enum log_level level, int64_t v)
{
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	char buf[21];
	int i = sizeof(buf);

	do {
		buf[--i] = '0' + u % 10;
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--i] = '-';
	if (level <= log_level)
		nabla_ops->console_write(buf + i, sizeof(buf) - i);
}

void log_hex(enum log_level level, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char buf[18];
	int i = sizeof(buf);

	do {
		buf[--i] = digits[v & 15];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	if (level <= log_level)
		nabla_ops->console_write(buf + i, sizeof(buf) - i);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* @word at @p, followed by a space or the end. */
static bool option_at(const char *p, const char *word)
{
	size_t len = __builtin_strlen(word);

	return !__builtin_strncmp(p, word, len) &&
	       (p[len] == '\0' || is_space(p[len]));
}

const char *cmdline_parse(const char *cmdline)
{
	static const struct {
		const char *word;
		enum log_level level;
	} options[] = {
		{ "--solo5:quiet", LOG_ERROR },
		{ "--solo5:error", LOG_ERROR },
		{ "--solo5:warn", LOG_WARN },
		{ "--solo5:info", LOG_INFO },
		{ "--solo5:debug", LOG_DEBUG },
	};
	const char *p = cmdline;
	size_t i;

	for (;;) {
		while (is_space(*p))
			p++;
		for (i = 0; i < sizeof(options) / sizeof(options[0]); i++)
			if (option_at(p, options[i].word))
				break;
		if (i == sizeof(options) / sizeof(options[0]))
			return p;
		log_level = options[i].level;
		p += __builtin_strlen(options[i].word);
	}
}
