# SPDX-License-Identifier: MIT
"""Ethernet frames made by hand for the relay tests (tools/netrelay.py,
tools/e2e_relay.py, docs/net-tests.md): well-formed builders for Ethernet,
ARP, IPv4, ICMP, UDP and TCP with correct checksums, and the malformed
frames the bad-input test injects at a guest.

Formats: Ethernet II (IEEE 802.3, clause 3), ARP (RFC 826), IPv4 (RFC 791,
section 3.1), ICMP (RFC 792), UDP (RFC 768), TCP (RFC 9293, section 3.1;
options: RFC 9293 3.2, RFC 7323 for window scale and timestamps, RFC 2018
for SACK). The Internet checksum is RFC 1071's.
"""
import random
import struct

ETH_IP, ETH_ARP = 0x0800, 0x0806
PROTO_ICMP, PROTO_TCP, PROTO_UDP = 1, 6, 17
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
BROADCAST = b"\xff" * 6


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def ip(text):
    return bytes(int(x) for x in text.split("."))


def checksum(data):
    """RFC 1071: the ones' complement of the ones' complement sum of 16-bit words."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def ipv4(src, dst, proto, payload, ident=0, frag=0, ttl=64, options=b"", total=None,
         ihl=None, version=4, bad_csum=False):
    """An IPv4 header and @payload. @frag holds the flags and offset field as
    sent (0x2000 = more fragments, the offset in 8-byte units); @total and
    @ihl override the computed length fields (for malformed headers)."""
    hl = 20 + len(options)
    ihl = hl // 4 if ihl is None else ihl
    total = hl + len(payload) if total is None else total
    hdr = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, 0, total & 0xFFFF, ident, frag, ttl,
                      proto, 0, src, dst) + options
    c = checksum(hdr) ^ (0x5555 if bad_csum else 0)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def _l4_csum(src, dst, proto, seg):
    return checksum(src + dst + struct.pack("!BBH", 0, proto, len(seg)) + seg)


def tcp(src, dst, sport, dport, seq, ack, flags, window=65535, options=b"", payload=b"",
        doff=None, bad_csum=False):
    """A TCP segment (header and @payload) with its checksum over the pseudo-header."""
    if len(options) % 4:
        options += b"\0" * (4 - len(options) % 4)
    doff = (20 + len(options)) // 4 if doff is None else doff
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, doff << 4,
                      flags, window, 0, 0) + options
    seg = hdr + payload
    c = _l4_csum(src, dst, PROTO_TCP, seg) ^ (0x5555 if bad_csum else 0)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(src, dst, sport, dport, payload, length=None, bad_csum=False):
    length = 8 + len(payload) if length is None else length
    seg = struct.pack("!HHHH", sport, dport, length, 0) + payload
    c = _l4_csum(src, dst, PROTO_UDP, seg) ^ (0x5555 if bad_csum else 0)
    return seg[:6] + struct.pack("!H", c or 0xFFFF) + seg[8:]


def icmp_echo(ident, seq, payload, bad_csum=False):
    msg = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    c = checksum(msg) ^ (0x5555 if bad_csum else 0)
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def arp(op, sha, spa, tha, tpa, hlen=6, plen=4, htype=1, ptype=ETH_IP):
    return struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + sha + spa + tha + tpa


class Ends:
    """The two ends of the link as the injector sees them: the target guest
    (its MAC and IP) and the peer it talks to (whose addresses the crafted
    frames borrow, so they reach the same code as real traffic)."""

    def __init__(self, dst_mac, dst_ip, src_mac, src_ip):
        self.dmac, self.dip = mac(dst_mac), ip(dst_ip)
        self.smac, self.sip = mac(src_mac), ip(src_ip)

    def ip_frame(self, proto, payload, **kw):
        return eth(self.dmac, self.smac, ETH_IP, ipv4(self.sip, self.dip, proto, payload, **kw))

    def tcp_frame(self, sport, dport, seq, ack, flags, **kw):
        ipkw = {k: kw.pop(k) for k in list(kw) if k in ("total", "ihl", "ident", "frag")}
        seg = tcp(self.sip, self.dip, sport, dport, seq, ack, flags, **kw)
        return self.ip_frame(PROTO_TCP, seg, **ipkw)


def garbage_options(rnd):
    """TCP option lists that a parser must survive: lengths of 0, 1 and past
    the header, known kinds with the wrong length, and random bytes."""
    return [
        b"\x02\x00\x05\xb4",              # MSS with length 0
        b"\x02\x01\x05\xb4",              # MSS with length 1
        b"\x02\x03\x05\x01",              # MSS with length 3
        b"\x03\x03\xff\x00",              # window scale 255
        b"\x08\x0c" + b"\0" * 6,          # timestamps running past the header
        b"\x05\x0b\x00\x00\x00\x00\x00",  # SACK with a length that is not 2 + 8n
        b"\x1e\x28\x00\x00",              # an unknown kind claiming 40 bytes
        b"\x01" * 39 + b"\x02",           # 39 NOPs, then a kind with no length byte
        bytes(rnd.randrange(256) for _ in range(20)),
        bytes(rnd.randrange(256) for _ in range(40)),
    ]


def malformed(ends, port, rnd):
    """(name, frame) pairs of malformed frames aimed at @ends' target, some at
    TCP @port. None of them may crash the target or change its state."""
    e, out = ends, []
    ok_tcp = tcp(e.sip, e.dip, 40000, port, 1, 0, SYN)
    out.append(("runt ethernet", eth(e.dmac, e.smac, ETH_IP, b"")[:10]))
    out.append(("ethernet header only", eth(e.dmac, e.smac, ETH_IP, b"")))
    out.append(("ip header cut at 12", eth(e.dmac, e.smac, ETH_IP,
                                            ipv4(e.sip, e.dip, PROTO_TCP, ok_tcp)[:12])))
    out.append(("ip version 6 in an ipv4 frame", e.ip_frame(PROTO_TCP, ok_tcp, version=6)))
    out.append(("ip ihl 3", e.ip_frame(PROTO_TCP, ok_tcp, ihl=3)))
    long_ihl = ipv4(e.sip, e.dip, PROTO_TCP, ok_tcp, ihl=15)[:40]
    out.append(("ip ihl 15 past the frame", eth(e.dmac, e.smac, ETH_IP, long_ihl)))
    out.append(("ip total length past the frame", e.ip_frame(PROTO_TCP, ok_tcp, total=1400)))
    out.append(("ip total length below the header", e.ip_frame(PROTO_TCP, ok_tcp, total=12)))
    out.append(("ip bad header checksum", e.ip_frame(PROTO_TCP, ok_tcp, bad_csum=True)))
    out.append(("ip option with length 0", e.ip_frame(PROTO_TCP, ok_tcp,
                                                      options=b"\x07\x00\x00\x00")))
    out.append(("ip option past the header", e.ip_frame(PROTO_TCP, ok_tcp,
                                                        options=b"\x44\x28\x05\x00")))
    out.append(("tcp header cut at 10", e.ip_frame(PROTO_TCP, ok_tcp[:10])))
    out.append(("tcp data offset 2", e.tcp_frame(40001, port, 1, 0, SYN, doff=2)))
    out.append(("tcp data offset 15 past the segment", e.tcp_frame(40002, port, 1, 0, SYN,
                                                                   doff=15)))
    out.append(("tcp bad checksum", e.tcp_frame(40003, port, 1, 0, SYN, bad_csum=True)))
    for i, opt in enumerate(garbage_options(rnd)):
        out.append(("tcp garbage options %d" % i,
                    e.tcp_frame(41000 + i, port, rnd.getrandbits(32), 0, SYN, options=opt)))
    out.append(("udp header cut at 4", e.ip_frame(PROTO_UDP, udp(e.sip, e.dip, 1, 9, b"x")[:4])))
    out.append(("udp length past the datagram", e.ip_frame(PROTO_UDP, udp(e.sip, e.dip, 1, 9,
                                                                          b"x" * 8, length=200))))
    out.append(("udp length below 8", e.ip_frame(PROTO_UDP, udp(e.sip, e.dip, 1, 9, b"x" * 8,
                                                                length=4))))
    out.append(("udp bad checksum", e.ip_frame(PROTO_UDP, udp(e.sip, e.dip, 1, 9, b"abc",
                                                              bad_csum=True))))
    out.append(("icmp cut at 3", e.ip_frame(PROTO_ICMP, icmp_echo(1, 1, b"")[:3])))
    out.append(("icmp bad checksum", e.ip_frame(PROTO_ICMP, icmp_echo(1, 2, b"x" * 16,
                                                                     bad_csum=True))))
    out += overlapping_fragments(e, rnd)
    out += bad_arps(e)
    return out


def overlapping_fragments(e, rnd):
    """An ICMP echo request in fragments that overlap with different bytes,
    one whose end passes 65,535, a lone middle fragment and tiny ones."""
    body = icmp_echo(0x77, 1, bytes(rnd.randrange(256) for _ in range(64)))
    ident = rnd.randrange(1, 65000)
    out = []
    frags = [(0, 0x2000, body[:40]), (24, 0x2000, b"\xaa" * 24), (40, 0, body[40:])]
    for i, (off, more, chunk) in enumerate(frags):
        out.append(("overlapping fragment %d" % i,
                    e.ip_frame(PROTO_ICMP, chunk, ident=ident, frag=more | (off // 8))))
    out.append(("fragment past 65535", e.ip_frame(PROTO_ICMP, b"z" * 64, ident=ident + 1,
                                                  frag=0x1FFF)))
    out.append(("lone middle fragment", e.ip_frame(PROTO_ICMP, b"m" * 16, ident=ident + 2,
                                                   frag=0x2000 | 100)))
    for i in range(4):
        out.append(("tiny fragment %d" % i, e.ip_frame(PROTO_ICMP, b"t" * 8, ident=ident + 3,
                                                       frag=0x2000 | i)))
    return out


def bad_arps(e):
    zero4 = b"\0" * 4
    return [
        ("arp cut at 10", eth(BROADCAST, e.smac, ETH_ARP, arp(1, e.smac, e.sip, b"\0" * 6,
                                                              e.dip)[:10])),
        ("arp hlen 0", eth(BROADCAST, e.smac, ETH_ARP, arp(1, b"", e.sip, b"", e.dip, hlen=0))),
        ("arp plen 9", eth(BROADCAST, e.smac, ETH_ARP, arp(1, e.smac, e.sip + b"\0" * 5,
                                                           b"\0" * 6, e.dip + b"\0" * 5,
                                                           plen=9))),
        ("arp opcode 7", eth(BROADCAST, e.smac, ETH_ARP, arp(7, e.smac, e.sip, b"\0" * 6,
                                                             e.dip))),
        ("arp htype 6", eth(BROADCAST, e.smac, ETH_ARP, arp(1, e.smac, e.sip, b"\0" * 6, e.dip,
                                                            htype=6))),
        ("arp from 0.0.0.0 for 0.0.0.0", eth(BROADCAST, e.smac, ETH_ARP,
                                             arp(1, e.smac, zero4, b"\0" * 6, zero4))),
    ]


def syn_flood(e, port, count, seed):
    """@count SYNs at @e's target port from random sources in 10.0.0.0/8 (off
    the link, so the target's answers go to its gateway and are never
    acknowledged) with random ports, sequence numbers and an MSS option."""
    rnd = random.Random(seed)
    for _ in range(count):
        src = bytes([10, rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255)])
        seg = tcp(src, e.dip, rnd.randrange(1024, 65536), port, rnd.getrandbits(32), 0, SYN,
                  window=64240, options=b"\x02\x04\x05\xb4")
        yield eth(e.dmac, e.smac, ETH_IP, ipv4(src, e.dip, PROTO_TCP, seg,
                                               ident=rnd.randrange(65536)))


def is_flood_source(frame):
    """True for an IPv4 frame addressed to 10.0.0.0/8 (a SYN flood source)."""
    return len(frame) >= 34 and frame[12:14] == b"\x08\x00" and frame[30] == 10


def tcp_ports(frame):
    """(sport, dport) of an IPv4 TCP frame, or None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != PROTO_TCP:
        return None
    off = 14 + (frame[14] & 0x0F) * 4
    if len(frame) < off + 4:
        return None
    return struct.unpack("!HH", frame[off:off + 4])


def tcp_variants(frame, rnd):
    """From a real TCP segment of a live connection, segments of the same
    connection that must be dropped or survive harmlessly: a bad IP
    checksum, a bad TCP checksum with the payload changed (a stack that
    accepted it would corrupt the stream, which netxfer would see), and a
    pure ACK carrying garbage options (checksums right)."""
    ihl = (frame[14] & 0x0F) * 4
    src, dst = frame[26:30], frame[30:34]
    t = frame[14 + ihl:]
    sport, dport, seq, ack, _, flags, win = struct.unpack("!HHIIBBH", t[:16])
    doff = (t[12] >> 4) * 4
    payload = bytearray(t[doff:]) or bytearray(b"\0")
    payload[rnd.randrange(len(payload))] ^= 0xFF
    out = []
    body = ipv4(src, dst, PROTO_TCP, t, ident=1, bad_csum=True)
    out.append(("live segment, bad ip checksum", frame[:14] + body))
    bad = tcp(src, dst, sport, dport, seq, ack, flags, win, payload=bytes(payload), bad_csum=True)
    out.append(("live segment, bad tcp checksum", frame[:14] + ipv4(src, dst, PROTO_TCP, bad)))
    for i, opt in enumerate(garbage_options(rnd)[:8]):
        seg = tcp(src, dst, sport, dport, seq, ack, ACK, win, options=opt)
        out.append(("live ack, garbage options %d" % i, frame[:14] + ipv4(src, dst, PROTO_TCP,
                                                                           seg)))
    return out
