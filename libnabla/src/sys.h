/* SPDX-License-Identifier: ISC */
/*
 * sys.h: state of the syscall backend, filled by sys_setup.c during
 * start-up and read by sys_ops.c when confined.
 */
#ifndef NABLA_SYS_H
#define NABLA_SYS_H

#include <poll.h>
#include <time.h>

#include "internal.h"

/* Block I/O is made of transfers of block_size << k bytes, k below this. */
#define NABLA_SYS_IO_CLASSES	12	/* 512 B .. 1 MiB */

struct nabla_sys_state {
	/* one per net device, in handle order; revents written by ppoll */
	struct pollfd pollfds[NABLA_MAX_DEVICES];
	unsigned int poll_handle[NABLA_MAX_DEVICES];
	unsigned int npoll;
	/* the vDSO's clock_gettime, or NULL to make the system call */
	int (*vdso_clock_gettime)(clockid_t clock, struct timespec *ts);
	/*
	 * O_DIRECT devices: an aligned buffer of NABLA_SYS_DIO_BOUNCE bytes
	 * for the application's buffers that are not NABLA_BLOCK_SIZE
	 * aligned (O_DIRECT refuses those), mapped at start-up if needed
	 */
	uint8_t *dio_bounce;
};

#define NABLA_SYS_DIO_BOUNCE	(1U << 20)	/* the largest piece */
_Static_assert(NABLA_SYS_DIO_BOUNCE ==
	       NABLA_BLOCK_SIZE << (NABLA_SYS_IO_CLASSES - 1),
	       "the O_DIRECT bounce buffer holds the largest piece");

NABLA_LOCAL extern struct nabla_sys_state nabla_sys;

#endif /* NABLA_SYS_H */
