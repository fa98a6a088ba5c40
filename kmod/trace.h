/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoint nabla:nabla_call, one event per ioctl on /dev/nabla (setup
 * calls and hypercalls), after it ran: context id, command, device handle
 * (4294967295 when the command has none), length (bytes asked, or the
 * frame length of a successful net read) and result (0 or -errno).
 *
 *   trace-cmd record -e nabla:nabla_call -P <pid>
 *
 * Locking: none; fired from the ioctl path.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nabla

#if !defined(_NABLA_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _NABLA_TRACE_H

#include <linux/tracepoint.h>
#include <linux/nabla.h>

#define nabla_show_cmd(nr)						\
	__print_symbolic(nr,						\
		{ _IOC_NR(NABLA_VERSION),		"VERSION" },	\
		{ _IOC_NR(NABLA_ATTACH_NET),		"ATTACH_NET" },	\
		{ _IOC_NR(NABLA_ATTACH_BLOCK),	"ATTACH_BLOCK" },	\
		{ _IOC_NR(NABLA_SET_CONSOLE),		"SET_CONSOLE" },	\
		{ _IOC_NR(NABLA_SEAL),		"SEAL" },		\
		{ _IOC_NR(NABLA_REGISTER_MEMORY),	"REGISTER_MEMORY" },	\
		{ _IOC_NR(NABLA_CLOCK_MONOTONIC),	"CLOCK_MONOTONIC" },	\
		{ _IOC_NR(NABLA_CLOCK_WALL),		"CLOCK_WALL" },	\
		{ _IOC_NR(NABLA_CONSOLE_WRITE),	"CONSOLE_WRITE" },	\
		{ _IOC_NR(NABLA_YIELD),		"YIELD" },		\
		{ _IOC_NR(NABLA_NET_WRITE),		"NET_WRITE" },	\
		{ _IOC_NR(NABLA_NET_READ),		"NET_READ" },	\
		{ _IOC_NR(NABLA_NET_INFO),		"NET_INFO" },	\
		{ _IOC_NR(NABLA_BLOCK_WRITE),		"BLOCK_WRITE" },	\
		{ _IOC_NR(NABLA_BLOCK_READ),		"BLOCK_READ" },	\
		{ _IOC_NR(NABLA_BLOCK_INFO),		"BLOCK_INFO" })

TRACE_EVENT(nabla_call,
	    TP_PROTO(u64 ctx, unsigned int nr, u32 handle, u64 len,
		     long result),
	    TP_ARGS(ctx, nr, handle, len, result),
	    TP_STRUCT__entry(__field(u64, ctx)
			     __field(unsigned int, nr)
			     __field(u32, handle)
			     __field(u64, len)
			     __field(long, result)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->nr = nr;
			   __entry->handle = handle;
			   __entry->len = len;
			   __entry->result = result;),
	    TP_printk("ctx=%llu cmd=%s handle=%u len=%llu result=%ld",
		      __entry->ctx, nabla_show_cmd(__entry->nr),
		      __entry->handle, __entry->len, __entry->result)
);

#endif /* _NABLA_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
