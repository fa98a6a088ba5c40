// SPDX-License-Identifier: ISC
/*
 * dev_setup.c: start-up of the dev backend. Open /dev/nabla, check that
 * the module speaks our ABI, attach every device, register the heap and
 * .data/.bss (block transfers from them need no pinning per call), and
 * allow exactly the hypercall ioctls on this one fd (and refuse, rather
 * than kill, the vDSO's clock fallback: see vdso_clock_setup()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "raw.h"

#define NABLA_DEV_PATH	"/dev/nabla"

const char *nabla_dev_missing_hint = "--backend=syscall runs without it";
/* The module has NABLA_REGISTER_MEMORY (not needed: modules before it work). */
static bool can_register;

/* The commands the confined application may make: the hypercalls only. */
static const unsigned long hypercalls[] = {
	NABLA_CLOCK_MONOTONIC,
	NABLA_CLOCK_WALL,
	NABLA_CONSOLE_WRITE,
	NABLA_YIELD,
	NABLA_NET_WRITE,
	NABLA_NET_READ,
	NABLA_NET_INFO,
	NABLA_BLOCK_WRITE,
	NABLA_BLOCK_READ,
	NABLA_BLOCK_INFO,
};

static const unsigned long setup_calls[] = {
	NABLA_VERSION,
	NABLA_ATTACH_NET,
	NABLA_ATTACH_BLOCK,
	NABLA_SEAL,
};

static int check_version(int fd)
{
	struct nabla_version v;
	uint64_t need = 0;
	size_t i;

	memset(&v, 0, sizeof(v));
	if (ioctl(fd, NABLA_VERSION, &v)) {
		nabla_err("%s: NABLA_VERSION: %s", NABLA_DEV_PATH,
			  strerror(errno));
		return -1;
	}
	if (v.out_api_version != NABLA_API_VERSION) {
		nabla_err("%s speaks nabla API %u, libnabla needs %d",
			  NABLA_DEV_PATH, v.out_api_version, NABLA_API_VERSION);
		return -1;
	}
	for (i = 0; i < sizeof(hypercalls) / sizeof(hypercalls[0]); i++)
		need |= 1ULL << _IOC_NR(hypercalls[i]);
	for (i = 0; i < sizeof(setup_calls) / sizeof(setup_calls[0]); i++)
		need |= 1ULL << _IOC_NR(setup_calls[i]);
	can_register = v.out_commands & (1ULL << _IOC_NR(NABLA_REGISTER_MEMORY));
	if ((v.out_commands & need) != need) {
		nabla_err("%s lacks commands libnabla needs (has %#llx, needs %#llx)",
			  NABLA_DEV_PATH, (unsigned long long)v.out_commands,
			  (unsigned long long)need);
		return -1;
	}
	return 0;
}

/*
 * The clocks through the vDSO (dev_ops.c): a function call instead of a
 * hypercall, reading the kernel's own CLOCK_MONOTONIC and CLOCK_REALTIME
 * as the module does.
 *
 * Whether the vDSO enters the kernel is up to the clocksource, which can
 * change at any time (the TSC found unstable, an administrator's choice),
 * so it is not decided here: the filter refuses clock_gettime of exactly
 * these two clocks with ENOSYS (dev_rules), a refused fallback is seen as
 * an error, and the process reads the module's clock from then on. Allowing
 * the system call instead would open the kernel's clock code to the
 * application; killing would end it when the clocksource changed. Here
 * the vDSO is only checked to exist and to answer for both clocks.
 */
static void vdso_clock_setup(void)
{
	nabla_vdso_gettime_fn vdso = nabla_vdso_sym("__vdso_clock_gettime");
	struct __kernel_timespec ts;

	if (vdso && !vdso(CLOCK_MONOTONIC, &ts) && !vdso(CLOCK_REALTIME, &ts))
		nabla_dev.vdso_gettime = vdso;
}

static int dev_open(const struct nabla_config *cfg)
{
	int fd;

	(void)cfg;
	fd = open(NABLA_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			nabla_err("%s is missing (nabla module not loaded?); "
				  "%s", NABLA_DEV_PATH, nabla_dev_missing_hint);
		else
			nabla_err("cannot open %s: %s; %s", NABLA_DEV_PATH,
				  strerror(errno), nabla_dev_missing_hint);
		return -1;
	}
	if (check_version(fd)) {
		close(fd);
		return -1;
	}
	nabla_dev.fd = fd;
	vdso_clock_setup();
	return 0;
}

/* The module's handle becomes the Solo5 handle: it must be new and small. */
static struct nabla_device *claim_handle(const char *name, uint32_t handle)
{
	if (handle >= NABLA_MAX_DEVICES ||
	    nabla_devices[handle].type != NABLA_DEV_FREE) {
		nabla_err("device '%s': the module returned a bad handle %u",
			  name, handle);
		return NULL;
	}
	return &nabla_devices[handle];
}

static const char *attach_net_why(int err)
{
	switch (err) {
	case ENODEV:
		return "no such interface";
	case EBUSY:
		return "interface in use (by another nabla context, a bridge, "
		       "bond or macvlan)";
	case EPERM:
		return "not permitted (needs CAP_NET_ADMIN)";
	default:
		return strerror(err);
	}
}

static int attach_net(const struct nabla_net_arg *net)
{
	struct nabla_attach_net a;
	struct nabla_device *d;

	memset(&a, 0, sizeof(a));
	strcpy(a.ifname, net->ifname);
	strcpy(a.name, net->name);
	if (net->has_mac) {
		a.flags = NABLA_NET_F_MAC;
		memcpy(a.mac, net->mac, sizeof(a.mac));
	}
	if (ioctl(nabla_dev.fd, NABLA_ATTACH_NET, &a)) {
		nabla_err("net device '%s' on interface '%s': %s", net->name,
			  net->ifname, attach_net_why(errno));
		return -1;
	}
	d = claim_handle(net->name, a.out_handle);
	if (!d)
		return -1;
	d->type = NABLA_DEV_NET;
	strcpy(d->name, net->name);
	d->fd = -1;
	memcpy(d->mac, a.out_mac, sizeof(d->mac));
	d->mtu = a.out_mtu;
	return 0;
}

static const char *attach_block_why(int err, const struct nabla_block_arg *blk)
{
	switch (err) {
	case ENOTBLK:
		return "neither a block device nor a regular file";
	case EINVAL:
		if (blk->block_size != NABLA_BLOCK_SIZE)
			return "the module refused its sector size (a module "
			       "without --block-sector-size support?)";
		return strerror(err);
	default:
		return strerror(err);
	}
}

static int attach_block(const struct nabla_block_arg *blk)
{
	struct nabla_attach_block a;
	struct nabla_device *d;

	memset(&a, 0, sizeof(a));
	a.fd = blk->fd;
	strcpy(a.name, blk->name);
	/* The module's default is NABLA_BLOCK_SIZE: ask only for another. */
	if (blk->block_size != NABLA_BLOCK_SIZE) {
		a.flags = NABLA_BLOCK_ATTACH_F_BLOCK_SIZE;
		a.block_size = blk->block_size;
	}
	if (ioctl(nabla_dev.fd, NABLA_ATTACH_BLOCK, &a)) {
		nabla_err("block device '%s' on '%s': %s", blk->name, blk->path,
			  attach_block_why(errno, blk));
		return -1;
	}
	d = claim_handle(blk->name, a.out_handle);
	if (!d)
		return -1;
	if (a.out_block_size != blk->block_size) {
		nabla_err("block device '%s': the module gave %u-byte sectors, "
			  "not %u", blk->name, a.out_block_size, blk->block_size);
		return -1;
	}
	d->type = NABLA_DEV_BLOCK;
	strcpy(d->name, blk->name);
	d->fd = -1;
	d->capacity = a.out_capacity;
	d->block_size = a.out_block_size;
	d->rdonly = a.out_flags & NABLA_BLOCK_F_RDONLY;
	/* The context holds its own reference to the file. */
	close(blk->fd);
	return 0;
}

static int dev_attach(const struct nabla_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nnet; i++)
		if (attach_net(&cfg->net[i]))
			return -1;
	for (i = 0; i < cfg->nblock; i++)
		if (attach_block(&cfg->block[i]))
			return -1;
	return 0;
}

/*
 * Register [start, end) with the module, so that block transfers from it
 * are not pinned per call. Beyond the memory lock limit (ENOMEM) they are
 * pinned per call instead, as they are from any other memory: no error.
 */
static void register_region(uintptr_t start, uintptr_t end)
{
	struct nabla_register_memory r;

	if (start >= end || end - start > NABLA_REGISTER_MAX)
		return;
	memset(&r, 0, sizeof(r));
	r.addr = start;
	r.len = end - start;
	if (ioctl(nabla_dev.fd, NABLA_REGISTER_MEMORY, &r)) {
		if (errno != ENOMEM)
			nabla_err("warning: cannot register %#lx-%#lx with %s: %s",
				  (unsigned long)start, (unsigned long)end,
				  NABLA_DEV_PATH, strerror(errno));
		return;
	}
	nabla_dev.regions[nabla_dev.nregions].start = start;
	nabla_dev.regions[nabla_dev.nregions].end = end;
	nabla_dev.nregions++;
}

/*
 * The main program's writable segment without its RELRO part (read-only
 * by now): .data and .bss, page aligned. dl_iterate_phdr() reports the
 * main program first.
 */
static int find_data(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t *range = arg, page = sysconf(_SC_PAGESIZE), lo, hi;
	uintptr_t relro_end = 0;
	const ElfW(Phdr) *ph;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_GNU_RELRO)
			relro_end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	for (i = 0; i < info->dlpi_phnum; i++) {
		ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		lo = info->dlpi_addr + ph->p_vaddr;
		hi = lo + ph->p_memsz;
		if (lo < relro_end)
			lo = relro_end;
		range[0] = (lo + page - 1) & ~(page - 1);
		range[1] = (hi + page - 1) & ~(page - 1);
	}
	return 1;
}

void nabla_data_range(uintptr_t *start, uintptr_t *end)
{
	uintptr_t data[2] = { 0, 0 };

	dl_iterate_phdr(find_data, data);
	*start = data[0];
	*end = data[1];
}

static void dev_memory(uintptr_t start, uintptr_t end)
{
	if (can_register && nabla_dev.nregions < NABLA_MAX_REGIONS)
		register_region(start, end);
}

/*
 * ioctl(nabla_dev.fd, cmd) for each hypercall. The command is compared on
 * its low 32 bits: the kernel takes it as an unsigned int, and _IOW/_IOR
 * numbers have bit 31 set, so a caller may pass it sign-extended.
 */
static int dev_rules(void *ctx)
{
	static const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME };
	size_t i;
	int rc;

	/* The vDSO's fallback, refused without running it (see above). */
	for (i = 0; nabla_dev.vdso_gettime && i < 2; i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				      SCMP_SYS(clock_gettime), 1,
				      SCMP_A0(SCMP_CMP_EQ, clocks[i]));
		if (rc) {
			nabla_err("seccomp_rule_add(clock_gettime): %s",
				  strerror(-rc));
			return -1;
		}
	}

	for (i = 0; i < sizeof(hypercalls) / sizeof(hypercalls[0]); i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
				      SCMP_A0(SCMP_CMP_EQ, nabla_dev.fd),
				      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
					      hypercalls[i] & 0xffffffffUL));
		if (rc) {
			nabla_err("seccomp_rule_add(ioctl %#lx): %s",
				  hypercalls[i], strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* Confined phase: raw ioctl. */
static long dev_seal(void)
{
	struct nabla_seal seal;

	memset(&seal, 0, sizeof(seal));
	return nabla_raw3(__NR_ioctl, nabla_dev.fd, NABLA_SEAL, (long)&seal);
}

const struct nabla_setup nabla_dev_setup = {
	.open = dev_open,
	.attach = dev_attach,
	.memory = dev_memory,
	.rules = dev_rules,
	.seal = dev_seal,
};
