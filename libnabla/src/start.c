// SPDX-License-Identifier: ISC
/*
 * start.c: from main() to solo5_app_main().
 *
 * The order matters. Everything that can fail for a reason the user can fix
 * (arguments, files, the device, interfaces) fails before the seal, with one
 * line on stderr and exit status 2. Everything the confined phase needs
 * (devices, heap, TLS layout, the BPF program) is ready before the seal.
 * From the seal on only raw system calls run, and the last one before the
 * application is seccomp() itself: no allocator, no stdio, no errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "internal.h"
#include "raw.h"

/*
 * How much stack to fault in, so that the confined run does not take page
 * faults for it; capped at a quarter of RLIMIT_STACK.
 */
#define NABLA_STACK_PREFAULT	(512 * 1024)

/* For the few errors between the seal and the app: raw write(2) only. */
static void raw_err(const char *msg)
{
	const char *nabla_prog = nabla_prog_name();

	nabla_raw3(__NR_write, 2, (long)nabla_prog, strlen(nabla_prog));
	nabla_raw3(__NR_write, 2, (long)": ", 2);
	nabla_raw3(__NR_write, 2, (long)msg, strlen(msg));
	nabla_raw3(__NR_write, 2, (long)"\n", 1);
}

static void *reserve_heap(size_t mib)
{
	size_t size = mib << 20;
	void *heap;

	heap = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (heap == MAP_FAILED) {
		nabla_err("cannot reserve a heap of %zu MiB: %s", mib,
			  strerror(errno));
		return NULL;
	}
	return heap;
}

static __attribute__((noinline)) void touch_stack(size_t size)
{
	volatile char *stack = alloca(size);
	size_t i;

	for (i = 0; i < size; i += 4096)
		stack[i] = 0;
}

static void prefault_stack(void)
{
	struct rlimit rl;
	size_t size = NABLA_STACK_PREFAULT;

	if (!getrlimit(RLIMIT_STACK, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < size)
		size = rl.rlim_cur / 4;
	touch_stack(size);
}

/*
 * The confined tail: seal the backend, forbid privilege gain (required for
 * an unprivileged filter, harmless as root), install the filter, run the
 * application. Nothing here may use libc.
 */
static __attribute__((noreturn))
void run_confined(const struct nabla_setup *setup,
		  const struct solo5_start_info *info)
{
	if (setup->seal() < 0) {
		raw_err("sealing the device failed");
		nabla_raw_exit_group(2);
	}
	if (nabla_raw5(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		raw_err("prctl(PR_SET_NO_NEW_PRIVS) failed");
		nabla_raw_exit_group(2);
	}
	if (nabla_filter_install() != 0) {
		raw_err("installing the seccomp filter failed");
		nabla_raw_exit_group(2);
	}
	solo5_exit(solo5_app_main(info));
}

int nabla_start(int argc, char **argv)
{
	static struct nabla_config cfg;
	static struct solo5_start_info info;
	const struct nabla_setup *setup;
	void *heap;
	int rc;

	if (argc > 0)
		nabla_set_prog(argv[0]);
	cfg.prog = nabla_prog_name();
	rc = nabla_parse_args(&cfg, argc, argv);
	if (rc)
		exit(rc > 0 ? 0 : 2);

	setup = nabla_select_backend(&cfg);
	if (setup->open(&cfg) || setup->attach(&cfg))
		exit(2);
	heap = reserve_heap(cfg.mem_mib);
	if (!heap)
		exit(2);
	if (setup->memory) {
		uintptr_t data_start, data_end;

		setup->memory((uintptr_t)heap, (uintptr_t)heap + (cfg.mem_mib << 20));
		nabla_data_range(&data_start, &data_end);
		setup->memory(data_start, data_end);
	}
	if (nabla_tls_prepare() || nabla_filter_build(setup))
		exit(2);
	info.cmdline = cfg.cmdline;
	info.heap_start = (uintptr_t)heap;
	info.heap_size = cfg.mem_mib << 20;
	prefault_stack();
	fflush(NULL);
	run_confined(setup, &info);
}
