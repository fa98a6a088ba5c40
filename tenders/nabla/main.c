// SPDX-License-Identifier: ISC
/*
 * nabla-run: the tender of a freestanding Solo5 unikernel, solo5-spt's
 * place on /dev/nabla.
 *
 *   nabla-run [OPTION]... [--] UNIKERNEL [ARG]...
 *
 * It checks everything it can before it touches anything: the options
 * (libnabla's, args.c), the ELF file (tenders/common/ukelf.c), its
 * manifest against the devices given (each manifest device given, nothing
 * else), the backend its bindings were built for, the block files. Then it
 * maps the unikernel's memory, loads the image, sets up the backend as
 * libnabla does (the same code: open, attach, register memory, the
 * seccomp filter), writes the boot information, and run.c seals, confines
 * and jumps. Any failure before the jump: one line on stderr, exit 1.
 *
 * The unikernel's memory is [0, --mem) of this process (a PIE, mapped far
 * above): nothing below 0x10000, the boot information and command line
 * read-only at 0x10000, the image from 0x100000 with each segment's own
 * protection, then the heap up to the top, where the stack starts.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <seccomp.h>
#include <asm/prctl.h>

#include "internal.h"
#include "mft.h"
#include "tender.h"

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE		(1 << 1)
#endif

/* The unikernel's memory unless --mem says otherwise, in MiB. */
#define DEFAULT_MEM_MIB		64
/* Low memory: the boot information, then the command line. */
#define LOW_BASE		0x10000UL
#define CMDLINE_MAX		8192
/* The least heap (and stack) a unikernel gets. */
#define MIN_HEAP		(128 * 1024)

static void usage(void)
{
	printf("usage: nabla-run [OPTION]... [--] UNIKERNEL [ARG]...\n"
	       "Run the Solo5 unikernel UNIKERNEL (linked with nabla's bindings)\n"
	       "confined to its devices, as solo5-spt does.\n"
	       "\n");
	nabla_usage_devices();
	printf("                        (default: the backend of UNIKERNEL's bindings)\n"
	       "  --mem=MiB             the unikernel's memory in MiB (default %d)\n"
	       "  --help                print this help and exit\n"
	       "  --version             print the version and exit\n"
	       "\n"
	       "Every device of UNIKERNEL's manifest must be given, and no other.\n"
	       "Exit status: the unikernel's; 255 when it aborts; 1 when nabla-run\n"
	       "cannot run it. A unikernel killed for a forbidden system call ends\n"
	       "with SIGSYS, one that faults with SIGSEGV.\n", DEFAULT_MEM_MIB);
}

/* The options, up to UNIKERNEL: its index in argv, or -1 (printed), 0 (done). */
static int parse_options(struct nabla_config *cfg, struct nabla_args *st,
			 int argc, char **argv)
{
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--")) {
			i++;
			break;
		} else if (!strcmp(arg, "--help")) {
			usage();
			return 0;
		} else if (!strcmp(arg, "--version")) {
			printf("nabla-run %s (nabla API %d, boot ABI %d)\n",
			       LIBNABLA_VERSION, NABLA_API_VERSION,
			       NABLA_BOOT_ABI_VERSION);
			return 0;
		} else if (arg[0] != '-') {
			break;
		}
		rc = nabla_parse_option(cfg, st, arg);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			nabla_err("unknown option '%s' (see --help)", arg);
			return -1;
		}
	}
	if (i == argc) {
		nabla_err("no UNIKERNEL to run (see --help)");
		return -1;
	}
	return i;
}

/* The backend the unikernel's bindings were built for (their note). */
static int bindings_backend(const struct elf_file *f, struct nabla_config *cfg,
			    bool chosen)
{
	static const char *const names[] = { "dev", "syscall" };
	uint32_t backend;
	size_t len;
	int rc;

	rc = elf_find_note(f, NABLA_BACKEND_NOTE_NAME, NABLA_BACKEND_NOTE_TYPE,
			   &backend, sizeof(backend), &len);
	if (rc < 0)
		return -1;
	if (rc > 0 || len != sizeof(backend) || backend > NABLA_BACKEND_SYSCALL) {
		nabla_err("%s: not linked with nabla's bindings (no valid "
			  "\"nabla\" backend note): link it with solo5_nabla.o "
			  "or solo5_nabla_syscall.o", f->path);
		return -1;
	}
	if (chosen && cfg->backend != backend) {
		nabla_err("%s: its bindings are the %s backend's (%s), it "
			  "cannot run with --backend=%s", f->path,
			  names[backend], backend == NABLA_BACKEND_DEV ?
			  "solo5_nabla.o" : "solo5_nabla_syscall.o",
			  names[cfg->backend]);
		return -1;
	}
	cfg->backend = backend;
	return 0;
}

/* The manifest type of the device the command line names @name, or 0. */
static mft_type_t given(const struct nabla_config *cfg, const char *name)
{
	switch (nabla_config_device(cfg, name)) {
	case NABLA_DEV_NET:
		return MFT_DEV_NET_BASIC;
	case NABLA_DEV_BLOCK:
		return MFT_DEV_BLOCK_BASIC;
	default:
		return 0;
	}
}

static const char *option_of(mft_type_t type)
{
	return type == MFT_DEV_NET_BASIC ? "--net" : "--block";
}

static int in_manifest(const struct mft *m, const char *name, mft_type_t type,
		       const char *path)
{
	unsigned int i;

	for (i = 1; i < m->entries; i++) {
		if (strcmp(m->e[i].name, name))
			continue;
		if (m->e[i].type == type)
			return 0;
		nabla_err("%s:%s=: '%s' is a %s device in the manifest of %s",
			  option_of(type), name, name,
			  mft_type_name(m->e[i].type), path);
		return -1;
	}
	nabla_err("%s:%s=: no device '%s' in the manifest of %s",
		  option_of(type), name, name, path);
	return -1;
}

/* Solo5's rule: every manifest device is given, and nothing else is. */
static int match_manifest(const struct nabla_config *cfg, const struct mft *m,
			  const char *path)
{
	unsigned int i;

	for (i = 0; i < cfg->nnet; i++)
		if (in_manifest(m, cfg->net[i].name, MFT_DEV_NET_BASIC, path))
			return -1;
	for (i = 0; i < cfg->nblock; i++)
		if (in_manifest(m, cfg->block[i].name, MFT_DEV_BLOCK_BASIC, path))
			return -1;
	for (i = 1; i < m->entries; i++) {
		const struct mft_entry *e = &m->e[i];

		if (given(cfg, e->name) != e->type) {
			nabla_err("%s: its %s device '%s' is not given (use "
				  "%s:%s=%s)", path, mft_type_name(e->type),
				  e->name, option_of(e->type), e->name,
				  e->type == MFT_DEV_NET_BASIC ? "IFACE" : "PATH");
			return -1;
		}
	}
	return 0;
}

/* [0, mem_size) of this process: the unikernel's, populated now. */
static int map_memory(uint64_t mem_size)
{
	void *p;

	p = mmap((void *)LOW_BASE, mem_size - LOW_BASE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
		 MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED || p != (void *)LOW_BASE) {
		nabla_err("cannot map the unikernel's %llu MiB at %#lx: %s",
			  (unsigned long long)(mem_size >> 20), LOW_BASE,
			  p == MAP_FAILED ? strerror(errno) : "mapped elsewhere");
		return -1;
	}
	return 0;
}

/*
 * Offer the writable memory for block transfers (dev backend: registered
 * with the module): the writable segments and the heap, adjacent ones as
 * one range.
 */
static void offer_memory(const struct nabla_setup *setup,
			 const struct elf_file *f, uint64_t heap_start,
			 uint64_t mem_size)
{
	uint64_t start = 0, end = 0;
	unsigned int i;

	if (!setup->memory)
		return;
	for (i = 0; i < f->phnum; i++) {
		const Elf64_Phdr *p = &f->phdr[i];
		uint64_t lo = p->p_vaddr & ~(ELF_PAGE_SIZE - 1);
		uint64_t hi = (p->p_vaddr + p->p_memsz + ELF_PAGE_SIZE - 1) &
			      ~(ELF_PAGE_SIZE - 1);

		if (p->p_type != PT_LOAD || !(p->p_flags & PF_W) || !p->p_memsz)
			continue;
		if (end && lo != end) {
			setup->memory(start, end);
			start = 0;
		}
		if (!start)
			start = lo;
		end = hi;
	}
	if (end && end != heap_start) {
		setup->memory(start, end);
		start = 0;
	}
	setup->memory(start ? start : heap_start, mem_size);
}

/* Without WRFSBASE, %fs is moved with arch_prctl(ARCH_SET_FS), as by spt. */
static int arch_prctl_rule(void *ctx)
{
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(arch_prctl), 1,
				  SCMP_A0(SCMP_CMP_EQ, ARCH_SET_FS));

	if (rc)
		nabla_err("seccomp_rule_add(arch_prctl): %s", strerror(-rc));
	return rc ? -1 : 0;
}

static int boot_info(struct nabla_boot_info *bi, const struct nabla_config *cfg,
		     const struct elf_file *f, uint64_t mem_size)
{
	char *cmdline = (char *)LOW_BASE +
			((sizeof(*bi) + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1));
	size_t len = strlen(cfg->cmdline);

	if (len >= CMDLINE_MAX) {
		nabla_err("the unikernel's command line is too long (%zu "
			  "characters, at most %d)", len, CMDLINE_MAX - 1);
		return -1;
	}
	memcpy(cmdline, cfg->cmdline, len + 1);
	bi->version = NABLA_BOOT_ABI_VERSION;
	bi->backend = cfg->backend;
	if (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE)
		bi->flags |= NABLA_BOOT_F_FSGSBASE;
	else
		bi->flags |= NABLA_BOOT_F_ARCH_PRCTL;
	if (getrandom(&bi->ssp_seed, sizeof(bi->ssp_seed), 0) !=
	    sizeof(bi->ssp_seed)) {
		nabla_err("getrandom: %s", strerror(errno));
		return -1;
	}
	bi->mem_size = mem_size;
	elf_image_range(f, &bi->image_start, &bi->image_end);
	bi->heap_start = bi->image_end;
	bi->heap_size = mem_size - bi->heap_start;
	bi->cmdline = cmdline;
	bi->dev = nabla_dev;
	bi->sys = nabla_sys;
	memcpy(bi->devices, nabla_devices, sizeof(bi->devices));
	return 0;
}

static int check_memory(const struct elf_file *f, uint64_t mem_size)
{
	uint64_t start, end;

	elf_image_range(f, &start, &end);
	if (end > mem_size || mem_size - end < MIN_HEAP) {
		nabla_err("%s needs more than --mem=%llu: its image ends at "
			  "%#llx, and at least %d KiB are kept for its heap "
			  "and stack", f->path,
			  (unsigned long long)(mem_size >> 20),
			  (unsigned long long)end, MIN_HEAP / 1024);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct nabla_config cfg;
	static struct mft_image img;
	struct nabla_boot_info *bi = (void *)LOW_BASE;
	const struct nabla_setup *setup;
	struct nabla_args st;
	struct elf_file f;
	uint64_t mem_size;
	int i;

	nabla_set_prog(argv[0]);
	cfg.prog = "nabla-run";
	nabla_dev_missing_hint = "a unikernel linked with solo5_nabla_syscall.o "
				 "runs without it";
	nabla_args_init(&cfg, &st, DEFAULT_MEM_MIB);
	i = parse_options(&cfg, &st, argc, argv);
	if (i <= 0)
		return i ? 1 : 0;
	if (elf_open(&f, argv[i]) || mft_read(&f, &img) ||
	    bindings_backend(&f, &cfg, st.have_backend) ||
	    match_manifest(&cfg, img.mft, f.path) ||
	    nabla_args_finish(&cfg, &st) ||
	    nabla_join_cmdline(&cfg, argc - i - 1, argv + i + 1))
		return 1;
	mem_size = (uint64_t)cfg.mem_mib << 20;
	if (check_memory(&f, mem_size) || map_memory(mem_size) ||
	    elf_load(&f, mem_size))
		return 1;

	setup = nabla_select_backend(&cfg);
	if (setup->open(&cfg) || setup->attach(&cfg) ||
	    boot_info(bi, &cfg, &f, mem_size))
		return 1;
	offer_memory(setup, &f, bi->heap_start, mem_size);
	bi->dev = nabla_dev;	/* with the registered regions */
	if (bi->flags & NABLA_BOOT_F_ARCH_PRCTL)
		nabla_filter_extra = arch_prctl_rule;
	if (nabla_filter_build(setup))
		return 1;
	elf_close(&f);
	if (mprotect((void *)LOW_BASE, ELF_MIN_LOAD - LOW_BASE, PROT_READ)) {
		nabla_err("mprotect of the boot information: %s",
			  strerror(errno));
		return 1;
	}
	fflush(NULL);
	nabla_run(setup, f.ehdr.e_entry, mem_size - 8, bi);
}
