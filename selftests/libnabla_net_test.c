// SPDX-License-Identifier: GPL-2.0
/*
 * libnabla_net_test: Solo5 networking on both backends, driven from the
 * host side with an AF_PACKET socket (net_peer.h).
 */
#include "kselftest_harness.h"
#include "libnabla_run.h"
#include "net_peer.h"

#define RUN_MS		60000
#define READY_MS	20000
#define TEST_MTU	1400

FIXTURE(net) {
	struct net_peer peer;
};

BACKEND_VARIANTS(net);

FIXTURE_SETUP(net)
{
	self->peer.sock = -1;
	if (net_peer_missing(variant->backend))
		return;	/* each test SKIPs with the reason */
	ASSERT_EQ(0, net_peer_setup(&self->peer, variant->backend, TEST_MTU));
}

FIXTURE_TEARDOWN(net)
{
	net_peer_teardown(&self->peer);
}

#define NEED_NET() do {							\
	const char *why = net_peer_missing(variant->backend);		\
	if (why)							\
		SKIP(return, "%s", why);				\
} while (0)

#define LOG_APP(app) TH_LOG("%s, stdout: '%s', stderr: '%s'",		\
			    app_ending(app), (app)->out, (app)->err)

TEST_F(net, echo)
{
	const unsigned int frames = 20;
	char count[16];
	const char *args[] = { variant->backend, "--mem=1", self->peer.net_arg,
			       "--", count, NULL };
	uint8_t mac[6], out[2048], in[2048];
	unsigned long long v;
	struct nabla_app app;
	unsigned int seq;

	NEED_NET();
	snprintf(count, sizeof(count), "%u", frames);
	ASSERT_EQ(0, app_start(&app, "echo", args, 0));
	ASSERT_TRUE(app_wait_line(&app, "ready", READY_MS)) {
		app_finish(&app, 1000);
		LOG_APP(&app);
	}
	ASSERT_TRUE(app_mac(&app, mac));
	EXPECT_TRUE(app_value(&app, "mtu", &v) && v == TEST_MTU) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "first_read=again")) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "bad_write=einval")) LOG_APP(&app);
	for (seq = 0; seq < frames; seq++) {
		size_t len = make_frame(out, mac, self->peer.peer_mac, seq,
					TEST_MTU);
		ssize_t n;

		ASSERT_EQ(0, send_frame(self->peer.sock, self->peer.ifindex, out, len));
		n = recv_frame(self->peer.sock, in, sizeof(in), 10000);
		ASSERT_EQ((ssize_t)len, n) {
			TH_LOG("frame %u: sent %zu bytes, got %zd", seq, len, n);
		}
		/* Back to us, from the application's MAC, payload intact. */
		EXPECT_EQ(0, memcmp(in, self->peer.peer_mac, 6));
		EXPECT_EQ(0, memcmp(in + 6, mac, 6));
		EXPECT_EQ(0, memcmp(in + 12, out + 12, len - 12));
	}
	app_finish(&app, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	EXPECT_TRUE(app_value(&app, "echoed", &v) && v == frames) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "short_read=einval")) LOG_APP(&app);
}

TEST_F(net, guest_mac_from_command_line)
{
	const char *args[] = { variant->backend, "--mem=1", self->peer.net_arg,
			       "--net-mac:n0=02:12:34:56:78:9a", "--", "1", NULL };
	const uint8_t want[6] = { 0x02, 0x12, 0x34, 0x56, 0x78, 0x9a };
	uint8_t mac[6], out[2048], in[2048];
	struct nabla_app app;
	size_t len;

	NEED_NET();
	ASSERT_EQ(0, app_start(&app, "echo", args, 0));
	ASSERT_TRUE(app_wait_line(&app, "ready", READY_MS)) {
		app_finish(&app, 1000);
		LOG_APP(&app);
	}
	ASSERT_TRUE(app_mac(&app, mac));
	EXPECT_EQ(0, memcmp(mac, want, 6));
	len = make_frame(out, mac, self->peer.peer_mac, 1, TEST_MTU);
	ASSERT_EQ(0, send_frame(self->peer.sock, self->peer.ifindex, out, len));
	EXPECT_EQ((ssize_t)len, recv_frame(self->peer.sock, in, sizeof(in), 10000));
	EXPECT_EQ(0, memcmp(in + 6, want, 6));
	app_finish(&app, RUN_MS);
	EXPECT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
}

/* solo5_yield returns early, with the device in the ready set, on a frame. */
TEST_F(net, yield_wakes_on_frame)
{
	const char *args[] = { variant->backend, "--mem=1", self->peer.net_arg,
			       "--", "net", "20000", NULL };
	unsigned long long elapsed, ready, handle;
	uint8_t out[2048];
	struct nabla_app app;
	size_t len;

	NEED_NET();
	ASSERT_EQ(0, app_start(&app, "yield", args, 0));
	ASSERT_TRUE(app_wait_line(&app, "ready", READY_MS)) {
		app_finish(&app, 1000);
		LOG_APP(&app);
	}
	ASSERT_TRUE(app_value(&app, "handle", &handle));
	usleep(300 * 1000);
	len = make_frame(out, (const uint8_t *)"\xff\xff\xff\xff\xff\xff",
			 self->peer.peer_mac, 2, TEST_MTU);
	ASSERT_EQ(0, send_frame(self->peer.sock, self->peer.ifindex, out, len));
	app_finish(&app, RUN_MS);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	ASSERT_TRUE(app_value(&app, "elapsed_ns", &elapsed));
	ASSERT_TRUE(app_value(&app, "ready_set", &ready));
	EXPECT_EQ(1ULL << handle, ready);
	/* Woken by the frame (sent after 300 ms), far before the 20 s. */
	EXPECT_LE(200ULL * 1000000, elapsed);
	EXPECT_GE(10000ULL * 1000000, elapsed);
}

TEST_F(net, acquire_net_and_wrong_type)
{
	char block_path[64], block_arg[96];
	const char *args[] = { variant->backend, "--mem=1", self->peer.net_arg,
			       block_arg, "--", "net:n0", "block:n0",
			       "block:b0", "net:b0", NULL };
	struct nabla_app app;
	int fd;

	NEED_NET();
	fd = scratch_file(block_path, sizeof(block_path), 1 << 20);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(block_arg, sizeof(block_arg), "--block:b0=%s", block_path);
	app_run(&app, "acquire", args, 0, RUN_MS);
	unlink(block_path);
	ASSERT_TRUE(app_exited(&app, 0)) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "net:n0=ok")) LOG_APP(&app);
	EXPECT_TRUE(app_has_line(&app, "block:n0=einval"));
	EXPECT_TRUE(app_has_line(&app, "block:b0=ok"));
	EXPECT_TRUE(app_has_line(&app, "net:b0=einval"));
	EXPECT_TRUE(app_has_line(&app, "cross=einval"));
}

TEST_HARNESS_MAIN
