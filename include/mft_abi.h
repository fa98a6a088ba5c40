/* SPDX-License-Identifier: ISC */
/*
 * mft_abi.h: the application manifest of a Solo5 unikernel, as it is laid
 * out in the unikernel's ELF file.
 *
 * The layout is Solo5's (its include/mft_abi.h, manifest version 1), so
 * that a unikernel built by a Solo5 toolchain carries a note nabla-run
 * reads, and one built here carries a note Solo5's tools read:
 *
 *   an ELF note of name "Solo5" and type "MFT1" (0x3154464d), in a section
 *   .note.solo5.manifest of its own PT_NOTE segment; its descriptor is a
 *   struct mft (8-byte aligned: 4 bytes of padding after the 20-byte note
 *   header, counted in n_descsz), with mft.entries struct mft_entry, the
 *   first of which is of type MFT_RESERVED_FIRST with an empty name. At
 *   most MFT_MAX_ENTRIES entries: 63 devices.
 *
 * The static assertions below pin every offset, for x86_64 (the only
 * target). nabla-elftool gen-manifest writes a C file that defines the
 * note with MFT_NOTE_BEGIN / MFT_NOTE_END after defining MFT_ENTRIES.
 *
 * Self-contained: C99 freestanding headers only.
 */
#ifndef NABLA_MFT_ABI_H
#define NABLA_MFT_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MFT_VERSION		1

typedef enum mft_type {
	MFT_DEV_BLOCK_BASIC = 1,
	MFT_DEV_NET_BASIC = 2,
	MFT_DEV_PCI_BASIC = 3,		/* Solo5 hvt only: not run here */
	MFT_RESERVED_FIRST = (1U << 30),
} mft_type_t;

struct mft_block_basic {
	uint64_t capacity;
	uint16_t block_size;
};

struct mft_net_basic {
	uint8_t mac[6];
	uint16_t mtu;
};

#define MFT_NAME_SIZE		68	/* with the terminating NUL */
#define MFT_NAME_MAX		67

/*
 * One device. Only name and type are the manifest's; the rest is room the
 * loader may use at run time and is zero (attached false) in the file.
 */
struct mft_entry {
	char name[MFT_NAME_SIZE];
	mft_type_t type;
	union {
		struct mft_block_basic block_basic;
		struct mft_net_basic net_basic;
	} u;
	union {
		int hostfd;
		void *data;
	} b;
	bool attached;
};

#define MFT_MAX_ENTRIES		64

/* Defined (to the number of entries) by the file gen-manifest writes. */
#ifndef MFT_ENTRIES
#define MFT_ENTRIES
#endif

struct mft {
	uint32_t version;
	uint32_t entries;
	struct mft_entry e[MFT_ENTRIES];
};

#define MFT_NOTE_NAME		"Solo5"
#define MFT_NOTE_TYPE		0x3154464d	/* "MFT1", little-endian */

/* An ELF note header with its name "Solo5\0" padded to 4 bytes. */
struct mft_note_header {
	uint32_t n_namesz;
	uint32_t n_descsz;
	uint32_t n_type;
	char n_name[8];
};

struct mft_note {
	struct mft_note_header h;
	struct mft m;
};

/* Where the struct mft starts in the note, and the largest descriptor. */
#define MFT_NOTE_DESC_PAD	(offsetof(struct mft_note, m) - \
				 sizeof(struct mft_note_header))
#define MFT_NOTE_MAX_DESCSZ	(MFT_NOTE_DESC_PAD + sizeof(struct mft) + \
				 MFT_MAX_ENTRIES * sizeof(struct mft_entry))

_Static_assert(sizeof(struct mft_note_header) == 20, "note header");
_Static_assert(offsetof(struct mft_entry, type) == 68, "mft_entry.type");
_Static_assert(offsetof(struct mft_entry, u) == 72, "mft_entry.u");
_Static_assert(offsetof(struct mft_entry, b) == 88, "mft_entry.b");
_Static_assert(offsetof(struct mft_entry, attached) == 96, "mft_entry.attached");
_Static_assert(sizeof(struct mft_entry) == 104, "mft_entry");
_Static_assert(offsetof(struct mft, e) == 8, "mft.e");
_Static_assert(offsetof(struct mft_note, m) == 24, "mft_note.m");

/*
 * The note itself, read-only, in its own section (the linker script puts
 * it in a PT_NOTE segment). Use as:
 *   MFT_NOTE_BEGIN { .version = MFT_VERSION, .entries = N, .e = { ... } }
 *   MFT_NOTE_END
 */
#define MFT_NOTE_BEGIN							\
	const struct mft_note __solo5_mft1_note				\
	__attribute__((section(".note.solo5.manifest"), used,	\
		       aligned(8))) = {					\
		.h = {							\
			.n_namesz = sizeof(MFT_NOTE_NAME),		\
			.n_descsz = sizeof(struct mft_note) -		\
				    sizeof(struct mft_note_header),	\
			.n_type = MFT_NOTE_TYPE,			\
			.n_name = MFT_NOTE_NAME,			\
		},							\
		.m =
#define MFT_NOTE_END	};

#endif /* NABLA_MFT_ABI_H */
