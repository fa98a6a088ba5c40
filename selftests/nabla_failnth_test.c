// SPDX-License-Identifier: GPL-2.0
/*
 * Every allocation of a call may fail (kernel fault injection, fail-nth,
 * the method of iommufd's fail_nth test): for N = 1, 2, ... the N-th
 * injection point of the calling thread fails, until the call runs to its
 * end without reaching it. Each failure must return a documented error,
 * leave the context as uapi/linux/nabla.h says (unchanged after a failed
 * setup call) and leak nothing (kmemleak, checked once after all sweeps).
 * Each sweep prints how many injection points the call has.
 *
 * The calls: open, attach block, attach net, set console, seal, block
 * write and read (file; block device with pinned or bounce pages, and a
 * context's first bounce pages), net write, and the receive of a frame by
 * the rx_handler (three frame shapes). fail-nth only fails allocations
 * made in task context by the armed task; a frame written to a tap's fd
 * is received in the writer's context (tun hands it to netif_receive_skb()
 * with bottom halves off, not to a softirq), so the receive path, the
 * rx_handler included, is swept by writing frames to a tap the context is
 * attached to. A veth peer would not do: its frames are received in the
 * NET_RX softirq, where fail-nth does not apply.
 *
 * Runs where the kernel has fault injection (the debug kernel of the test
 * host) and skips elsewhere.
 */
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/virtio_net.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "nabla_test.h"

#define GUEST	"nbg7"
#define PEER	"nbp7"
#define TAP	"nbt7"

/* More than any call has: a sweep that reaches it failed to end. */
#define SWEEP_LIMIT	2000

/* The sweeps take a while on the debug kernel under TCG. */
#define SWEEP_TIMEOUT	240

static int fail_nth_fd = -1;

/*
 * Arm and disarm through one fd opened beforehand: reading and writing
 * /proc/<tid>/fail-nth allocates nothing, so neither consumes a point.
 */
static void fail_nth_arm(int nth)
{
	char s[16];
	int n = snprintf(s, sizeof(s), "%d", nth);

	if (pwrite(fail_nth_fd, s, n, 0) != n)
		abort();
}

/* Disarm; true if the armed failure was reached by the call. */
static bool fail_nth_disarm(void)
{
	char s[16] = "";
	ssize_t n = pread(fail_nth_fd, s, sizeof(s) - 1, 0);

	if (n <= 0 || pwrite(fail_nth_fd, "0", 1, 0) != 1)
		abort();
	/* What is read back is the points left before the failure: 0 once it fired. */
	return atoi(s) == 0;
}

/* Let fault injection fail sleeping and order-0 allocations too. */
static int fault_injection_setup(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	fail_nth_fd = open(path, O_RDWR | O_CLOEXEC);
	if (fail_nth_fd < 0)
		return -ENOENT;
	write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	write_file("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	write_file("/sys/kernel/debug/failslab/verbose", "0");
	write_file("/sys/kernel/debug/fail_page_alloc/verbose", "0");
	return 0;
}

/*
 * One sweep. @call makes the call once (0 or -errno); after a call that
 * reached its injected failure, @failed asserts what it returned and left,
 * and restores what the next call needs. The sweep ends at the first N the
 * call does not reach, which must succeed.
 */
struct sweep {
	const char *name;
	int (*call)(void);
	void (*failed)(struct __test_metadata *_metadata, int err);
	void (*prepare)(void);		/* if set, before each call, unarmed */
};

static int sweep(struct __test_metadata *_metadata, const struct sweep *s)
{
	uint64_t t0 = mono_ns();
	int nth, err = 0;

	for (nth = 1; nth <= SWEEP_LIMIT; nth++) {
		if (s->prepare)
			s->prepare();
		fail_nth_arm(nth);
		err = s->call();
		if (!fail_nth_disarm())
			break;
		s->failed(_metadata, err);
	}
	ASSERT_GE(SWEEP_LIMIT, nth) {
		TH_LOG("%s: still failing after %d injection points", s->name, SWEEP_LIMIT);
	}
	ASSERT_EQ(0, err) {
		TH_LOG("%s: failed with no failure injected", s->name);
	}
	ksft_print_msg("fail-nth: %s: %d injection points, all passed (%llu ms)\n",
		       s->name, nth - 1,
		       (unsigned long long)(mono_ns() - t0) / 1000000);
	/* The harness ends each test with _exit(): stdout would be lost. */
	fflush(stdout);
	return nth - 1;
}

/* checkpatch: MACRO_WITH_FLOW_CONTROL: a skip ends the test, as SKIP() does */
#define FAILNTH_OR_SKIP()						\
	do {								\
		if (fault_injection_setup())				\
			SKIP(return, "no fault injection (fail-nth) in this kernel"); \
	} while (0)

/* The state of the sweep of the current test (each test is a process). */
static struct {
	int ctx;		/* the context under test */
	int file;		/* a block device's backing file */
	int sink;		/* a console sink */
	int tap;		/* the tap's fd */
	char dir[256];		/* the context's debugfs directory */
} S = { -1, -1, -1, -1, "" };

static int ctx_open(void)
{
	int fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Start over with a fresh context (after a call succeeded despite a failure). */
static void ctx_reopen(struct __test_metadata *_metadata)
{
	close(S.ctx);
	S.ctx = ctx_open();
	ASSERT_LE(0, S.ctx);
	ASSERT_EQ(0, ctx_debugfs_dir(getpid(), S.dir, sizeof(S.dir)));
}

/* Only for the timeout: the sweeps take a while on the debug kernel. */
FIXTURE(failnth) {
	int unused;
};

FIXTURE_SETUP(failnth)
{
}

FIXTURE_TEARDOWN(failnth)
{
}

/* ---- open ---------------------------------------------------------------- */

static int open_call(void)
{
	S.ctx = ctx_open();
	return S.ctx < 0 ? S.ctx : 0;
}

static void open_failed(struct __test_metadata *_metadata, int err)
{
	struct nabla_version v = { 0 };

	if (err) {
		ASSERT_EQ(-ENOMEM, err);
		return;
	}
	/* Recovered (a debugfs file is optional): the context works. */
	ASSERT_EQ(0, nabla_call(S.ctx, NABLA_VERSION, &v));
	close(S.ctx);
}

TEST_F_TIMEOUT(failnth, open, SWEEP_TIMEOUT)
{
	static const struct sweep s = {
		.name = "open", .call = open_call, .failed = open_failed,
	};
	struct nabla_version v = { 0 };
	int fd;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	FAILNTH_OR_SKIP();
	/* The leak check after the last sweep sees what the sweeps left. */
	kmemleak_clear();
	ASSERT_LT(0, sweep(_metadata, &s));
	ASSERT_EQ(0, nabla_call(S.ctx, NABLA_VERSION, &v));
	close(S.ctx);
}

/* ---- attach block ---------------------------------------------------------- */

static int attach_block_call(void)
{
	int h = attach_block(S.ctx, S.file, "disk", NULL);

	return h < 0 ? h : 0;
}

static void attach_block_failed(struct __test_metadata *_metadata, int err)
{
	struct nabla_block_info i = { .handle = 0 };

	if (err) {
		ASSERT_EQ(-ENOMEM, err);
		/* Nothing was published. */
		ASSERT_EQ(-EINVAL, nabla_call(S.ctx, NABLA_BLOCK_INFO, &i));
		return;
	}
	ASSERT_EQ(0, nabla_call(S.ctx, NABLA_BLOCK_INFO, &i));
	ctx_reopen(_metadata);
}

TEST_F_TIMEOUT(failnth, attach_block, SWEEP_TIMEOUT)
{
	static const struct sweep s = {
		.name = "attach block", .call = attach_block_call, .failed = attach_block_failed,
	};
	uint8_t buf[512] = { 7 };
	char path[128];

	NABLA_OPEN_OR_SKIP(S.ctx);
	FAILNTH_OR_SKIP();
	ASSERT_EQ(0, ctx_debugfs_dir(getpid(), S.dir, sizeof(S.dir)));
	S.file = tmpfile_create("failnth", 1 << 20, path, sizeof(path));
	ASSERT_LE(0, S.file);
	ASSERT_LT(0, sweep(_metadata, &s));
	/* The device works, and the next handle is 1. */
	ASSERT_EQ(0, block_io(S.ctx, NABLA_BLOCK_WRITE, 0, 0, buf, sizeof(buf)));
	ASSERT_EQ(1, attach_block(S.ctx, S.file, "disk2", NULL));
	close(S.ctx);
	close(S.file);
	unlink(path);
}

/* ---- attach net ------------------------------------------------------------ */

static bool promiscuous(const char *ifname)
{
	char path[128];
	long flags = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/flags", ifname);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fscanf(f, "%li", &flags) != 1)
		flags = 0;
	fclose(f);
	return flags & IFF_PROMISC;
}

static int attach_net_call(void)
{
	int h = attach_net(S.ctx, GUEST, "net", NULL);

	return h < 0 ? h : 0;
}

static void attach_net_failed(struct __test_metadata *_metadata, int err)
{
	struct nabla_net_info i = { .handle = 0 };

	if (err) {
		ASSERT_EQ(-ENOMEM, err);
		ASSERT_EQ(-EINVAL, nabla_call(S.ctx, NABLA_NET_INFO, &i));
		/* The interface was given back as it was. */
		ASSERT_FALSE(promiscuous(GUEST));
		return;
	}
	ASSERT_EQ(0, nabla_call(S.ctx, NABLA_NET_INFO, &i));
	ctx_reopen(_metadata);
}

TEST_F_TIMEOUT(failnth, attach_net, SWEEP_TIMEOUT)
{
	static const struct sweep s = {
		.name = "attach net", .call = attach_net_call, .failed = attach_net_failed,
	};
	struct nabla_net_info i = { .handle = 0 };

	NABLA_OPEN_OR_SKIP(S.ctx);
	FAILNTH_OR_SKIP();
	ASSERT_EQ(0, veth_create(GUEST, PEER));
	ASSERT_EQ(0, ctx_debugfs_dir(getpid(), S.dir, sizeof(S.dir)));
	ASSERT_LT(0, sweep(_metadata, &s));
	ASSERT_EQ(0, nabla_call(S.ctx, NABLA_NET_INFO, &i));
	ASSERT_TRUE(promiscuous(GUEST));
	close(S.ctx);
	ASSERT_FALSE(promiscuous(GUEST));
	veth_destroy(GUEST);
}

/* ---- block I/O ------------------------------------------------------------ */

#define RAM_DISK	"/dev/ram0"
#define IO_LEN		(64 << 10)

/* The I/O of one sweep: a direction and a buffer. */
static struct {
	int file;		/* a regular file's backing fd, else -1 */
	int disk;		/* the block device, with fresh */
	bool fresh;		/* each call on a new context */
	struct pins pins;	/* before the call */
	unsigned long cmd;
	uint8_t *buf;		/* aligned or not, into mem */
	uint8_t *want;		/* what the device holds at IO_OFF */
	uint8_t *mem;
	uint32_t seq;
} B;

#define IO_OFF		(1 << 20)

static void block_pattern(uint8_t *p, uint32_t seq)
{
	size_t i;

	for (i = 0; i < IO_LEN; i++)
		p[i] = (uint8_t)(seq * 3 + i / 512 + i);
}

static int block_io_call(void)
{
	if (B.cmd == NABLA_BLOCK_WRITE)
		block_pattern(B.buf, ++B.seq);
	else
		memset(B.buf, 0, IO_LEN);
	return block_io(S.ctx, B.cmd, 0, IO_OFF, B.buf, IO_LEN);
}

/*
 * Before each call: a hole where the file is written (the write must
 * allocate its pages), or with B.fresh a new context with the disk
 * attached (its first unaligned transfer allocates its bounce pages).
 */
static void block_io_prepare(void)
{
	if (B.file >= 0 && B.cmd == NABLA_BLOCK_WRITE &&
	    fallocate(B.file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, IO_OFF, IO_LEN))
		abort();
	if (B.fresh) {
		close(S.ctx);
		S.ctx = ctx_open();
		if (S.ctx < 0 || attach_block(S.ctx, B.disk, "disk", NULL))
			abort();
	}
	pins_read(&B.pins);
}

static void block_io_failed(struct __test_metadata *_metadata, int err)
{
	/* Every pin the call took was released, whatever failed. */
	if (B.pins.acquired >= 0)
		ASSERT_LE(0, pins_since(&B.pins));
	/* The device's failure or the memory's: never a partial success. */
	if (err)
		ASSERT_TRUE(err == -EIO || err == -ENOMEM) {
			TH_LOG("block I/O: %s", strerror(-err));
		}
	if (!err && B.cmd == NABLA_BLOCK_WRITE)
		memcpy(B.want, B.buf, IO_LEN);
	if (!err && B.cmd == NABLA_BLOCK_READ)
		ASSERT_EQ(0, memcmp(B.want, B.buf, IO_LEN));
}

/*
 * Writes then reads of 64 KiB at 1 MiB through handle 0, from a buffer at
 * @misalign bytes past a page (0: a block device pins the caller's pages;
 * otherwise, and for a file, the bounce pages carry the data). A file
 * gets a hole there before each write, which then allocates page cache.
 */
static void block_io_sweeps(struct __test_metadata *_metadata, const char *what,
			    size_t misalign)
{
	char wname[64], rname[64];
	const struct sweep w = {
		.name = wname, .call = block_io_call, .failed = block_io_failed,
		.prepare = block_io_prepare,
	};
	const struct sweep r = {
		.name = rname, .call = block_io_call, .failed = block_io_failed,
		.prepare = block_io_prepare,
	};

	snprintf(wname, sizeof(wname), "block write (%s)", what);
	snprintf(rname, sizeof(rname), "block read (%s)", what);

	B.mem = mmap(NULL, IO_LEN + 8192, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, B.mem);
	B.want = malloc(IO_LEN);
	ASSERT_NE(NULL, B.want);
	B.buf = B.mem + misalign;
	B.cmd = NABLA_BLOCK_WRITE;
	ASSERT_EQ(0, block_io_call());
	memcpy(B.want, B.buf, IO_LEN);
	ASSERT_LE(0, sweep(_metadata, &w));
	memcpy(B.want, B.buf, IO_LEN);
	B.cmd = NABLA_BLOCK_READ;
	ASSERT_LE(0, sweep(_metadata, &r));
	/* The last write, untouched, is what the device holds. */
	ASSERT_EQ(0, memcmp(B.want, B.buf, IO_LEN));
	munmap(B.mem, IO_LEN + 8192);
	free(B.want);
}

TEST_F_TIMEOUT(failnth, block_io, SWEEP_TIMEOUT)
{
	char path[128];
	int disk, file;

	NABLA_OPEN_OR_SKIP(S.ctx);
	FAILNTH_OR_SKIP();
	file = tmpfile_create("failnth-io", 4 << 20, path, sizeof(path));
	ASSERT_LE(0, file);
	ASSERT_EQ(0, attach_block(S.ctx, file, "file", NULL));
	B.file = file;
	block_io_sweeps(_metadata, "file", 100);
	B.file = -1;
	close(S.ctx);
	close(file);
	unlink(path);

	disk = open(RAM_DISK, O_RDWR | O_CLOEXEC);
	if (disk < 0)
		SKIP(return, RAM_DISK " absent: no block device sweeps");
	S.ctx = ctx_open();
	ASSERT_LE(0, S.ctx);
	ASSERT_EQ(0, attach_block(S.ctx, disk, "disk", NULL));
	block_io_sweeps(_metadata, "device, pinned pages", 0);
	block_io_sweeps(_metadata, "device, bounce pages", 100);
	/* Each call on a new context: its first bounce pages, allocated then. */
	B.disk = disk;
	B.fresh = true;
	block_io_sweeps(_metadata, "device, first bounce pages", 100);
	B.fresh = false;
	close(S.ctx);
	close(disk);
}

/* ---- set console, seal ----------------------------------------------------- */

static int set_console_call(void)
{
	struct nabla_set_console sc = { .fd = S.sink };

	return nabla_call(S.ctx, NABLA_SET_CONSOLE, &sc);
}

static void set_console_failed(struct __test_metadata *_metadata, int err)
{
	/* Choosing the sink again is allowed: nothing to restore. */
	if (err)
		ASSERT_EQ(-ENOMEM, err);
}

static int seal_call(void)
{
	struct nabla_seal seal = { 0 };

	return nabla_call(S.ctx, NABLA_SEAL, &seal);
}

static void seal_failed(struct __test_metadata *_metadata, int err)
{
	if (err) {
		ASSERT_EQ(-ENOMEM, err);
		ASSERT_EQ(0, debugfs_get(S.dir, "context", "sealed"));
		return;
	}
	ctx_reopen(_metadata);
}

TEST_F_TIMEOUT(failnth, set_console_and_seal, SWEEP_TIMEOUT)
{
	static const struct sweep sc = {
		.name = "set console", .call = set_console_call, .failed = set_console_failed,
	};
	static const struct sweep seal = {
		.name = "seal (console set)", .call = seal_call, .failed = seal_failed,
	};
	static const struct sweep seal_fd1 = {
		.name = "seal (console from fd 1)", .call = seal_call,
		.failed = seal_failed,
	};
	struct nabla_console_write cw = { .buf = (uintptr_t)"x\n", .len = 2 };
	char path[128];
	int file;

	NABLA_OPEN_OR_SKIP(S.ctx);
	FAILNTH_OR_SKIP();
	ASSERT_EQ(0, ctx_debugfs_dir(getpid(), S.dir, sizeof(S.dir)));
	file = tmpfile_create("failnth-seal", 1 << 20, path, sizeof(path));
	ASSERT_LE(0, file);
	ASSERT_EQ(0, attach_block(S.ctx, file, "disk", NULL));
	S.sink = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, S.sink);
	ASSERT_LE(0, sweep(_metadata, &sc));
	ASSERT_EQ(0, nabla_call(S.ctx, NABLA_CONSOLE_WRITE, &cw));
	/* The seal with a console set, then one that takes the caller's fd 1. */
	ASSERT_LE(0, sweep(_metadata, &seal));
	ASSERT_EQ(1, debugfs_get(S.dir, "context", "sealed"));
	close(S.ctx);
	S.ctx = ctx_open();
	ASSERT_LE(0, S.ctx);
	ASSERT_EQ(0, ctx_debugfs_dir(getpid(), S.dir, sizeof(S.dir)));
	ASSERT_LE(0, sweep(_metadata, &seal_fd1));
	ASSERT_EQ(-EPERM, attach_block(S.ctx, file, "disk", NULL));
	close(S.ctx);
	close(S.sink);
	close(file);
	unlink(path);
}

/* ---- net write ---------------------------------------------------------- */

static const uint8_t peer_mac[6] = { 0x02, 0x77, 0x77, 0x77, 0x77, 0x77 };

static struct {
	uint8_t mac[6];		/* the guest's */
	uint32_t seq;		/* of the frame written last */
	long ok, failed;	/* writes */
	uint8_t lost[SWEEP_LIMIT + 2];	/* frames that must not be seen */
} W;

static int net_write_call(void)
{
	uint8_t f[60];
	struct nabla_net_write w = { .buf = (uintptr_t)f, .len = sizeof(f) };
	int err;

	frame_fill(f, sizeof(f), peer_mac, W.mac, ++W.seq);
	err = nabla_call(S.ctx, NABLA_NET_WRITE, &w);
	if (err)
		W.failed++;
	else
		W.ok++;
	return err;
}

static void net_write_failed(struct __test_metadata *_metadata, int err)
{
	/* Or lost later on the way, like on a wire: counted as a drop. */
	if (err) {
		ASSERT_EQ(-ENOMEM, err);
		W.lost[W.seq] = 1;
	}
}

/* The next test frame the tap's fd gives within @ms: its sequence, or -1. */
static long tap_recv_seq(int tap, int ms)
{
	uint8_t buf[sizeof(struct virtio_net_hdr) + 1514];
	const size_t hdr = sizeof(struct virtio_net_hdr);
	struct pollfd p = { .fd = tap, .events = POLLIN };
	ssize_t n;

	for (;;) {
		if (poll(&p, 1, ms) <= 0)
			return -1;
		n = read(tap, buf, sizeof(buf));
		if (n < 0)
			return -1;
		if ((size_t)n > hdr && frame_is_test(buf + hdr, n - hdr))
			return frame_seq(buf + hdr);
	}
}

TEST_F_TIMEOUT(failnth, net_write, SWEEP_TIMEOUT)
{
	static const struct sweep s = {
		.name = "net write", .call = net_write_call, .failed = net_write_failed,
	};
	struct nabla_attach_net an;
	long seq, seen = 0;
	int i;

	NABLA_OPEN_OR_SKIP(S.ctx);
	FAILNTH_OR_SKIP();
	S.tap = tap_open(TAP, true);
	ASSERT_LE(0, S.tap);
	ASSERT_EQ(0, attach_net(S.ctx, TAP, "net", &an));
	memcpy(W.mac, an.out_mac, 6);
	ASSERT_EQ(0, ctx_debugfs_dir(getpid(), S.dir, sizeof(S.dir)));
	/* The write allocates the frame's skb: that fails with -ENOMEM. */
	ASSERT_LE(0, sweep(_metadata, &s));
	/* Frames leave in order: when the last one is out, all are. */
	while ((seq = tap_recv_seq(S.tap, 5000)) >= 0) {
		ASSERT_GE(W.seq, seq);
		ASSERT_EQ(0, W.lost[seq]) {
			TH_LOG("frame %ld was written with an error, yet sent", seq);
		}
		seen++;
		if (seq == W.seq)
			break;
	}
	ASSERT_EQ(W.seq, seq);
	for (i = 0; i < 500 && debugfs_get(S.dir, "net-net", "tx_frames") +
			       debugfs_get(S.dir, "net-net", "tx_drops") < W.ok; i++)
		usleep(10000);
	ASSERT_EQ(W.ok, debugfs_get(S.dir, "net-net", "tx_frames") +
			debugfs_get(S.dir, "net-net", "tx_drops"));
	ASSERT_EQ(W.failed, debugfs_get(S.dir, "net-net", "errors"));
	ASSERT_GE(debugfs_get(S.dir, "net-net", "tx_frames"), seen);
	close(S.ctx);
	close(S.tap);
}

/* ---- receive ------------------------------------------------------------ */

/* One shape of received frame; the sweep writes it to the tap. */
struct rx_shape {
	const char *name;
	size_t len;		/* the frame's */
	bool tcp;		/* IPv4/TCP (else TEST_ETHERTYPE) */
	bool csum;		/* checksum left to the receiver (NEEDS_CSUM) */
	uint16_t mss;		/* a TCP super-frame, segmented by the receiver */
};

#define TCP_HLEN	(ETH_HLEN + 20 + 20)

static const struct rx_shape rx_plain = { .name = "rx frame", .len = 60 };
/* Beyond a page: tun makes it non-linear, the rx_handler linearizes it. */
static const struct rx_shape rx_jumbo = {
	.name = "rx jumbo frame", .len = 8000, .tcp = true, .csum = true,
};
static const struct rx_shape rx_gso = {
	.name = "rx gso frame", .len = TCP_HLEN + 4 * 1400, .tcp = true, .csum = true,
	.mss = 1400,
};

static struct {
	const struct rx_shape *shape;
	uint8_t mac[6];
	uint32_t seq;
	long long drops;	/* the handle's rx_drops so far */
	long long core_drops;	/* the interface's rx_dropped so far */
	int write_errors;
} R;

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static uint8_t rx_payload(uint32_t seq, size_t i)
{
	return (uint8_t)(seq * 13 + i * 7);
}

/* The frame of @shape with sequence @seq, behind its virtio_net_hdr. */
static size_t rx_build(const struct rx_shape *sh, uint32_t seq, uint8_t *buf)
{
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)buf;
	uint8_t *f = buf + sizeof(*vh);
	size_t i;

	memset(vh, 0, sizeof(*vh));
	if (!sh->tcp) {
		frame_fill(f, sh->len, R.mac, peer_mac, seq);
		return sizeof(*vh) + sh->len;
	}
	memcpy(f, R.mac, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + ETH_HLEN, 0, 40);
	f[14] = 0x45;				/* IPv4, 20 bytes */
	f[16] = (sh->len - ETH_HLEN) >> 8;	/* total length */
	f[17] = (sh->len - ETH_HLEN) & 0xff;
	f[20] = 0x40;				/* don't fragment */
	f[22] = 64;				/* TTL */
	f[23] = IPPROTO_TCP;
	memcpy(f + 26, "\x0a\x07\x00\x01\x0a\x07\x00\x02", 8);
	i = ip_csum(f + ETH_HLEN, 20);
	f[24] = i >> 8;
	f[25] = i & 0xff;
	f[34] = 0x30;				/* ports 12345 -> 80 */
	f[35] = 0x39;
	f[37] = 80;
	memcpy(f + 38, &seq, 4);
	f[46] = 0x50;				/* 20 bytes */
	f[47] = 0x18;				/* PSH ACK */
	f[48] = 0xff;				/* window */
	for (i = TCP_HLEN; i < sh->len; i++)
		f[i] = rx_payload(seq, i - TCP_HLEN);
	if (sh->csum) {
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = ETH_HLEN + 20;
		vh->csum_offset = 16;
	}
	if (sh->mss) {
		vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vh->gso_size = sh->mss;
		vh->hdr_len = TCP_HLEN;
	} else if (sh->len > 4096) {
		/* A small linear part: the rest goes to page fragments. */
		vh->hdr_len = ETH_HLEN;
	}
	return sizeof(*vh) + sh->len;
}

static int rx_segments(const struct rx_shape *sh)
{
	size_t payload = sh->len - TCP_HLEN;

	return sh->mss ? (int)((payload + sh->mss - 1) / sh->mss) : 1;
}

/* Is @f (@len bytes) segment @k of the frame @seq of shape @sh? */
static bool rx_frame_ok(const struct rx_shape *sh, uint32_t seq, int k,
			const uint8_t *f, size_t len)
{
	size_t payload = sh->len - TCP_HLEN, off, want, i;

	if (k >= rx_segments(sh))
		return false;
	if (!sh->tcp)
		return len == sh->len && frame_is_test(f, len) && frame_seq(f) == seq;
	if (!sh->mss)
		want = sh->len;
	else
		want = TCP_HLEN + (payload - k * sh->mss < sh->mss ?
				   payload - k * sh->mss : sh->mss);
	if (len != want || memcmp(f, R.mac, 6) || memcmp(f + 6, peer_mac, 6))
		return false;
	off = (size_t)k * sh->mss;
	for (i = TCP_HLEN; i < len; i++)
		if (f[i] != rx_payload(seq, off + i - TCP_HLEN))
			return false;
	return true;
}

static long long link_rx_dropped(const char *ifname)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/rx_dropped", ifname);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Read what is queued: the number of intact segments of frame R.seq, or -1. */
static int rx_drain(void)
{
	static uint8_t buf[9014];
	struct nabla_net_read r;
	int k = 0, err;

	for (;;) {
		r = (struct nabla_net_read){ .buf = (uintptr_t)buf, .len = sizeof(buf) };
		err = nabla_call(S.ctx, NABLA_NET_READ, &r);
		if (err == -EAGAIN)
			return k;
		if (err || !rx_frame_ok(R.shape, R.seq, k, buf, r.out_len))
			return -1;
		k++;
	}
}

static int rx_call(void)
{
	static uint8_t buf[sizeof(struct virtio_net_hdr) + 9014];
	size_t n = rx_build(R.shape, ++R.seq, buf);
	ssize_t w = write(S.tap, buf, n);

	if (w < 0)
		return -errno;
	return w == (ssize_t)n ? 0 : -EIO;
}

static void rx_failed(struct __test_metadata *_metadata, int err)
{
	int segs = rx_segments(R.shape), got = rx_drain();
	long long drops = debugfs_get(S.dir, "net-net", "rx_drops");
	long long core = link_rx_dropped(TAP);
	long long dropped = drops - R.drops;

	ASSERT_LE(0, got) {
		TH_LOG("%s %u: a bad frame was queued", R.shape->name, R.seq);
	}
	R.drops = drops;
	if (err) {
		/* The tap refused the write: nothing reached the interface. */
		ASSERT_EQ(0, got);
		ASSERT_EQ(0, dropped);
		R.write_errors++;
	} else if (core != R.core_drops) {
		/* Lost by the stack before the rx_handler, and counted there. */
		ASSERT_EQ(0, got);
		ASSERT_EQ(0, dropped);
	} else {
		/* Whole, or dropped whole or per segment, and counted. */
		ASSERT_TRUE(got == segs || got + dropped == segs ||
			    (got == 0 && dropped == 1)) {
			TH_LOG("%s %u: %d of %d segments read, %lld dropped",
			       R.shape->name, R.seq, got, segs, dropped);
		}
	}
	R.core_drops = core;
}

static void rx_sweep(struct __test_metadata *_metadata, const struct rx_shape *sh)
{
	const struct sweep s = {
		.name = sh->name, .call = rx_call, .failed = rx_failed,
	};
	struct nabla_attach_net an;
	long long frames;

	NABLA_OPEN_OR_SKIP(S.ctx);
	FAILNTH_OR_SKIP();
	S.tap = tap_open(TAP, true);
	ASSERT_LE(0, S.tap);
	ASSERT_EQ(0, link_set_mtu(TAP, 9000));
	ASSERT_EQ(0, attach_net(S.ctx, TAP, "net", &an));
	ASSERT_EQ(9000, an.out_mtu);
	ASSERT_EQ(0, ctx_debugfs_dir(getpid(), S.dir, sizeof(S.dir)));
	memcpy(R.mac, an.out_mac, 6);
	R.shape = sh;
	/* Once untouched: the frame arrives whole. */
	ASSERT_EQ(0, rx_call());
	ASSERT_EQ(rx_segments(sh), rx_drain());
	R.drops = debugfs_get(S.dir, "net-net", "rx_drops");
	R.core_drops = link_rx_dropped(TAP);
	ASSERT_EQ(0, R.drops);
	frames = debugfs_get(S.dir, "net-net", "rx_frames");

	ASSERT_LT(0, sweep(_metadata, &s));
	/* The untouched call that ended the sweep: its frame arrived whole. */
	ASSERT_EQ(rx_segments(sh), rx_drain());
	ASSERT_LE(frames + rx_segments(sh), debugfs_get(S.dir, "net-net", "rx_frames"));
	ASSERT_EQ(0, debugfs_get(S.dir, "net-net", "rx_queued"));
	TH_LOG("%s: %lld frames dropped and counted, %d writes refused by the tap",
	       sh->name, R.drops, R.write_errors);
	close(S.ctx);
	close(S.tap);
}

TEST_F_TIMEOUT(failnth, rx_frame, SWEEP_TIMEOUT)
{
	rx_sweep(_metadata, &rx_plain);
}

TEST_F_TIMEOUT(failnth, rx_jumbo_frame, SWEEP_TIMEOUT)
{
	rx_sweep(_metadata, &rx_jumbo);
}

TEST_F_TIMEOUT(failnth, rx_gso_frame, SWEEP_TIMEOUT)
{
	rx_sweep(_metadata, &rx_gso);
}

/* ---- leaks --------------------------------------------------------------- */

/* Last: what every sweep above left behind (kmemleak was cleared first). */
TEST_F_TIMEOUT(failnth, nothing_leaked, 120)
{
	int fd, leaks;

	NABLA_OPEN_OR_SKIP(fd);
	close(fd);
	FAILNTH_OR_SKIP();
	if (!have_kmemleak())
		SKIP(return, "no kmemleak in this kernel");
	if (kmemleak_deferred())
		SKIP(return, "NABLA_KMEMLEAK=final: the test host's last scan looks for leaks");
	leaks = kmemleak_nabla();
	ASSERT_EQ(0, leaks);
}

TEST_HARNESS_MAIN
