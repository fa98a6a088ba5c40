/* SPDX-License-Identifier: ISC */
/*
 * confined.h: what the confined Solo5 API code shares (api.c, dev_ops.c,
 * sys_ops.c). It is built twice: into libnabla, and freestanding into the
 * bindings of a unikernel (bindings/nabla), with no libc at all. So these
 * files include only the compiler's freestanding headers, uapi/ and
 * nabla_abi.h, call no libc function (the compiler's __builtin_mem* and
 * __builtin_str* only), make system calls with raw.h, never touch errno or
 * TLS, and are built -fno-stack-protector.
 */
#ifndef NABLA_CONFINED_H
#define NABLA_CONFINED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/errno.h>
#include <linux/nabla.h>

#include "nabla_abi.h"
#include "solo5.h"

#define NABLA_LOCAL	__attribute__((visibility("hidden")))

/* The Linux clock ids, without <time.h>. */
#define NABLA_CLOCKID_REALTIME	0
#define NABLA_CLOCKID_MONOTONIC	1

#define NABLA_NSEC_PER_SEC	1000000000ULL

extern NABLA_LOCAL struct nabla_device nabla_devices[NABLA_MAX_DEVICES];
extern NABLA_LOCAL struct nabla_dev_state nabla_dev;
extern NABLA_LOCAL struct nabla_sys_state nabla_sys;

/*
 * The confined operations of a backend. Each returns 0 or -errno, as the
 * kernel does; api.c checks arguments first and maps the result.
 */
struct nabla_ops {
	uint64_t (*clock_monotonic)(void);
	uint64_t (*clock_wall)(void);
	uint64_t (*yield)(uint64_t deadline);		/* returns the ready set */
	long (*console_write)(const char *buf, size_t len);
	long (*net_write)(unsigned int h, const uint8_t *buf, size_t len);
	long (*net_read)(unsigned int h, uint8_t *buf, size_t len,
			 size_t *out_len);
	long (*block_io)(unsigned int h, bool write, uint64_t offset,
			 uint8_t *buf, size_t len);
};

extern NABLA_LOCAL const struct nabla_ops *nabla_ops;
extern NABLA_LOCAL const struct nabla_ops nabla_dev_ops;
extern NABLA_LOCAL const struct nabla_ops nabla_sys_ops;

/*
 * The TLS layout (tls.c): the PT_TLS image and sizes, where tp lies in a
 * block (tp - offset is the start of the data), what goes in the TCB.
 */
#define NABLA_TLS_TCB_ALIGN	16	/* the TCB holds pointers */

struct nabla_tls {
	uintptr_t image;	/* the .tdata initialization image */
	size_t filesz;		/* .tdata bytes */
	size_t memsz;		/* .tdata + .tbss bytes */
	size_t align;		/* alignment of tp */
	size_t offset;		/* tp - start of the TLS data */
	uintptr_t stack_guard;
	uintptr_t pointer_guard;
	bool fsgsbase;		/* WRFSBASE works */
	bool arch_prctl;	/* else the filter allows arch_prctl(ARCH_SET_FS) */
};

extern NABLA_LOCAL struct nabla_tls nabla_tls;

/*
 * Block I/O of the syscall backend is made of pieces of block_size << k
 * bytes up to NABLA_BLOCK_MAX_IO (the largest pwrite64 the filter allows
 * on the device): the number of piece sizes for @block_size.
 */
static inline unsigned int nabla_sys_io_classes(uint32_t block_size)
{
	unsigned int n = 1;

	while ((block_size << (n - 1)) < NABLA_BLOCK_MAX_IO)
		n++;
	return n;
}

#endif /* NABLA_CONFINED_H */
