/* SPDX-License-Identifier: MIT */
/*
 * The files of /proc/net (the directory is kernel/fs/procfs/net.c), one
 * show function each, implemented by the lane that owns what it shows:
 * dev, route, arp and snmp (kernel/net/procnet.c), tcp (tcp_sock.c), udp
 * and raw (udp.c, raw.c), unix (unix*.c), sockstat (socket.c). Each prints
 * Linux's format, which busybox's netstat, route, arp and ifconfig parse.
 * Called at open from task context; may take locks but must not sleep
 * holding a spinlock.
 */
#pragma once

struct seqbuf;
struct procfs_node;

int procnet_show_dev(struct seqbuf *s, const struct procfs_node *n);
int procnet_show_route(struct seqbuf *s, const struct procfs_node *n);
int procnet_show_arp(struct seqbuf *s, const struct procfs_node *n);
int procnet_show_snmp(struct seqbuf *s, const struct procfs_node *n);
int procnet_show_tcp(struct seqbuf *s, const struct procfs_node *n);
int procnet_show_udp(struct seqbuf *s, const struct procfs_node *n);
int procnet_show_raw(struct seqbuf *s, const struct procfs_node *n);
int procnet_show_unix(struct seqbuf *s, const struct procfs_node *n);
int procnet_show_sockstat(struct seqbuf *s, const struct procfs_node *n);
