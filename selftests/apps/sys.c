// SPDX-License-Identifier: GPL-2.0
/*
 * sys: make one system call once confined, as the command line says, and
 * report "survived rc=N" if it returns. The confinement tests expect it to
 * die with SIGSYS instead (or to survive, for the calls the filter allows).
 *
 *   NR [A0..A5]         syscall NR (x86_64) with the given arguments
 *   x32 NR [A0..A5]     the same through the x32 ABI (NR | 0x40000000)
 *   int80 NR [A0..A5]   the i386 ABI through int $0x80 (i386 numbering)
 *   nabla CMD [sext]    ioctl(CMD) on the /dev/nabla fd with a zeroed
 *                       argument; "sext": CMD sign-extended to 64 bits
 * An argument "fd:NAME" stands for the host fd of device NAME (syscall
 * backend), "fd:epoll" and "fd:timer" for the syscall backend's epoll fd
 * and timerfd, "buf" for the address of a zeroed 1 MiB buffer.
 */
#include "app.h"
#include "libnabla.h"

#define X32_SYSCALL_BIT	0x40000000L

static uint8_t buffer[1 << 20];

static long syscall6(long nr, const long a[6])
{
	register long r10 asm ("r10") = a[3];
	register long r8 asm ("r8") = a[4];
	register long r9 asm ("r9") = a[5];
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a[0]), "S" (a[1]), "d" (a[2]),
			"r" (r10), "r" (r8), "r" (r9)
		      : "rcx", "r11", "memory");
	return ret;
}

static long int80(long nr, const long a[6])
{
	long ret;

	/* i386 ABI: ebx, ecx, edx, esi, edi (ebp left alone). */
	asm volatile ("int $0x80"
		      : "=a" (ret)
		      : "a" (nr), "b" (a[0]), "c" (a[1]), "d" (a[2]),
			"S" (a[3]), "D" (a[4])
		      : "memory");
	return ret;
}

static bool arg_value(const char *word, int64_t *v)
{
	struct solo5_block_info bi;
	struct solo5_net_info ni;
	solo5_handle_t h;

	if (app_streq(word, "buf")) {
		*v = (uintptr_t)buffer;
		return true;
	}
	if (app_streq(word, "fd:epoll") || app_streq(word, "fd:timer")) {
		*v = word[3] == 'e' ? libnabla_epoll_fd() : libnabla_timer_fd();
		return *v >= 0;
	}
	if (app_prefix(word, "fd:")) {
		if (solo5_block_acquire(word + 3, &h, &bi) != SOLO5_R_OK &&
		    solo5_net_acquire(word + 3, &h, &ni) != SOLO5_R_OK)
			return false;
		*v = libnabla_host_fd(h);
		return *v >= 0;
	}
	return app_number(word, v);
}

static bool parse(const char **cursor, long *nr, long a[6])
{
	char word[80];
	int64_t v;
	int i;

	if (!app_word(cursor, word, sizeof(word)) || !app_number(word, &v))
		return false;
	*nr = v;
	for (i = 0; i < 6; i++) {
		a[i] = 0;
		if (app_word(cursor, word, sizeof(word))) {
			if (!arg_value(word, &v)) {
				app_fail("bad argument");
				return false;
			}
			a[i] = v;
		}
	}
	return true;
}

static long nabla_ioctl(const char **cursor)
{
	char word[32];
	int64_t cmd;
	long a[6] = { libnabla_device_fd(), 0, (long)buffer };

	if (!app_word(cursor, word, sizeof(word)) || !app_number(word, &cmd))
		return -1;
	a[1] = (uint32_t)cmd;
	if (app_word(cursor, word, sizeof(word)) && app_streq(word, "sext"))
		a[1] = (int32_t)cmd;
	return syscall6(16 /* ioctl */, a);
}

int solo5_app_main(const struct solo5_start_info *si)
{
	const char *cursor = si->cmdline;
	const char *rest = cursor;
	char word[32];
	long nr, a[6], rc;

	if (!app_word(&rest, word, sizeof(word))) {
		app_fail("usage: sys NR [ARGS] | x32 NR | int80 NR | nabla CMD");
		return 1;
	}
	if (app_streq(word, "nabla")) {
		rc = nabla_ioctl(&rest);
	} else if (app_streq(word, "x32")) {
		if (!parse(&rest, &nr, a))
			return 1;
		rc = syscall6(nr | X32_SYSCALL_BIT, a);
	} else if (app_streq(word, "int80")) {
		if (!parse(&rest, &nr, a))
			return 1;
		rc = int80(nr, a);
	} else {
		if (!parse(&cursor, &nr, a))
			return 1;
		rc = syscall6(nr, a);
	}
	app_kv_i("survived rc", rc);
	return 0;
}
