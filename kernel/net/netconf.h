/* SPDX-License-Identifier: MIT */
/*
 * Boot-time network configuration: net_config_boot() reads ip= from the
 * command line and configures the first Ethernet interface statically or
 * by DHCP (kernel/net/dhcp.c), writes /etc/resolv.conf and may name the
 * host. docs/net-config.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdint.h>

struct netif;

/* The longest boot waits for a DHCP lease; the client goes on in the background. */
#define NETCONF_DHCP_WAIT_NS (3000ull * 1000000ull)

/*
 * Configure the network from ip= (DHCP by default when an Ethernet
 * interface exists; nothing happens without one). Called once by kmain
 * after block_boot(), when / is final. Task context; waits at most
 * NETCONF_DHCP_WAIT_NS.
 */
void net_config_boot(void);

/*
 * Bring @dev up with @addr/@mask and, when @gw is not 0, a default route
 * through it (replacing any). 0 or -errno. Task context.
 */
int __must_check netconf_apply(struct netif *dev, uint32_t addr, uint32_t mask, uint32_t gw);
/* Take back what netconf_apply() set: the address and the default route through @gw. */
void netconf_unapply(struct netif *dev, uint32_t gw);

/*
 * Write /etc/resolv.conf: @n name servers and the search domain
 * @domain ("" none), with a comment naming @source. 0 or -errno (no /etc,
 * a read-only root). Task context; may sleep.
 */
int __must_check netconf_write_resolv(const uint32_t *dns, unsigned n, const char *domain,
                                      const char *source);

/* The prefix length of the contiguous netmask @mask (255.255.255.0: 24). */
unsigned netconf_prefix_len(uint32_t mask);

/* Format @a (host order) as a dotted quad into @buf (16 bytes). */
const char *netconf_ntoa(uint32_t a, char buf[16]);

/*
 * Start the DHCP client task on @dev (kernel/net/dhcp.c) and wait until
 * it holds a lease or @wait_ns pass; it goes on in the background either
 * way (renewals, a late lease). 0 when bound in time, -ETIMEDOUT when
 * still trying, other -errno when it could not start.
 */
int __must_check dhcp_boot_start(struct netif *dev, uint64_t wait_ns);
