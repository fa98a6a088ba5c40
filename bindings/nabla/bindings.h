/* SPDX-License-Identifier: ISC */
/*
 * bindings.h: what the parts of the nabla bindings share. The bindings are
 * the freestanding code linked into a Solo5 unikernel for nabla-run: no
 * libc, no TLS, built -ffreestanding -fno-stack-protector; every symbol
 * but solo5_*, _start and __stack_chk_* is made local to the bindings
 * object, so that the unikernel may bring its own memcpy and the like.
 *
 * The Solo5 API itself is libnabla's confined code (api.c, dev_ops.c or
 * sys_ops.c, tls.c), built here freestanding; start.c fills its state from
 * the boot information nabla-run passes (nabla_abi.h).
 */
#ifndef NABLA_BINDINGS_H
#define NABLA_BINDINGS_H

#include "confined.h"
#include "raw.h"

#ifndef NABLA_BINDINGS_VERSION
#define NABLA_BINDINGS_VERSION	"0.1.0"
#endif

/* Solo5's log levels, set by --solo5:quiet|error|warn|info|debug. */
enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

extern NABLA_LOCAL enum log_level log_level;

/* Console output below @level only (log.c); numbers in decimal or hex. */
NABLA_LOCAL void log_str(enum log_level level, const char *s);
NABLA_LOCAL void log_dec(enum log_level level, int64_t v);
NABLA_LOCAL void log_hex(enum log_level level, uint64_t v);

/* log.c: skip the leading --solo5:LEVEL options of @cmdline. */
NABLA_LOCAL const char *cmdline_parse(const char *cmdline);

/* backend.c, built once per backend: its kind and operations. */
extern NABLA_LOCAL const enum nabla_backend_kind bindings_backend;
extern NABLA_LOCAL const struct nabla_ops *const bindings_ops;

/* The linker script's symbols (solo5_nabla.lds). */
extern char _stext[], _etext[], _erodata[], _edata[], _end[];
extern char _tdata_start[], _tdata_size[], _tls_memsz[], _tls_align[];

#endif /* NABLA_BINDINGS_H */
