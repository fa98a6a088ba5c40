// SPDX-License-Identifier: GPL-2.0
/*
 * Block I/O straight over the caller's pages: on a block device, a buffer
 * aligned to NABLA_BLOCK_SIZE is pinned and carries the bio (no bounce
 * copy); any other buffer is pinned as well and copied through bounce
 * pages. Both round-trip
 * at every alignment and size, bad offsets and lengths still get EINVAL,
 * a read into read-only memory and a buffer with a hole get EFAULT with no
 * I/O done, and every pin is released (/proc/vmstat's pin counters, which
 * also show which path a call took). Over a RAM disk (brd: completes in
 * submit_bio) and a loop device (completes later, from its worker).
 */
#include <linux/fs.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "nabla_test.h"

#define LOOP_SIZE	(8 << 20)
#define RAM_DEV		"/dev/ram0"
#define PAGE		4096

FIXTURE(user) {
	int fd;			/* the context */
	int dev;		/* the device, for plain O_DIRECT checks */
	int loop;		/* the loop device, or -1 */
	char backing[128];	/* the loop device's file */
	uint64_t size;
	uint32_t h;
};

FIXTURE_VARIANT(user) {
	bool loop;
};

FIXTURE_VARIANT_ADD(user, ram) { .loop = false };
FIXTURE_VARIANT_ADD(user, loop) { .loop = true };

FIXTURE_SETUP(user)
{
	char path[64];
	int file, h;

	self->fd = -1;
	self->dev = -1;
	self->loop = -1;
	NABLA_OPEN_OR_SKIP(self->fd);
	if (variant->loop) {
		self->loop = loop_create("uloop", LOOP_SIZE, self->backing,
					 sizeof(self->backing), NULL, 0);
		if (self->loop < 0)
			SKIP(return, "no loop device: %s", strerror(-self->loop));
		file = dup(self->loop);
	} else {
		file = open(RAM_DEV, O_RDWR | O_CLOEXEC);
		if (file < 0)
			SKIP(return, RAM_DEV ": %s (brd not loaded?)",
			     strerror(errno));
	}
	ASSERT_LE(0, file);
	ASSERT_EQ(0, ioctl(file, BLKGETSIZE64, &self->size));
	/* The same device, O_DIRECT: what the device holds, no cache. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", file);
	self->dev = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	h = attach_block(self->fd, file, "disk", NULL);
	close(file);
	ASSERT_EQ(0, h);
	self->h = h;
}

FIXTURE_TEARDOWN(user)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
	if (self->loop >= 0) {
		ioctl(self->loop, LOOP_CLR_FD);
		close(self->loop);
		unlink(self->backing);
	}
}

/* Page-aligned anonymous memory, populated. */
static uint8_t *map_pages(size_t n, int prot)
{
	uint8_t *p = mmap(NULL, n * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS |
			  MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void pattern(uint8_t *buf, size_t len, uint64_t offset, uint8_t salt)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)((offset + i) * 7 + (offset + i) / 4093 + salt);
}


/*
 * Buffers at every 512-byte alignment within a page, and beyond it, of
 * every size up to the largest: each round-trips, is on the device as a
 * plain O_DIRECT read sees it, and pins the pages it spans, once (a 1 MiB
 * buffer that does not start a page spans 257 pages, more than a bio of
 * the module holds: they are pinned and copied through bounce pages).
 */
TEST_F(user, aligned_roundtrip_pins)
{
	static const size_t lens[] = {
		512, 1024, PAGE, PAGE + 512, 65536, NABLA_BLOCK_MAX_IO,
	};
	static const size_t starts[] = { 0, 512, 1024, PAGE - 512 };
	size_t pages = NABLA_BLOCK_MAX_IO / PAGE + 1;
	uint8_t *w = map_pages(pages, PROT_READ | PROT_WRITE);
	uint8_t *r = map_pages(pages, PROT_READ | PROT_WRITE);
	uint8_t *check = map_pages(pages, PROT_READ | PROT_WRITE);
	unsigned int i, j, salt = 0;
	struct pins before;

	RETURN_IF_SKIPPED();
	NEED_PIN_COUNTERS();
	ASSERT_TRUE(w && r && check);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (j = 0; j < sizeof(starts) / sizeof(starts[0]); j++) {
			size_t len = lens[i], s = starts[j];
			uint64_t off = (salt * 3 * NABLA_BLOCK_MAX_IO / 2) %
				       (self->size - len) & ~511ULL;
			long long want = (s + len + PAGE - 1) / PAGE;

			pattern(w + s, len, off, ++salt);
			pins_read(&before);
			ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE,
					      self->h, off, w + s, len));
			EXPECT_EQ(want, pins_since(&before)) {
				TH_LOG("write of %zu at page offset %zu", len, s);
			}
			ASSERT_EQ((ssize_t)len, pread(self->dev, check, len, off));
			ASSERT_EQ(0, memcmp(w + s, check, len));
			memset(r, 0, pages * PAGE);
			pins_read(&before);
			ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ,
					      self->h, off, r + s, len));
			EXPECT_EQ(want, pins_since(&before)) {
				TH_LOG("read of %zu at page offset %zu", len, s);
			}
			ASSERT_EQ(0, memcmp(w + s, r + s, len));
			/* Not a byte outside the buffer was touched. */
			for (size_t k = 0; k < s; k++)
				ASSERT_EQ(0, r[k]);
			for (size_t k = s + len; k < pages * PAGE; k++)
				ASSERT_EQ(0, r[k]);
		}
	}
	munmap(w, pages * PAGE);
	munmap(r, pages * PAGE);
	munmap(check, pages * PAGE);
}

/*
 * Buffers not aligned to 512 bytes take the bounce pages: their own pages
 * are pinned for the copy (so a bad one fails before any I/O), each once.
 */
TEST_F(user, unaligned_buffers_bounce)
{
	static const size_t skews[] = { 1, 8, 64, 511, 513, PAGE - 8 };
	uint8_t *w = map_pages(17, PROT_READ | PROT_WRITE);
	uint8_t *r = map_pages(17, PROT_READ | PROT_WRITE);
	struct pins before;
	unsigned int i;

	RETURN_IF_SKIPPED();
	NEED_PIN_COUNTERS();
	ASSERT_TRUE(w && r);
	for (i = 0; i < sizeof(skews) / sizeof(skews[0]); i++) {
		size_t s = skews[i], len = 65536;
		uint64_t off = 512 * (i + 1) * 37;

		pattern(w + s, len, off, i);
		memset(r, 0, 17 * PAGE);
		pins_read(&before);
		ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, off,
				      w + s, len));
		ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h, off,
				      r + s, len));
		EXPECT_EQ(2 * ((s + len + PAGE - 1) / PAGE), pins_since(&before));
		ASSERT_EQ(0, memcmp(w + s, r + s, len));
	}
	munmap(w, 17 * PAGE);
	munmap(r, 17 * PAGE);
}

/* Offsets and lengths are checked first, whatever the buffer: EINVAL. */
TEST_F(user, bad_offsets_and_lengths)
{
	uint8_t *buf = map_pages(3, PROT_READ | PROT_WRITE);
	const unsigned long cmds[] = { NABLA_BLOCK_READ, NABLA_BLOCK_WRITE };
	struct pins before;
	unsigned int c;

	RETURN_IF_SKIPPED();
	NEED_PIN_COUNTERS();
	ASSERT_NE(NULL, buf);
	pins_read(&before);
	for (c = 0; c < 2; c++) {
		EXPECT_EQ(-EINVAL, block_io(self->fd, cmds[c], self->h, 256,
					    buf, 512));
		EXPECT_EQ(-EINVAL, block_io(self->fd, cmds[c], self->h, 0,
					    buf, PAGE + 1));
		EXPECT_EQ(-EINVAL, block_io(self->fd, cmds[c], self->h, 0,
					    buf + 512, 100));
		EXPECT_EQ(-EINVAL, block_io(self->fd, cmds[c], self->h,
					    self->size - 512, buf, 1024));
	}
	EXPECT_EQ(0, pins_since(&before));
	munmap(buf, 3 * PAGE);
}

/*
 * A read into memory that cannot be written: EFAULT, nothing pinned is
 * kept, and the memory is unchanged.
 */
TEST_F(user, read_into_read_only_memory)
{
	uint8_t *buf = map_pages(4, PROT_READ | PROT_WRITE);
	uint8_t *data = map_pages(2, PROT_READ | PROT_WRITE);
	struct pins before;

	RETURN_IF_SKIPPED();
	NEED_PIN_COUNTERS();
	ASSERT_TRUE(buf && data);
	pattern(data, 2 * PAGE, 0, 9);
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, data,
			      2 * PAGE));
	memset(buf, 0x5a, 4 * PAGE);
	ASSERT_EQ(0, mprotect(buf, 4 * PAGE, PROT_READ));
	pins_read(&before);
	EXPECT_EQ(-EFAULT, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0,
				    buf, 2 * PAGE));
	EXPECT_EQ(-EFAULT, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0,
				    buf + 512, 2 * PAGE));
	/* Only the last page read-only: the first ones stay as they were. */
	ASSERT_EQ(0, mprotect(buf, 3 * PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(-EFAULT, block_io(self->fd, NABLA_BLOCK_READ, self->h, 0,
				    buf + PAGE, 3 * PAGE));
	/* Pins taken on the way were all released. */
	EXPECT_LE(0, pins_since(&before));
	for (size_t k = 0; k < 4 * PAGE; k++)
		ASSERT_EQ(0x5a, buf[k]);
	/* Writes from read-only memory are fine. */
	ASSERT_EQ(0, mprotect(buf, 4 * PAGE, PROT_READ));
	EXPECT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 0, buf,
			      2 * PAGE));
	ASSERT_EQ(2 * PAGE, pread(self->dev, data, 2 * PAGE, 0));
	for (size_t k = 0; k < 2 * PAGE; k++)
		ASSERT_EQ(0x5a, data[k]);
	munmap(buf, 4 * PAGE);
	munmap(data, 2 * PAGE);
}

/*
 * A buffer with an unmapped page in its middle: EFAULT and no I/O at all.
 * A write leaves the device as it was, a read leaves the mapped pages as
 * they were; every pin taken on the way is released.
 */
TEST_F(user, hole_in_the_buffer)
{
	const size_t size = 8 * PAGE;
	uint8_t *buf = map_pages(8, PROT_READ | PROT_WRITE);
	uint8_t *before_dev = map_pages(8, PROT_READ | PROT_WRITE);
	uint8_t *after_dev = map_pages(8, PROT_READ | PROT_WRITE);
	struct pins before;

	RETURN_IF_SKIPPED();
	NEED_PIN_COUNTERS();
	ASSERT_TRUE(buf && before_dev && after_dev);
	pattern(before_dev, size, 1 << 20, 3);
	ASSERT_EQ(size, pwrite(self->dev, before_dev, size, 1 << 20));
	memset(buf, 0xa5, 8 * PAGE);
	ASSERT_EQ(0, munmap(buf + 5 * PAGE, PAGE));
	pins_read(&before);
	EXPECT_EQ(-EFAULT, block_io(self->fd, NABLA_BLOCK_WRITE, self->h,
				    1 << 20, buf, 8 * PAGE));
	EXPECT_EQ(-EFAULT, block_io(self->fd, NABLA_BLOCK_WRITE, self->h,
				    1 << 20, buf + 512, 6 * PAGE));
	EXPECT_EQ(-EFAULT, block_io(self->fd, NABLA_BLOCK_READ, self->h,
				    1 << 20, buf, 8 * PAGE));
	EXPECT_EQ(-EFAULT, block_io(self->fd, NABLA_BLOCK_READ, self->h,
				    1 << 20, buf + 2 * PAGE + 1024, 3 * PAGE));
	/* Pins taken on the way were all released. */
	EXPECT_LE(0, pins_since(&before));
	ASSERT_EQ(size, pread(self->dev, after_dev, size, 1 << 20));
	ASSERT_EQ(0, memcmp(before_dev, after_dev, size));
	for (size_t k = 0; k < 5 * PAGE; k++)
		ASSERT_EQ(0xa5, buf[k]);
	for (size_t k = 6 * PAGE; k < 8 * PAGE; k++)
		ASSERT_EQ(0xa5, buf[k]);
	munmap(buf, 5 * PAGE);
	munmap(buf + 6 * PAGE, 2 * PAGE);
	munmap(before_dev, size);
	munmap(after_dev, size);
}

/*
 * Reads land in memory the process shares with a file mapping too: the
 * pages are dirtied, so the file sees the data after msync.
 */
TEST_F(user, read_into_shared_file_mapping)
{
	char path[128];
	uint8_t data[2 * PAGE], check[2 * PAGE];
	uint8_t *map;
	int file;

	RETURN_IF_SKIPPED();
	file = tmpfile_create("umap", 4 * PAGE, path, sizeof(path));
	ASSERT_LE(0, file);
	map = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
	ASSERT_NE(MAP_FAILED, map);
	pattern(data, sizeof(data), 4096, 5);
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_WRITE, self->h, 4096, data,
			      sizeof(data)));
	ASSERT_EQ(0, block_io(self->fd, NABLA_BLOCK_READ, self->h, 4096,
			      map + PAGE, sizeof(data)));
	ASSERT_EQ(0, msync(map, 4 * PAGE, MS_SYNC));
	ASSERT_EQ(sizeof(check), pread(file, check, sizeof(check), PAGE));
	EXPECT_EQ(0, memcmp(data, check, sizeof(check)));
	munmap(map, 4 * PAGE);
	close(file);
	unlink(path);
}

TEST_HARNESS_MAIN
