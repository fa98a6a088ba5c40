/* SPDX-License-Identifier: ISC */
/*
 * arch/cc.h: lwIP's compiler and platform hooks for libnabla.
 *
 * Diagnostics and assertions go to the Solo5 console through the port's own
 * formatter (np_printf): glibc's printf/abort would make system calls that
 * the seccomp filter forbids. Randomness comes from the port's PRNG.
 */
#ifndef NABLA_LWIP_ARCH_CC_H
#define NABLA_LWIP_ARCH_CC_H

#include <endian.h>	/* BYTE_ORDER, LITTLE_ENDIAN */

/* Character classes by lwIP's own macros: no locale tables. */
#define LWIP_NO_CTYPE_H		1

#define lwip_htons(x)		__builtin_bswap16(x)
#define lwip_htonl(x)		__builtin_bswap32(x)

void np_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void np_assert_fail(const char *msg, int line, const char *file)
	__attribute__((noreturn));
unsigned int np_rand(void);

#define LWIP_PLATFORM_DIAG(x)		do { np_printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x)		np_assert_fail((x), __LINE__, __FILE__)
#define LWIP_RAND()			((u32_t)np_rand())

#endif /* NABLA_LWIP_ARCH_CC_H */
