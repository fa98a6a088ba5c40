// SPDX-License-Identifier: ISC
/*
 * libnabla.c: what libnabla adds to the shared API code (api.c): how an
 * application ends, and the calls of libnabla.h. (The bindings of a
 * freestanding unikernel end the way Solo5's do, logging first.)
 *
 * Confined code (confined.h).
 */
#include "confined.h"
#include "libnabla.h"
#include "raw.h"

void solo5_exit(int status)
{
	nabla_raw_exit_group(status);
}

void solo5_abort(void)
{
	nabla_raw_exit_group(SOLO5_EXIT_ABORT);
}

const char *libnabla_backend(void)
{
	return nabla_ops == &nabla_dev_ops ? "dev" : "syscall";
}

int libnabla_clock_vdso(void)
{
	if (nabla_ops == &nabla_dev_ops)
		return nabla_dev.vdso_gettime != NULL;
	return nabla_sys.vdso_gettime != NULL;
}

int libnabla_device_fd(void)
{
	return nabla_ops == &nabla_dev_ops ? nabla_dev.fd : -1;
}

int libnabla_host_fd(solo5_handle_t handle)
{
	if (nabla_ops != &nabla_sys_ops || handle >= NABLA_MAX_DEVICES ||
	    nabla_devices[handle].type == NABLA_DEV_FREE)
		return -1;
	return nabla_devices[handle].fd;
}

int libnabla_epoll_fd(void)
{
	return nabla_ops == &nabla_sys_ops ? nabla_sys.epollfd : -1;
}

int libnabla_timer_fd(void)
{
	return nabla_ops == &nabla_sys_ops ? nabla_sys.timerfd : -1;
}
