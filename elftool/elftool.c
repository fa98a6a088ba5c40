// SPDX-License-Identifier: ISC
/*
 * nabla-elftool: a unikernel's manifest, as solo5-elftool does it.
 *
 *   nabla-elftool gen-manifest SOURCE OUTPUT
 *       read the JSON manifest SOURCE and write OUTPUT, a C file that
 *       defines the manifest note (mft_abi.h) when compiled and linked
 *       into the unikernel
 *   nabla-elftool query-manifest UNIKERNEL
 *       print the manifest of the ELF file UNIKERNEL as JSON
 *
 * The JSON manifest (Solo5's format, version 1):
 *   { "type": "solo5.manifest", "version": 1,
 *     "devices": [ { "name": "service0", "type": "NET_BASIC" },
 *                  { "name": "storage", "type": "BLOCK_BASIC" } ] }
 * Every key is required and no other is allowed; names are 1 to 67 of
 * A-Z a-z 0-9 _ - (Solo5's tool takes letters and digits only), each used
 * once; at most 63 devices. Errors name the file and line; exit status 1.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "mft.h"

#ifndef NABLA_TOOLS_VERSION
#define NABLA_TOOLS_VERSION	"0.1.0"
#endif

/* Larger than any manifest of 63 devices with the longest names. */
#define SOURCE_MAX	(1 << 20)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: nabla-elftool COMMAND ...\n"
		"  gen-manifest SOURCE OUTPUT\n"
		"      from the JSON manifest SOURCE, write the C file OUTPUT that\n"
		"      defines the manifest note of a unikernel\n"
		"  query-manifest UNIKERNEL\n"
		"      print the manifest of UNIKERNEL as JSON\n"
		"  --help, --version\n");
}

static char *read_source(const char *path, size_t *len)
{
	char *buf = malloc(SOURCE_MAX + 1);
	FILE *f = fopen(path, "r");

	if (!buf || !f) {
		warn("%s", path);
		goto err;
	}
	*len = fread(buf, 1, SOURCE_MAX + 1, f);
	if (ferror(f)) {
		warn("%s", path);
		goto err;
	}
	if (*len > SOURCE_MAX) {
		warnx("%s: larger than %d bytes", path, SOURCE_MAX);
		goto err;
	}
	fclose(f);
	return buf;
err:
	if (f)
		fclose(f);
	free(buf);
	return NULL;
}

/* An error at value @v: "SOURCE:LINE: what"; returns -1. */
static int bad(const char *source, const struct json *v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(const char *source, const struct json *v, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warnx("%s:%u: %s", source, v->line, msg);
	return -1;
}

static const char *article(enum json_kind kind)
{
	return kind == JSON_INT || kind == JSON_ARRAY || kind == JSON_OBJECT ?
	       "an" : "a";
}

static int expect(const char *source, const struct json *v,
		  enum json_kind kind, const char *what)
{
	if (v->kind == kind)
		return 0;
	return bad(source, v, "%s: expected %s %s, got %s %s", what,
		   article(kind), json_kind_name(kind), article(v->kind),
		   json_kind_name(v->kind));
}

/* @obj has exactly the keys in @keys (NULL-terminated). */
static int only_keys(const char *source, const struct json *obj,
		     const char *const *keys, const char *what)
{
	size_t i, k;

	for (i = 0; i < obj->n; i++) {
		for (k = 0; keys[k]; k++)
			if (!strcmp(obj->items[i]->key, keys[k]))
				break;
		if (!keys[k])
			return bad(source, obj->items[i],
				   "%s: unknown key \"%s\"", what,
				   obj->items[i]->key);
	}
	for (k = 0; keys[k]; k++)
		if (!json_get(obj, keys[k]))
			return bad(source, obj, "%s: missing \"%s\"", what,
				   keys[k]);
	return 0;
}

static int check_device(const char *source, const struct json *dev,
			const struct json *devices, size_t index)
{
	static const char *const keys[] = { "name", "type", NULL };
	const struct json *name, *type;
	size_t j;

	if (expect(source, dev, JSON_OBJECT, ".devices[]") ||
	    only_keys(source, dev, keys, ".devices[]"))
		return -1;
	name = json_get(dev, "name");
	type = json_get(dev, "type");
	if (expect(source, name, JSON_STRING, ".devices[].name") ||
	    expect(source, type, JSON_STRING, ".devices[].type"))
		return -1;
	if (!mft_name_ok(name->s))
		return bad(source, name, ".devices[].name: \"%s\": 1 to %d "
			   "of A-Z a-z 0-9 _ -", name->s, MFT_NAME_MAX);
	if (mft_type_by_name(type->s) != MFT_DEV_NET_BASIC &&
	    mft_type_by_name(type->s) != MFT_DEV_BLOCK_BASIC)
		return bad(source, type, ".devices[].type: \"%s\": expected "
			   "\"NET_BASIC\" or \"BLOCK_BASIC\"", type->s);
	for (j = 0; j < index; j++)
		if (!strcmp(json_get(devices->items[j], "name")->s, name->s))
			return bad(source, name, ".devices[].name: \"%s\" used "
				   "twice", name->s);
	return 0;
}

static int check_manifest(const char *source, const struct json *root)
{
	static const char *const keys[] = { "type", "version", "devices", NULL };
	const struct json *type, *version, *devices;
	size_t i;

	if (expect(source, root, JSON_OBJECT, "(root)") ||
	    only_keys(source, root, keys, "(root)"))
		return -1;
	type = json_get(root, "type");
	version = json_get(root, "version");
	devices = json_get(root, "devices");
	if (expect(source, type, JSON_STRING, ".type") ||
	    expect(source, version, JSON_INT, ".version") ||
	    expect(source, devices, JSON_ARRAY, ".devices"))
		return -1;
	if (strcmp(type->s, "solo5.manifest"))
		return bad(source, type, ".type: expected \"solo5.manifest\"");
	if (version->i != MFT_VERSION)
		return bad(source, version, ".version: %lld, expected %d",
			   version->i, MFT_VERSION);
	if (devices->n > MFT_MAX_ENTRIES - 1)
		return bad(source, devices, ".devices: %zu devices, at most %d",
			   devices->n, MFT_MAX_ENTRIES - 1);
	for (i = 0; i < devices->n; i++)
		if (check_device(source, devices->items[i], devices, i))
			return -1;
	return 0;
}

static int write_c(FILE *out, const char *source, const struct json *devices)
{
	size_t i;

	fprintf(out, "/* Generated by nabla-elftool %s from %s: do not edit. */\n"
		"#define MFT_ENTRIES %zu\n"
		"#include \"mft_abi.h\"\n"
		"\n"
		"MFT_NOTE_BEGIN\n"
		"{\n"
		"\t.version = MFT_VERSION, .entries = %zu,\n"
		"\t.e = {\n"
		"\t\t{ .name = \"\", .type = MFT_RESERVED_FIRST },\n",
		NABLA_TOOLS_VERSION, source, devices->n + 1, devices->n + 1);
	for (i = 0; i < devices->n; i++) {
		const struct json *d = devices->items[i];

		fprintf(out, "\t\t{ .name = \"%s\", .type = MFT_DEV_%s },\n",
			json_get(d, "name")->s, json_get(d, "type")->s);
	}
	fprintf(out, "\t}\n}\nMFT_NOTE_END\n");
	return fflush(out) || ferror(out) ? -1 : 0;
}

static int gen_manifest(const char *source, const char *output)
{
	struct json *root;
	char err[256];
	size_t len;
	char *text;
	FILE *out;
	int rc = -1;

	text = read_source(source, &len);
	if (!text)
		return 1;
	root = json_parse(text, len, err, sizeof(err));
	free(text);
	if (!root) {
		warnx("%s:%s", source, err);
		return 1;
	}
	if (check_manifest(source, root))
		goto out;
	out = fopen(output, "w");
	if (!out) {
		warn("%s", output);
		goto out;
	}
	rc = write_c(out, source, json_get(root, "devices"));
	if (fclose(out))
		rc = -1;
	if (rc) {
		warn("%s", output);
		unlink(output);
	}
out:
	json_free(root);
	return rc ? 1 : 0;
}

static int query_manifest(const char *path)
{
	static struct mft_image img;
	struct elf_file f;
	unsigned int i;
	int rc;

	if (elf_open(&f, path))
		return 1;
	rc = mft_read(&f, &img);
	elf_close(&f);
	if (rc)
		return 1;
	printf("{\n"
	       "  \"type\": \"solo5.manifest\",\n"
	       "  \"version\": %u,\n"
	       "  \"devices\": [", img.mft->version);
	for (i = 1; i < img.mft->entries; i++)
		printf("%s\n    { \"name\": \"%s\", \"type\": \"%s\" }",
		       i > 1 ? "," : "", img.mft->e[i].name,
		       mft_type_name(img.mft->e[i].type));
	printf("%s]\n}\n", img.mft->entries > 1 ? "\n  " : "");
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("nabla-elftool %s (Solo5 manifest version %d)\n",
		       NABLA_TOOLS_VERSION, MFT_VERSION);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "gen-manifest"))
		return gen_manifest(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "query-manifest"))
		return query_manifest(argv[2]);
	usage(stderr);
	return 1;
}
