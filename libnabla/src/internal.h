/* SPDX-License-Identifier: ISC */
/*
 * internal.h: what libnabla's parts share.
 *
 * Two phases. Start-up (args.c, start.c, filter.c, *_setup.c, vdso.c) runs
 * as an ordinary program: libc, malloc, stdio are fine, and every error is
 * reported in one line on stderr. The confined phase (api.c, *_ops.c, tls.c)
 * starts at the seal: from then on only raw system calls (raw.h), no errno,
 * no TLS, no allocator (confined.h). Everything the confined phase reads is
 * computed during start-up and not changed afterwards.
 *
 * nabla-run (tenders/nabla) links the start-up parts too: the same options,
 * device set-up and seccomp filter, for a freestanding unikernel.
 */
#ifndef NABLA_INTERNAL_H
#define NABLA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "confined.h"

#ifndef LIBNABLA_VERSION
#define LIBNABLA_VERSION	"0.1.0"
#endif

/* Heap reserved for the application unless --mem says otherwise. */
#define NABLA_DEFAULT_MEM_MIB	64
#define NABLA_MAX_MEM_MIB	(1024 * 1024)

/* One --net:NAME=IFACE (with its --net-mac:NAME=MAC, if any). */
struct nabla_net_arg {
	char name[NABLA_NAME_SIZE];
	char ifname[NABLA_IFNAME_SIZE];
	bool has_mac;
	uint8_t mac[6];
};

/*
 * One --block:NAME=PATH or --block-direct:NAME=PATH (with its
 * --block-sector-size:NAME=N, if any); the file is opened while the
 * arguments are checked.
 */
struct nabla_block_arg {
	char name[NABLA_NAME_SIZE];
	const char *path;
	int fd;
	bool rdonly;
	bool direct;		/* opened O_DIRECT: a block device */
	uint32_t block_size;	/* the sector size: NABLA_BLOCK_SIZE unless given */
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

/* An option that names a device given by another (--net-mac:, --block-sector-size:). */
struct nabla_dev_option {
	const char *arg;
	char name[NABLA_NAME_SIZE];
	uint8_t mac[6];
	uint32_t block_size;
};

/* What the option parser remembers between options (args.c). */
struct nabla_args {
	struct nabla_dev_option macs[NABLA_MAX_DEVICES];
	unsigned int nmacs;
	struct nabla_dev_option sizes[NABLA_MAX_DEVICES];
	unsigned int nsizes;
	bool have_mem;
	bool have_backend;
};

/* err.c */
NABLA_LOCAL void nabla_err(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
NABLA_LOCAL void nabla_set_prog(const char *argv0);
NABLA_LOCAL const char *nabla_prog_name(void);

/* start.c */
NABLA_LOCAL int nabla_start(int argc, char **argv);

/*
 * args.c: the options libnabla and nabla-run share. nabla_args_init()
 * first; nabla_parse_option() for each option: 0 taken, 1 not one of
 * these, -1 after an error was printed; nabla_args_finish() once all are
 * seen: applies --net-mac: and --block-sector-size:, opens and checks the
 * block files.
 */
NABLA_LOCAL void nabla_args_init(struct nabla_config *cfg,
				 struct nabla_args *st, size_t default_mem_mib);
NABLA_LOCAL int nabla_parse_option(struct nabla_config *cfg,
				   struct nabla_args *st, const char *arg);
NABLA_LOCAL int nabla_args_finish(struct nabla_config *cfg,
				  struct nabla_args *st);
NABLA_LOCAL int nabla_join_cmdline(struct nabla_config *cfg, int argc,
				   char **argv);
NABLA_LOCAL int nabla_parse_args(struct nabla_config *cfg, int argc,
				 char **argv);
NABLA_LOCAL void nabla_usage_devices(void);
/* Which device the command line names @name: net, block, or none (FREE). */
NABLA_LOCAL enum nabla_dev_type
nabla_config_device(const struct nabla_config *cfg, const char *name);
NABLA_LOCAL void nabla_usage(const char *prog);

/*
 * Set-up of a backend, in the order start.c calls it: open, attach every
 * device into nabla_devices[], add the backend's seccomp rules, seal. All
 * return 0 or print an error and return -1 (seal: a raw -errno).
 */
struct nabla_setup {
	int (*open)(const struct nabla_config *cfg);
	int (*attach)(const struct nabla_config *cfg);
	/* Offer [start, end) for block transfers (optional; page aligned). */
	void (*memory)(uintptr_t start, uintptr_t end);
	int (*rules)(void *scmp_ctx);
	long (*seal)(void);
};

extern NABLA_LOCAL const struct nabla_setup nabla_dev_setup;
extern NABLA_LOCAL const struct nabla_setup nabla_sys_setup;

/* args.c: the set-up of cfg->backend, its operations made nabla_ops. */
NABLA_LOCAL const struct nabla_setup *
nabla_select_backend(const struct nabla_config *cfg);

/* dev_setup.c: what to say when /dev/nabla cannot be opened */
extern NABLA_LOCAL const char *nabla_dev_missing_hint;
/* dev_setup.c: .data and .bss of the main program, page aligned */
NABLA_LOCAL void nabla_data_range(uintptr_t *start, uintptr_t *end);

/* filter.c */
NABLA_LOCAL int nabla_filter_build(const struct nabla_setup *setup);
/* Extra rules of the caller (nabla-run's arch_prctl), or NULL. */
extern NABLA_LOCAL int (*nabla_filter_extra)(void *scmp_ctx);
NABLA_LOCAL long nabla_filter_install(void);

/* tls_setup.c */
NABLA_LOCAL int nabla_tls_prepare(void);

/* vdso.c */
NABLA_LOCAL void *nabla_vdso_sym(const char *name);

#endif /* NABLA_INTERNAL_H */
