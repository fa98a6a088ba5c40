/* SPDX-License-Identifier: ISC */
/*
 * solo5.h: the Solo5 guest API, as libnabla and nabla's bindings (a
 * freestanding unikernel run by nabla-run) provide it.
 *
 * The declarations (names, types, constants, signatures) follow Solo5's
 * published interface so that a program written for Solo5 compiles and
 * links against libnabla or the bindings unchanged. The comments state
 * nabla's contract.
 *
 * After start-up the process is confined: it may use only these functions
 * (and code of its own that makes no system call). Anything else that
 * enters the kernel kills the process with SIGSYS.
 */
#ifndef SOLO5_H_INCLUDED
#define SOLO5_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Result of the calls that can fail. Only SOLO5_R_OK means success; an
 * application must not depend on getting EINVAL or EUNSPEC rather than
 * being stopped, as Solo5 allows either.
 */
typedef enum {
	SOLO5_R_OK = 0,		/* done */
	SOLO5_R_AGAIN,		/* nothing to do now; the same call may work later */
	SOLO5_R_EINVAL,		/* an argument is not acceptable */
	SOLO5_R_EUNSPEC		/* failed for another reason */
} solo5_result_t;

/*
 * Start of day. libnabla's own main(), or nabla-run, parses its options,
 * sets up and confines the process, then calls solo5_app_main() once.
 * @cmdline is the application's arguments (libnabla: what followed "--";
 * nabla-run: what followed UNIKERNEL, without the leading --solo5:LEVEL
 * options), joined by single spaces. The heap is one read/write,
 * non-executable region, already backed by memory, for the application to
 * use as it likes; a unikernel's initial stack grows down from its top.
 * Returning from solo5_app_main is solo5_exit(status).
 */
struct solo5_start_info {
	const char *cmdline;
	uintptr_t heap_start;
	size_t heap_size;
};

int solo5_app_main(const struct solo5_start_info *info);

/* Exit status; 255 and above belong to Solo5 (libnabla). */
#define SOLO5_EXIT_SUCCESS	0
#define SOLO5_EXIT_FAILURE	1
#define SOLO5_EXIT_ABORT	255

void solo5_exit(int status) __attribute__((noreturn));
void solo5_abort(void) __attribute__((noreturn));

/* Time, in nanoseconds. */
typedef uint64_t solo5_time_t;

/* Monotonic time since an unspecified point in the past. */
solo5_time_t solo5_clock_monotonic(void);
/* UTC wall-clock time since 1970-01-01. */
solo5_time_t solo5_clock_wall(void);

/* Devices are named on the command line and reached through handles. */
typedef uint64_t solo5_handle_t;
/* A set of handles: bit h stands for handle h. */
typedef uint64_t solo5_handle_set_t;

/*
 * Sleep until monotonic time reaches @deadline or until some net device
 * has a frame to read, whichever comes first. *ready_set receives the set
 * of net handles on which solo5_net_read() would now succeed (possibly
 * empty). A deadline in the past only polls.
 */
void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set);

/* Write @size bytes to the console: complete and in order. */
void solo5_console_write(const char *buf, size_t size);

/* Networking: Ethernet frames. */
#define SOLO5_NET_ALEN		6	/* MAC address bytes */
#define SOLO5_NET_HLEN		14	/* Ethernet header bytes */

struct solo5_net_info {
	uint8_t mac_address[SOLO5_NET_ALEN];
	size_t mtu;		/* payload bytes, Ethernet header excluded */
};

/*
 * Look up the net device called @name (given with --net:NAME=...). Fails
 * with SOLO5_R_EINVAL for an unknown name, a device of another type, or one
 * acquired before: a device may be acquired once.
 */
solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
				 struct solo5_net_info *info);
/* Send one frame, header included: 14 <= size <= mtu + 14. Never blocks. */
solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
			       size_t size);
/*
 * Receive one frame into @buf without blocking: SOLO5_R_AGAIN when none is
 * waiting. @size must be at least mtu + 14 (else SOLO5_R_EINVAL, and any
 * waiting frame stays queued).
 */
solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf,
			      size_t size, size_t *read_size);

/* Block storage. */
typedef uint64_t solo5_off_t;

struct solo5_block_info {
	solo5_off_t capacity;	/* bytes */
	solo5_off_t block_size;	/* smallest unit of I/O, bytes */
};

/* As solo5_net_acquire, for --block:NAME=PATH devices. */
solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
				   struct solo5_block_info *info);
/*
 * Transfer @size bytes at byte @offset. Both are multiples of block_size
 * and the range lies within the capacity, else SOLO5_R_EINVAL. All of it is
 * transferred or the call fails: there is no short read or write.
 */
solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
				 const uint8_t *buf, size_t size);
solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset,
				uint8_t *buf, size_t size);

/*
 * Thread-local storage. solo5_tls_size() is the size of a TLS block for
 * this program's .tdata and .tbss plus the thread control block;
 * solo5_tls_init() fills such a block; solo5_tls_tp_offset() gives the
 * value of the thread pointer for it; solo5_set_tls_base() loads the
 * thread pointer (%fs base on x86_64).
 */
size_t solo5_tls_size(void);
uintptr_t solo5_tls_tp_offset(uintptr_t tls);
solo5_result_t solo5_tls_init(uintptr_t tls);
solo5_result_t solo5_set_tls_base(uintptr_t base);

#ifdef __cplusplus
}
#endif

#endif /* SOLO5_H_INCLUDED */
