/* SPDX-License-Identifier: ISC */
/* endian.h of nolibc: the byte order, from the compiler's macros. */
#ifndef NOLIBC_ENDIAN_H
#define NOLIBC_ENDIAN_H

#ifndef LITTLE_ENDIAN
#define LITTLE_ENDIAN	__ORDER_LITTLE_ENDIAN__
#endif
#ifndef BIG_ENDIAN
#define BIG_ENDIAN	__ORDER_BIG_ENDIAN__
#endif
#ifndef BYTE_ORDER
#define BYTE_ORDER	__BYTE_ORDER__
#endif

#endif /* NOLIBC_ENDIAN_H */
