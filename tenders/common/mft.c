// SPDX-License-Identifier: ISC
/*
 * mft.c: reading and checking a unikernel's manifest (mft.h). The note
 * comes from a file that may be hostile: every field is checked before the
 * tender relies on it.
 */
#include <err.h>
#include <stdbool.h>
#include <string.h>

#include "mft.h"

static const struct {
	mft_type_t type;
	const char *name;
} types[] = {
	{ MFT_DEV_NET_BASIC, "NET_BASIC" },
	{ MFT_DEV_BLOCK_BASIC, "BLOCK_BASIC" },
	{ MFT_DEV_PCI_BASIC, "PCI_BASIC" },
	{ MFT_RESERVED_FIRST, "RESERVED_FIRST" },
};

const char *mft_type_name(mft_type_t type)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return types[i].name;
	return "UNKNOWN";
}

mft_type_t mft_type_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i].name, name) &&
		    types[i].type != MFT_RESERVED_FIRST)
			return types[i].type;
	return 0;
}

/* 1 to MFT_NAME_MAX of [A-Za-z0-9_-]: what --net:NAME= and --block:NAME= take. */
int mft_name_ok(const char *name)
{
	size_t i, len = strnlen(name, MFT_NAME_SIZE);

	if (len == 0 || len > MFT_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '_' && c != '-')
			return 0;
	}
	return 1;
}

static const char *check_entry(const struct mft *m, unsigned int i)
{
	const struct mft_entry *e = &m->e[i];
	unsigned int j;

	if (memchr(e->name, '\0', MFT_NAME_SIZE) == NULL)
		return "name not terminated";
	if (e->attached)
		return "marked attached";
	if (i == 0)
		return e->type == MFT_RESERVED_FIRST && !e->name[0] ? NULL :
		       "the first entry is not the reserved one";
	if (e->type == MFT_DEV_PCI_BASIC)
		return "a PCI_BASIC device (Solo5 hvt only)";
	if (e->type != MFT_DEV_NET_BASIC && e->type != MFT_DEV_BLOCK_BASIC)
		return "unknown device type";
	if (!mft_name_ok(e->name))
		return "bad name (1 to 67 of A-Z a-z 0-9 _ -)";
	for (j = 1; j < i; j++)
		if (!strcmp(m->e[j].name, e->name))
			return "name used twice";
	return NULL;
}

static int validate(const char *path, const struct mft *m, size_t size)
{
	const char *why = NULL;
	unsigned int i;

	if (size < sizeof(*m))
		why = "too short";
	else if (m->version != MFT_VERSION)
		why = "not manifest version 1";
	else if (m->entries < 1 || m->entries > MFT_MAX_ENTRIES)
		why = "bad number of entries (1 to 64, the first reserved)";
	else if (size != sizeof(*m) + m->entries * sizeof(struct mft_entry))
		why = "its size does not match its number of entries";
	if (why) {
		warnx("%s: bad Solo5 manifest: %s", path, why);
		return -1;
	}
	for (i = 0; i < m->entries; i++) {
		why = check_entry(m, i);
		if (why) {
			warnx("%s: bad Solo5 manifest: entry %u: %s", path, i,
			      why);
			return -1;
		}
	}
	return 0;
}

int mft_read(const struct elf_file *f, struct mft_image *img)
{
	size_t len;
	int rc;

	rc = elf_find_note(f, MFT_NOTE_NAME, MFT_NOTE_TYPE, img->desc,
			   sizeof(img->desc), &len);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		warnx("%s: no Solo5 manifest (an ELF note \"Solo5\" of type "
		      "MFT1): link it with the output of nabla-elftool "
		      "gen-manifest", f->path);
		return -1;
	}
	if (len < MFT_NOTE_DESC_PAD) {
		warnx("%s: bad Solo5 manifest: too short", f->path);
		return -1;
	}
	img->mft = (const struct mft *)(img->desc + MFT_NOTE_DESC_PAD);
	return validate(f->path, img->mft, len - MFT_NOTE_DESC_PAD);
}
