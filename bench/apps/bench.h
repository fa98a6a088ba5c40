/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h: what the benchmark applications share. They run confined by
 * libnabla, so nothing here calls libc: number and address parsing,
 * Ethernet/ARP/IPv4/ICMP frame layout and the Internet checksum.
 */
#ifndef NABLA_BENCH_H
#define NABLA_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "solo5.h"
/* Console output and cmdline words: the test applications' helpers. */
#include "app.h"

/* Decimal into @buf (at least 21 bytes); returns the number of characters. */
static inline size_t b_fmt_u64(char *buf, uint64_t v)
{
	char tmp[21];
	size_t n = 0, i;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

static inline bool b_number(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return true;
}

/* "a.b.c.d" (an optional "/len" is ignored) into network byte order. */
static inline bool b_ipv4(const char *s, uint8_t ip[4])
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned int v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 3) {
			v = v * 10 + (*s++ - '0');
			digits++;
		}
		if (!digits || v > 255)
			return false;
		ip[i] = v;
		if (i < 3 && *s++ != '.')
			return false;
	}
	return *s == '\0' || *s == '/';
}

static inline void b_copy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

static inline bool b_equal(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	while (n--)
		if (*x++ != *y++)
			return false;
	return true;
}

/* Frame layout (offsets into an Ethernet frame). */
#define ETH_DST		0
#define ETH_SRC		6
#define ETH_TYPE	12
#define ETH_HLEN	14
#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_ARP	0x0806

#define ARP_OP		(ETH_HLEN + 6)
#define ARP_SHA		(ETH_HLEN + 8)
#define ARP_SPA		(ETH_HLEN + 14)
#define ARP_THA		(ETH_HLEN + 18)
#define ARP_TPA		(ETH_HLEN + 24)
#define ARP_LEN		(ETH_HLEN + 28)

#define IP_HDR		ETH_HLEN
#define IP_PROTO	(IP_HDR + 9)
#define IP_CSUM		(IP_HDR + 10)
#define IP_SRC		(IP_HDR + 12)
#define IP_DST		(IP_HDR + 16)
#define IPPROTO_ICMP	1
#define ICMP_ECHO	8
#define ICMP_ECHOREPLY	0

static inline uint16_t b_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void b_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* RFC 1071 Internet checksum of @len bytes, in host order. */
static inline uint16_t b_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	while (len > 1) {
		sum += b_get16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The IPv4 header length of the packet in @frame, 0 if it is not IPv4. */
static inline size_t b_ip_hlen(const uint8_t *frame, size_t len)
{
	size_t ihl;

	if (len < ETH_HLEN + 20 || b_get16(frame + ETH_TYPE) != ETHERTYPE_IPV4 ||
	    frame[IP_HDR] >> 4 != 4)
		return 0;
	ihl = (frame[IP_HDR] & 15) * 4;
	if (ihl < 20 || len < ETH_HLEN + ihl ||
	    b_get16(frame + IP_HDR + 2) < ihl ||
	    len < (size_t)ETH_HLEN + b_get16(frame + IP_HDR + 2))
		return 0;
	return ihl;
}

#endif /* NABLA_BENCH_H */
