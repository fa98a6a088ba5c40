// SPDX-License-Identifier: ISC
/*
 * start.c: the unikernel's entry point. nabla-run jumps here with the
 * address of its boot information (nabla_abi.h) in %rdi, a stack at the
 * top of the heap, and %fs at 0: thread-local storage faults until the
 * application calls solo5_set_tls_base().
 */
#include "bindings.h"

/*
 * The stack protector's canary, for code built with
 * -mstack-protector-guard=global (Solo5's x86_64 flags). Until _start sets
 * it, it holds a value that makes a missed initialisation recognisable.
 */
uintptr_t __stack_chk_guard = 0x00deadbeef0d0a00ULL;

static const char *const backend_names[] = {
	[NABLA_BACKEND_DEV] = "dev",
	[NABLA_BACKEND_SYSCALL] = "syscall",
};

static __attribute__((noreturn)) void fatal(const char *msg)
{
	log_str(LOG_ERROR, "Solo5: ABORT: ");
	log_str(LOG_ERROR, msg);
	log_str(LOG_ERROR, "\n");
	nabla_raw_exit_group(SOLO5_EXIT_ABORT);
}

/* The state the confined API code reads, from the tender's copy. */
static void state_init(const struct nabla_boot_info *bi)
{
	nabla_dev = bi->dev;
	nabla_sys = bi->sys;
	__builtin_memcpy(nabla_devices, bi->devices, sizeof(nabla_devices));
	nabla_ops = bindings_ops;
}

/*
 * TLS variant II, as the static linker laid it out: the data end at tp,
 * at roundup(size, alignment) below it.
 */
static void tls_init(const struct nabla_boot_info *bi)
{
	size_t align = (size_t)_tls_align ? (size_t)_tls_align : 1;
	size_t memsz = (size_t)_tls_memsz;

	nabla_tls.image = (uintptr_t)_tdata_start;
	nabla_tls.filesz = (size_t)_tdata_size;
	nabla_tls.memsz = memsz;
	nabla_tls.offset = (memsz + align - 1) & ~(align - 1);
	nabla_tls.align = align > NABLA_TLS_TCB_ALIGN ? align :
			  NABLA_TLS_TCB_ALIGN;
	nabla_tls.stack_guard = __stack_chk_guard;
	nabla_tls.fsgsbase = bi->flags & NABLA_BOOT_F_FSGSBASE;
	nabla_tls.arch_prctl = bi->flags & NABLA_BOOT_F_ARCH_PRCTL;
}

static void log_range(const char *what, uint64_t start, uint64_t end)
{
	log_str(LOG_INFO, what);
	log_str(LOG_INFO, " @ (");
	log_hex(LOG_INFO, start);
	log_str(LOG_INFO, " - ");
	log_hex(LOG_INFO, end - 1);
	log_str(LOG_INFO, ")\n");
}

static void banner(const struct nabla_boot_info *bi)
{
	log_str(LOG_INFO, "Solo5: Bindings version v" NABLA_BINDINGS_VERSION
		" (nabla, ");
	log_str(LOG_INFO, backend_names[bindings_backend]);
	log_str(LOG_INFO, " backend)\nSolo5: Memory map: ");
	log_dec(LOG_INFO, bi->mem_size >> 20);
	log_str(LOG_INFO, " MB addressable:\n");
	log_range("Solo5:   reserved", 0, bi->image_start);
	log_range("Solo5:       text", (uintptr_t)_stext, (uintptr_t)_etext);
	log_range("Solo5:     rodata", (uintptr_t)_etext, (uintptr_t)_erodata);
	log_range("Solo5:       data", (uintptr_t)_erodata, bi->image_end);
	log_str(LOG_INFO, "Solo5:       heap >= ");
	log_hex(LOG_INFO, bi->heap_start);
	log_str(LOG_INFO, " < stack < ");
	log_hex(LOG_INFO, bi->heap_start + bi->heap_size);
	log_str(LOG_INFO, "\n");
}

void _start(const struct nabla_boot_info *bi) __attribute__((noreturn));

void _start(const struct nabla_boot_info *bi)
{
	static struct solo5_start_info si;

	/* A zero byte first: a string overrun cannot reproduce the canary. */
	__stack_chk_guard = bi->ssp_seed & ~0xffULL;
	if (bi->version != NABLA_BOOT_ABI_VERSION)
		fatal("nabla-run and these bindings differ in version");
	if (bi->backend != bindings_backend)
		fatal("nabla-run chose another backend than these bindings'");
	state_init(bi);
	tls_init(bi);
	si.cmdline = cmdline_parse(bi->cmdline);
	si.heap_start = bi->heap_start;
	si.heap_size = bi->heap_size;
	banner(bi);
	solo5_exit(solo5_app_main(&si));
}
