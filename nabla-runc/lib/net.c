// SPDX-License-Identifier: GPL-2.0
/*
 * net.c: the interface the engine made in the container's network
 * namespace, read with rtnetlink (libmnl): its MAC and MTU (RTM_GETLINK),
 * its IPv4 address and prefix (RTM_GETADDR), the default route's gateway
 * through it (RTM_GETROUTE). The application takes them on its command
 * line; the interface itself is handed to it whole (dev backend: the
 * module's rx_handler takes its frames from the host stack).
 *
 * Without the module (syscall backend) the application needs a tap: the
 * fallback makes one and a bridge joining it to the engine's interface,
 * in the same namespace; delete removes both.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "nrc.h"

struct nl {
	struct mnl_socket *sock;
	unsigned int portid, seq;
	char buf[8192];
};

static int nl_open(struct nl *nl)
{
	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		nr_perror("netlink");
		if (nl->sock)
			mnl_socket_close(nl->sock);
		return -1;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);
	return 0;
}

static struct nlmsghdr *nl_msg(struct nl *nl, int type, int flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(nl->buf);

	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = ++nl->seq;
	return h;
}

/* Sends H and runs CB on every answer until the ACK or the dump's end. */
static int nl_talk(struct nl *nl, struct nlmsghdr *h, mnl_cb_t cb, void *data)
{
	int n, ret;

	if (mnl_socket_sendto(nl->sock, h, h->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (n < 0)
			return -1;
		ret = mnl_cb_run(nl->buf, n, nl->seq, nl->portid, cb, data);
	} while (ret > 0);
	return ret < 0 ? -1 : 0;
}

static int link_cb(const struct nlmsghdr *h, void *data)
{
	struct nr_netinfo *ni = data;
	struct nlattr *a;

	mnl_attr_for_each(a, h, sizeof(struct ifinfomsg)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_ADDRESS:
			if (mnl_attr_get_payload_len(a) == 6)
				memcpy(ni->mac, mnl_attr_get_payload(a), 6);
			break;
		case IFLA_MTU:
			ni->mtu = mnl_attr_get_u32(a);
			break;
		}
	}
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *h, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
	struct nr_netinfo *ni = data;
	struct nlattr *a;

	if (ifa->ifa_family != AF_INET || (int)ifa->ifa_index != ni->ifindex || *ni->addr)
		return MNL_CB_OK;
	mnl_attr_for_each(a, h, sizeof(*ifa))
		if (mnl_attr_get_type(a) == IFA_LOCAL || mnl_attr_get_type(a) == IFA_ADDRESS) {
			inet_ntop(AF_INET, mnl_attr_get_payload(a), ni->addr, sizeof(ni->addr));
			ni->prefix = ifa->ifa_prefixlen;
		}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *h, void *data)
{
	const struct rtmsg *rt = mnl_nlmsg_get_payload(h);
	struct nr_netinfo *ni = data;
	char gw[16] = "";
	int oif = 0;
	struct nlattr *a;

	if (rt->rtm_family != AF_INET || rt->rtm_dst_len || rt->rtm_table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	mnl_attr_for_each(a, h, sizeof(*rt)) {
		if (mnl_attr_get_type(a) == RTA_GATEWAY)
			inet_ntop(AF_INET, mnl_attr_get_payload(a), gw, sizeof(gw));
		else if (mnl_attr_get_type(a) == RTA_OIF)
			oif = mnl_attr_get_u32(a);
	}
	if (*gw && oif == ni->ifindex && !*ni->gateway)
		snprintf(ni->gateway, sizeof(ni->gateway), "%s", gw);
	return MNL_CB_OK;
}

bool nr_net_exists(const char *ifname)
{
	return if_nametoindex(ifname) != 0;
}

int nr_net_info(const char *ifname, struct nr_netinfo *ni)
{
	struct ifinfomsg *ifi;
	struct ifaddrmsg *ifa;
	struct rtmsg *rt;
	struct nlmsghdr *h;
	struct nl nl;
	int rc = -1;

	memset(ni, 0, sizeof(*ni));
	snprintf(ni->ifname, sizeof(ni->ifname), "%s", ifname);
	ni->ifindex = if_nametoindex(ifname);
	if (!ni->ifindex) {
		nr_perror("network: no interface %s in the container's network namespace", ifname);
		return -1;
	}
	if (nl_open(&nl))
		return -1;
	h = nl_msg(&nl, RTM_GETLINK, NLM_F_ACK);
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_index = ni->ifindex;
	if (nl_talk(&nl, h, link_cb, ni))
		goto out;
	h = nl_msg(&nl, RTM_GETADDR, NLM_F_DUMP);
	ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	if (nl_talk(&nl, h, addr_cb, ni))
		goto out;
	h = nl_msg(&nl, RTM_GETROUTE, NLM_F_DUMP);
	rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
	rt->rtm_family = AF_INET;
	if (nl_talk(&nl, h, route_cb, ni))
		goto out;
	rc = 0;
out:
	if (rc)
		nr_perror("network: reading %s with rtnetlink", ifname);
	mnl_socket_close(nl.sock);
	return rc;
}

/* RTM_NEWLINK on an existing link: IFF_UP and, if MASTER, a master. */
static int link_set(struct nl *nl, const char *ifname, int master)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *h;

	h = nl_msg(nl, RTM_NEWLINK, NLM_F_ACK);
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_index = if_nametoindex(ifname);
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	if (master)
		mnl_attr_put_u32(h, IFLA_MASTER, master);
	return nl_talk(nl, h, NULL, NULL);
}

static int bridge_add(struct nl *nl, const char *name)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *h;
	struct nlattr *info;

	h = nl_msg(nl, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(h, info);
	return nl_talk(nl, h, NULL, NULL);
}

static int tap_add(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) || ioctl(fd, TUNSETPERSIST, 1))
		rc = -1;
	close(fd);
	return rc;
}

int nr_net_tap_bridge(const struct nr_netinfo *ni, const char *tap, const char *bridge)
{
	struct nl nl;
	int br;

	if (tap_add(tap)) {
		nr_perror("network (syscall backend): cannot make the tap %s", tap);
		return -1;
	}
	if (nl_open(&nl))
		goto err_tap;
	if (bridge_add(&nl, bridge)) {
		nr_perror("network (syscall backend): cannot make the bridge %s", bridge);
		goto err_nl;
	}
	br = if_nametoindex(bridge);
	if (!br || link_set(&nl, tap, br) || link_set(&nl, ni->ifname, br) ||
	    link_set(&nl, bridge, 0)) {
		nr_perror("network (syscall backend): cannot bridge %s and %s", tap, ni->ifname);
		goto err_br;
	}
	mnl_socket_close(nl.sock);
	return 0;
err_br:
	nr_net_del(bridge);
err_nl:
	mnl_socket_close(nl.sock);
err_tap:
	nr_net_del(tap);
	return -1;
}

int nr_net_del(const char *ifname)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *h;
	struct nl nl;
	int rc;

	if (!*ifname || !if_nametoindex(ifname))
		return 0;
	if (nl_open(&nl))
		return -1;
	h = nl_msg(&nl, RTM_DELLINK, NLM_F_ACK);
	ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	mnl_attr_put_strz(h, IFLA_IFNAME, ifname);
	ifi->ifi_family = AF_UNSPEC;
	rc = nl_talk(&nl, h, NULL, NULL);
	if (rc)
		nr_perror("network: cannot delete %s", ifname);
	mnl_socket_close(nl.sock);
	return rc;
}
