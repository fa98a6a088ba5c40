/* SPDX-License-Identifier: ISC */
/*
 * lwipopts.h: lwIP configuration for Solo5 applications on libnabla.
 *
 * The process is confined by seccomp once solo5_app_main() runs: only the
 * Solo5 calls may enter the kernel. So lwIP runs without an OS layer
 * (NO_SYS=1, one thread, raw callback API), allocates only from static pools
 * and a static heap (never glibc's malloc, which may call brk/mmap), and gets
 * time and randomness from the port (sys_arch.c), not from glibc.
 *
 * Sizing: the applications serve up to ~100 concurrent TCP connections
 * (ab -c 64 plus connections lingering in TIME_WAIT, redis-benchmark -c 16)
 * with a window of 64 KiB each way. Everything here lands in .bss.
 */
#ifndef NABLA_LWIPOPTS_H
#define NABLA_LWIPOPTS_H

/* ---- system ---- */
#define NO_SYS				1
#define SYS_LIGHTWEIGHT_PROT		0
#define LWIP_SOCKET			0
#define LWIP_NETCONN			0
#define LWIP_NETIF_API			0
#define LWIP_TIMERS			1
#define LWIP_SINGLE_NETIF		1

/* ---- memory: static only ---- */
#define MEM_LIBC_MALLOC			0
#define MEMP_MEM_MALLOC			0
#define MEM_ALIGNMENT			8
/* lwIP heap (a static array in mem.c): PBUF_RAM for outgoing segments. */
#define MEM_SIZE			(8 * 1024 * 1024)
#define MEMP_OVERFLOW_CHECK		0
#define MEMP_SANITY_CHECK		0

#define MEMP_NUM_PBUF			256	/* PBUF_ROM/REF (tcp_write without copy) */
#define MEMP_NUM_RAW_PCB		1
#define MEMP_NUM_UDP_PCB		1
#define MEMP_NUM_TCP_PCB		256
#define MEMP_NUM_TCP_PCB_LISTEN		4
#define MEMP_NUM_TCP_SEG		2048
#define MEMP_NUM_REASSDATA		8
#define MEMP_NUM_FRAG_PBUF		16
#define MEMP_NUM_ARP_QUEUE		64
#define MEMP_NUM_SYS_TIMEOUT		(LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define PBUF_POOL_SIZE			1024

/* ---- link layer ---- */
#define LWIP_ARP			1
#define LWIP_ETHERNET			1
#define ARP_TABLE_SIZE			16
#define ARP_QUEUEING			1
#define ETHARP_SUPPORT_STATIC_ENTRIES	0
#define ETH_PAD_SIZE			0
#define LWIP_NETIF_TX_SINGLE_PBUF	1
#define LWIP_NETIF_STATUS_CALLBACK	0
#define LWIP_NETIF_LINK_CALLBACK	0
#define LWIP_NETIF_HOSTNAME		0

/* ---- network layer: IPv4 and ICMP only ---- */
#define LWIP_IPV4			1
#define LWIP_IPV6			0
#define LWIP_ICMP			1
#define LWIP_RAW			0
#define LWIP_DHCP			0
#define LWIP_AUTOIP			0
#define LWIP_IGMP			0
#define LWIP_DNS			0
#define LWIP_UDP			0
#define IP_REASSEMBLY			1
#define IP_FRAG				1
#define IP_DEFAULT_TTL			64

/* ---- TCP ---- */
#define LWIP_TCP			1
#define TCP_MSS				1460
#define TCP_WND				(44 * TCP_MSS)	/* < 64 KiB: no window scaling needed */
#define TCP_SND_BUF			(44 * TCP_MSS)
#define TCP_SND_QUEUELEN		(4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT			(TCP_SND_BUF / 2)
#define TCP_QUEUE_OOSEQ			1
#define TCP_OOSEQ_MAX_PBUFS		64
#define LWIP_TCP_SACK_OUT		0
#define TCP_LISTEN_BACKLOG		0
/*
 * TIME_WAIT lasts 2 * TCP_MSL: 2 s instead of lwIP's 120 s. lwIP matches a
 * SYN against its TIME_WAIT pcbs before its listeners, answers one whose
 * sequence number is outside the old window with an ACK and ignores the
 * client's RST (RFC 1337), so a client that reuses the port of a connection
 * the server closed (Linux may, since the client itself is not in
 * TIME_WAIT) cannot connect until TIME_WAIT ends: seen as curl timing out
 * after 120 s once in about 1000 one-shot connections. With 2 s the SYN
 * that Linux retransmits after 3 s gets through. Segments do not linger
 * for minutes on a veth or tap link.
 */
#define TCP_MSL				1000UL
#define LWIP_TCP_KEEPALIVE		0
#define TCP_OVERSIZE			TCP_MSS
#define LWIP_TCP_TIMESTAMPS		0
#define LWIP_ALTCP			0
#define LWIP_CALLBACK_API		1
#define LWIP_EVENT_API			0

/*
 * Checksums are computed and verified in software. Frames from a veth peer
 * may carry CHECKSUM_PARTIAL (a pseudo-header sum only) unless the device
 * resolves it before handing the frame over: build with
 * -DNABLA_LWIP_NO_RX_CSUM=1 to stop verifying on receive.
 */
#ifndef NABLA_LWIP_NO_RX_CSUM
#define NABLA_LWIP_NO_RX_CSUM		0
#endif
#define CHECKSUM_GEN_IP			1
#define CHECKSUM_GEN_TCP		1
#define CHECKSUM_GEN_ICMP		1
#define CHECKSUM_CHECK_IP		(!NABLA_LWIP_NO_RX_CSUM)
#define CHECKSUM_CHECK_TCP		(!NABLA_LWIP_NO_RX_CSUM)
#define CHECKSUM_CHECK_ICMP		(!NABLA_LWIP_NO_RX_CSUM)
#define LWIP_CHECKSUM_ON_COPY		1

/* ---- no statistics, no debug output unless asked for ---- */
#define LWIP_STATS			0
#ifndef LWIP_DEBUG_ON
#define LWIP_DBG_TYPES_ON		0
#endif

#endif /* NABLA_LWIPOPTS_H */
