// SPDX-License-Identifier: ISC
/*
 * backend.c: which backend these bindings are for (built twice, with
 * -DNABLA_BINDINGS_SYSCALL for the syscall twin), and a note saying so in
 * the unikernel, which nabla-run reads to pick the backend, or to refuse a
 * --backend the bindings cannot serve. The note: name "nabla", type
 * NABLA_BACKEND_NOTE_TYPE, a 4-byte enum nabla_backend_kind.
 */
#include "bindings.h"

#ifdef NABLA_BINDINGS_SYSCALL
#define BACKEND		NABLA_BACKEND_SYSCALL
#define OPS		nabla_sys_ops
#else
#define BACKEND		NABLA_BACKEND_DEV
#define OPS		nabla_dev_ops
#endif

const enum nabla_backend_kind bindings_backend = BACKEND;
const struct nabla_ops *const bindings_ops = &OPS;

static const struct {
	uint32_t n_namesz;
	uint32_t n_descsz;
	uint32_t n_type;
	char n_name[8];
	uint32_t backend;
} backend_note __attribute__((section(".note.nabla.backend"), used,
			      aligned(4))) = {
	.n_namesz = sizeof(NABLA_BACKEND_NOTE_NAME),
	.n_descsz = 4,
	.n_type = NABLA_BACKEND_NOTE_TYPE,
	.n_name = NABLA_BACKEND_NOTE_NAME,
	.backend = BACKEND,
};

/*
 * A PT_INTERP that cannot exist: the host kernel refuses to exec the
 * unikernel itself (ENOENT) rather than run it as a Linux program.
 */
static const char interp[] __attribute__((section(".interp"), used)) =
	"/nonexistent/nabla-run/";
