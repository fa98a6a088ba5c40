// SPDX-License-Identifier: GPL-2.0
/*
 * Running a program: the fixtures every program can use (set up once, in
 * the fork server, and restored after a program changed them), the
 * contexts it opens, and its two threads.
 *
 * An instruction marked async is handed to the second thread and the
 * first goes on with the next ones at once, so the two calls overlap in
 * the kernel; the next async instruction waits until the second thread is
 * free again. A "fork" instruction makes the next one run in a child
 * process that shares every fd (a context used from another process).
 * Each thread has a timer that sends it SIGALRM every 50 ms, which ends a
 * yield without a deadline or a console write blocked on a full pipe, so
 * that no program waits forever. At the end every context is closed on
 * the first thread, so that their release is covered too.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "nabla_test.h"

#define FILE_SIZE	((1 << 20) + 100)	/* capacity rounds down */
#define TICK_NS		50000000

struct fix fix;
const uint8_t guest_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

/* ---- fixtures ------------------------------------------------------------- */

static void *map(size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("nabla-fuzz: mmap");
		exit(1);
	}
	return p;
}

/*
 * The arena, text with escapes and control bytes (for the console; any
 * bytes do for the rest), then a page without access and an unmapped one.
 * Mapped last, so that no later mapping fills that gap.
 */
static void arena_setup(void)
{
	static const char line[] = "nabla-fuzz \x1b[31mred\x1b[0m back\\slash\ttab \x01\xff end\n";
	size_t i;

	fix.ro = map(4096, PROT_READ, MAP_PRIVATE);
	fix.shared = map(4096, PROT_READ | PROT_WRITE, MAP_SHARED);
	fix.dirty = map(4096, PROT_READ | PROT_WRITE, MAP_SHARED);
	fix.arena = map(ARENA_SIZE + 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE);
	mprotect(fix.arena + ARENA_SIZE, 4096, PROT_NONE);
	munmap(fix.arena + ARENA_SIZE + 4096, 4096);
	for (i = 0; i + sizeof(line) - 1 <= ARENA_SIZE; i += sizeof(line) - 1)
		memcpy(fix.arena + i, line, sizeof(line) - 1);
}

static int file_setup(const char *path, off_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || ftruncate(fd, size)) {
		fprintf(stderr, "nabla-fuzz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* A loop device whose logical blocks are 4 KiB: bios need bounce pages more often. */
static void loop_setup(void)
{
	char backing[128];
	int fd;

	fd = loop_create("fzloop", 1 << 20, backing, sizeof(backing), fix.loop, sizeof(fix.loop));
	if (fd < 0) {
		fprintf(stderr, "nabla-fuzz: no loop device (%s)\n", strerror(-fd));
		return;
	}
	if (ioctl(fd, LOOP_SET_BLOCK_SIZE, 4096))
		fprintf(stderr, "nabla-fuzz: LOOP_SET_BLOCK_SIZE: %s\n", strerror(errno));
	close(fd);
}

/* The veth pair: the host answers ARP and ping from the guest's address. */
static int net_setup(void)
{
	struct ifreq ifr = { 0 };
	int err;

	err = veth_create(IF_VETH, IF_PEER);
	if (err) {
		fprintf(stderr, "nabla-fuzz: veth: %s\n", strerror(-err));
		return err;
	}
	link_add_ipv4(IF_PEER, HOST_IP);
	neigh_add(IF_PEER, GUEST_IP, guest_mac);
	if (!ifreq_ioctl(IF_PEER, SIOCGIFHWADDR, &ifr))
		memcpy(fix.peer_mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/* A bridge with a port: the port has an rx_handler (attach: -EBUSY). */
static void bridge_setup(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	if (ioctl(fd, SIOCBRADDBR, IF_BRIDGE) && errno != EEXIST)
		fprintf(stderr, "nabla-fuzz: no bridge (%s)\n", strerror(errno));
	else if (!veth_create(IF_PORT, "fzb1")) {
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", IF_BRIDGE);
		ifr.ifr_ifindex = if_nametoindex(IF_PORT);
		if (ioctl(fd, SIOCBRADDIF, &ifr))
			fprintf(stderr, "nabla-fuzz: bridge port: %s\n", strerror(errno));
		link_set_up(IF_BRIDGE, true);
	}
	close(fd);
}

static int packet_socket(bool vnet)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), one = 1;

	sll.sll_ifindex = if_nametoindex(IF_PEER);
	if (fd < 0 || (vnet && setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		fprintf(stderr, "nabla-fuzz: packet socket: %s\n", strerror(errno));
	return fd;
}

/* Fault injection (fail-nth) fails sleeping and order-0 allocations too. */
static void fault_setup(void)
{
	fix.fault_injection = !access("/proc/thread-self/fail-nth", W_OK);
	if (!fix.fault_injection)
		return;
	write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	write_file("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	write_file("/sys/kernel/debug/failslab/verbose", "0");
	write_file("/sys/kernel/debug/fail_page_alloc/verbose", "0");
}

static void on_alarm(int sig)
{
	(void)sig;
}

int fixtures_setup(void)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };

	sigaction(SIGALRM, &sa, NULL);
	/* A console sink without a reader must not kill the program. */
	signal(SIGPIPE, SIG_IGN);
	mkdir("/tmp/fz", 0700);
	arena_setup();
	snprintf(fix.file, sizeof(fix.file), "/tmp/fz/file");
	snprintf(fix.sink, sizeof(fix.sink), "/tmp/fz/console");
	if (file_setup(fix.file, FILE_SIZE) || file_setup(fix.sink, 0))
		return -1;
	loop_setup();
	if (net_setup())
		return -1;
	bridge_setup();
	fix.pkt = packet_socket(false);
	fix.pkt_vnet = packet_socket(true);
	fault_setup();
	return 0;
}

/* After a program: what it changed of the fixtures, back as it was. */
void fixtures_restore(void)
{
	uint32_t dirty = *fix.dirty;
	int fd, zero = 0;

	*fix.dirty = 0;
	if (dirty & DIRTY_VETH) {
		if (!if_nametoindex(IF_VETH) || !if_nametoindex(IF_PEER)) {
			veth_destroy(IF_VETH);
			net_setup();
		}
		link_set_mtu(IF_VETH, 1500);
		link_set_mtu(IF_PEER, 1500);
		link_set_up(IF_VETH, true);
		link_set_up(IF_PEER, true);
	}
	if (dirty & DIRTY_RAM1) {
		fd = open("/dev/ram1", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ioctl(fd, BLKROSET, &zero);
			close(fd);
		}
	}
	if (dirty & DIRTY_FILE) {
		fd = open(fix.file, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ioctl(fd, FS_IOC_SETFLAGS, &zero);
			close(fd);
		}
		truncate(fix.file, FILE_SIZE);
	}
}

/* ---- a program's state -------------------------------------------------------- */

struct slot *cur_slot(struct thr *t)
{
	return &t->s->slot[t->s->cur];
}

/*
 * fail-nth for the calling thread's next allocations, if the program armed
 * it ("fault"): the fd to disarm it with afterwards, or -1.
 */
static int fault_arm(struct thr *t)
{
	int nth = t->fail_nth, fd;
	char num[16];

	t->fail_nth = 0;
	if (!nth || !fix.fault_injection)
		return -1;
	fd = open("/proc/thread-self/fail-nth", O_WRONLY | O_CLOEXEC);
	snprintf(num, sizeof(num), "%d", nth);
	if (fd >= 0 && write(fd, num, strlen(num)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Disarmed (if the call did not reach its nth allocation); -EIO if that failed. */
static int fault_disarm(int fd)
{
	int err = 0;

	if (fd < 0)
		return 0;
	if (write(fd, "0", 1) < 0)
		err = -EIO;
	close(fd);
	return err;
}

/*
 * The current context's fd, opened now if it is not open (under an armed
 * fault: the open is the call that gets it).
 */
int cur_fd(struct thr *t)
{
	struct slot *s;
	int fd, ffd;

	pthread_mutex_lock(&t->s->lock);
	s = cur_slot(t);
	if (s->fd < 0) {
		ffd = fault_arm(t);
		s->fd = open(NABLA_DEV, O_RDWR | O_CLOEXEC);
		if (s->fd < 0)
			s->fd = -errno;
		fault_disarm(ffd);
	}
	fd = s->fd;
	if (fd < 0)
		s->fd = -1;
	pthread_mutex_unlock(&t->s->lock);
	return fd;
}

/* The tap of this program (made on first use; gone when closed). */
int tap_fd(struct thr *t)
{
	int fd;

	pthread_mutex_lock(&t->s->lock);
	if (t->s->tap < 0)
		t->s->tap = tap_open(IF_TAP, true);
	fd = t->s->tap;
	if (fd < 0)
		t->s->tap = -1;
	pthread_mutex_unlock(&t->s->lock);
	return fd;
}

void state_keep_fd(struct state *s, int fd)
{
	pthread_mutex_lock(&s->lock);
	if (s->nkeep < sizeof(s->keep) / sizeof(s->keep[0]))
		s->keep[s->nkeep++] = fd;
	else
		close(fd);
	pthread_mutex_unlock(&s->lock);
}

/* An ioctl on the current context: 0 or -errno; with a failure armed (fail-nth). */
int nioctl(struct thr *t, unsigned long cmd, void *arg)
{
	int fd = cur_fd(t), ffd, ret, err;

	if (fd < 0)
		return fd;
	ffd = fault_arm(t);
	ret = ioctl(fd, cmd, arg) ? -errno : 0;
	err = fault_disarm(ffd);
	return ret ? ret : err;
}

void trace(struct thr *t, const char *fmt, ...)
{
	va_list ap;

	if (!t->s->log)
		return;
	va_start(ap, fmt);
	vfprintf(t->s->log, fmt, ap);
	va_end(ap);
}

/* ---- threads ---------------------------------------------------------------------- */

/* SIGALRM to the calling thread every TICK_NS: no call blocks for good. */
static timer_t thread_timer(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };
	struct itimerspec its = { { 0, TICK_NS }, { 0, TICK_NS } };
	timer_t tm = 0;

	/* glibc names the field only through <asm/siginfo.h>, which clashes. */
	sev._sigev_un._tid = gettid();
	if (!timer_create(CLOCK_MONOTONIC, &sev, &tm))
		timer_settime(tm, 0, &its, NULL);
	return tm;
}

static int run_one(struct thr *t, const struct insn *in, unsigned int idx)
{
	uint64_t t0 = mono_ns();
	unsigned long blocks;
	int r;

	cover_op_begin(t->cover);
	r = in->op->run(t, in);
	blocks = cover_op_end(t->cover, in->op - ops);
	t0 = mono_ns() - t0;
	if (t->s->log) {
		pthread_mutex_lock(&t->s->lock);
		fprintf(t->s->log, "  %2u%s ", idx, t->cover == 1 ? "&" : t->cover == 2 ? "f" : " ");
		insn_print(in, t->s->log);
		fprintf(t->s->log, " -> %s (%lu blocks, %llu us)\n", errno_name(r), blocks,
			(unsigned long long)t0 / 1000);
		fflush(t->s->log);
		pthread_mutex_unlock(&t->s->lock);
	}
	return r;
}

struct worker {
	pthread_t th;
	pthread_mutex_t m;
	pthread_cond_t cv;
	const struct insn *job;		/* NULL: idle */
	unsigned int idx;
	bool stop;
	struct thr thr;
	int *results;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	timer_t tm = thread_timer();
	const struct insn *in;
	int r;

	cover_thread_start(w->thr.cover);
	pthread_mutex_lock(&w->m);
	for (;;) {
		while (!w->job && !w->stop)
			pthread_cond_wait(&w->cv, &w->m);
		if (!w->job)
			break;
		in = w->job;
		pthread_mutex_unlock(&w->m);
		r = run_one(&w->thr, in, w->idx);
		pthread_mutex_lock(&w->m);
		w->results[w->idx] = r;
		w->job = NULL;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->m);
	timer_delete(tm);
	return NULL;
}

static void worker_wait(struct worker *w)
{
	pthread_mutex_lock(&w->m);
	while (w->job)
		pthread_cond_wait(&w->cv, &w->m);
	pthread_mutex_unlock(&w->m);
}

static void worker_post(struct worker *w, const struct insn *in, unsigned int idx)
{
	worker_wait(w);
	pthread_mutex_lock(&w->m);
	w->job = in;
	w->idx = idx;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->m);
}

static void worker_stop(struct worker *w)
{
	worker_wait(w);
	pthread_mutex_lock(&w->m);
	w->stop = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->m);
	pthread_join(w->th, NULL);
}

/* One instruction in a child process that shares every fd. */
static int run_forked(struct state *s, const struct insn *in, unsigned int idx)
{
	struct thr t = { .s = s, .cover = 2 };
	int status, r;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		thread_timer();
		cover_thread_start(2);
		r = run_one(&t, in, idx);
		_exit(r < 0 ? -r & 0xff : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? -WEXITSTATUS(status) : -EINTR;
}

/* Every context closed here, so that their release is covered. */
static void state_end(struct thr *t)
{
	struct state *s = t->s;
	unsigned int i;

	cover_op_begin(t->cover);
	for (i = 0; i < NSLOTS; i++)
		if (s->slot[i].fd >= 0)
			close(s->slot[i].fd);
	if (s->tap >= 0)
		close(s->tap);
	cover_op_end(t->cover, nops);
	for (i = 0; i < s->nkeep; i++)
		close(s->keep[i]);
}

static int check(const struct prog *p, const int *results, FILE *log)
{
	unsigned int i;
	int bad = 0;

	for (i = 0; i < p->n; i++) {
		const struct insn *in = &p->in[i];

		if (!in->has_expect || in->expect == results[i])
			continue;
		fprintf(log ? log : stderr, "line %d: %s: expected %s, got %s\n", in->line,
			in->op->name, errno_name(in->expect), errno_name(results[i]));
		bad++;
	}
	return bad;
}

/* Run @p in this process; with @check, how many results differ from the expected. */
int prog_run(const struct prog *p, bool check_results, FILE *log)
{
	static int results[MAX_INSNS];
	struct state s = { .lock = PTHREAD_MUTEX_INITIALIZER, .tap = -1, .log = log };
	struct thr t = { .s = &s, .cover = 0 };
	struct worker w = { .m = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
			    .thr = { .s = &s, .cover = 1 }, .results = results };
	unsigned int i;
	bool fork_next;

	for (i = 0; i < NSLOTS; i++)
		s.slot[i].fd = -1;
	thread_timer();
	cover_thread_start(0);
	if (p->any_async && pthread_create(&w.th, NULL, worker_main, &w))
		return -1;
	for (i = 0; i < p->n; i++) {
		pthread_mutex_lock(&s.lock);
		fork_next = s.fork_next;
		s.fork_next = false;
		pthread_mutex_unlock(&s.lock);
		if (fork_next) {
			/* No lock may be held by the other thread across the fork. */
			if (p->any_async)
				worker_wait(&w);
			results[i] = run_forked(&s, &p->in[i], i);
		} else if (p->in[i].async) {
			worker_post(&w, &p->in[i], i);
		} else {
			results[i] = run_one(&t, &p->in[i], i);
		}
	}
	if (p->any_async)
		worker_stop(&w);
	state_end(&t);
	return check_results ? check(p, results, log) : 0;
}
