/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common.h: what the benchmark's programs share, the Solo5 applications
 * (apps/, confined by libnabla) and the ordinary Linux programs that do
 * the same work (tools/): nothing here calls libc or Solo5. Number and
 * address parsing, Ethernet/ARP/IPv4/ICMP frame layout, the Internet
 * checksum, the echo responder's answer and the block loop's pattern.
 */
#ifndef NABLA_BENCH_COMMON_H
#define NABLA_BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
#ifndef IPPROTO_ICMP	/* <netinet/in.h> has it, for the Linux tools */
#define IPPROTO_ICMP	1
#endif
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

/*
 * The answer to an ARP request for @ip or an ICMP echo request to @ip,
 * written over the request in @frame (from @mac); its length, or 0 when
 * the frame asks for neither. *@ping tells which.
 */
static inline size_t b_echo_answer(uint8_t *frame, size_t len,
				   const uint8_t mac[6], const uint8_t ip[4],
				   bool *ping)
{
	size_t ihl = b_ip_hlen(frame, len), icmp, icmp_len;
	uint8_t tmp[6];

	*ping = false;
	if (!ihl) {
		if (len < ARP_LEN || b_get16(frame + ETH_TYPE) != ETHERTYPE_ARP ||
		    b_get16(frame + ETH_HLEN) != 1 ||	/* Ethernet */
		    b_get16(frame + ETH_HLEN + 2) != ETHERTYPE_IPV4 ||
		    frame[ETH_HLEN + 4] != 6 || frame[ETH_HLEN + 5] != 4 ||
		    b_get16(frame + ARP_OP) != 1 || !b_equal(frame + ARP_TPA, ip, 4))
			return 0;
		b_copy(frame + ETH_DST, frame + ARP_SHA, 6);
		b_copy(frame + ETH_SRC, mac, 6);
		b_put16(frame + ARP_OP, 2);
		b_copy(frame + ARP_THA, frame + ARP_SHA, 10);	/* THA and TPA */
		b_copy(frame + ARP_SHA, mac, 6);
		b_copy(frame + ARP_SPA, ip, 4);
		return ARP_LEN;
	}
	if (frame[IP_PROTO] != IPPROTO_ICMP || !b_equal(frame + IP_DST, ip, 4) ||
	    (b_get16(frame + IP_HDR + 6) & 0x3fff))	/* fragments */
		return 0;
	icmp = IP_HDR + ihl;
	icmp_len = b_get16(frame + IP_HDR + 2) - ihl;
	if (icmp_len < 8 || frame[icmp] != ICMP_ECHO ||
	    b_csum(frame + icmp, icmp_len) != 0)
		return 0;

	b_copy(tmp, frame + ETH_SRC, 6);
	b_copy(frame + ETH_DST, tmp, 6);
	b_copy(frame + ETH_SRC, mac, 6);
	b_copy(frame + IP_DST, frame + IP_SRC, 4);
	b_copy(frame + IP_SRC, ip, 4);
	frame[IP_HDR + 8] = 64;				/* TTL */
	b_put16(frame + IP_CSUM, 0);
	b_put16(frame + IP_CSUM, b_csum(frame + IP_HDR, ihl));
	frame[icmp] = ICMP_ECHOREPLY;
	b_put16(frame + icmp + 2, 0);
	b_put16(frame + icmp + 2, b_csum(frame + icmp, icmp_len));
	*ping = true;
	return ETH_HLEN + ihl + icmp_len;
}

/* The block loop's offsets: a linear congruential generator. */
static inline uint64_t b_lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* The block loop's pattern for one block of @len bytes, from @seed. */
static inline void b_fill(uint8_t *p, size_t len, uint64_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7);
}

#endif /* NABLA_BENCH_COMMON_H */
