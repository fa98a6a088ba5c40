// SPDX-License-Identifier: ISC
/*
 * args.c: the command line of libnabla and of nabla-run, in the style of
 * Solo5's tenders.
 *
 *   PROG [--net:NAME=IFACE]... [--net-mac:NAME=MAC]... [--block:NAME=PATH]...
 *        [--block-direct:NAME=PATH]... [--block-sector-size:NAME=N]...
 *        [--mem=MiB] [--backend=dev|syscall] [--] [ARG]...
 *
 * Everything is checked before anything is attached: a bad argument is one
 * line on stderr (libnabla then exits with status 2, nabla-run with 1).
 * Block files are opened here, so that a missing file is an argument error
 * too.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* The device and memory options, for libnabla's --help and nabla-run's. */
void nabla_usage_devices(void)
{
	printf("  --net:NAME=IFACE      net device NAME on host interface IFACE\n"
	       "                        (dev backend: any interface, e.g. a veth;\n"
	       "                        syscall backend: an existing tap interface)\n"
	       "  --net-mac:NAME=MAC    guest MAC address of net device NAME\n"
	       "                        (default: random, locally administered)\n"
	       "  --block:NAME=PATH     block device NAME on the file or block device PATH\n"
	       "  --block-direct:NAME=PATH\n"
	       "                        block device NAME on the block device PATH, opened\n"
	       "                        O_DIRECT: no page cache with either backend\n"
	       "  --block-sector-size:NAME=N\n"
	       "                        the sector size of block device NAME: a power of\n"
	       "                        two from %d to %u (default %d); the size of PATH\n"
	       "                        must be a multiple of it\n"
	       "  --backend=dev|syscall dev: hypercalls on /dev/nabla (default);\n"
	       "                        syscall: plain system calls, as Solo5 spt\n",
	       NABLA_BLOCK_SIZE, NABLA_BLOCK_MAX_IO, NABLA_BLOCK_SIZE);
}

void nabla_usage(const char *prog)
{
	printf("usage: %s [OPTION]... [-- ARG...]\n"
	       "Run this Solo5 application under libnabla %s.\n"
	       "\n", prog, LIBNABLA_VERSION);
	nabla_usage_devices();
	printf("  --mem=MiB             heap size in MiB (default %d)\n"
	       "  --help                print this help and exit\n"
	       "  --version             print the version and exit\n"
	       "  --                    what follows is the application's command line\n"
	       "\n"
	       "Exit status: the application's; 255 when it aborts; 2 when libnabla\n"
	       "cannot start it. A process killed for a forbidden system call ends\n"
	       "with SIGSYS.\n", NABLA_DEFAULT_MEM_MIB);
}

/* Solo5 manifest names: 1-67 of [A-Za-z0-9_-]. */
static int check_name(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len >= NABLA_NAME_SIZE)
		return -1;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '-')
			return -1;
	return 0;
}

/* As the kernel's dev_valid_name(). */
static int check_ifname(const char *ifname)
{
	size_t len = strlen(ifname);
	size_t i;

	if (len == 0 || len >= NABLA_IFNAME_SIZE)
		return -1;
	if (!strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return -1;
	for (i = 0; i < len; i++)
		if (ifname[i] == '/' || ifname[i] == ':' ||
		    isspace((unsigned char)ifname[i]))
			return -1;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[3 * i]) ||
		    !isxdigit((unsigned char)s[3 * i + 1]))
			return -1;
		mac[i] = b[i];
	}
	/* A guest address must be unicast and not all zero. */
	if (mac[0] & 1)
		return -1;
	for (i = 0; i < 6; i++)
		if (mac[i])
			return 0;
	return -1;
}

/*
 * Split "--KIND:NAME=VALUE" (opt points after the colon) into a checked
 * name and the value.
 */
static int split_device(const char *arg, const char *opt, const char *what,
			char *name, const char **value)
{
	const char *eq = strchr(opt, '=');

	if (!eq || eq == opt || eq[1] == '\0') {
		nabla_err("malformed '%s': expected %.*sNAME=%s", arg,
			  (int)(opt - arg), arg, what);
		return -1;
	}
	if (check_name(opt, eq - opt)) {
		nabla_err("bad device name in '%s': 1 to %d of A-Z a-z 0-9 _ -",
			  arg, NABLA_NAME_SIZE - 1);
		return -1;
	}
	memcpy(name, opt, eq - opt);
	name[eq - opt] = '\0';
	*value = eq + 1;
	return 0;
}

enum nabla_dev_type nabla_config_device(const struct nabla_config *cfg,
					const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->nnet; i++)
		if (!strcmp(cfg->net[i].name, name))
			return NABLA_DEV_NET;
	for (i = 0; i < cfg->nblock; i++)
		if (!strcmp(cfg->block[i].name, name))
			return NABLA_DEV_BLOCK;
	return NABLA_DEV_FREE;
}

const struct nabla_setup *nabla_select_backend(const struct nabla_config *cfg)
{
	if (cfg->backend == NABLA_BACKEND_DEV) {
		nabla_ops = &nabla_dev_ops;
		return &nabla_dev_setup;
	}
	nabla_ops = &nabla_sys_ops;
	return &nabla_sys_setup;
}

static int add_device_check(const struct nabla_config *cfg, const char *arg,
			    const char *name)
{
	if (nabla_config_device(cfg, name) != NABLA_DEV_FREE) {
		nabla_err("device name '%s' given twice ('%s')", name, arg);
		return -1;
	}
	if (cfg->nnet + cfg->nblock >= NABLA_MAX_DEVICES) {
		nabla_err("too many devices ('%s'): at most %d", arg,
			  NABLA_MAX_DEVICES);
		return -1;
	}
	return 0;
}

static int add_net(struct nabla_config *cfg, const char *arg)
{
	struct nabla_net_arg *net = &cfg->net[cfg->nnet];
	const char *ifname;
	unsigned int i;

	memset(net, 0, sizeof(*net));
	if (split_device(arg, arg + strlen("--net:"), "IFACE", net->name,
			 &ifname))
		return -1;
	if (add_device_check(cfg, arg, net->name))
		return -1;
	if (check_ifname(ifname)) {
		nabla_err("bad interface name in '%s'", arg);
		return -1;
	}
	for (i = 0; i < cfg->nnet; i++) {
		if (!strcmp(cfg->net[i].ifname, ifname)) {
			nabla_err("interface '%s' given twice ('%s')", ifname,
				  arg);
			return -1;
		}
	}
	strcpy(net->ifname, ifname);
	cfg->nnet++;
	return 0;
}

/*
 * --net-mac: and --block-sector-size: name a device given earlier or later:
 * they are kept and applied by nabla_args_finish().
 */
static int add_dev_option(struct nabla_dev_option *opts, unsigned int *n,
			  const char *arg, const char *prefix, const char *what,
			  const char **value)
{
	struct nabla_dev_option *o = &opts[*n];

	if (*n == NABLA_MAX_DEVICES) {
		nabla_err("too many %.*s options", (int)strlen(prefix) - 1,
			  prefix);
		return -1;
	}
	memset(o, 0, sizeof(*o));
	o->arg = arg;
	if (split_device(arg, arg + strlen(prefix), what, o->name, value))
		return -1;
	(*n)++;
	return 0;
}

static int parse_net_mac(struct nabla_args *st, const char *arg)
{
	const char *value;

	if (add_dev_option(st->macs, &st->nmacs, arg, "--net-mac:", "MAC",
			   &value))
		return -1;
	if (parse_mac(value, st->macs[st->nmacs - 1].mac)) {
		nabla_err("bad MAC address in '%s': expected a unicast "
			  "xx:xx:xx:xx:xx:xx", arg);
		return -1;
	}
	return 0;
}

/* Solo5's rule (0.7.4 and later): a power of two, at least 512. */
static int parse_sector_size(struct nabla_args *st, const char *arg)
{
	unsigned long long v;
	const char *value;
	char *end;

	if (add_dev_option(st->sizes, &st->nsizes, arg, "--block-sector-size:",
			   "N", &value))
		return -1;
	errno = 0;
	v = strtoull(value, &end, 10);
	if (!isdigit((unsigned char)*value) || *end != '\0' || errno ||
	    v < NABLA_BLOCK_SIZE || v > NABLA_BLOCK_MAX_IO || (v & (v - 1))) {
		nabla_err("bad sector size in '%s': a power of two from %d to %u",
			  arg, NABLA_BLOCK_SIZE, NABLA_BLOCK_MAX_IO);
		return -1;
	}
	st->sizes[st->nsizes - 1].block_size = v;
	return 0;
}

static int apply_macs(struct nabla_config *cfg, const struct nabla_args *st)
{
	unsigned int i, j;

	for (i = 0; i < st->nmacs; i++) {
		const struct nabla_dev_option *m = &st->macs[i];

		for (j = 0; j < cfg->nnet; j++)
			if (!strcmp(cfg->net[j].name, m->name))
				break;
		if (j == cfg->nnet) {
			nabla_err("'%s': no --net:%s= device", m->arg, m->name);
			return -1;
		}
		if (cfg->net[j].has_mac) {
			nabla_err("MAC of '%s' given twice ('%s')", m->name,
				  m->arg);
			return -1;
		}
		cfg->net[j].has_mac = true;
		memcpy(cfg->net[j].mac, m->mac, 6);
	}
	return 0;
}

static int apply_sizes(struct nabla_config *cfg, const struct nabla_args *st)
{
	unsigned int i, j;

	for (i = 0; i < st->nsizes; i++) {
		const struct nabla_dev_option *s = &st->sizes[i];

		for (j = 0; j < cfg->nblock; j++)
			if (!strcmp(cfg->block[j].name, s->name))
				break;
		if (j == cfg->nblock) {
			nabla_err("'%s': no --block:%s= device", s->arg, s->name);
			return -1;
		}
		if (cfg->block[j].block_size) {
			nabla_err("sector size of '%s' given twice ('%s')",
				  s->name, s->arg);
			return -1;
		}
		cfg->block[j].block_size = s->block_size;
	}
	for (j = 0; j < cfg->nblock; j++)
		if (!cfg->block[j].block_size)
			cfg->block[j].block_size = NABLA_BLOCK_SIZE;
	return 0;
}

static int add_block(struct nabla_config *cfg, const char *arg, bool direct)
{
	struct nabla_block_arg *blk = &cfg->block[cfg->nblock];

	memset(blk, 0, sizeof(*blk));
	blk->fd = -1;
	blk->direct = direct;
	if (split_device(arg, strchr(arg, ':') + 1, "PATH", blk->name,
			 &blk->path))
		return -1;
	if (add_device_check(cfg, arg, blk->name))
		return -1;
	cfg->nblock++;
	return 0;
}

/*
 * A block device's logical blocks must not be larger than the sector size
 * where the I/O goes to the device itself: the dev backend's bios, and
 * O_DIRECT (--block-direct) with either backend.
 */
static int check_logical_blocks(const struct nabla_config *cfg,
				const struct nabla_block_arg *blk)
{
	int lbs;

	if (cfg->backend != NABLA_BACKEND_DEV && !blk->direct)
		return 0;
	if (ioctl(blk->fd, BLKSSZGET, &lbs)) {
		nabla_err("block device '%s': BLKSSZGET on '%s': %s", blk->name,
			  blk->path, strerror(errno));
		return -1;
	}
	if ((uint32_t)lbs > blk->block_size) {
		nabla_err("block device '%s': '%s' has %d-byte logical blocks, "
			  "more than its %u-byte sectors: give "
			  "--block-sector-size:%s=%d (or more)", blk->name,
			  blk->path, lbs, blk->block_size, blk->name, lbs);
		return -1;
	}
	return 0;
}

/* --block-direct: a block device, opened O_DIRECT. */
static int set_direct(const struct nabla_block_arg *blk, const struct stat *st)
{
	if (!S_ISBLK(st->st_mode)) {
		nabla_err("block device '%s': --block-direct needs a block "
			  "device, '%s' is not one (use --block:)", blk->name,
			  blk->path);
		return -1;
	}
	/* Set only now: a file system may refuse O_DIRECT at open. */
	if (fcntl(blk->fd, F_SETFL, O_DIRECT)) {
		nabla_err("block device '%s': O_DIRECT on '%s': %s", blk->name,
			  blk->path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * As Solo5's tenders (0.7.4 and later): the backing file or device must
 * hold whole sectors, rather than lose its tail without a word.
 */
static int check_size(const struct nabla_block_arg *blk)
{
	off_t size = lseek(blk->fd, 0, SEEK_END);

	if (size < 0) {
		nabla_err("block device '%s': cannot find the size of '%s': %s",
			  blk->name, blk->path, strerror(errno));
		return -1;
	}
	if (size % blk->block_size) {
		nabla_err("block device '%s': the size of '%s' (%lld bytes) is "
			  "not a multiple of its sector size (%u bytes)",
			  blk->name, blk->path, (long long)size,
			  blk->block_size);
		return -1;
	}
	return 0;
}

/*
 * Open every block file read/write, or read-only where writing is not
 * allowed (then writes fail with SOLO5_R_EUNSPEC). Only regular files and
 * block devices, as the module takes; O_DIRECT for --block-direct.
 */
static int open_block(const struct nabla_config *cfg,
		      struct nabla_block_arg *blk)
{
	struct stat st;

	blk->fd = open(blk->path, O_RDWR | O_CLOEXEC);
	if (blk->fd < 0 && (errno == EACCES || errno == EROFS)) {
		blk->fd = open(blk->path, O_RDONLY | O_CLOEXEC);
		blk->rdonly = true;
	}
	if (blk->fd < 0) {
		nabla_err("block device '%s': cannot open '%s': %s", blk->name,
			  blk->path, strerror(errno));
		return -1;
	}
	if (fstat(blk->fd, &st)) {
		nabla_err("block device '%s': cannot stat '%s': %s", blk->name,
			  blk->path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		nabla_err("block device '%s': '%s' is neither a regular file "
			  "nor a block device", blk->name, blk->path);
		return -1;
	}
	if (S_ISBLK(st.st_mode) && check_logical_blocks(cfg, blk))
		return -1;
	if (blk->direct && set_direct(blk, &st))
		return -1;
	return check_size(blk);
}

static int parse_mem(const char *arg, size_t *mib)
{
	const char *s = arg + strlen("--mem=");
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end != '\0' || errno ||
	    v == 0 || v > NABLA_MAX_MEM_MIB) {
		nabla_err("bad '%s': expected MiB from 1 to %d", arg,
			  NABLA_MAX_MEM_MIB);
		return -1;
	}
	*mib = v;
	return 0;
}

static int parse_backend(const char *arg, enum nabla_backend_kind *kind)
{
	const char *s = arg + strlen("--backend=");

	if (!strcmp(s, "dev")) {
		*kind = NABLA_BACKEND_DEV;
	} else if (!strcmp(s, "syscall")) {
		*kind = NABLA_BACKEND_SYSCALL;
	} else {
		nabla_err("bad '%s': expected --backend=dev or --backend=syscall",
			  arg);
		return -1;
	}
	return 0;
}

/* The application's command line: its arguments joined by single spaces. */
int nabla_join_cmdline(struct nabla_config *cfg, int argc, char **argv)
{
	size_t len = 1;
	char *p;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	cfg->cmdline = malloc(len);
	if (!cfg->cmdline) {
		nabla_err("out of memory");
		return -1;
	}
	p = cfg->cmdline;
	*p = '\0';
	for (i = 0; i < argc; i++) {
		if (i)
			*p++ = ' ';
		p = stpcpy(p, argv[i]);
	}
	return 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

void nabla_args_init(struct nabla_config *cfg, struct nabla_args *st,
		     size_t default_mem_mib)
{
	memset(st, 0, sizeof(*st));
	cfg->backend = NABLA_BACKEND_DEV;
	cfg->mem_mib = default_mem_mib;
}

static int once(bool *seen, const char *arg)
{
	if (*seen) {
		nabla_err("'%.*s' given twice ('%s')",
			  (int)(strchr(arg, '=') - arg), arg, arg);
		return -1;
	}
	*seen = true;
	return 0;
}

int nabla_parse_option(struct nabla_config *cfg, struct nabla_args *st,
		       const char *arg)
{
	if (has_prefix(arg, "--net:"))
		return add_net(cfg, arg);
	if (has_prefix(arg, "--net-mac:"))
		return parse_net_mac(st, arg);
	if (has_prefix(arg, "--block:"))
		return add_block(cfg, arg, false);
	if (has_prefix(arg, "--block-direct:"))
		return add_block(cfg, arg, true);
	if (has_prefix(arg, "--block-sector-size:"))
		return parse_sector_size(st, arg);
	if (has_prefix(arg, "--mem="))
		return once(&st->have_mem, arg) ? -1 :
		       parse_mem(arg, &cfg->mem_mib);
	if (has_prefix(arg, "--backend="))
		return once(&st->have_backend, arg) ? -1 :
		       parse_backend(arg, &cfg->backend);
	return 1;
}

int nabla_args_finish(struct nabla_config *cfg, struct nabla_args *st)
{
	unsigned int i;

	if (apply_macs(cfg, st) || apply_sizes(cfg, st))
		return -1;
	for (i = 0; i < cfg->nblock; i++)
		if (open_block(cfg, &cfg->block[i]))
			return -1;
	return 0;
}

/*
 * libnabla's command line: PROG [OPTION]... [-- ARG...]. Returns 0 with
 * @cfg filled in, 1 when --help or --version was handled, -1 after an
 * error was printed.
 */
int nabla_parse_args(struct nabla_config *cfg, int argc, char **argv)
{
	struct nabla_args st;
	int i, rc;

	nabla_args_init(cfg, &st, NABLA_DEFAULT_MEM_MIB);
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--")) {
			i++;
			break;
		} else if (!strcmp(arg, "--help")) {
			nabla_usage(cfg->prog);
			return 1;
		} else if (!strcmp(arg, "--version")) {
			printf("libnabla %s (nabla API %d)\n", LIBNABLA_VERSION,
			       NABLA_API_VERSION);
			return 1;
		}
		rc = nabla_parse_option(cfg, &st, arg);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		if (arg[0] == '-')
			nabla_err("unknown option '%s' (see --help)", arg);
		else
			nabla_err("unexpected argument '%s': the application's "
				  "arguments go after --", arg);
		return -1;
	}
	if (nabla_args_finish(cfg, &st))
		return -1;
	return nabla_join_cmdline(cfg, argc - i, argv + i);
}
