// SPDX-License-Identifier: ISC
/*
 * np_config.c: the network part of an application's command line.
 *
 * Solo5 unikernels are configured statically: "-- 10.0.0.2/24 [gw=10.0.0.1]".
 */
#include <string.h>

#include "np.h"

int np_parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

const char *np_next_word(const char **p, size_t *len)
{
	const char *s = *p, *word;

	while (*s == ' ')
		s++;
	word = s;
	while (*s && *s != ' ')
		s++;
	*len = (size_t)(s - word);
	*p = s;
	return *len ? word : NULL;
}

/* Dotted quad of exactly @len characters into network byte order. */
static int parse_ip4(const char *s, size_t len, uint32_t *out)
{
	uint8_t b[4];
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t start = i;
		uint64_t v;

		while (i < len && s[i] != '.')
			i++;
		if (np_parse_uint(s + start, i - start, 255, &v))
			return -1;
		b[part] = (uint8_t)v;
		if (part < 3) {
			if (i >= len)
				return -1;
			i++;	/* the dot */
		}
	}
	if (i != len)
		return -1;
	memcpy(out, b, 4);	/* b[0] first on the wire */
	return 0;
}

static int parse_cidr(const char *s, size_t len, struct np_net_config *cfg)
{
	const char *slash = memchr(s, '/', len);
	uint64_t prefix;
	uint32_t mask;

	if (!slash || parse_ip4(s, (size_t)(slash - s), &cfg->addr))
		return -1;
	if (np_parse_uint(slash + 1, len - (size_t)(slash + 1 - s), 32,
			  &prefix) || prefix == 0)
		return -1;
	mask = prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
	cfg->netmask = __builtin_bswap32(mask);
	return 0;
}

static int append_rest(struct np_net_config *cfg, const char *s, size_t len)
{
	size_t used = strlen(cfg->rest);

	if (used + len + 2 > sizeof(cfg->rest))
		return -1;
	if (used)
		cfg->rest[used++] = ' ';
	memcpy(cfg->rest + used, s, len);
	cfg->rest[used + len] = '\0';
	return 0;
}

int np_net_parse(const char *cmdline, struct np_net_config *cfg)
{
	const char *p = cmdline ? cmdline : "", *tok;
	bool have_addr = false;
	size_t len;

	memset(cfg, 0, sizeof(*cfg));
	while ((tok = np_next_word(&p, &len))) {
		if (len > 3 && !memcmp(tok, "gw=", 3)) {
			if (parse_ip4(tok + 3, len - 3, &cfg->gw))
				goto bad;
		} else if (!have_addr && memchr(tok, '/', len)) {
			if (parse_cidr(tok, len, cfg))
				goto bad;
			have_addr = true;
		} else if (append_rest(cfg, tok, len)) {
			np_printf("np: command line too long\n");
			return -1;
		}
		continue;
bad:
		np_printf("np: bad network argument '%.*s'\n", (int)len, tok);
		return -1;
	}
	if (!have_addr) {
		np_printf("np: no address given (expected e.g. '-- 10.0.0.2/24')\n");
		return -1;
	}
	return 0;
}
