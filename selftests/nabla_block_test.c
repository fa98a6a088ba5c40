// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/nabla block devices, over three backends: a regular file (tmpfs),
 * a RAM disk (/dev/ram0, brd) and a loop device over a file. Attach and
 * its errors, byte-exact I/O read back through the context and, after it
 * is closed, through a plain read of the file or device; every error of
 * read, write and info; read-only attach; no partial writes; transfers over
 * registered memory.
 */
#include <linux/fs.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "nabla_test.h"

#define FILE_SIZE	(8 << 20)
#define RAM_DEV		"/dev/ram0"

enum backend { BACKEND_FILE, BACKEND_RAM, BACKEND_LOOP };

FIXTURE(block) {
	int fd;			/* the context */
	int file;		/* the backend, as opened for attach */
	char path[128];		/* the backend's path */
	char backing[128];	/* the loop device's file */
	int loop;		/* the loop device, or -1 */
	uint64_t size;
	uint32_t h;
	char dbg[256];
};

FIXTURE_VARIANT(block) {
	enum backend backend;
};

FIXTURE_VARIANT_ADD(block, file) { .backend = BACKEND_FILE };
FIXTURE_VARIANT_ADD(block, ram) { .backend = BACKEND_RAM };
FIXTURE_VARIANT_ADD(block, loop) { .backend = BACKEND_LOOP };

/* Open the backend (file or device node) again in @mode. */
static int backend_open(FIXTURE_DATA(block) *self, enum backend b, int mode)
{
	(void)b;
	return open(self->path, mode | O_CLOEXEC);
}

FIXTURE_SETUP(block)
{
	int h;

	self->fd = -1;
	self->file = -1;
	self->loop = -1;
	NABLA_OPEN_OR_SKIP(self->fd);
	switch (variant->backend) {
	case BACKEND_FILE:
		self->file = tmpfile_create("block", FILE_SIZE, self->path,
					    sizeof(self->path));
		ASSERT_LE(0, self->file);
		self->size = FILE_SIZE;
		break;
	case BACKEND_RAM:
		snprintf(self->path, sizeof(self->path), RAM_DEV);
		self->file = open(RAM_DEV, O_RDWR | O_CLOEXEC);
		if (self->file < 0)
			SKIP(return, RAM_DEV ": %s (brd not loaded?)", strerror(errno));
		ASSERT_EQ(0, ioctl(self->file, BLKGETSIZE64, &self->size));
		break;
	case BACKEND_LOOP:
		self->loop = loop_create("loop", FILE_SIZE, self->backing,
					 sizeof(self->backing), self->path,
					 sizeof(self->path));
		if (self->loop < 0)
			SKIP(return, "no loop device: %s", strerror(-self->loop));
		self->file = dup(self->loop);
		self->size = FILE_SIZE;
		break;
	}
	h = attach_block(self->fd, self->file, "disk", NULL);
	ASSERT_EQ(0, h);
	self->h = h;
	/* The context keeps its own reference. */
	close(self->file);
	self->file = -1;
	if (ctx_debugfs_dir(getpid(), self->dbg, sizeof(self->dbg)))
		self->dbg[0] = 0;
}

FIXTURE_TEARDOWN(block)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->file >= 0)
		close(self->file);
	if (self->loop >= 0) {
		ioctl(self->loop, LOOP_CLR_FD);
		close(self->loop);
		unlink(self->backing);
	}
	if (variant->backend == BACKEND_FILE)
		unlink(self->path);
}

static void pattern(uint8_t *buf, size_t len, uint64_t offset, uint8_t salt)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)((offset + i) * 131 + (offset + i) / 4096 + salt);
}

TEST_F(block, info)
{
	struct nabla_block_info i = { .handle = self->h };

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, nabla_call(self->fd, NABLA_BLOCK_INFO, &i));
	ASSERT_EQ(self->size, i.out_capacity);
	ASSERT_EQ(NABLA_BLOCK_SIZE, i.out_block_size);
	ASSERT_EQ(0, i.out_flags);

	memset(&i, 0, sizeof(i));
	i.handle = self->h;
	i.flags = 1;
	i.out_capacity = 9;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_BLOCK_INFO, &i));
	ASSERT_EQ(9, i.out_capacity);
	i.flags = 0;
	i.handle = 1;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_BLOCK_INFO, &i));
	i.handle = 63;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_BLOCK_INFO, &i));
	i.handle = 0xffffffff;
	ASSERT_EQ(-EINVAL, nabla_call(self->fd, NABLA_BLOCK_INFO, &i));
	ASSERT_EQ(9, i.out_capacity);
}

struct io_case {
	uint64_t offset;
	uint64_t len;
};

TEST_F(block, roundtrip_and_plain_read)
{
	const struct io_case cases[] = {
		{ 0, 512 },
		{ 512, 4096 },
		{ 4096 + 512, 3 * 512 },		/* across a page */
		{ 65536, NABLA_BLOCK_MAX_IO },		/* the largest */
		{ 3 << 20, 8192 + 512 },
		{ self->size - 512, 512 },		/* the last block */
		{ self->size - NABLA_BLOCK_MAX_IO, NABLA_BLOCK_MAX_IO },
	};
	uint8_t *w = malloc(NABLA_BLOCK_MAX_IO), *r = malloc(NABLA_BLOCK_MAX_IO);
	unsigned int i;
	int fd;

	RETURN_IF_SKIPPED();

	ASSERT_TRUE(w && r);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pattern(w, cases[i].len, cases[i].offset, i);
		ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h,
				      cases[i].offset, w, cases[i].len));
		memset(r, 0, cases[i].len);
		ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h,
				      cases[i].offset, r, cases[i].len));
		ASSERT_EQ(0, memcmp(w, r, cases[i].len));
	}
	if (self->dbg[0]) {
		ASSERT_EQ(7, debugfs_get(self->dbg, "block-disk", "writes"));
		ASSERT_EQ(7, debugfs_get(self->dbg, "block-disk", "reads"));
		ASSERT_EQ(0, debugfs_get(self->dbg, "block-disk", "errors"));
	}

	/* After the context is gone, a plain read sees the same bytes. */
	close(self->fd);
	self->fd = -1;
	fd = backend_open(self, variant->backend, O_RDONLY);
	ASSERT_LE(0, fd);
	/* Later cases overwrote parts of earlier ones: check in reverse. */
	for (i = sizeof(cases) / sizeof(cases[0]); i-- > 0;) {
		uint64_t off = cases[i].offset, len = cases[i].len;
		unsigned int j;
		bool overwritten = false;

		for (j = i + 1; j < sizeof(cases) / sizeof(cases[0]); j++)
			if (cases[j].offset < off + len &&
			    off < cases[j].offset + cases[j].len)
				overwritten = true;
		if (overwritten)
			continue;
		pattern(w, len, off, i);
		ASSERT_EQ((ssize_t)len, pread(fd, r, len, off));
		ASSERT_EQ(0, memcmp(w, r, len));
	}
	close(fd);
	free(w);
	free(r);
}

TEST_F(block, sees_earlier_buffered_writes)
{
	uint8_t w[4096], r[4096];
	int fd, other;

	RETURN_IF_SKIPPED();

	/* Written through the page cache before attach: bios must see it. */
	close(self->fd);
	self->fd = -1;
	fd = backend_open(self, variant->backend, O_RDWR);
	ASSERT_LE(0, fd);
	pattern(w, sizeof(w), 8192, 77);
	ASSERT_EQ((ssize_t)sizeof(w), pwrite(fd, w, sizeof(w), 8192));
	other = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, attach_block(other, fd, "again", NULL));
	ASSERT_EQ(0, block_io(other, NABLA_BLOCK_READ, 0, 8192, r, sizeof(r)));
	ASSERT_EQ(0, memcmp(w, r, sizeof(r)));
	close(other);
	close(fd);
}

TEST_F(block, io_errors)
{
	uint8_t *buf = malloc(NABLA_BLOCK_MAX_IO + 4096);
	const unsigned long cmds[] = { NABLA_BLOCK_READ, NABLA_BLOCK_WRITE };
	struct nabla_block_io io;
	unsigned int c;

	RETURN_IF_SKIPPED();

	ASSERT_NE(NULL, buf);
	memset(buf, 0, NABLA_BLOCK_MAX_IO + 4096);
	for (c = 0; c < 2; c++) {
		unsigned long cmd = cmds[c];

		memset(&io, 0, sizeof(io));
		io.handle = self->h;
		io.buf = (uintptr_t)buf;
		io.len = 512;
		io.flags = 2;
		ASSERT_EQ(-EINVAL, nabla_call(self->fd, cmd, &io));
		io.flags = 1U << 31;
		ASSERT_EQ(-EINVAL, nabla_call(self->fd, cmd, &io));
		/* No memory registered. */
		io.flags = NABLA_BLOCK_IO_F_REGISTERED;
		ASSERT_EQ(-EINVAL, nabla_call(self->fd, cmd, &io));
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, 1, 0, buf, 512));
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, 63, 0, buf, 512));
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, 0xffffffff, 0, buf, 512));
		/* misaligned */
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, self->h, 1, buf, 512));
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, self->h, 511, buf, 512));
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, self->h, 0, buf, 1));
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, self->h, 0, buf, 513));
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, self->h, 0, buf, 0));
		/* too long, out of range, overflowing */
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, self->h, 0, buf,
					    NABLA_BLOCK_MAX_IO + 512));
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, self->h, self->size, buf, 512));
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, self->h, self->size - 512, buf, 1024));
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, self->h, 0xfffffffffffffe00ULL, buf, 1024));
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, self->h, 0xfffffffffffffe00ULL, buf, 512));
		ASSERT_EQ(-EINVAL, block_io(self->fd, cmd, self->h, 512, buf, 0xfffffffffffffe00ULL));
		/* bad buffers */
		ASSERT_EQ(-EFAULT, block_io(self->fd, cmd, self->h, 0, (void *)BAD_PTR, 512));
		ASSERT_EQ(-EFAULT, block_io(self->fd, cmd, self->h, 0, NULL, 512));
	}
	if (self->dbg[0]) {
		/* Those that named the handle, read and write. */
		ASSERT_EQ(2 * 14, debugfs_get(self->dbg, "block-disk", "errors"));
		ASSERT_EQ(0, debugfs_get(self->dbg, "block-disk", "writes"));
	}
	free(buf);
}

/*
 * Transfers over registered memory (NABLA_BLOCK_IO_F_REGISTERED) at every
 * alignment the module takes apart, read back through unregistered buffers
 * and into registered ones; only buffers wholly in a region are taken.
 */
TEST_F(block, registered_memory)
{
	const struct { uint64_t offset, at, len; } cases[] = {
		{ 0, 0, 4096 },				/* one page */
		{ 8192, 512, 4096 },			/* across a page */
		{ 65536, 4096, 60 * 4096 },		/* many pages */
		{ 1 << 20, 0, NABLA_BLOCK_MAX_IO },	/* the largest */
		{ 3 << 20, 3584, NABLA_BLOCK_MAX_IO },	/* one page more */
	};
	const size_t size = NABLA_BLOCK_MAX_IO + 2 * 4096;
	const unsigned long rd = NABLA_BLOCK_READ, wr = NABLA_BLOCK_WRITE;
	const uint32_t reg = NABLA_BLOCK_IO_F_REGISTERED;
	uint8_t *m, *w = malloc(size);
	unsigned int i;

	RETURN_IF_SKIPPED();

	m = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(m != MAP_FAILED && w);
	ASSERT_EQ(0, register_memory(self->fd, m, size));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t off = cases[i].offset, len = cases[i].len;
		uint8_t *b = m + cases[i].at;

		pattern(b, len, off, i);
		ASSERT_EQ(0, block_io_flags(self->fd, wr, self->h, off, b, len, reg));
		memset(w, 0, len);
		ASSERT_EQ(0, block_io(self->fd, rd, self->h, off, w, len));
		ASSERT_EQ(0, memcmp(b, w, len));
		memset(b, 0, len);
		ASSERT_EQ(0, block_io_flags(self->fd, rd, self->h, off, b, len, reg));
		ASSERT_EQ(0, memcmp(b, w, len));
	}
	/* Partly or not at all in the region. */
	ASSERT_EQ(-EINVAL, block_io_flags(self->fd, wr, self->h, 0,
					  m + size - 512, 1024, reg));
	ASSERT_EQ(-EINVAL, block_io_flags(self->fd, rd, self->h, 0, w, 512, reg));
	if (self->dbg[0])
		ASSERT_EQ(2 * sizeof(cases) / sizeof(cases[0]),
			  debugfs_get(self->dbg, "block-disk", "registered_ios"));
	munmap(m, size);
	free(w);
}

/*
 * A transfer names the pages pinned at registration, whatever is mapped
 * there later (io_uring's fixed buffers do the same): after the region is
 * unmapped and mapped anew, a write still sends the first pages' bytes.
 */
TEST_F(block, registered_pages_stay)
{
	const uint32_t reg = NABLA_BLOCK_IO_F_REGISTERED;
	uint8_t *m, *again, w[8192], r[8192];

	RETURN_IF_SKIPPED();

	m = mmap(NULL, sizeof(w), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, register_memory(self->fd, m, sizeof(w)));
	pattern(m, sizeof(w), 0, 9);
	memcpy(w, m, sizeof(w));
	ASSERT_EQ(0, munmap(m, sizeof(w)));
	again = mmap(m, sizeof(w), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(m, again);
	memset(again, 0x5a, sizeof(w));
	ASSERT_EQ(0, block_io_flags(self->fd, NABLA_BLOCK_WRITE, self->h, 0,
				    again, sizeof(w), reg));
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0, r, sizeof(r)));
	ASSERT_EQ(0, memcmp(w, r, sizeof(r)));
	/* A read lands in the pinned pages, not in the new mapping. */
	ASSERT_EQ(0, block_io_flags(self->fd, NABLA_BLOCK_READ, self->h, 0,
				    again, sizeof(w), reg));
	ASSERT_EQ(0x5a, again[0]);
	munmap(again, sizeof(w));
}

TEST_F(block, no_partial_write)
{
	uint8_t *map, a[8192], r[8192];

	RETURN_IF_SKIPPED();

	/* A buffer whose second page faults: nothing is written. */
	map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	pattern(a, sizeof(a), 0, 1);
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, a, sizeof(a)));
	memset(map, 0xee, 8192);
	ASSERT_EQ(0, mprotect(map + 4096, 4096, PROT_NONE));
	ASSERT_EQ(-EFAULT, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, map, 8192));
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0, r, sizeof(r)));
	ASSERT_EQ(0, memcmp(a, r, sizeof(r)));
	/* A read into it fails too, and the first page is not trusted. */
	ASSERT_EQ(-EFAULT, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0, map, 8192));
	munmap(map, 8192);
}

TEST_F(block, read_only)
{
	struct nabla_attach_block a = { 0 };
	struct nabla_block_info i = { 0 };
	uint8_t buf[512];
	int ro, other;

	RETURN_IF_SKIPPED();

	ro = backend_open(self, variant->backend, O_RDONLY);
	ASSERT_LE(0, ro);
	other = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, attach_block(other, ro, "ro", &a));
	close(ro);
	ASSERT_EQ(NABLA_BLOCK_F_RDONLY, a.out_flags);
	ASSERT_EQ(self->size, a.out_capacity);
	ASSERT_EQ(NABLA_BLOCK_SIZE, a.out_block_size);
	i.handle = 0;
	ASSERT_EQ(0, nabla_call(other, NABLA_BLOCK_INFO, &i));
	ASSERT_EQ(NABLA_BLOCK_F_RDONLY, i.out_flags);
	ASSERT_EQ(0, block_io(other, NABLA_BLOCK_READ, 0, 0, buf, 512));
	ASSERT_EQ(-EBADF, block_io(other, NABLA_BLOCK_WRITE, 0, 0, buf, 512));
	close(other);
}

/*
 * NABLA_BLOCK_ATTACH_F_BLOCK_SIZE: offsets and lengths are multiples of the
 * chosen size, the capacity is rounded down to it, info reports it.
 */
TEST_F(block, block_size)
{
	struct nabla_attach_block a = { 0 };
	struct nabla_block_info i = { 0 };
	uint8_t *w, *r;
	int fd, other;

	RETURN_IF_SKIPPED();

	w = aligned_alloc(4096, 3 * 4096);
	r = aligned_alloc(4096, 3 * 4096);
	ASSERT_TRUE(w && r);
	fd = backend_open(self, variant->backend, O_RDWR);
	ASSERT_LE(0, fd);
	other = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, attach_block_bs(other, fd, "big", 4096, &a));
	ASSERT_EQ(4096, a.out_block_size);
	ASSERT_EQ(self->size & ~4095ULL, a.out_capacity);
	i.handle = a.out_handle;
	ASSERT_EQ(0, nabla_call(other, NABLA_BLOCK_INFO, &i));
	ASSERT_EQ(4096, i.out_block_size);
	ASSERT_EQ(a.out_capacity, i.out_capacity);

	pattern(w, 3 * 4096, 8192, 3);
	ASSERT_EQ(-EINVAL, block_io(other, NABLA_BLOCK_WRITE, 0, 512, w, 4096));
	ASSERT_EQ(-EINVAL, block_io(other, NABLA_BLOCK_WRITE, 0, 8192, w, 512));
	ASSERT_EQ(-EINVAL, block_io(other, NABLA_BLOCK_READ, 0, 8192, r, 4096 + 512));
	ASSERT_EQ(-EINVAL, block_io(other, NABLA_BLOCK_READ, 0,
				    a.out_capacity - 4096, r, 8192));
	ASSERT_EQ(0, block_io(other, NABLA_BLOCK_WRITE, 0, 8192, w, 3 * 4096));
	/* Any buffer alignment is taken, as with 512. */
	memset(r, 0, 3 * 4096);
	ASSERT_EQ(0, block_io(other, NABLA_BLOCK_READ, 0, 8192, r + 8, 2 * 4096));
	ASSERT_EQ(0, memcmp(w, r + 8, 2 * 4096));
	/* The fixture's 512-byte handle on the same backend sees the same. */
	memset(r, 0, 3 * 4096);
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h, 8192, r, 3 * 4096));
	ASSERT_EQ(0, memcmp(w, r, 3 * 4096));
	close(other);
	close(fd);
	free(w);
	free(r);
}

/* A regular file's size that is not a multiple of the block size. */
TEST_F(block, block_size_rounds_capacity)
{
	struct nabla_attach_block a = { 0 };
	char path[128];
	int fd, other;

	RETURN_IF_SKIPPED();

	if (variant->backend != BACKEND_FILE)
		SKIP(return, "a file's size (file backend)");
	fd = tmpfile_create("odd", 3 * 4096 + 2048, path, sizeof(path));
	ASSERT_LE(0, fd);
	other = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, attach_block_bs(other, fd, "odd", 4096, &a));
	ASSERT_EQ(3 * 4096, a.out_capacity);
	close(other);
	close(fd);
	unlink(path);
}

/* FS_IOC_SETFLAGS's flag @flag on or off for @path: 0, or -errno. */
static int chattr(const char *path, int flag, bool on)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), flags, err = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags))
		err = -errno;
	flags = on ? flags | flag : flags & ~flag;
	if (!err && ioctl(fd, FS_IOC_SETFLAGS, &flags))
		err = -errno;
	close(fd);
	return err;
}

/*
 * An append-only or immutable file is never overwritten: attached from a
 * fd open for writing (O_APPEND, which such a file allows) it is read-only,
 * and a handle attached before the flag was set fails its writes with
 * -EPERM, the data unchanged, until the flag is cleared again.
 */
TEST_F(block, append_only_and_immutable)
{
	const int flags[] = { FS_APPEND_FL, FS_IMMUTABLE_FL };
	uint8_t a[4096], b[4096], r[4096];
	struct nabla_attach_block at;
	unsigned int i;
	int err, fd, other;

	RETURN_IF_SKIPPED();

	if (variant->backend != BACKEND_FILE)
		SKIP(return, "file attributes (file backend)");
	pattern(a, sizeof(a), 0, 1);
	pattern(b, sizeof(b), 0, 2);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, a, 4096));
		err = chattr(self->path, flags[i], true);
		if (err == -ENOTTY || err == -EOPNOTSUPP)
			SKIP(return, "no file attributes on /tmp: %s", strerror(-err));
		ASSERT_EQ(0, err);
		ASSERT_EQ(-EPERM, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, b, 4096));
		ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0, r, 4096));
		ASSERT_EQ(0, memcmp(a, r, 4096));

		/* Writable fds of such a file attach read-only. */
		fd = open(self->path, O_RDWR | O_APPEND | O_CLOEXEC);
		if (flags[i] == FS_IMMUTABLE_FL) {
			ASSERT_EQ(-1, fd);
			fd = open(self->path, O_RDONLY | O_CLOEXEC);
		}
		ASSERT_LE(0, fd);
		other = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, other);
		ASSERT_EQ(0, attach_block(other, fd, "ro", &at));
		ASSERT_EQ(NABLA_BLOCK_F_RDONLY, at.out_flags);
		ASSERT_EQ(-EBADF, block_io(other, NABLA_BLOCK_WRITE, 0, 0, b, 4096));
		ASSERT_EQ(0, block_io(other, NABLA_BLOCK_READ, 0, 0, r, 4096));
		ASSERT_EQ(0, memcmp(a, r, 4096));
		close(other);
		close(fd);

		ASSERT_EQ(0, chattr(self->path, flags[i], false));
		ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, b, 4096));
		ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0, r, 4096));
		ASSERT_EQ(0, memcmp(b, r, 4096));
	}
}

/* The inotify events waiting on @in within 1 s, or'ed together. */
static uint32_t inotify_events(int in)
{
	char buf[4096] __attribute__((aligned(8)));
	struct pollfd p = { .fd = in, .events = POLLIN };
	uint32_t mask = 0;
	ssize_t n, at;

	while (poll(&p, 1, mask ? 0 : 1000) > 0) {
		n = read(in, buf, sizeof(buf));
		for (at = 0; at + (ssize_t)sizeof(struct inotify_event) <= n;) {
			struct inotify_event *e = (struct inotify_event *)(buf + at);

			mask |= e->mask;
			at += sizeof(*e) + e->len;
		}
	}
	return mask;
}

/*
 * Transfers on a regular file are seen as pread/pwrite on it would be:
 * inotify (and fanotify) watchers get IN_MODIFY for a write and
 * IN_ACCESS for a read.
 */
TEST_F(block, file_events)
{
	uint8_t buf[4096];
	int in;

	RETURN_IF_SKIPPED();

	if (variant->backend != BACKEND_FILE)
		SKIP(return, "a file's events (file backend)");
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	ASSERT_LE(0, in);
	ASSERT_LE(0, inotify_add_watch(in, self->path, IN_MODIFY | IN_ACCESS));
	pattern(buf, sizeof(buf), 0, 4);
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, buf, 4096));
	ASSERT_EQ(IN_MODIFY, inotify_events(in));
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0, buf, 4096));
	ASSERT_EQ(IN_ACCESS, inotify_events(in));
	close(in);
}

/*
 * A block device made read-only (BLKROSET) after the attach: writes fail
 * with -EPERM and change nothing, as the block layer's own write paths
 * refuse them; made writable again, they work.
 */
TEST_F(block, read_only_after_attach)
{
	uint8_t a[4096], b[4096], r[4096];
	int dev, ro = 1;

	RETURN_IF_SKIPPED();

	if (variant->backend == BACKEND_FILE)
		SKIP(return, "BLKROSET (block devices)");
	pattern(a, sizeof(a), 0, 5);
	pattern(b, sizeof(b), 0, 6);
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, a, 4096));
	dev = backend_open(self, variant->backend, O_RDONLY);
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, ioctl(dev, BLKROSET, &ro));
	EXPECT_EQ(-EPERM, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, b, 4096));
	EXPECT_EQ(-EPERM, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, b + 1, 1024));
	ro = 0;
	ASSERT_EQ(0, ioctl(dev, BLKROSET, &ro));
	close(dev);
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0, r, 4096));
	ASSERT_EQ(0, memcmp(a, r, 4096));
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, b, 4096));
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0, r, 4096));
	ASSERT_EQ(0, memcmp(b, r, 4096));
}

/*
 * Bounce pages are the context's, made when a transfer first needs them
 * (an unaligned buffer on a block device) and as many as it needs: none at
 * attach, none for aligned buffers or any buffer on a file.
 */
TEST_F(block, bounce_pages_on_demand)
{
	uint8_t *buf = aligned_alloc(4096, 80 * 1024);

	RETURN_IF_SKIPPED();

	if (!self->dbg[0])
		SKIP(return, "no debugfs");
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, debugfs_get(self->dbg, "context", "bounce_pages"));
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0, buf, 65536));
	ASSERT_EQ(0, debugfs_get(self->dbg, "context", "bounce_pages"));
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0, buf + 8, 4096));
	ASSERT_EQ(variant->backend == BACKEND_FILE ? 0 : 1,
		  debugfs_get(self->dbg, "context", "bounce_pages"));
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, buf + 8, 65536));
	ASSERT_EQ(variant->backend == BACKEND_FILE ? 0 : 16,
		  debugfs_get(self->dbg, "context", "bounce_pages"));
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, buf + 8, 4096));
	ASSERT_EQ(variant->backend == BACKEND_FILE ? 0 : 16,
		  debugfs_get(self->dbg, "context", "bounce_pages"));
	free(buf);
}

static int attach_fails(int fd, struct nabla_attach_block *a)
{
	int err;

	a->out_handle = 0xdeadbeef;
	a->out_capacity = 0xdeadbeef;
	err = nabla_call(fd, NABLA_ATTACH_BLOCK, a);
	if (a->out_handle != 0xdeadbeef || a->out_capacity != 0xdeadbeef)
		return 1;
	return err;
}

static void attach_template(struct nabla_attach_block *a, int fd)
{
	memset(a, 0, sizeof(*a));
	a->fd = fd;
	strcpy(a->name, "other");
}

TEST_F(block, attach_errors)
{
	struct nabla_attach_block a = { 0 };
	int good, wr, p[2], null, dir, path;

	RETURN_IF_SKIPPED();

	good = backend_open(self, variant->backend, O_RDWR);
	ASSERT_LE(0, good);
	attach_template(&a, good);
	a.flags = 1;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a, good);
	a.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a, good);
	a.reserved = 1;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a, good);
	a.pad = 1;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a, good);
	a.block_size = 4096;		/* without its flag */
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	{
		const uint32_t bad[] = { 0, 1, 256, 511, 1000, 3072,
					 2 * NABLA_BLOCK_MAX_IO, 1U << 31 };
		unsigned int i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			attach_template(&a, good);
			a.flags = NABLA_BLOCK_ATTACH_F_BLOCK_SIZE;
			a.block_size = bad[i];
			EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a))
				TH_LOG("block size %u", bad[i]);
		}
	}
	attach_template(&a, good);
	a.name[0] = 0;
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a, good);
	memset(a.name, 'x', sizeof(a.name));
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a, good);
	strcpy(a.name, "bad name");
	EXPECT_EQ(-EINVAL, attach_fails(self->fd, &a));
	attach_template(&a, good);
	strcpy(a.name, "disk");		/* the fixture's */
	EXPECT_EQ(-EEXIST, attach_fails(self->fd, &a));

	attach_template(&a, -1);
	EXPECT_EQ(-EBADF, attach_fails(self->fd, &a));
	attach_template(&a, 9999);
	EXPECT_EQ(-EBADF, attach_fails(self->fd, &a));
	wr = backend_open(self, variant->backend, O_WRONLY);
	ASSERT_LE(0, wr);
	attach_template(&a, wr);	/* cannot be read */
	EXPECT_EQ(-EBADF, attach_fails(self->fd, &a));
	close(wr);
	path = open(self->path, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, path);
	attach_template(&a, path);
	EXPECT_EQ(-EBADF, attach_fails(self->fd, &a));
	close(path);

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	attach_template(&a, p[0]);
	EXPECT_EQ(-ENOTBLK, attach_fails(self->fd, &a));
	close(p[0]);
	close(p[1]);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	attach_template(&a, null);
	EXPECT_EQ(-ENOTBLK, attach_fails(self->fd, &a));
	close(null);
	dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	attach_template(&a, dir);
	EXPECT_EQ(-ENOTBLK, attach_fails(self->fd, &a));
	close(dir);
	attach_template(&a, self->fd);	/* /dev/nabla itself */
	EXPECT_EQ(-ENOTBLK, attach_fails(self->fd, &a));

	/* Nothing changed: the next device is handle 1. */
	attach_template(&a, good);
	ASSERT_EQ(0, nabla_call(self->fd, NABLA_ATTACH_BLOCK, &a));
	ASSERT_EQ(1, a.out_handle);
	close(good);
}

TEST_F(block, enospc)
{
	struct nabla_attach_block a = { 0 };
	char name[16];
	int i, good;

	RETURN_IF_SKIPPED();

	if (variant->backend != BACKEND_FILE)
		SKIP(return, "once is enough (file backend)");
	good = backend_open(self, variant->backend, O_RDWR);
	ASSERT_LE(0, good);
	/* Handle 0 is the fixture's; fill 1..62. */
	for (i = 1; i < NABLA_MAX_DEVICES; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		ASSERT_EQ(i, attach_block(self->fd, good, name, NULL));
	}
	attach_template(&a, good);
	EXPECT_EQ(-ENOSPC, attach_fails(self->fd, &a));
	/* 63 devices hold no bounce pages (each held 1 MiB at attach once). */
	if (self->dbg[0])
		ASSERT_EQ(0, debugfs_get(self->dbg, "context", "bounce_pages"));
	/* Every one works, the last one too. */
	{
		uint8_t w[512], r[512];

		pattern(w, sizeof(w), 0, 9);
		ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, 62, 0, w, 512));
		ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, 1, 0, r, 512));
		ASSERT_EQ(0, memcmp(w, r, 512));
	}
	close(good);
}

/*
 * Bounce pages count against the user's RLIMIT_MEMLOCK: as nobody with 16
 * pages, an unaligned transfer that needs 32 fails with -ENOMEM and one
 * that needs 8 works.
 */
struct bounce_arg {
	int ram;
	uint8_t *buf;
};

static int bounce_memlock_body(void *arg, const char *node)
{
	const size_t page = sysconf(_SC_PAGESIZE);
	struct bounce_arg *b = arg;
	int fd = open(node, O_RDWR | O_CLOEXEC);

	/* The device was opened as root: its fd is inherited. */
	if (fd < 0 || attach_block(fd, b->ram, "disk", NULL))
		return 11;
	if (block_io(fd, NABLA_BLOCK_READ, 0, 0, b->buf + 8, 32 * page) != -ENOMEM)
		return 12;
	if (block_io(fd, NABLA_BLOCK_READ, 0, 0, b->buf + 8, 8 * page))
		return 13;
	/* Aligned: no bounce pages at all. */
	if (block_io(fd, NABLA_BLOCK_READ, 0, 0, b->buf, 32 * page))
		return 14;
	return 0;
}

TEST(bounce_pages_memlock)
{
	const size_t page = sysconf(_SC_PAGESIZE);
	struct bounce_arg b;
	int fd;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	b.ram = open(RAM_DEV, O_RDWR | O_CLOEXEC);
	if (b.ram < 0)
		SKIP(return, RAM_DEV ": %s (brd not loaded?)", strerror(errno));
	b.buf = aligned_alloc(4096, 33 * page);
	ASSERT_NE(NULL, b.buf);
	ASSERT_EQ(0, as_nobody(bounce_memlock_body, &b, 16 * page));
	close(b.ram);
	free(b.buf);
}

TEST_HARNESS_MAIN
