/* SPDX-License-Identifier: ISC */
/*
 * internal.h: what libnabla's parts share.
 *
 * Two phases. Start-up (args.c, start.c, filter.c, *_setup.c) runs as an
 * ordinary program: libc, malloc, stdio are fine, and every error is
 * reported in one line on stderr. The confined phase (api.c, *_ops.c,
 * tls.c) starts at the seal: from then on only raw system calls (raw.h),
 * no errno, no TLS, no allocator. Everything the confined phase reads is
 * computed during start-up and not changed afterwards.
 */
#ifndef NABLA_INTERNAL_H
#define NABLA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <linux/nabla.h>

#include "solo5.h"

#define NABLA_LOCAL	__attribute__((visibility("hidden")))

#ifndef LIBNABLA_VERSION
#define LIBNABLA_VERSION	"0.1.0"
#endif

/* Heap reserved for the application unless --mem says otherwise. */
#define NABLA_DEFAULT_MEM_MIB	64
#define NABLA_MAX_MEM_MIB	(1024 * 1024)

enum nabla_backend_kind {
	NABLA_BACKEND_DEV,
	NABLA_BACKEND_SYSCALL,
};

/* One --net:NAME=IFACE (with its --net-mac:NAME=MAC, if any). */
struct nabla_net_arg {
	char name[NABLA_NAME_SIZE];
	char ifname[NABLA_IFNAME_SIZE];
	bool has_mac;
	uint8_t mac[6];
};

/*
 * One --block:NAME=PATH or --block-direct:NAME=PATH; the file is opened
 * while the arguments are checked.
 */
struct nabla_block_arg {
	char name[NABLA_NAME_SIZE];
	const char *path;
	int fd;
	bool rdonly;
	bool direct;		/* opened O_DIRECT: a block device */
};

struct nabla_config {
	const char *prog;
	enum nabla_backend_kind backend;
	size_t mem_mib;
	unsigned int nnet;
	unsigned int nblock;
	struct nabla_net_arg net[NABLA_MAX_DEVICES];
	struct nabla_block_arg block[NABLA_MAX_DEVICES];
	char *cmdline;
};

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
	/* net */
	uint8_t mac[6];
	uint32_t mtu;
	/* block */
	uint64_t capacity;
	uint32_t block_size;
	bool rdonly;
	bool direct;		/* syscall backend: fd opened O_DIRECT */
};

extern NABLA_LOCAL struct nabla_device nabla_devices[NABLA_MAX_DEVICES];

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

/* start-up, in start.c */
NABLA_LOCAL void nabla_err(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
NABLA_LOCAL int nabla_start(int argc, char **argv);

/* args.c */
NABLA_LOCAL int nabla_parse_args(struct nabla_config *cfg, int argc,
				 char **argv);
NABLA_LOCAL void nabla_usage(const char *prog);

/*
 * Set-up of a backend, in the order start.c calls it: open, attach every
 * device into nabla_devices[], add the backend's seccomp rules, seal. All
 * return 0 or print an error and return -1 (seal: a raw -errno).
 */
struct nabla_setup {
	int (*open)(const struct nabla_config *cfg);
	int (*attach)(const struct nabla_config *cfg);
	/* The heap is reserved: offer it and .bss to the backend (optional). */
	void (*memory)(void *heap, size_t size);
	int (*rules)(void *scmp_ctx);
	long (*seal)(void);
};

extern NABLA_LOCAL const struct nabla_setup nabla_dev_setup;
extern NABLA_LOCAL const struct nabla_setup nabla_sys_setup;

/* dev_setup.c: the /dev/nabla fd, for the filter and libnabla_device_fd() */
extern NABLA_LOCAL int nabla_dev_fd;

/*
 * dev_setup.c: the memory registered with the module (NABLA_REGISTER_MEMORY),
 * which block transfers name with NABLA_BLOCK_IO_F_REGISTERED (dev_ops.c).
 */
struct nabla_region {
	uintptr_t start;
	uintptr_t end;
};
#define NABLA_LIB_REGIONS	2	/* the heap; .data and .bss */
extern NABLA_LOCAL struct nabla_region nabla_dev_regions[NABLA_LIB_REGIONS];
extern NABLA_LOCAL unsigned int nabla_dev_nregions;

/*
 * dev_setup.c: the vDSO's clock_gettime, which the dev backend reads the
 * clocks through while it does not fall back to the system call, or NULL:
 * the NABLA_CLOCK_* hypercalls. dev_ops.c sets it to NULL, once and for
 * good, when the vDSO falls back (the filter refuses the system call).
 */
typedef int (*nabla_vdso_gettime_fn)(clockid_t clock, struct timespec *ts);
extern NABLA_LOCAL nabla_vdso_gettime_fn nabla_dev_vdso_gettime;

/* filter.c */
NABLA_LOCAL int nabla_filter_build(const struct nabla_setup *setup);
NABLA_LOCAL long nabla_filter_install(void);

/* tls.c */
NABLA_LOCAL int nabla_tls_prepare(void);

/* vdso.c */
NABLA_LOCAL void *nabla_vdso_sym(const char *name);

#endif /* NABLA_INTERNAL_H */
