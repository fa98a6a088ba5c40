// SPDX-License-Identifier: GPL-2.0
/*
 * Every allocation of the set-up calls may fail (kernel fault injection,
 * fail-nth): each failure must be clean, leave the context as it was and
 * leak nothing. Runs where the kernel has fault injection (the debug
 * kernel of the test host) and skips elsewhere.
 */
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "nabla_test.h"

#define GUEST	"nbg7"
#define PEER	"nbp7"

static char fail_nth_path[64];

/* Make the @nth fault-injection point of this thread fail; 0 or -errno. */
static int fail_nth(int nth)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", nth);
	return write_file(fail_nth_path, s);
}

/* True if the armed failure was not reached: the call ran to its end. */
static bool fail_nth_unused(void)
{
	char s[16] = "";
	int fd = open(fail_nth_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return true;
	if (read(fd, s, sizeof(s) - 1) < 0)
		s[0] = 0;
	close(fd);
	/* Reads back the calls left before the failure; 0 once it fired. */
	return atoi(s) > 0;
}

/* Let fault injection fail sleeping and order-0 allocations too. */
static int fault_injection_setup(void)
{
	snprintf(fail_nth_path, sizeof(fail_nth_path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	if (access(fail_nth_path, W_OK))
		return -ENOENT;
	write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	write_file("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	write_file("/sys/kernel/debug/failslab/verbose", "0");
	write_file("/sys/kernel/debug/fail_page_alloc/verbose", "0");
	return 0;
}

#define FAILNTH_OR_SKIP()						\
	do {								\
		if (fault_injection_setup())				\
			SKIP(return, "no fault injection (fail-nth) in this kernel"); \
	} while (0)

TEST(open_fails_cleanly)
{
	int nth, fd;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	FAILNTH_OR_SKIP();
	for (nth = 1; nth < 200; nth++) {
		ASSERT_EQ(0, fail_nth(nth));
		fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			bool done = fail_nth_unused();

			fail_nth(0);
			close(fd);
			if (done)
				break;
			continue;
		}
		fail_nth(0);
		ASSERT_EQ(ENOMEM, errno);
	}
	TH_LOG("%d allocation points", nth - 1);
	ASSERT_LT(nth, 200);
}

TEST(attach_block_fails_cleanly)
{
	char path[128];
	int nth, fd, file, err;

	NABLA_OPEN_OR_SKIP(fd);
	FAILNTH_OR_SKIP();
	file = tmpfile_create("failnth", 1 << 20, path, sizeof(path));
	ASSERT_LE(0, file);
	for (nth = 1; nth < 2000; nth++) {
		ASSERT_EQ(0, fail_nth(nth));
		err = attach_block(fd, file, "disk", NULL);
		if (err >= 0 && fail_nth_unused()) {
			fail_nth(0);
			ASSERT_EQ(0, err);
			break;
		}
		fail_nth(0);
		if (err >= 0) {
			/* Failed somewhere it could recover: start over. */
			close(fd);
			fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
			ASSERT_LE(0, fd);
			continue;
		}
		ASSERT_EQ(-ENOMEM, err);
	}
	TH_LOG("%d allocation points", nth - 1);
	ASSERT_LT(nth, 2000);
	/* The context is intact: the device works, the next handle is 1. */
	{
		uint8_t buf[512] = { 7 };

		ASSERT_EQ(0, block_io(fd, NABLA_BLOCK_WRITE, 0, 0, buf, sizeof(buf)));
		ASSERT_EQ(1, attach_block(fd, file, "disk2", NULL));
	}
	close(fd);
	close(file);
	unlink(path);
}

TEST(attach_net_fails_cleanly)
{
	int nth, fd, err;

	NABLA_OPEN_OR_SKIP(fd);
	FAILNTH_OR_SKIP();
	ASSERT_EQ(0, veth_create(GUEST, PEER));
	for (nth = 1; nth < 2000; nth++) {
		ASSERT_EQ(0, fail_nth(nth));
		err = attach_net(fd, GUEST, "net", NULL);
		if (err >= 0 && fail_nth_unused()) {
			fail_nth(0);
			ASSERT_EQ(0, err);
			break;
		}
		fail_nth(0);
		if (err >= 0) {
			close(fd);
			fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
			ASSERT_LE(0, fd);
			continue;
		}
		/* Nothing stays attached after a failure: no -EBUSY next time. */
		ASSERT_NE(-EBUSY, err);
		ASSERT_NE(-EEXIST, err);
	}
	TH_LOG("%d allocation points", nth - 1);
	ASSERT_LT(nth, 2000);
	{
		struct nabla_net_info i = { .handle = 0 };

		ASSERT_EQ(0, nabla_call(fd, NABLA_NET_INFO, &i));
	}
	close(fd);
	veth_destroy(GUEST);
}

TEST(net_write_fails_cleanly)
{
	uint8_t f[60] = { 0 };
	int nth, fd, err, pkt;
	struct nabla_net_write w = { .buf = (uintptr_t)f, .len = sizeof(f) };

	NABLA_OPEN_OR_SKIP(fd);
	FAILNTH_OR_SKIP();
	ASSERT_EQ(0, veth_create(GUEST, PEER));
	pkt = packet_open(PEER);
	ASSERT_LE(0, pkt);
	ASSERT_EQ(0, attach_net(fd, GUEST, "net", NULL));
	for (nth = 1; nth < 100; nth++) {
		ASSERT_EQ(0, fail_nth(nth));
		err = nabla_call(fd, NABLA_NET_WRITE, &w);
		if (fail_nth_unused()) {
			fail_nth(0);
			ASSERT_EQ(0, err);
			break;
		}
		fail_nth(0);
		/* Out of memory, or lost later on the way like on a wire. */
		ASSERT_TRUE(err == -ENOMEM || err == 0);
	}
	ASSERT_LT(nth, 100);
	close(pkt);
	close(fd);
	veth_destroy(GUEST);
}

TEST_HARNESS_MAIN
