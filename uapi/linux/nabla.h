/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nabla: the Solo5 hypercall set as the ioctls of one character device.
 *
 * Each open() of /dev/nabla is an independent context. A context is built
 * with *setup calls* (attach net, attach block, set console, register
 * memory), then frozen with NABLA_SEAL. From then on only *hypercalls* are
 * useful: setup calls fail with -EPERM, and libnabla's seccomp filter lets
 * the process make nothing but the hypercall ioctls on that one fd (and
 * exit_group).
 * Hypercalls also work before the seal, which is what tests use.
 *
 * Devices: at most NABLA_MAX_DEVICES (63, Solo5's manifest limit) per
 * context, net and block together. A device is named by the caller (its
 * Solo5 manifest name, unique in the context) and addressed by the handle
 * the attach call returns: a small integer below NABLA_MAX_DEVICES, so that
 * NABLA_YIELD can report ready net devices as a bit set.
 *
 * Errors (the ioctl returns -1 and sets errno; one meaning each):
 *   ENOTTY     unknown command
 *   EINVAL     a bad value: non-zero flags, pad or reserved field, unknown
 *              or wrong-type handle, bad name, misaligned or out-of-range
 *              block I/O, a frame larger than the MTU allows, a net read
 *              buffer too small for the queued frame (it stays queued),
 *              an interface that is not Ethernet; register memory: a range
 *              not page aligned, too long, overlapping another, shared, or
 *              from a second process; block I/O with
 *              NABLA_BLOCK_IO_F_REGISTERED outside every region
 *   EFAULT     a user pointer (the argument or a buffer in it) is bad; a
 *              range to register that is not all mapped and writable
 *   EPERM      a setup call after NABLA_SEAL; attach net without
 *              CAP_NET_ADMIN in the caller's network namespace; block write
 *              refused by a host policy that came after the attach: the
 *              block device made read-only (BLKROSET), the file made
 *              append-only or immutable (chattr +a, +i); block I/O on a
 *              regular file refused by a security module or an fanotify
 *              permission event, as pread/pwrite would be
 *   EAGAIN     NABLA_NET_READ with nothing queued
 *   EEXIST     the device name is already used in this context
 *   ENOSPC     the context already has NABLA_MAX_DEVICES devices, or
 *              NABLA_MAX_REGIONS regions of registered memory
 *   EBUSY      the interface is attached to another context (or has another
 *              rx_handler: a bridge, bond, macvlan...)
 *   ENODEV     attach: no such interface; later calls: the interface was
 *              deleted while attached (the handle stays, it only fails)
 *   EBADF      attach block / set console: fd is not open (or, for the
 *              console, not open for writing); block write on a device
 *              attached read-only (NABLA_BLOCK_F_RDONLY)
 *   ENOTBLK    attach block: fd is neither a block device nor a regular file
 *   EIO        block I/O failed in the device; block I/O is never
 *              partially successful
 *   ENOMEM     out of memory, or beyond RLIMIT_MEMLOCK: a context's
 *              unswappable pages (registered memory, and the bounce pages
 *              of block transfers over unaligned buffers) count against
 *              the RLIMIT_MEMLOCK of the user, across all that user's
 *              contexts (as io_uring's registered buffers do), unless the
 *              caller has CAP_IPC_LOCK; the context is unchanged
 *   Setup calls change nothing when they fail.
 *
 * Conventions: all integers are fixed width and naturally aligned; user
 * pointers travel as __u64; every struct has a flags field (and pads and
 * reserved fields) that must be zero, so that meaning can be added later.
 * Outputs are named out_* and are written only on success. Times are __u64
 * nanoseconds; deadlines are absolute on CLOCK_MONOTONIC.
 */
#ifndef _UAPI_LINUX_NABLA_H
#define _UAPI_LINUX_NABLA_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define NABLA_API_VERSION	1

/* Not in Documentation/userspace-api/ioctl/ioctl-number.rst as of 6.12. */
#define NABLA_IOC_MAGIC		0xD9

#define NABLA_MAX_DEVICES	63
/* Solo5's manifest name size: up to 67 characters and the NUL. */
#define NABLA_NAME_SIZE		68
#define NABLA_IFNAME_SIZE	16	/* IFNAMSIZ */
#define NABLA_BLOCK_SIZE	512
/* Largest single transfer; libnabla splits larger requests. */
/* checkpatch: BIT_MACRO: BIT() is not part of the uapi */
#define NABLA_BLOCK_MAX_IO	(1U << 20)
#define NABLA_CONSOLE_MAX	65536
/* Frames queued per net device before new arrivals are dropped. */
#define NABLA_RX_QUEUE_LEN	256

/*
 * NABLA_VERSION (query, any time): the API version and which commands this
 * module implements, as a bit set of their command numbers (_IOC_NR).
 */
struct nabla_version {
	__u32 flags;			/* IN: 0 */
	__u32 out_api_version;		/* NABLA_API_VERSION */
	__u64 out_commands;		/* bit _IOC_NR(cmd) per command */
};

/*
 * NABLA_ATTACH_NET (setup): attach the host interface @ifname as Solo5 net
 * device @name. Needs CAP_NET_ADMIN in the interface's network namespace
 * (the namespace of the caller). Frames the interface receives go to this
 * context instead of the host stack (up to NABLA_RX_QUEUE_LEN queued, then
 * dropped and counted); frames written leave through the interface. The
 * interface is put in promiscuous mode while attached, since the guest MAC
 * is not the interface's. With NABLA_NET_F_MAC, @mac is the guest MAC
 * (unicast); otherwise a random locally administered one is made.
 */
/* checkpatch: BIT_MACRO: BIT() is not part of the uapi */
#define NABLA_NET_F_MAC		(1U << 0)
#define NABLA_NET_F_ALL		(NABLA_NET_F_MAC)

struct nabla_attach_net {
	char ifname[NABLA_IFNAME_SIZE];	/* IN: NUL-terminated */
	char name[NABLA_NAME_SIZE];	/* IN: NUL-terminated, [A-Za-z0-9_-] */
	__u32 flags;			/* IN: NABLA_NET_F_* */
	__u8 mac[6];			/* IN: with NABLA_NET_F_MAC, else 0 */
	__u8 pad[2];			/* IN: 0 */
	__u32 out_handle;
	__u32 out_mtu;			/* payload bytes; frames are 14 + mtu */
	__u8 out_mac[6];
	__u8 out_pad[2];
	__u64 reserved[2];		/* IN: 0 */
};

/*
 * NABLA_ATTACH_BLOCK (setup): attach the open file @fd (a block device or a
 * regular file) as Solo5 block device @name. The context keeps its own
 * reference; the caller may close @fd.
 * Block size: NABLA_BLOCK_SIZE, or with NABLA_BLOCK_ATTACH_F_BLOCK_SIZE,
 * @block_size: a power of two from NABLA_BLOCK_SIZE to NABLA_BLOCK_MAX_IO,
 * and for a block device at least its logical block size (else -EINVAL).
 * Transfers' offsets and lengths are multiples of it. Capacity is the size
 * at attach, rounded down to the block size.
 * Write access is decided here: out_flags has NABLA_BLOCK_F_RDONLY, and
 * NABLA_BLOCK_WRITE on the handle fails with -EBADF, when @fd was not
 * opened for writing, the block device is read-only, or the file is
 * append-only or immutable (a block device overwrites in place, which such
 * a file forbids). A policy set after the attach (BLKROSET, chattr) is
 * checked at every write: -EPERM.
 * Every transfer on a regular file is checked and reported as pread(2) and
 * pwrite(2) on it would be: security modules and fanotify permission
 * events first (rw_verify_area()), fsnotify's access and modify events
 * (inotify, fanotify) after. A block device gets bios straight to it, as
 * device mapper and loop write theirs: those hooks ran at open.
 */
/* checkpatch: BIT_MACRO: BIT() is not part of the uapi */
#define NABLA_BLOCK_ATTACH_F_BLOCK_SIZE	(1U << 0)
#define NABLA_BLOCK_ATTACH_F_ALL	(NABLA_BLOCK_ATTACH_F_BLOCK_SIZE)

/* checkpatch: BIT_MACRO: BIT() is not part of the uapi */
#define NABLA_BLOCK_F_RDONLY	(1U << 0)

struct nabla_attach_block {
	__s32 fd;			/* IN */
	__u32 flags;			/* IN: NABLA_BLOCK_ATTACH_F_* */
	char name[NABLA_NAME_SIZE];	/* IN: NUL-terminated, [A-Za-z0-9_-] */
	__u32 out_handle;
	__u64 out_capacity;		/* bytes */
	__u32 out_block_size;		/* the block size */
	__u32 out_flags;		/* NABLA_BLOCK_F_* */
	__u32 block_size;		/* IN: with F_BLOCK_SIZE, else 0 */
	__u32 pad;			/* IN: 0 */
	__u64 reserved;			/* IN: 0 */
};

/*
 * NABLA_SET_CONSOLE (setup): where NABLA_CONSOLE_WRITE goes: the open file
 * @fd (which must be open for writing; the context keeps a reference), or
 * with NABLA_CONSOLE_F_KMSG the kernel log (then @fd must be -1). A unix
 * socket is refused (-EINVAL): it can hold files in flight, this
 * context's own among them, and a context that held it could never be
 * freed. The kernel log gets whole lines, prefixed with the context id,
 * every byte outside printable ASCII (and the backslash) written as \xNN;
 * lines beyond a rate limit, per context and for all contexts together,
 * are dropped and counted, as printk_ratelimit() does, so that no user can
 * flood the host's log.
 * Without this call, NABLA_SEAL takes the sealing process's fd 1 (if that
 * is a unix socket, such as a service's journal stream, it is not held:
 * writes go to the writing process's fd 1), and a console write before any
 * sink is chosen goes to the caller's fd 1.
 */
/* checkpatch: BIT_MACRO: BIT() is not part of the uapi */
#define NABLA_CONSOLE_F_KMSG	(1U << 0)
#define NABLA_CONSOLE_F_ALL	(NABLA_CONSOLE_F_KMSG)

struct nabla_set_console {
	__s32 fd;			/* IN */
	__u32 flags;			/* IN: NABLA_CONSOLE_F_* */
	__u64 reserved;			/* IN: 0 */
};

/*
 * NABLA_REGISTER_MEMORY (setup): pin the caller's memory [@addr, @addr +
 * @len) for the life of the context, so that block transfers over it
 * (NABLA_BLOCK_IO_F_REGISTERED) do not pin and unpin it for every call, as
 * io_uring's fixed buffers. @addr and @len are page aligned, @len is at
 * most NABLA_REGISTER_MAX; at most NABLA_MAX_REGIONS regions a context,
 * not overlapping, all from one process. Every page must be mapped,
 * writable and private (MAP_PRIVATE; the pin breaks copy-on-write now):
 * -EFAULT if not mapped or not writable, -EINVAL if shared. The pages are
 * charged to the caller's RLIMIT_MEMLOCK (locked_vm, VmLck), unless it has
 * CAP_IPC_LOCK: -ENOMEM beyond it.
 * Transfers that name the region use the pages pinned here, whatever the
 * process maps at those addresses later: libnabla registers its heap and
 * its .bss, and its seccomp filter forbids mmap and munmap after the seal.
 */
#define NABLA_MAX_REGIONS	8
/* checkpatch: BIT_MACRO: BIT() is not part of the uapi */
#define NABLA_REGISTER_MAX	(1ULL << 32)

struct nabla_register_memory {
	__u64 addr;			/* IN: user pointer, page aligned */
	__u64 len;			/* IN: bytes, page aligned */
	__u32 flags;			/* IN: 0 */
	__u32 reserved;			/* IN: 0 */
};

/* NABLA_SEAL (setup): freeze the configuration. A second seal is -EPERM. */
struct nabla_seal {
	__u64 flags;			/* IN: 0 */
	__u64 reserved;			/* IN: 0 */
};

/* NABLA_CLOCK_MONOTONIC, NABLA_CLOCK_WALL (hypercalls). */
struct nabla_clock {
	__u64 flags;			/* IN: 0 */
	__u64 out_ns;			/* since boot / since the Unix epoch */
};

/*
 * NABLA_CONSOLE_WRITE (hypercall): write @len bytes (at most
 * NABLA_CONSOLE_MAX) to the console. Returns 0 once all of it was written,
 * in order with earlier writes of the context. A buffer that is not all
 * readable fails with -EFAULT before anything is written.
 */
struct nabla_console_write {
	__u64 buf;			/* IN: user pointer */
	__u64 len;			/* IN */
	__u64 flags;			/* IN: 0 */
};

/*
 * NABLA_YIELD (hypercall): wait until @deadline_ns (CLOCK_MONOTONIC) or
 * until a frame is queued on any attached net device, whichever is first;
 * a deadline in the past only polls. out_ready_set has bit h set for each
 * net handle h with at least one frame queued. A signal ends the wait
 * early (-EINTR is never returned: the call reports readiness as it is).
 */
struct nabla_yield {
	__u64 deadline_ns;		/* IN */
	__u64 flags;			/* IN: 0 */
	__u64 out_ready_set;
	__u64 reserved;			/* IN: 0 */
};

/*
 * NABLA_NET_WRITE (hypercall): transmit one Ethernet frame of @len bytes,
 * 14 <= len <= 14 + mtu, through the attached interface. The frame is
 * handed to the interface before the call returns (frames leave in the
 * order written); one the interface refuses is lost and counted, as on a
 * wire.
 */
struct nabla_net_write {
	__u32 handle;			/* IN */
	__u32 flags;			/* IN: 0 */
	__u64 buf;			/* IN: user pointer */
	__u64 len;			/* IN */
};

/*
 * NABLA_NET_READ (hypercall): dequeue one frame into @buf. -EAGAIN when none
 * is queued; -EINVAL when @len is smaller than the frame, which stays
 * queued. out_len is the frame's length.
 */
struct nabla_net_read {
	__u32 handle;			/* IN */
	__u32 flags;			/* IN: 0 */
	__u64 buf;			/* IN: user pointer */
	__u64 len;			/* IN: buffer size */
	__u64 out_len;
};

/* NABLA_NET_INFO (hypercall). */
struct nabla_net_info {
	__u32 handle;			/* IN */
	__u32 flags;			/* IN: 0 */
	__u8 out_mac[6];
	__u8 out_pad[2];
	__u32 out_mtu;
	__u32 out_reserved;
};

/*
 * NABLA_BLOCK_WRITE, NABLA_BLOCK_READ (hypercalls): transfer @len bytes at
 * byte @offset. @offset and @len are multiples of the device's block size
 * (out_block_size), @len is at most NABLA_BLOCK_MAX_IO and not 0, and
 * offset + len is within the capacity. Returns 0 only when all @len bytes were transferred; a write
 * has reached the device (block device: the bio completed, without a cache
 * flush; regular file: as pwrite(2)).
 * With NABLA_BLOCK_IO_F_REGISTERED, @buf .. @buf + @len lies in one region
 * of NABLA_REGISTER_MEMORY (else -EINVAL, as from another process) and
 * the transfer uses that region's pinned pages.
 */
/* checkpatch: BIT_MACRO: BIT() is not part of the uapi */
#define NABLA_BLOCK_IO_F_REGISTERED	(1U << 0)
#define NABLA_BLOCK_IO_F_ALL		(NABLA_BLOCK_IO_F_REGISTERED)

struct nabla_block_io {
	__u32 handle;			/* IN */
	__u32 flags;			/* IN: NABLA_BLOCK_IO_F_* */
	__u64 offset;			/* IN: bytes */
	__u64 buf;			/* IN: user pointer */
	__u64 len;			/* IN */
};

/* NABLA_BLOCK_INFO (hypercall). */
struct nabla_block_info {
	__u32 handle;			/* IN */
	__u32 flags;			/* IN: 0 */
	__u64 out_capacity;		/* bytes */
	__u32 out_block_size;
	__u32 out_flags;		/* NABLA_BLOCK_F_* */
};

/* Query. */
#define NABLA_VERSION		_IOWR(NABLA_IOC_MAGIC, 0x00, struct nabla_version)

/* Setup calls: 0x01-0x1f. */
#define NABLA_ATTACH_NET	_IOWR(NABLA_IOC_MAGIC, 0x01, struct nabla_attach_net)
#define NABLA_ATTACH_BLOCK	_IOWR(NABLA_IOC_MAGIC, 0x02, struct nabla_attach_block)
#define NABLA_SET_CONSOLE	_IOW(NABLA_IOC_MAGIC, 0x03, struct nabla_set_console)
#define NABLA_SEAL		_IOW(NABLA_IOC_MAGIC, 0x04, struct nabla_seal)
#define NABLA_REGISTER_MEMORY	_IOW(NABLA_IOC_MAGIC, 0x05, struct nabla_register_memory)

/* Hypercalls: 0x20-0x3f. */
#define NABLA_CLOCK_MONOTONIC	_IOWR(NABLA_IOC_MAGIC, 0x20, struct nabla_clock)
#define NABLA_CLOCK_WALL	_IOWR(NABLA_IOC_MAGIC, 0x21, struct nabla_clock)
#define NABLA_CONSOLE_WRITE	_IOW(NABLA_IOC_MAGIC, 0x22, struct nabla_console_write)
#define NABLA_YIELD		_IOWR(NABLA_IOC_MAGIC, 0x23, struct nabla_yield)
#define NABLA_NET_WRITE		_IOW(NABLA_IOC_MAGIC, 0x24, struct nabla_net_write)
#define NABLA_NET_READ		_IOWR(NABLA_IOC_MAGIC, 0x25, struct nabla_net_read)
#define NABLA_NET_INFO		_IOWR(NABLA_IOC_MAGIC, 0x26, struct nabla_net_info)
#define NABLA_BLOCK_WRITE	_IOW(NABLA_IOC_MAGIC, 0x27, struct nabla_block_io)
#define NABLA_BLOCK_READ	_IOW(NABLA_IOC_MAGIC, 0x28, struct nabla_block_io)
#define NABLA_BLOCK_INFO	_IOWR(NABLA_IOC_MAGIC, 0x29, struct nabla_block_info)

#endif /* _UAPI_LINUX_NABLA_H */
