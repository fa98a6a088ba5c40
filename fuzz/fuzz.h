/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nabla-fuzz: a coverage-guided fuzzer's target for /dev/nabla.
 *
 * An input is a program: a sequence of instructions, each an operation
 * (an ioctl of uapi/linux/nabla.h, or a step on the host side: a frame
 * into a tap, an interface deleted, a block device made read-only...)
 * with its arguments. Every argument is a choice from a table of values
 * that matter for that argument (valid ones first, then edge cases, then
 * a raw 64-bit value), so that mutating a byte moves between meaningful
 * calls and most programs reach the module's deep states. An instruction
 * may run on a second thread, at the same time as the next ones (races).
 *
 * The binary form (what AFL mutates) and the text form (fuzz/corpus/,
 * crash reports) carry the same thing; prog.c converts between them.
 */
#ifndef NABLA_FUZZ_H
#define NABLA_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_FIELDS	6
#define MAX_INSNS	64
/* Bytes of an instruction's fields beyond its selectors (wide fields). */
#define WIDE_BYTES	8
/* An input longer than this is cut (AFL's own default limit is 1 MiB). */
#define MAX_PROG_BYTES	4096

/* How a choice becomes a value, given the call's device (exec.c). */
enum tag {
	T_CONST,	/* v */
	T_RAW,		/* the instruction's 8 raw bytes */
	T_BS,		/* v block sizes */
	T_LAST,		/* capacity - v block sizes */
	T_CAP,		/* capacity + v block sizes */
	T_MAXIO,	/* NABLA_BLOCK_MAX_IO + v block sizes */
	T_FRAME,	/* 14 + mtu + v */
	T_NEG,		/* -v, as a u64 */
	T_NOW,		/* CLOCK_MONOTONIC now + v ns */
};

struct choice {
	const char *name;
	enum tag tag;
	uint64_t v;
};

struct field {
	const char *name;
	const struct choice *ch;
	unsigned int nch;
	bool wide;		/* 8 raw bytes follow the selector */
};

struct thr;
struct insn;

struct op {
	const char *name;
	int (*run)(struct thr *t, const struct insn *in);
	unsigned int nf;
	struct field f[MAX_FIELDS];
};

struct insn {
	const struct op *op;
	bool async;		/* on the second thread, concurrently */
	uint8_t sel[MAX_FIELDS];
	uint64_t raw[MAX_FIELDS];
	/* Text form only: what the call must return (0 or -errno). */
	bool has_expect;
	int expect;
	int line;
};

struct prog {
	unsigned int n;
	struct insn in[MAX_INSNS];
	bool any_async;
};

/* prog.c */
extern const struct op ops[];
extern const unsigned int nops;
void prog_decode(struct prog *p, const uint8_t *buf, size_t len);
size_t prog_encode(const struct prog *p, uint8_t *buf, size_t size);
int prog_parse(struct prog *p, const char *text, const char *file);
void prog_print(const struct prog *p, FILE *out);
void insn_print(const struct insn *in, FILE *out);
const struct choice *insn_choice(const struct insn *in, unsigned int i);
const char *errno_name(int err);

/* exec.c */
int fixtures_setup(void);
void fixtures_restore(void);
int prog_run(const struct prog *p, bool check, FILE *log);

/* cover.c */
int cover_setup(void);
unsigned int cover_map_size(void);
void cover_thread_start(int slot);
void cover_op_begin(int slot);
unsigned long cover_op_end(int slot, unsigned int opno);
void cover_pcmap_open(const char *path);

#endif /* NABLA_FUZZ_H */
