// SPDX-License-Identifier: ISC
/*
 * exit.c: how a unikernel ends, as Solo5's bindings end it: solo5_exit()
 * and solo5_abort() say so at log level INFO; a stack-protector failure
 * always says so, and aborts.
 */
#include "bindings.h"

void solo5_exit(int status)
{
	log_str(LOG_INFO, "Solo5: solo5_exit(");
	log_dec(LOG_INFO, status);
	log_str(LOG_INFO, ") called\n");
	nabla_raw_exit_group(status);
}

void solo5_abort(void)
{
	log_str(LOG_INFO, "Solo5: solo5_abort() called\n");
	nabla_raw_exit_group(SOLO5_EXIT_ABORT);
}

/*
 * Called by the compiler's canary checks. The stack is not to be trusted:
 * one static message, one write, exit.
 */
void __stack_chk_fail(void) __attribute__((noreturn));

void __stack_chk_fail(void)
{
	static const char msg[] = "Solo5: ABORT: Stack corruption detected\n";

	nabla_ops->console_write(msg, sizeof(msg) - 1);
	nabla_raw_exit_group(SOLO5_EXIT_ABORT);
}
