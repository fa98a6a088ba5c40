// SPDX-License-Identifier: ISC
/*
 * args.c: libnabla's command line, in the style of Solo5's spt tender.
 *
 *   PROG [--net:NAME=IFACE]... [--net-mac:NAME=MAC]... [--block:NAME=PATH]...
 *        [--block-direct:NAME=PATH]... [--mem=MiB] [--backend=dev|syscall]
 *        [--] [ARG]...
 *
 * Everything is checked before anything is attached: a bad argument is one
 * line on stderr and exit status 2. Block files are opened here, so that a
 * missing file is an argument error too.
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

void nabla_usage(const char *prog)
{
	printf("usage: %s [OPTION]... [-- ARG...]\n"
	       "Run this Solo5 application under libnabla %s.\n"
	       "\n"
	       "  --net:NAME=IFACE      net device NAME on host interface IFACE\n"
	       "                        (dev backend: any interface, e.g. a veth;\n"
	       "                        syscall backend: an existing tap interface)\n"
	       "  --net-mac:NAME=MAC    guest MAC address of net device NAME\n"
	       "                        (default: random, locally administered)\n"
	       "  --block:NAME=PATH     block device NAME on the file or block device PATH\n"
	       "  --block-direct:NAME=PATH\n"
	       "                        block device NAME on the block device PATH, opened\n"
	       "                        O_DIRECT: no page cache with either backend\n"
	       "  --mem=MiB             heap size in MiB (default %d)\n"
	       "  --backend=dev|syscall dev: hypercalls on /dev/nabla (default);\n"
	       "                        syscall: plain system calls, as Solo5 spt\n"
	       "  --help                print this help and exit\n"
	       "  --version             print the version and exit\n"
	       "  --                    what follows is the application's command line\n"
	       "\n"
	       "Exit status: the application's; 255 when it aborts; 2 when libnabla\n"
	       "cannot start it. A process killed for a forbidden system call ends\n"
	       "with SIGSYS.\n",
	       prog, LIBNABLA_VERSION, NABLA_DEFAULT_MEM_MIB);
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

static bool name_taken(const struct nabla_config *cfg, const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->nnet; i++)
		if (!strcmp(cfg->net[i].name, name))
			return true;
	for (i = 0; i < cfg->nblock; i++)
		if (!strcmp(cfg->block[i].name, name))
			return true;
	return false;
}

static int add_device_check(const struct nabla_config *cfg, const char *arg,
			    const char *name)
{
	if (name_taken(cfg, name)) {
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

/* --net-mac: refers to a --net: given earlier or later; see check_macs(). */
struct mac_arg {
	const char *arg;
	char name[NABLA_NAME_SIZE];
	uint8_t mac[6];
};

static int parse_net_mac(const char *arg, struct mac_arg *m)
{
	const char *value;

	m->arg = arg;
	if (split_device(arg, arg + strlen("--net-mac:"), "MAC", m->name,
			 &value))
		return -1;
	if (parse_mac(value, m->mac)) {
		nabla_err("bad MAC address in '%s': expected a unicast "
			  "xx:xx:xx:xx:xx:xx", arg);
		return -1;
	}
	return 0;
}

static int apply_macs(struct nabla_config *cfg, struct mac_arg *macs,
		      unsigned int nmacs)
{
	unsigned int i, j;

	for (i = 0; i < nmacs; i++) {
		for (j = 0; j < cfg->nnet; j++)
			if (!strcmp(cfg->net[j].name, macs[i].name))
				break;
		if (j == cfg->nnet) {
			nabla_err("'%s': no --net:%s= device", macs[i].arg,
				  macs[i].name);
			return -1;
		}
		if (cfg->net[j].has_mac) {
			nabla_err("MAC of '%s' given twice ('%s')",
				  macs[i].name, macs[i].arg);
			return -1;
		}
		cfg->net[j].has_mac = true;
		memcpy(cfg->net[j].mac, macs[i].mac, 6);
	}
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
 * --block-direct: O_DIRECT I/O of NABLA_BLOCK_SIZE multiples at such
 * offsets needs a block device whose logical blocks are not larger (the
 * dev backend needs the same of any block device).
 */
static int check_direct(const struct nabla_block_arg *blk,
			const struct stat *st)
{
	int lbs;

	if (!S_ISBLK(st->st_mode)) {
		nabla_err("block device '%s': --block-direct needs a block "
			  "device, '%s' is not one (use --block:)", blk->name,
			  blk->path);
		return -1;
	}
	if (ioctl(blk->fd, BLKSSZGET, &lbs)) {
		nabla_err("block device '%s': BLKSSZGET on '%s': %s", blk->name,
			  blk->path, strerror(errno));
		return -1;
	}
	if (lbs > NABLA_BLOCK_SIZE) {
		nabla_err("block device '%s': '%s' has %d-byte logical blocks, "
			  "more than the %d-byte blocks of the Solo5 API",
			  blk->name, blk->path, lbs, NABLA_BLOCK_SIZE);
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
 * Open every block file read/write, or read-only where writing is not
 * allowed (then writes fail with SOLO5_R_EUNSPEC). Only regular files and
 * block devices, as the module takes; O_DIRECT for --block-direct.
 */
static int open_blocks(struct nabla_config *cfg)
{
	struct stat st;
	unsigned int i;

	for (i = 0; i < cfg->nblock; i++) {
		struct nabla_block_arg *blk = &cfg->block[i];

		blk->fd = open(blk->path, O_RDWR | O_CLOEXEC);
		if (blk->fd < 0 && (errno == EACCES || errno == EROFS)) {
			blk->fd = open(blk->path, O_RDONLY | O_CLOEXEC);
			blk->rdonly = true;
		}
		if (blk->fd < 0) {
			nabla_err("block device '%s': cannot open '%s': %s",
				  blk->name, blk->path, strerror(errno));
			return -1;
		}
		if (fstat(blk->fd, &st)) {
			nabla_err("block device '%s': cannot stat '%s': %s",
				  blk->name, blk->path, strerror(errno));
			return -1;
		}
		if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
			nabla_err("block device '%s': '%s' is neither a regular "
				  "file nor a block device", blk->name, blk->path);
			return -1;
		}
		if (blk->direct && check_direct(blk, &st))
			return -1;
	}
	return 0;
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
static int join_cmdline(struct nabla_config *cfg, int argc, char **argv)
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

/*
 * Returns 0 with @cfg filled in, 1 when --help or --version was handled,
 * -1 after an error was printed.
 */
int nabla_parse_args(struct nabla_config *cfg, int argc, char **argv)
{
	struct mac_arg macs[NABLA_MAX_DEVICES];
	bool have_mem = false, have_backend = false;
	unsigned int nmacs = 0;
	int i;

	cfg->backend = NABLA_BACKEND_DEV;
	cfg->mem_mib = NABLA_DEFAULT_MEM_MIB;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int rc;

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
		} else if (has_prefix(arg, "--net:")) {
			rc = add_net(cfg, arg);
		} else if (has_prefix(arg, "--net-mac:")) {
			if (nmacs == NABLA_MAX_DEVICES) {
				nabla_err("too many --net-mac: options");
				return -1;
			}
			rc = parse_net_mac(arg, &macs[nmacs++]);
		} else if (has_prefix(arg, "--block:")) {
			rc = add_block(cfg, arg, false);
		} else if (has_prefix(arg, "--block-direct:")) {
			rc = add_block(cfg, arg, true);
		} else if (has_prefix(arg, "--mem=")) {
			rc = have_mem ? -2 : parse_mem(arg, &cfg->mem_mib);
			have_mem = true;
		} else if (has_prefix(arg, "--backend=")) {
			rc = have_backend ? -2 : parse_backend(arg, &cfg->backend);
			have_backend = true;
		} else if (arg[0] == '-') {
			nabla_err("unknown option '%s' (see --help)", arg);
			return -1;
		} else {
			nabla_err("unexpected argument '%s': the application's "
				  "arguments go after --", arg);
			return -1;
		}
		if (rc == -2)
			nabla_err("'%.*s' given twice ('%s')",
				  (int)(strchr(arg, '=') - arg), arg, arg);
		if (rc)
			return -1;
	}
	if (apply_macs(cfg, macs, nmacs))
		return -1;
	if (open_blocks(cfg))
		return -1;
	return join_cmdline(cfg, argc - i, argv + i);
}
