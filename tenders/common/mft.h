/* SPDX-License-Identifier: ISC */
/*
 * mft.h: a unikernel's manifest (mft_abi.h), read from its ELF file and
 * checked. Shared by nabla-run and nabla-elftool.
 */
#ifndef NABLA_TENDER_MFT_H
#define NABLA_TENDER_MFT_H

#include "ukelf.h"
#include "mft_abi.h"

/* The note's descriptor as read, and the manifest in it once checked. */
struct mft_image {
	union {
		uint8_t desc[MFT_NOTE_MAX_DESCSZ];
		uint64_t align;
	};
	const struct mft *mft;
};

/*
 * Read and check the manifest of @f: Solo5's version 1 layout, 1 to
 * MFT_MAX_ENTRIES entries, the first MFT_RESERVED_FIRST with an empty
 * name, the others NET_BASIC or BLOCK_BASIC with a name of 1 to
 * MFT_NAME_MAX characters of [A-Za-z0-9_-], each used once, nothing
 * attached. Returns 0, or -1 after printing why (warnx(3)), also when
 * there is no manifest.
 */
int mft_read(const struct elf_file *f, struct mft_image *img);

/* "NET_BASIC", "BLOCK_BASIC", ... as in the JSON manifest. */
const char *mft_type_name(mft_type_t type);

/* The type named @name in a JSON manifest, or 0. */
mft_type_t mft_type_by_name(const char *name);

/* A device name the tender and the JSON manifest accept. */
int mft_name_ok(const char *name);

#endif /* NABLA_TENDER_MFT_H */
