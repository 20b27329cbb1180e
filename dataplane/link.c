/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link-fault propagation (--link-propagate): a bump in the wire that
 * keeps one side's link up while the other is down hides the fault from
 * the routers on both sides (no failover). When one port of a pair loses
 * its link, the other port's link is taken down, and put back up when the
 * link returns. Main lcore only, once per service period.
 *
 * Link state: a port backed by a kernel interface (af_packet, tap: the
 * ethdev reports its if_index) is read from the interface (IFF_UP and
 * IFF_RUNNING, the carrier), since some of those PMDs report the state of
 * their start only; any other from rte_eth_link_get_nowait(). Taking a
 * link down: rte_eth_dev_set_link_down(), or, where the PMD has none, the
 * kernel interface's IFF_UP.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "dp.h"
#include "service.h"

#define LINK_SETTLE_NS (3ull * 1000 * 1000 * 1000) /* link training */

struct link_port {
	uint16_t port_id;
	unsigned int ifindex; /* 0: no kernel interface */
	uint8_t forced;	      /* this process took its link down */
	uint64_t settle_ns;   /* until then, put back up: its being down
				 is no fault yet */
	char name[RTE_ETH_NAME_MAX_LEN];
};

static struct link_port lp[DP_PORT_MAX];
static unsigned int nb_lp;
static int ifsock = -1;

static int link_set(const struct link_port *p, int up);
static int if_flags(const struct link_port *p, short *flags);

/*
 * A port of a kernel interface that is administratively down at start
 * was most likely taken down by a run that died holding it (kill -9,
 * watchdog): left so, its pair would be taken down too, for good.
 */
static void
link_start_up(struct link_port *p)
{
	short fl = 0;
	int ret;

	if (p->ifindex == 0 || if_flags(p, &fl) != 0 || (fl & IFF_UP))
		return;
	ret = link_set(p, 1);
	if (ret != 0)
		DP_LOG(ERR, "port %s is down and could not be put up: %s",
		       p->name, strerror(-ret));
	else
		DP_LOG(WARNING,
		       "port %s was administratively down (left so by a run "
		       "that died?): put up",
		       p->name);
}

int
dp_link_init(const uint16_t *port_ids, unsigned int nb_ports, uint64_t now_ns)
{
	unsigned int i;

	ifsock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ifsock < 0)
		return -errno;
	nb_lp = nb_ports < DP_PORT_MAX ? nb_ports : DP_PORT_MAX;
	for (i = 0; i < nb_lp; i++) {
		struct rte_eth_dev_info info;

		memset(&lp[i], 0, sizeof(lp[i]));
		lp[i].port_id = port_ids[i];
		if (rte_eth_dev_info_get(port_ids[i], &info) == 0)
			lp[i].ifindex = info.if_index;
		rte_eth_dev_get_name_by_port(port_ids[i], lp[i].name);
		/* no fault while a link trains after the start */
		lp[i].settle_ns = now_ns + LINK_SETTLE_NS;
		link_start_up(&lp[i]);
	}
	return 0;
}

/* The kernel interface's flags into *flags; 0 or -errno. */
static int
if_flags(const struct link_port *p, short *flags)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (if_indextoname(p->ifindex, ifr.ifr_name) == NULL)
		return -errno;
	if (ioctl(ifsock, SIOCGIFFLAGS, &ifr) != 0)
		return -errno;
	*flags = ifr.ifr_flags;
	return 0;
}

/* 1 when the port has its link, 0 when not (or it cannot be read). */
static int
link_is_up(const struct link_port *p)
{
	struct rte_eth_link link;
	short fl = 0;

	if (p->ifindex != 0)
		return if_flags(p, &fl) == 0 && (fl & IFF_UP) &&
		       (fl & IFF_RUNNING);
	if (rte_eth_link_get_nowait(p->port_id, &link) != 0)
		return 0;
	return link.link_status == RTE_ETH_LINK_UP;
}

/* Set the port's link up or down; 0 or a negative errno. */
static int
link_set(const struct link_port *p, int up)
{
	struct ifreq ifr;
	int ret;

	ret = up ? rte_eth_dev_set_link_up(p->port_id)
		 : rte_eth_dev_set_link_down(p->port_id);
	if (ret != -ENOTSUP || p->ifindex == 0)
		return ret;
	memset(&ifr, 0, sizeof(ifr));
	if (if_indextoname(p->ifindex, ifr.ifr_name) == NULL ||
	    ioctl(ifsock, SIOCGIFFLAGS, &ifr) != 0)
		return -errno;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	if (ioctl(ifsock, SIOCSIFFLAGS, &ifr) != 0)
		return -errno;
	return 0;
}

/* cause lost its link: take victim's down. */
static void
link_force_down(struct link_port *cause, struct link_port *victim)
{
	int ret = link_set(victim, 0);

	if (ret != 0) {
		DP_LOG(ERR,
		       "port %s lost its link; port %s could not be taken "
		       "down: %s",
		       cause->name, victim->name, strerror(-ret));
		return;
	}
	victim->forced = 1;
	DP_LOG(WARNING,
	       "port %s lost its link: port %s taken down "
	       "(--link-propagate)",
	       cause->name, victim->name);
}

/* cause has its link again: put victim's back up. */
static void
link_release(struct link_port *cause, struct link_port *victim, uint64_t now_ns)
{
	int ret = link_set(victim, 1);

	if (ret != 0) {
		DP_LOG(ERR, "port %s could not be put back up: %s",
		       victim->name, strerror(-ret));
		return;
	}
	victim->forced = 0;
	victim->settle_ns = now_ns + LINK_SETTLE_NS;
	DP_LOG(INFO, "port %s has its link again: port %s up", cause->name,
	       victim->name);
}

void
dp_link_check(uint64_t now_ns)
{
	unsigned int i;

	for (i = 0; i + 1 < nb_lp; i += 2) {
		struct link_port *a = &lp[i], *b = &lp[i + 1];
		int ua, ub;

		if (a->forced) {
			if (link_is_up(b))
				link_release(b, a, now_ns);
			continue;
		}
		if (b->forced) {
			if (link_is_up(a))
				link_release(a, b, now_ns);
			continue;
		}
		ua = link_is_up(a);
		ub = link_is_up(b);
		if (ua)
			a->settle_ns = 0;
		if (ub)
			b->settle_ns = 0;
		/* both down: nothing to hide; the first back is taken down */
		if (!ua && ub && now_ns >= a->settle_ns)
			link_force_down(a, b);
		else if (ua && !ub && now_ns >= b->settle_ns)
			link_force_down(b, a);
	}
}

void
dp_link_restore(void)
{
	unsigned int i;

	for (i = 0; i < nb_lp; i++)
		if (lp[i].forced && link_set(&lp[i], 1) == 0) {
			lp[i].forced = 0;
			DP_LOG(INFO, "port %s put back up on the way out",
			       lp[i].name);
		}
	if (ifsock >= 0)
		close(ifsock);
	ifsock = -1;
}
