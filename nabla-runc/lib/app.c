// SPDX-License-Identifier: GPL-2.0
/*
 * app.c: what process.args names and how it is started.
 *
 * process.args[0] is looked up in the container's root (absolute, or on
 * process.env's PATH), never outside it: a path whose ".." climbs above
 * the root is refused, and symlinks resolve inside it (openat2
 * RESOLVE_IN_ROOT). It must be a nabla application: an ELF executable
 * defining solo5_app_main (linked with libnabla: run directly), or a Solo5
 * unikernel with a manifest note (run by the tender nabla-run). Anything
 * else is refused at create, before anything is made.
 *
 * The application's command line is process.args with nabla's options
 * inserted after args[0] (libnabla's: --backend, --net, --net-mac, --mem,
 * --block), and the network the engine gave the interface put first after
 * "--": "ADDR/PREFIX [gw=GATEWAY]", as the examples take it.
 *
 * Annotations (nabla's choices, README.md "Containers"):
 *   org.nabla.backend=dev|syscall   default dev, or syscall without /dev/nabla
 *   org.nabla.net=IFNAME|none       default eth0 when the namespace has it
 *   org.nabla.net.device=NAME       the Solo5 net device, default service0
 *   org.nabla.block.NAME=PATH       Solo5 block device NAME on PATH in the
 *                                   container (a file in a volume)
 *   org.nabla.block-size.NAME=N[KMG]
 *                                   made with that size (zeroed) when it
 *                                   does not exist (podman's --annotation
 *                                   splits values at commas, hence apart)
 *   org.nabla.mem=MiB               the heap; default: linux.resources
 *                                   .memory.limit less 16 MiB, else
 *                                   libnabla's default
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "nrc.h"
#include "mft_abi.h"
#include "nabla_abi.h"

#define MEM_RESERVE_MIB 16
#define BLOCK_PREFIX "org.nabla.block."
#define SIZE_PREFIX "org.nabla.block-size."

/* Lexically, does PATH climb above "/"? */
static bool climbs_out(const char *path)
{
	int depth = 0;
	const char *p = path;

	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 2 && !strncmp(p, "..", 2)) {
			if (--depth < 0)
				return true;
		} else if (n && !(n == 1 && *p == '.')) {
			depth++;
		}
		p += n;
	}
	return false;
}

static int open_in_root(const char *rootfs, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int root, fd;

	root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	while (*path == '/')
		path++;
	fd = syscall(SYS_openat2, root, *path ? path : ".", &how, sizeof(how));
	close(root);
	return fd;
}

/* args[0] as the init will exec it after its chroot. */
static int resolve(const struct nr_spec *s, char *out, size_t size, int *fdp)
{
	const char *name = s->args[0], *pathvar = "/usr/local/bin:/usr/bin:/bin";
	size_t i;

	if (climbs_out(name)) {
		nr_error("process.args[0]: %s is outside the container's root", name);
		return -1;
	}
	if (strchr(name, '/')) {
		snprintf(out, size, "%s%s", name[0] == '/' ? "" : "/", name);
		*fdp = open_in_root(s->rootfs, out);
		if (*fdp < 0) {
			nr_perror("process.args[0]: %s in the container's root %s", name, s->rootfs);
			return -1;
		}
		return 0;
	}
	for (i = 0; s->env && s->env[i]; i++)
		if (!strncmp(s->env[i], "PATH=", 5))
			pathvar = s->env[i] + 5;
	while (*pathvar) {
		size_t n = strcspn(pathvar, ":");

		snprintf(out, size, "%.*s/%s", (int)n, pathvar, name);
		if (out[0] == '/' && !climbs_out(out)) {
			*fdp = open_in_root(s->rootfs, out);
			if (*fdp >= 0)
				return 0;
		}
		pathvar += n + (pathvar[n] == ':');
	}
	nr_error("process.args[0]: %s: not found on the container's PATH", name);
	return -1;
}

/* Section NAME of the ELF image (64-bit, little endian), or NULL; its size in *len. */
static const unsigned char *elf_section(const unsigned char *img, size_t size, const char *name,
					size_t *len)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Shdr *sh, *names;
	size_t i;

	if (eh->e_shoff >= size || eh->e_shnum > (size - eh->e_shoff) / sizeof(*sh) ||
	    eh->e_shentsize != sizeof(*sh) || eh->e_shstrndx >= eh->e_shnum)
		return NULL;
	sh = (const void *)(img + eh->e_shoff);
	names = &sh[eh->e_shstrndx];
	if (names->sh_offset >= size || names->sh_size > size - names->sh_offset)
		return NULL;
	for (i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_name >= names->sh_size || sh[i].sh_type == SHT_NOBITS ||
		    sh[i].sh_offset > size || sh[i].sh_size > size - sh[i].sh_offset ||
		    strncmp((const char *)img + names->sh_offset + sh[i].sh_name, name,
			    names->sh_size - sh[i].sh_name))
			continue;
		*len = sh[i].sh_size;
		return img + sh[i].sh_offset;
	}
	return NULL;
}

/* Does a symbol table of the image define SYM? */
static bool elf_defines(const unsigned char *img, size_t size, const char *sym)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Shdr *sh = (const void *)(img + eh->e_shoff);
	size_t i, j;

	if (eh->e_shoff >= size || eh->e_shnum > (size - eh->e_shoff) / sizeof(*sh) ||
	    eh->e_shentsize != sizeof(*sh))
		return false;
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *str = &sh[sh[i].sh_link];
		const Elf64_Sym *syms = (const void *)(img + sh[i].sh_offset);

		if ((sh[i].sh_type != SHT_SYMTAB && sh[i].sh_type != SHT_DYNSYM) ||
		    sh[i].sh_link >= eh->e_shnum || sh[i].sh_offset > size ||
		    sh[i].sh_size > size - sh[i].sh_offset || str->sh_offset > size ||
		    str->sh_size > size - str->sh_offset)
			continue;
		for (j = 0; j < sh[i].sh_size / sizeof(*syms); j++)
			if (syms[j].st_name < str->sh_size && syms[j].st_shndx != SHN_UNDEF &&
			    !strncmp((const char *)img + str->sh_offset + syms[j].st_name, sym,
				     str->sh_size - syms[j].st_name))
				return true;
	}
	return false;
}

/*
 * A unikernel's manifest (include/mft_abi.h): its first net device is the
 * one the engine's interface is handed to; with none, no network.
 */
static int read_manifest(const unsigned char *note, size_t len, const char *path,
			 struct nr_app *app)
{
	const struct mft_note *n = (const void *)note;
	uint32_t i;

	if (len < sizeof(struct mft_note) || n->h.n_type != MFT_NOTE_TYPE ||
	    n->m.version != MFT_VERSION || n->m.entries > MFT_MAX_ENTRIES ||
	    n->m.entries > (len - sizeof(struct mft_note)) / sizeof(struct mft_entry)) {
		nr_error("process.args[0]: %s: its Solo5 manifest cannot be read", path);
		return -1;
	}
	for (i = 0; i < n->m.entries; i++)
		if (n->m.e[i].type == MFT_DEV_NET_BASIC) {
			snprintf(app->uk_netdev, sizeof(app->uk_netdev), "%.*s",
				 MFT_NAME_MAX, n->m.e[i].name);
			break;
		}
	return 0;
}

/* The backend a unikernel's bindings were built for (their "nabla" note). */
static int read_backend(const unsigned char *note, size_t len, const char *path,
			struct nr_app *app)
{
	uint32_t namesz, descsz, kind;

	if (len < 12)
		goto bad;
	memcpy(&namesz, note, 4);
	memcpy(&descsz, note + 4, 4);
	if (descsz != 4 || 12 + ((namesz + 3) & ~3u) + 4 > len)
		goto bad;
	memcpy(&kind, note + 12 + ((namesz + 3) & ~3u), 4);
	if (kind != NABLA_BACKEND_DEV && kind != NABLA_BACKEND_SYSCALL)
		goto bad;
	app->uk_backend = kind == NABLA_BACKEND_DEV ? "dev" : "syscall";
	return 0;
bad:
	nr_error("process.args[0]: %s: its nabla backend note cannot be read", path);
	return -1;
}

static int classify(int fd, const char *path, struct nr_app *app)
{
	const unsigned char *note;
	struct stat st;
	unsigned char *img;
	size_t len;
	int rc = -1;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		nr_error("process.args[0]: %s is not an executable file", path);
		return -1;
	}
	if ((size_t)st.st_size < sizeof(Elf64_Ehdr))
		goto not_nabla;
	img = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (img == MAP_FAILED) {
		nr_perror("process.args[0]: %s", path);
		return -1;
	}
	if (memcmp(img, ELFMAG, SELFMAG) || img[EI_CLASS] != ELFCLASS64 ||
	    img[EI_DATA] != ELFDATA2LSB) {
		munmap(img, st.st_size);
		goto not_nabla;
	}
	note = elf_section(img, st.st_size, ".note.solo5.manifest", &len);
	if (note) {
		app->unikernel = true;
		rc = read_manifest(note, len, path, app);
		note = elf_section(img, st.st_size, ".note.nabla.backend", &len);
		if (!rc && !note)
			nr_error("process.args[0]: %s is a Solo5 unikernel, but not linked with "
				 "nabla's bindings (no .note.nabla.backend)", path);
		rc = rc || !note || read_backend(note, len, path, app) ? -1 : 0;
	} else if (elf_defines(img, st.st_size, "solo5_app_main")) {
		rc = 0;
	}
	munmap(img, st.st_size);
	if (rc == 0 || app->unikernel)
		return rc;
not_nabla:
	nr_error("process.args[0]: %s is not a nabla application (neither linked with libnabla, "
		 "which defines solo5_app_main, nor a Solo5 unikernel with a manifest)", path);
	return -1;
}

/*
 * A pod's sandbox ("pause") container, which the CRI runs with the pod's
 * runtime class before its containers: it only holds the namespaces. Its
 * binary is not run; nabla-runc's init holds them instead (container.c).
 */
static bool is_sandbox(const struct nr_spec *s)
{
	const char *c = nr_annotation(s, "io.kubernetes.cri.container-type");
	const char *o = nr_annotation(s, "io.kubernetes.cri-o.ContainerType");

	return (c && !strcmp(c, "sandbox")) || (o && !strcmp(o, "sandbox"));
}

int nr_app_check(const struct nr_spec *s, struct nr_app *app)
{
	char path[PATH_MAX];
	int fd, rc;

	memset(app, 0, sizeof(*app));
	if (is_sandbox(s)) {
		app->sandbox = true;
		app->path = strdup("(sandbox)");
		return app->path ? 0 : -1;
	}
	if (resolve(s, path, sizeof(path), &fd))
		return -1;
	rc = classify(fd, path, app);
	close(fd);
	if (rc)
		return -1;
	app->path = strdup(path);
	return app->path ? 0 : -1;
}

/* --- the command line ------------------------------------------------------ */

struct argv_buf {
	char **v;
	size_t n, cap;
};

static int push(struct argv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int push(struct argv_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (b->n + 2 > b->cap) {
		char **v = realloc(b->v, (b->cap + 16) * sizeof(char *));

		if (!v)
			return -1;
		b->v = v;
		b->cap += 16;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return -1;
	b->v[b->n++] = s;
	b->v[b->n] = NULL;
	return 0;
}

static bool has_option(const struct nr_spec *s, const char *prefix)
{
	size_t i;

	for (i = 1; i < s->nargs && strcmp(s->args[i], "--"); i++)
		if (!strncmp(s->args[i], prefix, strlen(prefix)))
			return true;
	return false;
}

/* The path of org.nabla.block.NAME: absolute, inside the container. */
static int block_path(const char *name, const char *val)
{
	if (val[0] == '/' && !climbs_out(val))
		return 0;
	nr_error("annotations." BLOCK_PREFIX "%s: '%s' is not an absolute path in the container",
		 name, val);
	return -1;
}

/* org.nabla.block-size.NAME: N[KMG], a multiple of 512; 0 when absent. */
static int block_size(const struct nr_spec *s, const char *name, unsigned long long *bytes)
{
	char key[128], *end;
	const char *v;

	snprintf(key, sizeof(key), SIZE_PREFIX "%s", name);
	v = nr_annotation(s, key);
	*bytes = 0;
	if (!v)
		return 0;
	*bytes = strtoull(v, &end, 10);
	switch (*end) {
	case 'G':
		*bytes <<= 10;
		/* fallthrough */
	case 'M':
		*bytes <<= 10;
		/* fallthrough */
	case 'K':
		*bytes <<= 10;
		end++;
	}
	if (*end || !*bytes || *bytes % 512) {
		nr_error("annotations.%s: '%s' is not a size (N[KMG], a multiple of 512 bytes)",
			 key, v);
		return -1;
	}
	return 0;
}

static int add_blocks(const struct nr_spec *s, struct argv_buf *b)
{
	const char *key;
	json_t *v;

	if (!s->annotations)
		return 0;
	json_object_foreach(s->annotations, key, v) {
		const char *name = key + strlen(BLOCK_PREFIX);
		unsigned long long bytes;

		if (strncmp(key, BLOCK_PREFIX, strlen(BLOCK_PREFIX)))
			continue;
		if (block_path(name, json_string_value(v)) || block_size(s, name, &bytes) ||
		    push(b, "--block:%s=%s", name, json_string_value(v)))
			return -1;
	}
	/* A size for a device no annotation names is a mistake. */
	json_object_foreach(s->annotations, key, v) {
		char k[128];

		if (strncmp(key, SIZE_PREFIX, strlen(SIZE_PREFIX)))
			continue;
		snprintf(k, sizeof(k), BLOCK_PREFIX "%s", key + strlen(SIZE_PREFIX));
		if (!nr_annotation(s, k)) {
			nr_error("annotations.%s: no annotation %s names that device", key, k);
			return -1;
		}
	}
	return 0;
}

/*
 * In the init, after its chroot: the block files that annotations name
 * with a size and that do not exist yet are made (zeroed, sparse).
 */
int nr_app_blocks(const struct nr_spec *s)
{
	const char *key;
	json_t *v;

	if (!s->annotations)
		return 0;
	json_object_foreach(s->annotations, key, v) {
		const char *path = json_string_value(v);
		unsigned long long bytes;
		int fd;

		if (strncmp(key, BLOCK_PREFIX, strlen(BLOCK_PREFIX)))
			continue;
		if (block_size(s, key + strlen(BLOCK_PREFIX), &bytes))
			return -1;
		if (!bytes)
			continue;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0 || ftruncate(fd, bytes)) {
			nr_perror("annotations.%s: cannot make %s", key, path);
			if (fd >= 0) {
				close(fd);
				unlink(path);
			}
			return -1;
		}
		close(fd);
	}
	return 0;
}

static int mem_option(const struct nr_spec *s, struct argv_buf *b)
{
	const char *m = nr_annotation(s, "org.nabla.mem");
	long long mib;
	char *end;

	if (has_option(s, "--mem="))
		return 0;
	if (m) {
		mib = strtoll(m, &end, 10);
		if (*end || mib <= 0 || mib > 1 << 20) {
			nr_error("annotations.org.nabla.mem: '%s' is not a size in MiB", m);
			return -1;
		}
		return push(b, "--mem=%lld", mib);
	}
	if (s->mem_limit <= 0)
		return 0;
	mib = s->mem_limit / (1 << 20) - MEM_RESERVE_MIB;
	if (mib < 1) {
		nr_error("linux.resources.memory.limit: %lld bytes leave no heap for the application "
			 "(it needs %d MiB besides its heap)", (long long)s->mem_limit, MEM_RESERVE_MIB);
		return -1;
	}
	return push(b, "--mem=%lld", mib);
}

/* The network words after "--": "ADDR/PREFIX [gw=GATEWAY]". */
static int net_words(struct argv_buf *b, const struct nr_netinfo *ni)
{
	if (!ni || !*ni->addr)
		return 0;
	if (push(b, "%s/%u", ni->addr, ni->prefix))
		return -1;
	return *ni->gateway ? push(b, "gw=%s", ni->gateway) : 0;
}

int nr_app_argv(const struct nr_spec *s, struct nr_app *app, const struct nr_netinfo *ni,
		const unsigned char *mac)
{
	struct argv_buf b = { 0 };
	size_t i, dd;

	errno = 0;
	/*
	 * libnabla: PROG [OPTION]... -- ARG...
	 * nabla-run: nabla-run [OPTION]... -- UNIKERNEL ARG... (its backend
	 * is its bindings')
	 */
	if (push(&b, "%s", app->unikernel ? "nabla-run" : app->path) ||
	    (!app->unikernel && !has_option(s, "--backend=") &&
	     push(&b, "--backend=%s", app->backend)))
		goto err;
	if (*app->netif &&
	    (push(&b, "--net:%s=%s", app->netdev, app->netif) ||
	     push(&b, "--net-mac:%s=%02x:%02x:%02x:%02x:%02x:%02x", app->netdev, mac[0], mac[1],
		  mac[2], mac[3], mac[4], mac[5])))
		goto err;
	if (mem_option(s, &b) || add_blocks(s, &b))
		goto err;
	for (dd = 1; dd < s->nargs && strcmp(s->args[dd], "--"); dd++)
		if (push(&b, "%s", s->args[dd]))
			goto err;
	if (push(&b, "--") || (app->unikernel && push(&b, "%s", app->path)) ||
	    net_words(&b, *app->netif ? ni : NULL))
		goto err;
	for (i = dd + 1; i < s->nargs; i++)
		if (push(&b, "%s", s->args[i]))
			goto err;
	app->argv = b.v;
	return 0;
err:
	if (errno == ENOMEM)
		nr_error("cannot build the application's command line: out of memory");
	for (i = 0; i < b.n; i++)
		free(b.v[i]);
	free(b.v);
	return -1;
}

void nr_app_free(struct nr_app *app)
{
	size_t i;

	for (i = 0; app->argv && app->argv[i]; i++)
		free(app->argv[i]);
	free(app->argv);
	free(app->path);
	memset(app, 0, sizeof(*app));
}
