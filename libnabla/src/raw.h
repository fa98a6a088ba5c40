/* SPDX-License-Identifier: ISC */
/*
 * raw.h: system calls without libc.
 *
 * After the seal libnabla must not touch errno or any other thread-local
 * variable: the application may have moved %fs with solo5_set_tls_base(),
 * and glibc's wrappers write errno through %fs. These wrappers return the
 * kernel's result as is: a value in [-4095, -1] is -errno. Only a kernel
 * header: also used by freestanding code (confined.h).
 */
#ifndef NABLA_RAW_H
#define NABLA_RAW_H

#include <asm/unistd.h>

static inline long nabla_raw1(long nr, long a0)
{
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a0)
		      : "rcx", "r11", "memory");
	return ret;
}

static inline long nabla_raw3(long nr, long a0, long a1, long a2)
{
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a0), "S" (a1), "d" (a2)
		      : "rcx", "r11", "memory");
	return ret;
}

static inline long nabla_raw4(long nr, long a0, long a1, long a2, long a3)
{
	register long r10 asm ("r10") = a3;
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a0), "S" (a1), "d" (a2), "r" (r10)
		      : "rcx", "r11", "memory");
	return ret;
}

static inline long nabla_raw5(long nr, long a0, long a1, long a2, long a3,
			      long a4)
{
	register long r10 asm ("r10") = a3;
	register long r8 asm ("r8") = a4;
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a0), "S" (a1), "d" (a2), "r" (r10),
			"r" (r8)
		      : "rcx", "r11", "memory");
	return ret;
}

static inline long nabla_raw6(long nr, long a0, long a1, long a2, long a3,
			      long a4, long a5)
{
	register long r10 asm ("r10") = a3;
	register long r8 asm ("r8") = a4;
	register long r9 asm ("r9") = a5;
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a0), "S" (a1), "d" (a2), "r" (r10),
			"r" (r8), "r" (r9)
		      : "rcx", "r11", "memory");
	return ret;
}

static inline __attribute__((noreturn)) void nabla_raw_exit_group(int status)
{
	for (;;)
		nabla_raw1(__NR_exit_group, status);
}

#endif /* NABLA_RAW_H */
