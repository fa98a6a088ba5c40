// SPDX-License-Identifier: GPL-2.0
/*
 * The operations of a program: every ioctl of uapi/linux/nabla.h, a raw
 * ioctl, and the host-side steps that put the module's devices in deep
 * states (frames arriving, interfaces going away, block devices made
 * read-only, allocations failing). Each argument is a table of choices:
 * the first is the ordinary valid value, so that a program of defaults
 * does real work, then the edge cases each check of the module is about.
 *
 * Every function returns 0 or -errno, which the text form of a program can
 * assert (fuzz/corpus/).
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "nabla_test.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define CH(a)		a, ARRAY_SIZE(a)
#define C(n, v)		{ n, T_CONST, v }
#define RAW		{ "raw", T_RAW, 0 }

/* ---- choices ------------------------------------------------------------ */

static const struct choice ch_flags[] = {
	C("0", 0), C("1", 1), C("2", 2), C("4", 4), C("0x80000000", 0x80000000), RAW,
};

/* Reserved and pad fields must be 0; out_* fields are outputs only. */
enum { JUNK_NONE, JUNK_PAD, JUNK_RES, JUNK_OUT };
static const struct choice ch_junk[] = {
	C("0", JUNK_NONE), C("pad", JUNK_PAD), C("res", JUNK_RES), C("out", JUNK_OUT),
};

static const struct choice ch_slot[] = { C("0", 0), C("1", 1), C("2", 2) };

/* Handles: the nth of the context's net or block devices, or a number. */
#define HK_NET		(1ULL << 32)
#define HK_BLOCK	(2ULL << 32)
#define HK_RAW		(3ULL << 32)
static const struct choice ch_handle[] = {
	C("net0", HK_NET | 0), C("blk0", HK_BLOCK | 0), C("net1", HK_NET | 1),
	C("blk1", HK_BLOCK | 1), C("blk2", HK_BLOCK | 2), C("h0", HK_RAW | 0),
	C("h1", HK_RAW | 1), C("h2", HK_RAW | 2), C("h62", HK_RAW | 62),
	C("h63", HK_RAW | 63), C("h64", HK_RAW | 64), C("hmax", HK_RAW | 0xffffffff),
	C("net2", HK_NET | 2), C("blk3", HK_BLOCK | 3), C("h3", HK_RAW | 3),
};

enum { NM_AUTO, NM_DUP, NM_EMPTY, NM_SPACE, NM_MAX, NM_LONG, NM_DASH, NM_DOT, NM_HIGH };
static const struct choice ch_name[] = {
	C("auto", NM_AUTO), C("dup", NM_DUP), C("empty", NM_EMPTY), C("space", NM_SPACE),
	C("max", NM_MAX), C("long", NM_LONG), C("dash", NM_DASH), C("dot", NM_DOT),
	C("high", NM_HIGH),
};

enum { IFN_VETH, IFN_TAP, IFN_PEER, IFN_PORT, IFN_BRIDGE, IFN_LO, IFN_NONE, IFN_EMPTY,
	IFN_LONG };
static const struct choice ch_ifname[] = {
	C("veth", IFN_VETH), C("tap", IFN_TAP), C("peer", IFN_PEER), C("port", IFN_PORT),
	C("bridge", IFN_BRIDGE), C("lo", IFN_LO), C("none", IFN_NONE),
	C("empty", IFN_EMPTY), C("long", IFN_LONG),
};

enum { MAC_ZERO, MAC_UNI, MAC_MULTI, MAC_BCAST };
static const struct choice ch_mac[] = {
	C("zero", MAC_ZERO), C("uni", MAC_UNI), C("multi", MAC_MULTI), C("bcast", MAC_BCAST),
};

/* Files to attach as block devices, opened for the call. */
enum { BF_RAM0, BF_RAM1, BF_FILE, BF_FILE_RO, BF_LOOP4K, BF_RAM0_RO, BF_DIRECT,
	BF_WRONLY, BF_APPEND, BF_MEMFD, BF_PIPE, BF_NULL, BF_DIR, BF_NABLA, BF_CLOSED,
	BF_BIG, BF_SOCK, BF_PROC };
static const struct choice ch_bfd[] = {
	C("ram0", BF_RAM0), C("ram1", BF_RAM1), C("file", BF_FILE), C("file_ro", BF_FILE_RO),
	C("loop4k", BF_LOOP4K), C("ram0_ro", BF_RAM0_RO), C("direct", BF_DIRECT),
	C("wronly", BF_WRONLY), C("append", BF_APPEND), C("memfd", BF_MEMFD),
	C("pipe", BF_PIPE), C("null", BF_NULL), C("dir", BF_DIR), C("nabla", BF_NABLA),
	C("closed", BF_CLOSED), C("big", BF_BIG), C("sock", BF_SOCK), C("proc", BF_PROC),
};

static const struct choice ch_bsize[] = {
	C("0", 0), C("512", 512), C("4096", 4096), C("1024", 1024), C("65536", 65536),
	C("1m", 1 << 20), C("2m", 2 << 20), C("513", 513), C("256", 256), RAW,
};

/* Console sinks, opened for the call. */
enum { CF_PIPE, CF_MINUS1, CF_NULL, CF_FILE, CF_PIPE_NB, CF_FILE_RO, CF_UNIX, CF_PIPE_R,
	CF_NABLA, CF_CLOSED, CF_BIG, CF_MEMFD, CF_EVENTFD, CF_UDP, CF_BLOCK };
static const struct choice ch_cfd[] = {
	C("pipe", CF_PIPE), C("-1", CF_MINUS1), C("null", CF_NULL), C("file", CF_FILE),
	C("pipe_nb", CF_PIPE_NB), C("file_ro", CF_FILE_RO), C("unix", CF_UNIX),
	C("pipe_r", CF_PIPE_R), C("nabla", CF_NABLA), C("closed", CF_CLOSED),
	C("big", CF_BIG), C("memfd", CF_MEMFD), C("eventfd", CF_EVENTFD), C("udp", CF_UDP),
	C("block", CF_BLOCK),
};

/* Ranges to register: [addr, addr + len). */
enum { RG_A, RG_B, RG_ALL, RG_PAGE, RG_OVER, RG_ODD, RG_ODDLEN, RG_ZERO, RG_HOLE,
	RG_HUGE, RG_MAX, RG_SHARED, RG_RO, RG_NULL, RG_KERN, RG_WRAP, RG_GAP, RG_P1 };
/* p1..p9: single pages near the arena's end (NABLA_MAX_REGIONS is 8). */
static const struct choice ch_region[] = {
	C("a", RG_A), C("b", RG_B), C("all", RG_ALL), C("page", RG_PAGE), C("over", RG_OVER),
	C("odd", RG_ODD), C("oddlen", RG_ODDLEN), C("zero", RG_ZERO), C("hole", RG_HOLE),
	C("huge", RG_HUGE), C("max", RG_MAX), C("shared", RG_SHARED), C("ro", RG_RO),
	C("null", RG_NULL), C("kern", RG_KERN), C("wrap", RG_WRAP), C("gap", RG_GAP),
	C("p1", RG_P1),
	C("p2", RG_P1 + 1), C("p3", RG_P1 + 2), C("p4", RG_P1 + 3), C("p5", RG_P1 + 4),
	C("p6", RG_P1 + 5), C("p7", RG_P1 + 6), C("p8", RG_P1 + 7), C("p9", RG_P1 + 8),
};

/* User buffers. */
enum { B_A0, B_A1, B_A512, B_A4K, B_B0, B_END, B_OVER, B_RO, B_SHARED, B_NULL, B_BAD,
	B_KERN, B_NONCANON, B_HOLE };
static const struct choice ch_buf[] = {
	C("a0", B_A0), C("a1", B_A1), C("a512", B_A512), C("a4k", B_A4K), C("b0", B_B0),
	C("end", B_END), C("over", B_OVER), C("ro", B_RO), C("shared", B_SHARED),
	C("null", B_NULL), C("bad", B_BAD), C("kern", B_KERN), C("noncanon", B_NONCANON),
	C("hole", B_HOLE),
};

static const struct choice ch_netlen[] = {
	{ "frame", T_FRAME, 0 }, C("60", 60), C("14", 14), C("13", 13), C("0", 0),
	{ "frame+1", T_FRAME, 1 }, C("1514", 1514), C("9014", 9014), C("65536", 65536),
	{ "huge", T_NEG, 1 }, RAW,
};

static const struct choice ch_blklen[] = {
	{ "bs", T_BS, 1 }, { "2bs", T_BS, 2 }, { "8bs", T_BS, 8 }, { "max", T_MAXIO, 0 },
	C("0", 0), C("1", 1), C("511", 511), C("512", 512), C("4096", 4096),
	{ "max+bs", T_MAXIO, 1 }, { "cap", T_CAP, 0 }, { "huge", T_NEG, 512 }, RAW,
};

static const struct choice ch_blkoff[] = {
	C("0", 0), { "bs", T_BS, 1 }, { "last", T_LAST, 1 }, { "last8", T_LAST, 8 },
	{ "cap", T_CAP, 0 }, { "cap+bs", T_CAP, 1 }, C("1", 1), C("256", 256),
	{ "neg", T_NEG, 512 }, RAW,
};

static const struct choice ch_conlen[] = {
	C("12", 12), C("0", 0), C("1", 1), C("4096", 4096), C("4097", 4097),
	C("8192", 8192), C("65536", 65536), C("65537", 65537), { "huge", T_NEG, 1 }, RAW,
};

static const struct choice ch_deadline[] = {
	{ "now", T_NOW, 0 }, C("past", 1), C("0", 0), { "100us", T_NOW, 100000 },
	{ "1ms", T_NOW, 1000000 }, { "10ms", T_NOW, 10000000 },
	{ "forever", T_NEG, 1 }, C("ktime_max", INT64_MAX), RAW,
};

enum { FR_TEST, FR_ARP, FR_PING, FR_BCAST, FR_MCAST, FR_VLAN, FR_KEEP };
static const struct choice ch_frame[] = {
	C("test", FR_TEST), C("arp", FR_ARP), C("ping", FR_PING), C("bcast", FR_BCAST),
	C("mcast", FR_MCAST), C("vlan", FR_VLAN), C("keep", FR_KEEP),
};

static const struct choice ch_cmd[] = {
	C("version", NABLA_VERSION), C("attach_net", NABLA_ATTACH_NET),
	C("attach_block", NABLA_ATTACH_BLOCK), C("set_console", NABLA_SET_CONSOLE),
	C("seal", NABLA_SEAL), C("register_memory", NABLA_REGISTER_MEMORY),
	C("clock_monotonic", NABLA_CLOCK_MONOTONIC), C("clock_wall", NABLA_CLOCK_WALL),
	C("console_write", NABLA_CONSOLE_WRITE), C("yield", NABLA_YIELD),
	C("net_write", NABLA_NET_WRITE), C("net_read", NABLA_NET_READ),
	C("net_info", NABLA_NET_INFO), C("block_write", NABLA_BLOCK_WRITE),
	C("block_read", NABLA_BLOCK_READ), C("block_info", NABLA_BLOCK_INFO),
	/* The right number with the wrong direction or size, and the wrong numbers. */
	C("version_r", _IOR(NABLA_IOC_MAGIC, 0x00, struct nabla_version)),
	C("attach_net_big", _IOC(_IOC_READ | _IOC_WRITE, NABLA_IOC_MAGIC, 0x01,
				 sizeof(struct nabla_attach_net) + 8)),
	C("seal_small", _IOC(_IOC_WRITE, NABLA_IOC_MAGIC, 0x04, 8)),
	C("clock_w", _IOW(NABLA_IOC_MAGIC, 0x20, struct nabla_clock)),
	C("nr6", _IOWR(NABLA_IOC_MAGIC, 0x06, struct nabla_seal)),
	C("nr2a", _IOWR(NABLA_IOC_MAGIC, 0x2a, struct nabla_block_io)),
	C("nr3f", _IOWR(NABLA_IOC_MAGIC, 0x3f, struct nabla_block_io)),
	C("nr40", _IOWR(NABLA_IOC_MAGIC, 0x40, struct nabla_seal)),
	C("nrff", _IOWR(NABLA_IOC_MAGIC, 0xff, struct nabla_seal)),
	C("magic", _IOWR(NABLA_IOC_MAGIC + 1, 0x00, struct nabla_version)),
	C("none", _IO(NABLA_IOC_MAGIC, 0x00)), C("zero", 0), RAW,
};

enum { FILL_ZERO, FILL_FF, FILL_RAW, FILL_KEEP };
static const struct choice ch_fill[] = {
	C("zero", FILL_ZERO), C("ff", FILL_FF), { "raw", T_RAW, FILL_RAW }, C("keep", FILL_KEEP),
};

/* Frames written into the tap (the receive path runs in the writer's task). */
enum { IN_PLAIN, IN_BCAST, IN_VLAN, IN_GSO, IN_GSO_BAD, IN_CSUM, IN_BIG, IN_RUNT };
static const struct choice ch_inject[] = {
	C("plain", IN_PLAIN), C("bcast", IN_BCAST), C("vlan", IN_VLAN), C("gso", IN_GSO),
	C("gso_bad", IN_GSO_BAD), C("csum", IN_CSUM), C("big", IN_BIG), C("runt", IN_RUNT),
};

static const struct choice ch_count[] = {
	C("1", 1), C("2", 2), C("16", 16), C("255", 255), C("300", 300),
};

/* Frames sent on the veth peer (received in the NET_RX softirq). */
enum { SN_TEST, SN_BCAST, SN_VLAN, SN_GSO };
static const struct choice ch_send[] = {
	C("test", SN_TEST), C("bcast", SN_BCAST), C("vlan", SN_VLAN), C("gso", SN_GSO),
};

enum { LK_DOWN, LK_UP, LK_MTU1280, LK_MTU9000, LK_MTU1500, LK_DELETE, LK_CREATE };
static const struct choice ch_link[] = {
	C("down", LK_DOWN), C("up", LK_UP), C("mtu1280", LK_MTU1280), C("mtu9000", LK_MTU9000),
	C("mtu1500", LK_MTU1500), C("delete", LK_DELETE), C("create", LK_CREATE),
};

static const struct choice ch_linkif[] = {
	C("veth", IFN_VETH), C("tap", IFN_TAP), C("peer", IFN_PEER),
};

enum { BE_RO, BE_RW, BE_APPEND, BE_IMMUTABLE, BE_CLEAR, BE_SHRINK, BE_GROW, BE_FLUSH };
static const struct choice ch_blkenv[] = {
	C("ro", BE_RO), C("rw", BE_RW), C("append", BE_APPEND), C("immutable", BE_IMMUTABLE),
	C("clear", BE_CLEAR), C("shrink", BE_SHRINK), C("grow", BE_GROW), C("flush", BE_FLUSH),
};

static const struct choice ch_nth[] = {
	C("1", 1), C("2", 2), C("3", 3), C("4", 4), C("5", 5), C("8", 8), C("12", 12),
	C("20", 20), RAW,
};

enum { PV_NO_IPC_LOCK, PV_NO_NET_ADMIN, PV_RESTORE, PV_MEMLOCK_64K, PV_MEMLOCK_1M,
	PV_MEMLOCK_INF };
static const struct choice ch_privs[] = {
	C("no_ipc_lock", PV_NO_IPC_LOCK), C("no_net_admin", PV_NO_NET_ADMIN),
	C("restore", PV_RESTORE), C("memlock_64k", PV_MEMLOCK_64K),
	C("memlock_1m", PV_MEMLOCK_1M), C("memlock_inf", PV_MEMLOCK_INF),
};

enum { O1_NULL, O1_UNIX, O1_PIPE, O1_CLOSED, O1_RDONLY };
static const struct choice ch_fd1[] = {
	C("null", O1_NULL), C("unix", O1_UNIX), C("pipe", O1_PIPE), C("closed", O1_CLOSED),
	C("rdonly", O1_RDONLY),
};

static const struct choice ch_sleep[] = {
	C("0", 0), C("100us", 100000), C("1ms", 1000000), C("10ms", 10000000),
};

/* ---- argument values -------------------------------------------------------- */

uint64_t arg_val(const struct insn *in, unsigned int i, const struct hinfo *e)
{
	const struct choice *c = insn_choice(in, i);

	switch (c->tag) {
	case T_CONST:	return c->v;
	case T_RAW:	return in->raw[i];
	case T_BS:	return c->v * e->bs;
	case T_LAST:	return e->cap - c->v * e->bs;
	case T_CAP:	return e->cap + c->v * e->bs;
	case T_MAXIO:	return NABLA_BLOCK_MAX_IO + c->v * e->bs;
	case T_FRAME:	return ETH_HLEN + e->mtu + c->v;
	case T_NEG:	return -c->v;
	case T_NOW:	return mono_ns() + c->v;
	}
	return 0;
}

static const struct hinfo default_env = { H_NONE, NABLA_BLOCK_SIZE, 1 << 20, 1500 };

/* The handle an argument names, and what its attach said about it in @e. */
uint32_t arg_handle(struct thr *t, const struct insn *in, unsigned int i,
		    struct hinfo *e)
{
	uint64_t v = insn_choice(in, i)->v;
	uint32_t k = (uint32_t)v, h = k;
	struct slot *s;

	pthread_mutex_lock(&t->s->lock);
	s = cur_slot(t);
	if ((v & ~0xffffffffULL) == HK_NET && s->nnet)
		h = s->net[k % s->nnet];
	else if ((v & ~0xffffffffULL) == HK_BLOCK && s->nblk)
		h = s->blk[k % s->nblk];
	*e = h < NHANDLES && s->h[h].type != H_NONE ? s->h[h] : default_env;
	pthread_mutex_unlock(&t->s->lock);
	return h;
}

static uint64_t buf_addr(const struct insn *in, unsigned int i, uint64_t len)
{
	uint64_t a = (uintptr_t)fix.arena;

	switch (insn_choice(in, i)->v) {
	case B_A0:	return a;
	case B_A1:	return a + 1;
	case B_A512:	return a + 512;
	case B_A4K:	return a + 4096;
	case B_B0:	return a + REGION_A;
	case B_END:	return a + ARENA_SIZE - (len < ARENA_SIZE ? len : ARENA_SIZE);
	case B_OVER:	return a + ARENA_SIZE - 2048;
	case B_RO:	return (uintptr_t)fix.ro;
	case B_SHARED:	return (uintptr_t)fix.shared;
	case B_NULL:	return 0;
	case B_BAD:	return 1;
	case B_KERN:	return 0xffff888000000000ULL;
	case B_NONCANON: return 0x8000000000000000ULL;
	case B_HOLE:	return a + ARENA_SIZE;
	}
	return a;
}

/* Where [addr, addr + len) lies in the arena, or NULL. */
static uint8_t *arena_ptr(uint64_t addr, uint64_t len)
{
	uint64_t a = (uintptr_t)fix.arena;

	if (addr < a || len > ARENA_SIZE || addr - a > ARENA_SIZE - len)
		return NULL;
	return fix.arena + (addr - a);
}

/* A device name: unique in the context unless the choice says otherwise. */
static void arg_name(struct thr *t, const struct insn *in, unsigned int i, char *name)
{
	memset(name, 0, NABLA_NAME_SIZE);
	switch (insn_choice(in, i)->v) {
	case NM_AUTO:
		pthread_mutex_lock(&t->s->lock);
		snprintf(name, NABLA_NAME_SIZE, "d%u", t->s->names++);
		pthread_mutex_unlock(&t->s->lock);
		break;
	case NM_DUP:
		pthread_mutex_lock(&t->s->lock);
		snprintf(name, NABLA_NAME_SIZE, "%s",
			 cur_slot(t)->last_name[0] ? cur_slot(t)->last_name : "d0");
		pthread_mutex_unlock(&t->s->lock);
		break;
	case NM_EMPTY:
		break;
	case NM_SPACE:
		strcpy(name, "a b");
		break;
	case NM_MAX:
		memset(name, 'm', NABLA_NAME_SIZE - 1);
		break;
	case NM_LONG:
		memset(name, 'l', NABLA_NAME_SIZE);
		break;
	case NM_DASH:
		strcpy(name, "a-_Z9");
		break;
	case NM_DOT:
		strcpy(name, "a.b");
		break;
	case NM_HIGH:
		strcpy(name, "\xc3\xa9t\xc3\xa9");
		break;
	}
}

static void record_handle(struct thr *t, uint32_t h, const struct hinfo *info,
			  const char *name)
{
	struct slot *s;

	pthread_mutex_lock(&t->s->lock);
	s = cur_slot(t);
	if (h < NHANDLES) {
		s->h[h] = *info;
		if (info->type == H_NET)
			s->net[s->nnet++ % NHANDLES] = h;
		else
			s->blk[s->nblk++ % NHANDLES] = h;
	}
	snprintf(s->last_name, sizeof(s->last_name), "%s", name);
	pthread_mutex_unlock(&t->s->lock);
}

/* ---- setup calls ------------------------------------------------------------ */

static int op_use(struct thr *t, const struct insn *in)
{
	int fd;

	pthread_mutex_lock(&t->s->lock);
	t->s->cur = insn_choice(in, 0)->v;
	pthread_mutex_unlock(&t->s->lock);
	fd = cur_fd(t);
	return fd < 0 ? fd : 0;
}

static int op_close(struct thr *t, const struct insn *in)
{
	struct slot *s;
	int fd;

	(void)in;
	pthread_mutex_lock(&t->s->lock);
	s = cur_slot(t);
	fd = s->fd;
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	pthread_mutex_unlock(&t->s->lock);
	/* The release of the context runs here, in this task. */
	return fd < 0 || close(fd) ? -EBADF : 0;
}

static int op_version(struct thr *t, const struct insn *in)
{
	struct nabla_version v = { .flags = arg_val(in, 0, &default_env) };

	if (insn_choice(in, 1)->v == JUNK_OUT)
		memset(&v.out_api_version, 0xff, sizeof(v) - sizeof(v.flags));
	return nioctl(t, NABLA_VERSION, &v);
}

static void arg_ifname(struct thr *t, const struct insn *in, unsigned int i, char *ifname)
{
	static const char *const names[] = {
		[IFN_VETH] = IF_VETH, [IFN_TAP] = IF_TAP, [IFN_PEER] = IF_PEER,
		[IFN_PORT] = IF_PORT, [IFN_BRIDGE] = IF_BRIDGE, [IFN_LO] = "lo",
		[IFN_NONE] = "fznone", [IFN_EMPTY] = "",
	};
	uint64_t v = insn_choice(in, i)->v;

	memset(ifname, 0, NABLA_IFNAME_SIZE);
	if (v == IFN_LONG) {
		memset(ifname, 'i', NABLA_IFNAME_SIZE);
		return;
	}
	if (v == IFN_TAP)
		tap_fd(t);
	snprintf(ifname, NABLA_IFNAME_SIZE, "%s", names[v]);
}

static int op_attach_net(struct thr *t, const struct insn *in)
{
	static const uint8_t macs[][6] = {
		[MAC_ZERO] = { 0 }, [MAC_UNI] = { 0x02, 0, 0, 0, 0, 0x02 },
		[MAC_MULTI] = { 0x03, 0, 0, 0, 0, 0x02 },
		[MAC_BCAST] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	struct nabla_attach_net a;
	struct hinfo info = { .type = H_NET, .bs = NABLA_BLOCK_SIZE };
	int err;

	memset(&a, 0, sizeof(a));
	arg_ifname(t, in, 0, a.ifname);
	arg_name(t, in, 1, a.name);
	a.flags = arg_val(in, 2, &default_env);
	memcpy(a.mac, macs[insn_choice(in, 3)->v], 6);
	switch (insn_choice(in, 4)->v) {
	case JUNK_PAD:	a.pad[1] = 1; break;
	case JUNK_RES:	a.reserved[1] = 1; break;
	case JUNK_OUT:	memset(&a.out_handle, 0xff, 16); break;
	}
	err = nioctl(t, NABLA_ATTACH_NET, &a);
	if (!err) {
		info.mtu = a.out_mtu;
		record_handle(t, a.out_handle, &info, a.name);
	}
	return err;
}

static int open_at(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/*
 * A file to attach, opened for the call; *extra is a second fd to close
 * after it (a pipe's other end), or -1. A negative result is the fd to
 * pass as it is (a closed or impossible number); *own says whether to
 * close it.
 */
static int block_file(struct thr *t, uint64_t which, int *extra, bool *own)
{
	int p[2], fd;

	*extra = -1;
	*own = true;
	switch (which) {
	case BF_RAM0:	return open_at("/dev/ram0", O_RDWR);
	case BF_RAM1:	return open_at("/dev/ram1", O_RDWR);
	case BF_FILE:	return open_at(fix.file, O_RDWR);
	case BF_FILE_RO: return open_at(fix.file, O_RDONLY);
	case BF_LOOP4K:	return open_at(fix.loop, O_RDWR);
	case BF_RAM0_RO: return open_at("/dev/ram0", O_RDONLY);
	case BF_DIRECT:	return open_at(fix.file, O_RDWR | O_DIRECT);
	case BF_WRONLY:	return open_at(fix.file, O_WRONLY);
	case BF_APPEND:	return open_at(fix.file, O_RDWR | O_APPEND);
	case BF_MEMFD:
		fd = memfd_create("fz", MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, 64 << 10))
			return -errno;
		return fd < 0 ? -errno : fd;
	case BF_PIPE:
		if (pipe2(p, O_CLOEXEC))
			return -errno;
		*extra = p[1];
		return p[0];
	case BF_NULL:	return open_at("/dev/null", O_RDWR);
	case BF_DIR:	return open_at("/tmp", O_RDONLY | O_DIRECTORY);
	case BF_NABLA:
		*own = false;
		return cur_fd(t);
	case BF_CLOSED:	*own = false; return -1;
	case BF_BIG:	*own = false; return 1000000;
	case BF_SOCK:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p))
			return -errno;
		*extra = p[1];
		return p[0];
	case BF_PROC:	return open_at("/proc/self/stat", O_RDONLY);
	}
	return -EINVAL;
}

static int op_attach_block(struct thr *t, const struct insn *in)
{
	struct nabla_attach_block a;
	struct hinfo info = { .type = H_BLOCK };
	int fd, extra, err;
	bool own;

	memset(&a, 0, sizeof(a));
	fd = block_file(t, insn_choice(in, 0)->v, &extra, &own);
	a.fd = fd;
	arg_name(t, in, 1, a.name);
	a.flags = arg_val(in, 2, &default_env);
	a.block_size = arg_val(in, 3, &default_env);
	switch (insn_choice(in, 4)->v) {
	case JUNK_PAD:	a.pad = 1; break;
	case JUNK_RES:	a.reserved = 1; break;
	case JUNK_OUT:	memset(&a.out_handle, 0xff, 4); a.out_capacity = ~0ULL; break;
	}
	err = nioctl(t, NABLA_ATTACH_BLOCK, &a);
	if (!err) {
		info.bs = a.out_block_size;
		info.cap = a.out_capacity;
		record_handle(t, a.out_handle, &info, a.name);
	}
	if (own && fd >= 0)
		close(fd);
	if (extra >= 0)
		close(extra);
	return err;
}

/* A console sink, opened for the call; *keep is an fd to keep open until the end. */
static int console_file(struct thr *t, uint64_t which, int *extra, bool *own)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };
	int p[2], fd;

	*extra = -1;
	*own = true;
	switch (which) {
	case CF_PIPE:
	case CF_PIPE_NB:
	case CF_PIPE_R:
		if (pipe2(p, O_CLOEXEC | (which == CF_PIPE_NB ? O_NONBLOCK : 0)))
			return -errno;
		/* The other end stays open: writes find a reader (or fill the pipe). */
		*extra = which == CF_PIPE_R ? p[1] : p[0];
		if (which == CF_PIPE_NB)
			while (write(p[1], fix.arena, 4096) > 0)
				;
		return which == CF_PIPE_R ? p[0] : p[1];
	case CF_MINUS1:	*own = false; return -1;
	case CF_NULL:	return open_at("/dev/null", O_WRONLY);
	case CF_FILE:	return open_at(fix.sink, O_RDWR);
	case CF_FILE_RO: return open_at(fix.sink, O_RDONLY);
	case CF_UNIX:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p))
			return -errno;
		*extra = p[1];
		return p[0];
	case CF_NABLA:	*own = false; return cur_fd(t);
	case CF_CLOSED:	*own = false; return 1023;
	case CF_BIG:	*own = false; return 1000000;
	case CF_MEMFD:
		fd = memfd_create("fzcon", MFD_CLOEXEC);
		return fd < 0 ? -errno : fd;
	case CF_EVENTFD:
		fd = eventfd(0, EFD_CLOEXEC);
		return fd < 0 ? -errno : fd;
	case CF_UDP:
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
		if (fd >= 0)
			connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		return fd < 0 ? -errno : fd;
	case CF_BLOCK:	return open_at("/dev/ram1", O_WRONLY);
	}
	return -EINVAL;
}

static int op_console_set(struct thr *t, const struct insn *in)
{
	struct nabla_set_console s = { 0 };
	int fd, extra, err;
	bool own;

	fd = console_file(t, insn_choice(in, 0)->v, &extra, &own);
	s.fd = fd;
	s.flags = arg_val(in, 1, &default_env);
	if (insn_choice(in, 2)->v == JUNK_RES)
		s.reserved = 1;
	err = nioctl(t, NABLA_SET_CONSOLE, &s);
	if (own && fd >= 0)
		close(fd);
	if (extra >= 0)
		state_keep_fd(t->s, extra);
	return err;
}

static int op_seal(struct thr *t, const struct insn *in)
{
	struct nabla_seal s = { .flags = arg_val(in, 0, &default_env) };

	if (insn_choice(in, 1)->v == JUNK_RES)
		s.reserved = 1;
	return nioctl(t, NABLA_SEAL, &s);
}

static void region_of(uint64_t which, __u64 *addr, __u64 *len)
{
	uint64_t a = (uintptr_t)fix.arena;

	*len = 4096;
	switch (which) {
	case RG_A:	*addr = a; *len = REGION_A; break;
	case RG_B:	*addr = a + REGION_A; *len = ARENA_SIZE - REGION_A; break;
	case RG_ALL:	*addr = a; *len = ARENA_SIZE; break;
	case RG_PAGE:	*addr = a; break;
	case RG_OVER:	*addr = a + (512 << 10); *len = 1 << 20; break;
	case RG_ODD:	*addr = a + 1; break;
	case RG_ODDLEN:	*addr = a; *len = 4097; break;
	case RG_ZERO:	*addr = a; *len = 0; break;
	case RG_HOLE:	*addr = a + ARENA_SIZE - 4096; *len = 8192; break;
	case RG_HUGE:	*addr = a; *len = NABLA_REGISTER_MAX + 4096; break;
	case RG_MAX:	*addr = a; *len = NABLA_REGISTER_MAX; break;
	case RG_SHARED:	*addr = (uintptr_t)fix.shared; break;
	case RG_RO:	*addr = (uintptr_t)fix.ro; break;
	case RG_NULL:	*addr = 0; break;
	case RG_KERN:	*addr = 0xffff888000000000ULL; break;
	case RG_WRAP:	*addr = -4096ULL; *len = 8192; break;
	case RG_GAP:	*addr = a + ARENA_SIZE; *len = 8192; break;
	default:	*addr = a + ARENA_SIZE - (which - RG_P1 + 2) * 4096; break;
	}
}

static int op_register(struct thr *t, const struct insn *in)
{
	struct nabla_register_memory r = { 0 };

	region_of(insn_choice(in, 0)->v, &r.addr, &r.len);
	r.flags = arg_val(in, 1, &default_env);
	if (insn_choice(in, 2)->v == JUNK_RES)
		r.reserved = 1;
	return nioctl(t, NABLA_REGISTER_MEMORY, &r);
}

/* ---- hypercalls --------------------------------------------------------------- */

static int clock_call(struct thr *t, const struct insn *in, unsigned long cmd)
{
	struct nabla_clock c = { .flags = arg_val(in, 0, &default_env) };

	if (insn_choice(in, 1)->v == JUNK_OUT)
		c.out_ns = ~0ULL;
	return nioctl(t, cmd, &c);
}

static int op_clock_mono(struct thr *t, const struct insn *in)
{
	return clock_call(t, in, NABLA_CLOCK_MONOTONIC);
}

static int op_clock_wall(struct thr *t, const struct insn *in)
{
	return clock_call(t, in, NABLA_CLOCK_WALL);
}

static int op_console_write(struct thr *t, const struct insn *in)
{
	struct nabla_console_write w = { 0 };

	w.len = arg_val(in, 1, &default_env);
	w.buf = buf_addr(in, 0, w.len);
	w.flags = arg_val(in, 2, &default_env);
	return nioctl(t, NABLA_CONSOLE_WRITE, &w);
}

static int op_yield(struct thr *t, const struct insn *in)
{
	struct nabla_yield y = { 0 };

	y.deadline_ns = arg_val(in, 0, &default_env);
	y.flags = arg_val(in, 1, &default_env);
	if (insn_choice(in, 2)->v == JUNK_RES)
		y.reserved = 1;
	else if (insn_choice(in, 2)->v == JUNK_OUT)
		y.out_ready_set = ~0ULL;
	return nioctl(t, NABLA_YIELD, &y);
}

static uint16_t ip_csum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum);
}

/* An IPv4 header of @proto for @paylen bytes after it, from the guest to the host. */
static void ipv4_fill(uint8_t *ip, uint8_t proto, size_t paylen)
{
	struct iphdr *h = (struct iphdr *)ip;

	memset(h, 0, sizeof(*h));
	h->version = 4;
	h->ihl = 5;
	h->ttl = 64;
	h->protocol = proto;
	h->tot_len = htons(sizeof(*h) + paylen);
	inet_pton(AF_INET, GUEST_IP, &h->saddr);
	inet_pton(AF_INET, HOST_IP, &h->daddr);
	h->check = ip_csum(h, sizeof(*h));
}

/* The frame @kind in @f (of @len bytes, at least 14 usable). */
static void frame_build(uint8_t *f, size_t len, uint64_t kind)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	uint8_t *p = f + ETH_HLEN;
	uint16_t sum;

	if (kind == FR_KEEP || len < ETH_HLEN)
		return;
	memcpy(f, kind == FR_PING ? fix.peer_mac : kind == FR_MCAST ? mcast : bcast, 6);
	if (kind == FR_TEST)
		memcpy(f, (uint8_t[6]){ 0x02, 0, 0, 0, 0, 0x01 }, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = TEST_ETHERTYPE >> 8;
	f[13] = TEST_ETHERTYPE & 0xff;
	if (kind == FR_VLAN && len >= 18) {
		f[12] = 0x81;
		f[13] = 0x00;
		p[0] = 0;
		p[1] = 5;
		p[2] = TEST_ETHERTYPE >> 8;
		p[3] = TEST_ETHERTYPE & 0xff;
	} else if (kind == FR_ARP && len >= ETH_HLEN + 28) {
		f[12] = 0x08;
		f[13] = 0x06;
		memcpy(p, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
		memcpy(p + 8, guest_mac, 6);
		inet_pton(AF_INET, GUEST_IP, p + 14);
		memset(p + 18, 0, 6);
		inet_pton(AF_INET, HOST_IP, p + 24);
	} else if (kind == FR_PING && len >= ETH_HLEN + 28) {
		f[12] = 0x08;
		f[13] = 0x00;
		ipv4_fill(p, IPPROTO_ICMP, len - ETH_HLEN - 20);
		memset(p + 20, 0, len - ETH_HLEN - 20);
		p[20] = 8;	/* echo request */
		sum = ip_csum(p + 20, len - ETH_HLEN - 20);
		memcpy(p + 22, &sum, 2);
	}
}

/* @count frames, the same: enough of them fill the transmit queue. */
static int op_net_write(struct thr *t, const struct insn *in)
{
	struct nabla_net_write w = { 0 };
	uint64_t n = insn_choice(in, 5)->v, i;
	struct hinfo e;
	uint8_t *f;
	int err = 0;

	w.handle = arg_handle(t, in, 0, &e);
	w.flags = arg_val(in, 1, &e);
	w.len = arg_val(in, 3, &e);
	w.buf = buf_addr(in, 2, w.len);
	f = arena_ptr(w.buf, w.len);
	if (f)
		frame_build(f, w.len, insn_choice(in, 4)->v);
	for (i = 0; i < n && !err; i++)
		err = nioctl(t, NABLA_NET_WRITE, &w);
	return err;
}

static int op_net_read(struct thr *t, const struct insn *in)
{
	struct nabla_net_read r = { 0 };
	struct hinfo e;

	r.handle = arg_handle(t, in, 0, &e);
	r.flags = arg_val(in, 1, &e);
	r.len = arg_val(in, 3, &e);
	r.buf = buf_addr(in, 2, r.len);
	return nioctl(t, NABLA_NET_READ, &r);
}

static int op_net_info(struct thr *t, const struct insn *in)
{
	struct nabla_net_info i = { 0 };
	struct hinfo e;

	i.handle = arg_handle(t, in, 0, &e);
	i.flags = arg_val(in, 1, &e);
	if (insn_choice(in, 2)->v == JUNK_OUT)
		memset(i.out_mac, 0xff, sizeof(i) - 8);
	return nioctl(t, NABLA_NET_INFO, &i);
}

static int block_call(struct thr *t, const struct insn *in, unsigned long cmd)
{
	struct nabla_block_io io = { 0 };
	struct hinfo e;

	io.handle = arg_handle(t, in, 0, &e);
	io.flags = arg_val(in, 1, &e);
	io.offset = arg_val(in, 2, &e);
	io.len = arg_val(in, 4, &e);
	io.buf = buf_addr(in, 3, io.len);
	return nioctl(t, cmd, &io);
}

static int op_block_write(struct thr *t, const struct insn *in)
{
	return block_call(t, in, NABLA_BLOCK_WRITE);
}

static int op_block_read(struct thr *t, const struct insn *in)
{
	return block_call(t, in, NABLA_BLOCK_READ);
}

static int op_block_info(struct thr *t, const struct insn *in)
{
	struct nabla_block_info i = { 0 };
	struct hinfo e;

	i.handle = arg_handle(t, in, 0, &e);
	i.flags = arg_val(in, 1, &e);
	if (insn_choice(in, 2)->v == JUNK_OUT)
		memset(&i.out_capacity, 0xff, 16);
	return nioctl(t, NABLA_BLOCK_INFO, &i);
}

/* Any command number over any bytes: what the table and the copy-in see. */
static int op_ioctl(struct thr *t, const struct insn *in)
{
	uint64_t arg = buf_addr(in, 1, 256), fill;
	uint8_t *p = arena_ptr(arg, 256);
	unsigned int i;

	switch (insn_choice(in, 2)->v) {
	case FILL_ZERO:
		if (p)
			memset(p, 0, 256);
		break;
	case FILL_FF:
		if (p)
			memset(p, 0xff, 256);
		break;
	case FILL_RAW:
		fill = in->raw[2];
		for (i = 0; p && i < 256; i += 8)
			memcpy(p + i, &fill, 8);
		break;
	}
	return nioctl(t, (unsigned long)(uint32_t)arg_val(in, 0, &default_env),
		      (void *)(uintptr_t)arg);
}

/* ---- the host side ------------------------------------------------------------ */

/*
 * A frame written into the tap: received by the tap's interface in this
 * task (tun calls netif_receive_skb() with bottom halves off), so the
 * module's rx_handler runs where KCOV sees it. With a virtio_net_hdr
 * first: GSO super-frames and checksums left to do.
 */
static int inject_one(int tap, uint64_t kind, size_t len)
{
	static uint8_t buf[sizeof(struct virtio_net_hdr) + 9100];
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)buf;
	uint8_t *f = buf + sizeof(*vh), *ip = f + ETH_HLEN;

	memset(buf, 0, sizeof(*vh) + ETH_HLEN + 64);
	switch (kind) {
	case IN_GSO:
	case IN_GSO_BAD:
	case IN_CSUM:
		len = kind == IN_CSUM ? 200 : 4000;
		frame_build(f, len, FR_BCAST);
		f[12] = 0x08;
		f[13] = 0x00;
		ipv4_fill(ip, kind == IN_CSUM ? IPPROTO_UDP : IPPROTO_TCP,
			  len - ETH_HLEN - 20);
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = ETH_HLEN + 20;
		vh->csum_offset = kind == IN_CSUM ? 6 : 16;
		if (kind != IN_CSUM) {
			ip[32] = 0x50;	/* TCP data offset: 20 bytes */
			vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
			vh->hdr_len = ETH_HLEN + 40;
			/* A segment size that does not fit the frame: segmentation fails. */
			vh->gso_size = kind == IN_GSO ? 1400 : 8000;
		} else {
			uint16_t ulen = htons(len - ETH_HLEN - 20);

			memcpy(ip + 24, &ulen, 2);
		}
		break;
	case IN_BIG:
		len = 2000;
		frame_build(f, len, FR_TEST);
		break;
	case IN_RUNT:
		len = 20;
		frame_build(f, len, FR_TEST);
		break;
	default:
		if (len < ETH_HLEN)
			len = ETH_HLEN;
		if (len > sizeof(buf) - sizeof(*vh))
			len = sizeof(buf) - sizeof(*vh);
		frame_build(f, len, kind == IN_VLAN ? FR_VLAN : kind == IN_BCAST ? FR_BCAST : FR_TEST);
		break;
	}
	return write(tap, buf, sizeof(*vh) + len) < 0 ? -errno : 0;
}

static int op_inject(struct thr *t, const struct insn *in)
{
	struct hinfo e = default_env;
	uint64_t n = insn_choice(in, 1)->v, len = arg_val(in, 2, &e), i;
	int tap = tap_fd(t), err = 0;

	if (tap < 0)
		return tap;
	for (i = 0; i < n && !err; i++)
		err = inject_one(tap, insn_choice(in, 0)->v, len);
	return err;
}

/* Frames from the veth peer: received in the NET_RX softirq, not in this task. */
static int op_send(struct thr *t, const struct insn *in)
{
	static uint8_t buf[sizeof(struct virtio_net_hdr) + 4000];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)buf;
	uint64_t kind = insn_choice(in, 0)->v, n = insn_choice(in, 1)->v, i;
	size_t len = 100;
	uint8_t *f = buf;
	int fd = fix.pkt;

	(void)t;
	sll.sll_ifindex = if_nametoindex(IF_PEER);
	if (!sll.sll_ifindex)
		return -ENODEV;
	memset(buf, 0, sizeof(buf));
	if (kind == SN_GSO) {
		/* A TCP super-frame: veth hands it on whole, the module segments it. */
		fd = fix.pkt_vnet;
		f = buf + sizeof(*vh);
		len = 4000;
		frame_build(f, len, FR_BCAST);
		f[12] = 0x08;
		f[13] = 0x00;
		ipv4_fill(f + ETH_HLEN, IPPROTO_TCP, len - ETH_HLEN - 20);
		f[ETH_HLEN + 32] = 0x50;
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = ETH_HLEN + 20;
		vh->csum_offset = 16;
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vh->hdr_len = ETH_HLEN + 40;
		vh->gso_size = 1400;
	} else {
		frame_build(f, len, kind == SN_VLAN ? FR_VLAN : kind == SN_BCAST ? FR_BCAST : FR_TEST);
	}
	memcpy(sll.sll_addr, f, 6);
	for (i = 0; i < n; i++)
		if (sendto(fd, buf, len + (f - buf), 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			return -errno;
	return 0;
}

static int op_link(struct thr *t, const struct insn *in)
{
	static const int mtus[] = { [LK_MTU1280] = 1280, [LK_MTU9000] = 9000,
				    [LK_MTU1500] = 1500 };
	uint64_t action = insn_choice(in, 0)->v, which = insn_choice(in, 1)->v;
	const char *ifname = which == IFN_TAP ? IF_TAP : which == IFN_PEER ? IF_PEER : IF_VETH;
	int fd;

	if (which != IFN_TAP)
		*fix.dirty |= DIRTY_VETH;
	else if (action != LK_DELETE && tap_fd(t) < 0)
		return -ENODEV;
	switch (action) {
	case LK_DOWN:
	case LK_UP:
		return link_set_up(ifname, action == LK_UP);
	case LK_DELETE:
		if (which != IFN_TAP) {
			veth_destroy(IF_VETH);
			return 0;
		}
		pthread_mutex_lock(&t->s->lock);
		fd = t->s->tap;
		t->s->tap = -1;
		pthread_mutex_unlock(&t->s->lock);
		/* The last close unregisters it: the module detaches its handles. */
		return fd < 0 || close(fd) ? -ENODEV : 0;
	case LK_CREATE:
		return which == IFN_TAP ? 0 : if_nametoindex(IF_VETH) ? -EEXIST :
			veth_create(IF_VETH, IF_PEER);
	}
	return link_set_mtu(ifname, mtus[action]);
}

static int set_file_flags(int flags)
{
	int fd = open(fix.file, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags))
		err = -errno;
	close(fd);
	return err;
}

static int op_blkenv(struct thr *t, const struct insn *in)
{
	uint64_t action = insn_choice(in, 0)->v;
	int fd, ro = action == BE_RO, err = 0;

	(void)t;
	switch (action) {
	case BE_RO:
	case BE_RW:
	case BE_FLUSH:
		fd = open(action == BE_FLUSH ? "/dev/ram0" : "/dev/ram1", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		*fix.dirty |= DIRTY_RAM1;
		if (ioctl(fd, action == BE_FLUSH ? BLKFLSBUF : BLKROSET, &ro))
			err = -errno;
		close(fd);
		return err;
	case BE_APPEND:
	case BE_IMMUTABLE:
	case BE_CLEAR:
		*fix.dirty |= DIRTY_FILE;
		return set_file_flags(action == BE_APPEND ? FS_APPEND_FL :
				      action == BE_IMMUTABLE ? FS_IMMUTABLE_FL : 0);
	}
	*fix.dirty |= DIRTY_FILE;
	return truncate(fix.file, action == BE_SHRINK ? 4096 : 2 << 20) ? -errno : 0;
}

/* Every file of every context's debugfs directory, read whole. */
static int op_debugfs(struct thr *t, const struct insn *in)
{
	char path[600], buf[4096];
	struct dirent *c, *f;
	DIR *root, *d;
	int fd;

	(void)t;
	(void)in;
	root = opendir(NABLA_DEBUGFS);
	if (!root)
		return -errno;
	while ((c = readdir(root))) {
		if (c->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NABLA_DEBUGFS "/%s", c->d_name);
		d = opendir(path);
		while (d && (f = readdir(d))) {
			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), NABLA_DEBUGFS "/%s/%s", c->d_name, f->d_name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
				;
			if (fd >= 0)
				close(fd);
		}
		if (d)
			closedir(d);
	}
	closedir(root);
	return 0;
}

/* The next nabla ioctl of this thread fails its nth allocation (fail-nth). */
static int op_fault(struct thr *t, const struct insn *in)
{
	const struct choice *c = insn_choice(in, 0);

	t->fail_nth = c->tag == T_RAW ? in->raw[0] % 64 + 1 : c->v;
	return fix.fault_injection ? 0 : -EOPNOTSUPP;
}

static int op_fork(struct thr *t, const struct insn *in)
{
	(void)in;
	pthread_mutex_lock(&t->s->lock);
	t->s->fork_next = true;
	pthread_mutex_unlock(&t->s->lock);
	return 0;
}

/* This thread's effective capabilities (only: they can come back). */
static int cap_effective(int cap, bool on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	if (on)
		d[cap / 32].effective |= 1U << (cap % 32);
	else
		d[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static int op_privs(struct thr *t, const struct insn *in)
{
	static const rlim_t limits[] = { [PV_MEMLOCK_64K] = 64 << 10,
					 [PV_MEMLOCK_1M] = 1 << 20,
					 [PV_MEMLOCK_INF] = RLIM_INFINITY };
	uint64_t action = insn_choice(in, 0)->v;
	struct rlimit rl;
	int err;

	(void)t;
	switch (action) {
	case PV_NO_IPC_LOCK:
		return cap_effective(CAP_IPC_LOCK, false);
	case PV_NO_NET_ADMIN:
		return cap_effective(CAP_NET_ADMIN, false);
	case PV_RESTORE:
		err = cap_effective(CAP_IPC_LOCK, true);
		return err ? err : cap_effective(CAP_NET_ADMIN, true);
	}
	rl.rlim_cur = rl.rlim_max = limits[action];
	return setrlimit(RLIMIT_MEMLOCK, &rl) ? -errno : 0;
}

/*
 * What the program's fd 1 is: the console's default sink (a write before
 * any is chosen, and the seal's choice; a unix socket there is not held).
 */
static int op_fd1(struct thr *t, const struct insn *in)
{
	int p[2], fd = -1, err = 0;

	switch (insn_choice(in, 0)->v) {
	case O1_NULL:
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		break;
	case O1_RDONLY:
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		break;
	case O1_UNIX:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p))
			return -errno;
		state_keep_fd(t->s, p[1]);
		fd = p[0];
		break;
	case O1_PIPE:
		if (pipe2(p, O_CLOEXEC))
			return -errno;
		state_keep_fd(t->s, p[0]);
		fd = p[1];
		break;
	case O1_CLOSED:
		return close(1) && errno != EBADF ? -errno : 0;
	}
	if (fd < 0)
		return -errno;
	if (dup2(fd, 1) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int op_sleep(struct thr *t, const struct insn *in)
{
	uint64_t ns = insn_choice(in, 0)->v;
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	(void)t;
	nanosleep(&ts, NULL);
	return 0;
}

/* ---- the table ------------------------------------------------------------------- */

#define F(n, t)		{ n, CH(t), false }
#define W(n, t)		{ n, CH(t), true }

const struct op ops[] = {
	{ "use", op_use, 1, { F("slot", ch_slot) } },
	{ "close", op_close, 0, { } },
	{ "version", op_version, 2, { W("flags", ch_flags), F("junk", ch_junk) } },
	{ "attach_net", op_attach_net, 5, { F("if", ch_ifname), F("name", ch_name),
		W("flags", ch_flags), F("mac", ch_mac), F("junk", ch_junk) } },
	{ "attach_block", op_attach_block, 5, { F("fd", ch_bfd), F("name", ch_name),
		W("flags", ch_flags), W("bs", ch_bsize), F("junk", ch_junk) } },
	{ "set_console", op_console_set, 3, { F("fd", ch_cfd), W("flags", ch_flags),
		F("junk", ch_junk) } },
	{ "seal", op_seal, 2, { W("flags", ch_flags), F("junk", ch_junk) } },
	{ "register", op_register, 3, { F("range", ch_region), W("flags", ch_flags),
		F("junk", ch_junk) } },
	{ "clock_mono", op_clock_mono, 2, { W("flags", ch_flags), F("junk", ch_junk) } },
	{ "clock_wall", op_clock_wall, 2, { W("flags", ch_flags), F("junk", ch_junk) } },
	{ "console_write", op_console_write, 3, { F("buf", ch_buf), W("len", ch_conlen),
		W("flags", ch_flags) } },
	{ "yield", op_yield, 3, { W("deadline", ch_deadline), W("flags", ch_flags),
		F("junk", ch_junk) } },
	{ "net_write", op_net_write, 6, { F("h", ch_handle), W("flags", ch_flags),
		F("buf", ch_buf), W("len", ch_netlen), F("frame", ch_frame),
		F("count", ch_count) } },
	{ "net_read", op_net_read, 4, { F("h", ch_handle), W("flags", ch_flags),
		F("buf", ch_buf), W("len", ch_netlen) } },
	{ "net_info", op_net_info, 3, { F("h", ch_handle), W("flags", ch_flags),
		F("junk", ch_junk) } },
	{ "block_write", op_block_write, 5, { F("h", ch_handle), W("flags", ch_flags),
		W("off", ch_blkoff), F("buf", ch_buf), W("len", ch_blklen) } },
	{ "block_read", op_block_read, 5, { F("h", ch_handle), W("flags", ch_flags),
		W("off", ch_blkoff), F("buf", ch_buf), W("len", ch_blklen) } },
	{ "block_info", op_block_info, 3, { F("h", ch_handle), W("flags", ch_flags),
		F("junk", ch_junk) } },
	{ "ioctl", op_ioctl, 3, { W("cmd", ch_cmd), F("arg", ch_buf), W("fill", ch_fill) } },
	{ "inject", op_inject, 3, { F("kind", ch_inject), F("count", ch_count),
		W("len", ch_netlen) } },
	{ "send", op_send, 2, { F("kind", ch_send), F("count", ch_count) } },
	{ "link", op_link, 2, { F("do", ch_link), F("if", ch_linkif) } },
	{ "blkenv", op_blkenv, 1, { F("do", ch_blkenv) } },
	{ "debugfs", op_debugfs, 0, { } },
	{ "fault", op_fault, 1, { W("nth", ch_nth) } },
	{ "fork", op_fork, 0, { } },
	{ "privs", op_privs, 1, { F("do", ch_privs) } },
	{ "sleep", op_sleep, 1, { F("time", ch_sleep) } },
	{ "fd1", op_fd1, 1, { F("to", ch_fd1) } },
};

const unsigned int nops = ARRAY_SIZE(ops);
