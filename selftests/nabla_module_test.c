// SPDX-License-Identifier: GPL-2.0
/*
 * nabla.ko cannot be unloaded while a context is open (even one with
 * devices attached), and unloads once the last one is closed. The module
 * is loaded again from $NABLA_KO afterwards, so that later tests have it.
 */
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "nabla_test.h"

static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return err;
}

/* Wait up to 5 s for /dev/nabla to be there (or gone). */
static bool wait_dev(bool present)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (!access(NABLA_DEV, F_OK) == present)
			return true;
		usleep(10000);
	}
	return false;
}

TEST(rmmod_only_after_close)
{
	const char *ko = getenv("NABLA_KO");
	char path[128];
	int fd, file, err;

	NABLA_OPEN_OR_SKIP(fd);
	if (!ko || access(ko, R_OK)) {
		close(fd);
		SKIP(return, "NABLA_KO unset or unreadable: could not load it back");
	}
	ASSERT_EQ(0, veth_create("nbg9", "nbp9"));
	ASSERT_EQ(0, attach_net(fd, "nbg9", "net", NULL));
	file = tmpfile_create("module", 1 << 20, path, sizeof(path));
	ASSERT_LE(0, file);
	ASSERT_EQ(1, attach_block(fd, file, "disk", NULL));
	close(file);

	err = delete_module("nabla");
	ASSERT_TRUE(err == -EWOULDBLOCK || err == -EBUSY);
	ASSERT_EQ(0, access(NABLA_DEV, F_OK));
	{
		struct nabla_clock c = { 0 };

		ASSERT_EQ(0, nabla_call(fd, NABLA_CLOCK_MONOTONIC, &c));
	}

	close(fd);
	ASSERT_EQ(0, delete_module("nabla"));
	ASSERT_TRUE(wait_dev(false));
	/* The interface is free again: deleting it is clean. */
	veth_destroy("nbg9");
	unlink(path);

	ASSERT_EQ(0, load_module(ko));
	ASSERT_TRUE(wait_dev(true));
	fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	{
		struct nabla_version v = { 0 };

		ASSERT_EQ(0, nabla_call(fd, NABLA_VERSION, &v));
		ASSERT_EQ(NABLA_API_VERSION, v.out_api_version);
	}
	close(fd);
}

/*
 * Frames written before the close were sent by their own calls: the module
 * unloads at once after the close, and the peer has every frame.
 */
TEST(rmmod_right_after_close_with_frames_queued)
{
	static const uint8_t dst[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	const char *ko = getenv("NABLA_KO");
	struct nabla_attach_net a = { 0 };
	uint8_t f[128], g[256];
	int fd, pkt, i, size = 8 << 20;

	NABLA_OPEN_OR_SKIP(fd);
	if (!ko || access(ko, R_OK)) {
		close(fd);
		SKIP(return, "NABLA_KO unset or unreadable: could not load it back");
	}
	ASSERT_EQ(0, veth_create("nbg8", "nbp8"));
	pkt = packet_open("nbp8");
	ASSERT_LE(0, pkt);
	setsockopt(pkt, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	ASSERT_EQ(0, attach_net(fd, "nbg8", "net", &a));
	for (i = 0; i < 200; i++) {
		struct nabla_net_write w = { .handle = 0, .buf = (uintptr_t)f, .len = sizeof(f) };

		frame_fill(f, sizeof(f), dst, a.out_mac, i);
		ASSERT_EQ(0, nabla_call(fd, NABLA_NET_WRITE, &w));
	}
	close(fd);
	ASSERT_EQ(0, delete_module("nabla"));
	ASSERT_TRUE(wait_dev(false));
	for (i = 0; i < 200; i++) {
		frame_fill(f, sizeof(f), dst, a.out_mac, i);
		ASSERT_EQ((ssize_t)sizeof(f), packet_recv(pkt, g, sizeof(g), 5000));
		ASSERT_EQ(0, memcmp(f, g, sizeof(f)));
	}
	close(pkt);
	veth_destroy("nbg8");
	ASSERT_EQ(0, load_module(ko));
	ASSERT_TRUE(wait_dev(true));
}

TEST_HARNESS_MAIN
