/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The executor's state, shared by exec.c (fixtures, threads, the program
 * loop) and ops.c (one function per operation).
 *
 * Locking: a program runs on up to two threads. struct state is changed
 * only under state.lock (contexts opened and closed, handles recorded);
 * the calls themselves run without it, so that the two threads' calls
 * overlap in the kernel. Fixtures (struct fix) are set up before any
 * program and only read by programs.
 */
#ifndef NABLA_FUZZ_EXEC_H
#define NABLA_FUZZ_EXEC_H

#include <pthread.h>
#include <linux/nabla.h>

#include "fuzz.h"

/* Contexts a program may hold at once (ops "use" and "close"). */
#define NSLOTS		3
#define NHANDLES	64

/* The arena: user memory for buffers and registered regions. */
#define ARENA_SIZE	(2UL << 20)
#define REGION_A	((1UL << 20) + 4096)	/* a transfer of 1 MiB at any offset */

/* Fixture interfaces and addresses (exec.c makes them). */
#define IF_VETH		"fzv0"		/* attached by programs */
#define IF_PEER		"fzv1"		/* its other end, with the host's address */
#define IF_PORT		"fzb0"		/* a bridge port: has an rx_handler */
#define IF_BRIDGE	"fzbr0"
#define IF_TAP		"fzt0"		/* per program, frames injected by write() */
#define HOST_IP		"10.99.0.1"
#define GUEST_IP	"10.99.0.2"

/* What the parent restores after a program changed it (struct fix.dirty). */
enum {
	DIRTY_VETH	= 1 << 0,	/* deleted, down, or another MTU */
	DIRTY_RAM1	= 1 << 1,	/* /dev/ram1 read-only */
	DIRTY_FILE	= 1 << 2,	/* the file's flags or size */
	DIRTY_PRIVS	= 1 << 3,	/* nothing to restore: for the log */
};

enum htype { H_NONE, H_NET, H_BLOCK };

/* What an attach returned, for the calls that name the handle. */
struct hinfo {
	enum htype type;
	uint32_t bs;
	uint64_t cap;
	uint32_t mtu;
};

struct slot {
	int fd;				/* -1: opened on first use */
	unsigned int nnet, nblk;
	uint32_t net[NHANDLES], blk[NHANDLES];
	struct hinfo h[NHANDLES];
	char last_name[NABLA_NAME_SIZE];
};

struct state {
	pthread_mutex_t lock;
	struct slot slot[NSLOTS];
	int cur;			/* the slot calls go to */
	unsigned int names;		/* for unique device names */
	int tap;			/* IF_TAP's fd, or -1 */
	bool fork_next;			/* the next instruction runs in a child */
	int keep[16];			/* fds closed at the end (a sink's reader) */
	unsigned int nkeep;
	FILE *log;			/* each call and its result, or NULL */
};

/* One executing thread (or a forked child running one instruction). */
struct thr {
	struct state *s;
	int cover;			/* its KCOV slot (cover.c) */
	int fail_nth;			/* armed for its next nabla ioctl, or 0 */
};

/* The source address of the frames programs write (and the host's neighbour). */
extern const uint8_t guest_mac[6];

/* Set up once, before programs run; read-only afterwards. */
struct fix {
	uint8_t *arena;			/* ARENA_SIZE, a PROT_NONE page, a gap */
	uint8_t *ro;			/* a read-only page */
	uint8_t *shared;		/* a MAP_SHARED page */
	uint32_t *dirty;		/* shared with the parent: DIRTY_* */
	char file[64];			/* a regular file, 1 MiB + 100 bytes */
	char sink[64];			/* a regular file for the console */
	char loop[64];			/* a loop device of 4 KiB blocks */
	int pkt;			/* AF_PACKET on IF_PEER, to send */
	int pkt_vnet;			/* the same with PACKET_VNET_HDR */
	uint8_t peer_mac[6];
	bool fault_injection;		/* /proc/thread-self/fail-nth exists */
};

extern struct fix fix;

/* exec.c */
struct slot *cur_slot(struct thr *t);
int cur_fd(struct thr *t);
int nioctl(struct thr *t, unsigned long cmd, void *arg);
int tap_fd(struct thr *t);
void state_keep_fd(struct state *s, int fd);
void trace(struct thr *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ops.c: argument values */
uint64_t arg_val(const struct insn *in, unsigned int i, const struct hinfo *e);
uint32_t arg_handle(struct thr *t, const struct insn *in, unsigned int i,
		    struct hinfo *e);

#endif /* NABLA_FUZZ_EXEC_H */
