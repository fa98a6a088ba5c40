/* SPDX-License-Identifier: ISC */
/*
 * nabla_abi.h: what the confined Solo5 API code knows of its process, and
 * how the tender hands it to a freestanding unikernel.
 *
 * The confined code (libnabla's api.c, dev_ops.c, sys_ops.c, also built
 * into the bindings) reads three things, all filled in before the seal and
 * never changed afterwards (except the vDSO pointers, which a backend drops
 * for good when the vDSO stops working):
 *
 *   nabla_devices[]   the devices, indexed by their solo5_handle_t
 *   nabla_dev         the dev backend's state (the /dev/nabla fd, ...)
 *   nabla_sys         the syscall backend's state (epoll and timer fds, ...)
 *
 * libnabla fills them in its own process. nabla-run (tenders/nabla) fills
 * them the same way, copies them into a struct nabla_boot_info in the
 * unikernel's low memory, and passes its address to the unikernel's entry
 * point; the bindings copy them back into their own globals. Both sides are
 * built from this tree, for x86_64 only: the layout is the compiler's, and
 * NABLA_BOOT_ABI_VERSION must change with any change here.
 *
 * Self-contained: only the compiler's freestanding headers and uapi/.
 */
#ifndef NABLA_ABI_H
#define NABLA_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/nabla.h>
#include <linux/time_types.h>

#define NABLA_BOOT_ABI_VERSION	1

enum nabla_dev_type {
	NABLA_DEV_FREE = 0,
	NABLA_DEV_NET,
	NABLA_DEV_BLOCK,
};

/*
 * A device as the application sees it, at index = its solo5_handle_t. For
 * the dev backend the index is the module's own handle, so that the ready
 * set of NABLA_YIELD passes through unchanged.
 */
struct nabla_device {
	enum nabla_dev_type type;
	char name[NABLA_NAME_SIZE];
	int fd;			/* syscall backend: tap or block file */
	bool acquired;		/* solo5_*_acquire() succeeded once */
	/* net */
	uint8_t mac[6];
	uint32_t mtu;
	/* block */
	uint64_t capacity;
	uint32_t block_size;
	bool rdonly;
	bool direct;		/* syscall backend: fd opened O_DIRECT */
};

/* The clock_gettime of the vDSO (clockid, struct __kernel_timespec *). */
typedef int (*nabla_vdso_gettime_fn)(int clock, struct __kernel_timespec *ts);

/* Memory registered with the module (NABLA_REGISTER_MEMORY). */
struct nabla_region {
	uintptr_t start;
	uintptr_t end;
};

struct nabla_dev_state {
	int fd;			/* /dev/nabla */
	unsigned int nregions;
	struct nabla_region regions[NABLA_MAX_REGIONS];
	/*
	 * The vDSO's clock_gettime while it reads the clocks without entering
	 * the kernel; NULL: the NABLA_CLOCK_* hypercalls (dev_ops.c).
	 */
	nabla_vdso_gettime_fn vdso_gettime;
};

struct nabla_sys_state {
	int epollfd;		/* the net fds and the timer, for yield */
	int timerfd;		/* CLOCK_MONOTONIC, armed absolute by yield */
	/* the vDSO's clock_gettime, or NULL to make the system call */
	nabla_vdso_gettime_fn vdso_gettime;
	/*
	 * O_DIRECT devices: an aligned buffer of NABLA_BLOCK_MAX_IO bytes for
	 * the application's buffers that are not aligned to the block size
	 * (O_DIRECT refuses those), mapped at start-up if needed
	 */
	uint8_t *dio_bounce;
};

/* The epoll data of the timer in nabla_sys.epollfd (a net device's: its handle). */
#define NABLA_SYS_TIMER_TOKEN	(~0ULL)

enum nabla_backend_kind {
	NABLA_BACKEND_DEV,
	NABLA_BACKEND_SYSCALL,
};

/*
 * The bindings' backend, in a note of the unikernel (bindings/nabla): name
 * "nabla", type "BKND", a 4-byte enum nabla_backend_kind.
 */
#define NABLA_BACKEND_NOTE_NAME	"nabla"
#define NABLA_BACKEND_NOTE_TYPE	0x444e4b42	/* "BKND" */

/* nabla_boot_info.flags */
#define NABLA_BOOT_F_FSGSBASE	(1U << 0)	/* WRFSBASE works here */
/* Without FSGSBASE: the filter allows arch_prctl(ARCH_SET_FS). */
#define NABLA_BOOT_F_ARCH_PRCTL	(1U << 1)

/*
 * What the tender passes to the unikernel's entry point (in %rdi). It lies
 * in a read-only page of the unikernel's low memory, below the image.
 */
struct nabla_boot_info {
	uint32_t version;		/* NABLA_BOOT_ABI_VERSION */
	uint32_t backend;		/* enum nabla_backend_kind */
	uint32_t flags;			/* NABLA_BOOT_F_* */
	uint32_t pad;
	uint64_t ssp_seed;		/* random, for __stack_chk_guard */
	uint64_t mem_size;		/* the unikernel's memory: [0, mem_size) */
	uint64_t image_start;		/* its lowest loaded page */
	uint64_t image_end;		/* past its highest loaded page */
	uint64_t heap_start;		/* the heap, the stack at its top */
	uint64_t heap_size;
	const char *cmdline;		/* the unikernel's arguments */
	struct nabla_dev_state dev;
	struct nabla_sys_state sys;
	struct nabla_device devices[NABLA_MAX_DEVICES];
};

#endif /* NABLA_ABI_H */
