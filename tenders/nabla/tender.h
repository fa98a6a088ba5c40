/* SPDX-License-Identifier: ISC */
/*
 * tender.h: nabla-run's last steps (run.c, launch.S).
 */
#ifndef NABLA_TENDER_H
#define NABLA_TENDER_H

#include <stdint.h>

#include "internal.h"

/*
 * Seal the backend, forbid privilege gain, install the filter, and jump to
 * the unikernel at @entry with the stack at @sp and @bi as its argument.
 * Runs no libc code: after the seal only raw system calls.
 */
void nabla_run(const struct nabla_setup *setup, uint64_t entry, uint64_t sp,
	       const struct nabla_boot_info *bi) __attribute__((noreturn));

/* launch.S */
void nabla_launch(uint64_t entry, uint64_t sp, const void *bi, int fsgsbase)
	__attribute__((noreturn));

#endif /* NABLA_TENDER_H */
