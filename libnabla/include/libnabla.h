/* SPDX-License-Identifier: ISC */
/*
 * libnabla.h: libnabla's additions to the Solo5 API (solo5.h). A program
 * that wants to stay portable to Solo5 does not need them.
 */
#ifndef LIBNABLA_H_INCLUDED
#define LIBNABLA_H_INCLUDED

#include "solo5.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The backend the process runs on: "dev" (/dev/nabla) or "syscall". */
const char *libnabla_backend(void);

/*
 * The /dev/nabla file descriptor the hypercalls go to, or -1 on the
 * syscall backend. Only for tests and diagnostics: the filter allows
 * nothing on it but the hypercall ioctls.
 */
int libnabla_device_fd(void);

/*
 * The host fd behind a device on the syscall backend (its tap or block
 * file), or -1 (dev backend, or no such device). For tests and diagnostics.
 */
int libnabla_host_fd(solo5_handle_t handle);

/*
 * The syscall backend's epoll fd (the tap fds and the timer, which
 * solo5_yield() waits on) and its timerfd (armed at the absolute deadline),
 * or -1 on the dev backend. For tests and diagnostics.
 */
int libnabla_epoll_fd(void);
int libnabla_timer_fd(void);

/*
 * 1 if the clocks are read through the vDSO at the moment, 0 if through
 * the backend's system call or hypercall. The dev backend starts with the
 * vDSO when there is one and switches to its hypercalls for good the
 * first time the vDSO would enter the kernel (a clocksource without a
 * vDSO mode), so 1 means no kernel entry; the syscall backend keeps the
 * vDSO, which makes the system call itself on such a clocksource. For
 * tests and diagnostics.
 */
int libnabla_clock_vdso(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBNABLA_H_INCLUDED */
