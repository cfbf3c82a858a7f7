#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The test group "relay" (issue 14, docs/net-tests.md): Cairn and the Linux
baseline in two QEMUs joined through tools/netrelay.py, a link that drops,
duplicates, reorders, delays and corrupts frames at set rates.

Each guest boots the same kind of initramfs: testinit runs one busybox sh
script, generated here, that runs user/tools/netxfer once per scenario.
Every scenario is one TCP connection on a port of its own, carrying SIZE
bytes each way at once, checked byte for byte on both sides, under the
relay profile set for that port; they run one after the other in the one
boot, the target (Cairn, or Linux with --target linux to prove the harness)
listening in half of them and connecting in the other half. Then:
  - bad input: while a clean transfer runs, the relay injects malformed
    frames (tools/netframes.py) at the target, round after round; the
    transfer must finish and the target's /proc/net/snmp error counters rise;
  - SYN flood: 10,000 SYNs from random off-link sources at a listening
    port of the target, one real connection from the peer in the middle of
    the flood and one after it; MemFree must stay within FLOOD_MEM_KB.

  tools/e2e_relay.py [--target cairn|linux] [--size MB] [--full] [-v]
--full is `make test-relay-full`: 100 MB each way at 0, 1 and 5 % loss.
"""
import argparse
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netframes  # noqa: E402
import netrelay  # noqa: E402
import usertest  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
NETXFER = os.path.join(BUILD, "user", "tools", "netxfer")
QEMU = os.path.join(ROOT, "tools", "qemu.sh")

# Addresses (docs/net-tests.md; /work/brief14/interfaces.md): the target is
# 192.168.7.2, the Linux peer 192.168.7.1, each with its own MAC.
T_IP, P_IP = "192.168.7.2", "192.168.7.1"
T_MAC, P_MAC = "52:54:00:12:34:02", "52:54:00:12:34:01"
CAIRN_IP_ARG = "ip=%s::%s:255.255.255.0::eth0:off" % (T_IP, P_IP)
BB = "/bin/busybox"

# RTO bounds for the stall check (stall_bound()): the RTO a transfer starts
# from (RFC 6298 2.4 rounds it up to 1 s; 0.5 s more for the variance of a
# round trip under TCG), the chance of a stall longer than the bound that we
# accept per transfer, and slack for two emulated machines sharing the host.
RTO_BASE_S = 1.5
STALL_ODDS = 0.01
STALL_SLACK_S = 10.0
MSS = 1448

FLOOD_SYNS = 10000
FLOOD_PORT = 5100
FLOOD_RATE = 2000  # SYNs per second
# Bounded memory under the flood, two ways: the whole flood may cost at most
# 1/16 of the guest's 512 MiB, and its second 5,000 SYNs at most 4 MiB more
# than the first 5,000 did (a stack that kept 1 KiB or more per SYN would
# grow by 5 MB; a bounded one stops growing at its bound; Linux, which keeps
# up to 4,096 request records and then answers with SYN cookies, grew 1.2 MB).
FLOOD_MEM_KB = 32 * 1024
FLOOD_GROWTH_KB = 4 * 1024
BAD_PORT = 5050
# make test's size per scenario, each way: the group took 234 s at 4 MiB on
# the loaded 2-core build machine, over the 5 minute budget's comfort.
MAKE_TEST_MB = 3
BAD_ROUNDS = 50
BAD_EVERY_S = 0.1


class Scenario:
    def __init__(self, name, port, target_listens, profile, size):
        self.name, self.port, self.target_listens = name, port, target_listens
        self.profile, self.size = profile, size


def loss_profile(loss):
    """The link of a lossy scenario: @loss dropped, plus a little of everything else."""
    if not loss:
        return netrelay.Profile(dup=0.002, reorder=0.002)
    return netrelay.Profile(drop=loss, dup=loss / 5, reorder=loss / 5, delay=loss / 5,
                            delay_ms=30, corrupt=loss / 10)


def scenarios(size, losses):
    out, port = [], 5001
    for loss in losses:
        for listens in (True, False):
            name = "%g%% loss, %s opens" % (loss * 100, "peer" if listens else "target")
            out.append(Scenario(name, port, listens, loss_profile(loss), size))
            port += 1
    return out


def stall_bound(profile, size):
    """The longest gap in progress a transfer of @size bytes each way may show
    over @profile, and the run of losses it allows for. A data segment is
    lost with probability p (dropped or corrupted); a retransmission fails
    when it or its ACK is lost, q = 1 - (1 - p)^2. A segment lost j times in
    a row (probability p * q^(j-1)) is resent after RTO * (2^j - 1) s by
    RFC 6298 5.5's doubling of the timer; j is the largest run that the
    transfer's E = 2 * size / MSS segments are still expected to reach with
    odds above STALL_ODDS. Allow for that, plus one RTO and the slack."""
    p = profile.drop + profile.corrupt
    q = 1 - (1 - p) ** 2
    segments = 2 * size / MSS
    j = 1
    if p > 0:
        while segments * p * q ** j >= STALL_ODDS:
            j += 1
    return RTO_BASE_S * (2 ** j - 1) + STALL_SLACK_S, j


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def netxfer_cmd(sc, side, seeds):
    """The netxfer line of @side ("t" or "p") for scenario @sc."""
    me, peer = seeds
    listens = sc.target_listens == (side == "t")
    peer_ip = P_IP if side == "t" else T_IP
    where = "-l %d" % sc.port if listens else "-c %s:%d" % (peer_ip, sc.port)
    return "/t/netxfer %s -w 120 -t 1500 -p 15 -s %d -r %d -S %d -R %d" % (
        where, sc.size, sc.size, me, peer)


def guest_script(side, target_kind, scs, flood):
    """The busybox sh script one guest runs: set up, every scenario, the extras."""
    lines = ["%s mkdir -p /proc; %s mount -t proc proc /proc 2>/dev/null" % (BB, BB)]
    if side == "p" or target_kind == "linux":
        ip_ = P_IP if side == "p" else T_IP
        lines.append("%s ifconfig eth0 %s netmask 255.255.255.0 up" % (BB, ip_))
        if side == "t":
            lines.append("%s route add default gw %s" % (BB, P_IP))
    seeds = (11, 22) if side == "t" else (22, 11)
    lines.append("echo relay: up")
    for sc in scs:
        lines.append("echo relay: start %d" % sc.port)
        if sc.port == BAD_PORT and side == "t":
            lines.append("echo relay: snmp-before; cat /proc/net/snmp")
        lines.append(netxfer_cmd(sc, side, seeds) + "; echo relay: end %d rc=$?" % sc.port)
        if sc.port == BAD_PORT and side == "t":
            lines.append("echo relay: snmp-after; cat /proc/net/snmp; cat /proc/net/dev")
    if flood:
        lines += flood_lines(side, flood)
    lines.append("echo relay: all done")
    return "\n".join(lines) + "\n"


def flood_lines(side, size):
    if side == "p":
        out = []
        for go in (6000, 6001):
            out.append("/t/netxfer -g %d -c %s:%d -w 120 -t 600 -s %d -r %d -S 33 -R 44; "
                       "echo relay: end flood-%d rc=$?" % (go, T_IP, FLOOD_PORT, size, size, go))
        return out
    mem = "%s grep MemFree /proc/meminfo | %s sed 's/^/relay: mem /'" % (BB, BB)
    return ["%s; (while :; do %s; %s sleep 1; done) & sampler=$!" % (mem, mem, BB),
            "/t/netxfer -l %d -k 2 -w 90 -t 600 -s %d -r %d -S 44 -R 33; "
            "echo relay: end flood rc=$?" % (FLOOD_PORT, size, size),
            "kill $sampler; %s sleep 2; %s" % (BB, mem)]


class Guest:
    """One QEMU whose serial lines are read as they come."""

    def __init__(self, label, kernel, initrd, append, net, mac, cpus, echo):
        self.label, self.lines, self.cond = label, [], threading.Condition()
        env = dict(os.environ, SERIAL="stdio", GUI="0", INITRD=initrd, APPEND=append, DISKS="",
                   CPUS=str(cpus), MEM="512M", QEMU_CPU="qemu64")
        lport, rport = net
        if "dgram:" in open(QEMU).read():
            env.update(NET="dgram:%d:%d" % (lport, rport), MAC=mac)
        else:
            # Until tools/qemu.sh takes NET=dgram (vnet lane), the same words by hand.
            env["QEMU_EXTRA"] = (
                "-netdev dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=%d,"
                "remote.type=inet,remote.host=127.0.0.1,remote.port=%d "
                "-device virtio-net-pci,netdev=n0,disable-legacy=on,mac=%s" % (lport, rport, mac))
        self.echo = echo
        self.p = subprocess.Popen([QEMU, "direct", kernel], env=env, cwd=ROOT,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.p.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
            if self.echo:
                print("[%s] %s" % (self.label, line), flush=True)
        with self.cond:
            self.lines.append(None)
            self.cond.notify_all()

    def wait_for(self, pattern, timeout, start=0):
        """The index of the first line from @start matching @pattern, or None."""
        rx, end = re.compile(pattern), time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.lines):
                    if self.lines[i] is None:
                        return None
                    if rx.search(self.lines[i]):
                        return i
                    i += 1
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 1.0))

    def text(self):
        with self.cond:
            return [l for l in self.lines if l is not None]

    def kill(self):
        if self.p.poll() is None:
            os.killpg(self.p.pid, 9)
        self.p.wait()


def build_initrd(side, script, tmp, timeout):
    path = os.path.join(tmp, "relay-%s.sh" % side)
    with open(path, "w") as f:
        f.write(script)
    files = {"bin/busybox": usertest.BUSYBOX, "t/netxfer": NETXFER, "s/relay.sh": path}
    files.update(usertest.linux_modules())
    runs = [("relay-%s" % side, [BB, "sh", "/s/relay.sh"], timeout)]
    return usertest.build_initrd(os.path.join(tmp, "relay-%s.cpio" % side), runs, files)


def results(guest):
    """Port or flood label -> (rc, netxfer's result line or None) from a guest's lines."""
    out, last = {}, None
    for line in guest.text():
        if line.startswith("netxfer: result="):
            last = line
        m = re.match(r"relay: end (\S+) rc=(\d+)", line)
        if m:
            out[m.group(1)] = (int(m.group(2)), last)
            last = None
    return out


def gap_of(line):
    m = re.search(r"maxgap_ms=(\d+)", line or "")
    return int(m.group(1)) / 1000.0 if m else None


def snmp_table(lines, marker):
    """The /proc/net/snmp counters printed after @marker: {"Ip": {...}, ...}.
    Its lines come in pairs, names then values, each starting with the
    table's capitalised name; kernel log lines may fall in between."""
    try:
        i = lines.index(marker)
    except ValueError:
        return None
    out, heads = {}, {}
    for line in lines[i + 1:]:
        if line.startswith(("relay:", "netxfer:", "Inter-|")):
            break
        m = re.match(r"^([A-Z][A-Za-z0-9]*): (.*)$", line)
        if not m:
            continue
        key, vals = m.group(1), m.group(2).split()
        if key in heads:
            if len(vals) == len(heads[key]) and all(re.match(r"^-?\d+$", v) for v in vals):
                out[key] = dict(zip(heads.pop(key), map(int, vals)))
        else:
            heads[key] = vals
    return out


# The counters a dropped malformed frame must raise, with how many at least
# per round of injection (tools/netframes.py sends one bad IP checksum, one
# bad TCP checksum (two with the live segment's), one bad UDP checksum a round).
SNMP_MUST_RISE = (("Ip", "InHdrErrors", 1), ("Tcp", "InCsumErrors", 1),
                  ("Udp", "InCsumErrors", 1))


def bad_input(relay, target, stop, report):
    """Inject malformed frames at the target, round after round, once the
    clean transfer on BAD_PORT is flowing, until @stop is set. Each round
    also asks the tap for copies of the next live data segment, which it
    sends ahead of the segment itself: a stack that took the copy with the
    bad TCP checksum would put the changed byte into the stream."""
    rnd = random.Random(14)
    state = {"want": False, "seen": 0, "live": 0}

    def tap(frame):
        if not _data_to(frame, BAD_PORT):
            return
        state["seen"] += 1
        if state["want"]:
            state["want"] = False
            for _, f in netframes.tcp_variants(frame, rnd):
                relay.inject("b", f)
                state["live"] += 1
    relay.add_tap("ab", tap)
    ends = netframes.Ends(T_MAC, T_IP, P_MAC, P_IP)
    rounds = frames = 0
    while not stop.is_set() and rounds < BAD_ROUNDS:
        if not state["seen"]:
            stop.wait(0.2)
            continue
        # Made again each round: new fragment IDs, so no round completes another's datagram.
        for _, f in netframes.malformed(ends, BAD_PORT, rnd):
            relay.inject("b", f)
            frames += 1
        state["want"] = True
        rounds += 1
        stop.wait(BAD_EVERY_S)
    report["rounds"], report["frames"] = rounds, frames + state["live"]


def _data_to(frame, port):
    """True for a TCP frame with payload from the peer to @port on the target."""
    ports = netframes.tcp_ports(frame)
    if not ports or ports[1] != port:
        return False
    ihl = (frame[14] & 0x0F) * 4
    total = int.from_bytes(frame[16:18], "big")
    return total > ihl + ((frame[14 + ihl + 12] >> 4) * 4)


def syn_flood(relay, peer, report):
    """10,000 SYNs at the target's FLOOD_PORT, a real connection let go from
    the peer halfway through and another after the last SYN."""
    ends = netframes.Ends(T_MAC, T_IP, P_MAC, P_IP)
    go = netframes.Ends(P_MAC, P_IP, T_MAC, T_IP)
    start, n = time.monotonic(), 0
    for f in netframes.syn_flood(ends, FLOOD_PORT, FLOOD_SYNS, 6528):
        relay.inject("b", f)
        n += 1
        if n == FLOOD_SYNS // 2:
            report["mid_line"] = report["line_count"]()
            release(relay, peer, go, 6000)
        lag = n / FLOOD_RATE - (time.monotonic() - start)
        if lag > 0:
            time.sleep(lag)
    report["syns"], report["flood_s"] = n, time.monotonic() - start
    time.sleep(1.5)  # one more MemFree sample from after the last SYN
    report["end_line"] = report["line_count"]()
    release(relay, peer, go, 6001)


def release(relay, peer, go, port):
    """Send netxfer's "go" datagram to the peer once it waits on @port."""
    if peer.wait_for(r"waiting for go on udp %d" % port, 120) is None:
        return
    f = netframes.eth(go.dmac, go.smac, netframes.ETH_IP,
                      netframes.ipv4(go.sip, go.dip, netframes.PROTO_UDP,
                                     netframes.udp(go.sip, go.dip, 40000, port, b"go")))
    for _ in range(3):  # a datagram, so say it more than once
        relay.inject("a", f)
        time.sleep(0.2)


def available(target, kernel):
    if not os.path.exists(NETXFER):
        return "%s missing (make user)" % NETXFER
    if not os.path.exists(usertest.VMLINUZ) or not os.path.exists(usertest.BUSYBOX):
        return "the Linux baseline is missing (tools/fetch-debs.sh)"
    with open(os.path.join(usertest.MODULES, "load")) as f:
        if "virtio_net" not in f.read():
            return "the baseline's module list has no virtio_net (tools/fetch-debs.sh)"
    if target == "cairn" and not os.path.exists(kernel):
        return "%s missing (make kernel)" % kernel
    return None


def run(res, kernel, tmp, target="cairn", size_mb=None, losses=(0.0, 0.01, 0.05), bad=True,
        flood=True, echo=False, prefix="relay"):
    """The whole group; adds its results to @res (tools/cairntest.py's Results)."""
    why = available(target, kernel)
    if why:
        res.skip("%s: every test" % prefix, why)
        return
    size = int((size_mb or MAKE_TEST_MB) * 1024 * 1024)
    scs = scenarios(size, losses)
    if bad:
        # Long enough for several injection rounds (BAD_EVERY_S apart) on a fast clean link.
        scs.append(Scenario("bad input", BAD_PORT, True, netrelay.CLEAN, max(size, 16 << 20)))
    flood_size = 256 * 1024 if flood else 0
    total = 60 + sum(240 + sc.size / 100e3 for sc in scs) + (300 if flood else 0)
    initrds = {s: build_initrd(s, guest_script(s, target, scs, flood_size), tmp, int(total))
               for s in ("t", "p")}
    ports = {k: free_udp_port() for k in ("ra", "ga", "rb", "gb")}
    relay = netrelay.Relay(("127.0.0.1", ports["ra"]), ("127.0.0.1", ports["ga"]),
                           ("127.0.0.1", ports["rb"]), ("127.0.0.1", ports["gb"]), seed=2026)
    for sc in scs:
        for d in ("ab", "ba"):
            relay.set_profile(d, sc.profile, port=sc.port)
    relay.add_filter("ba", netframes.is_flood_source)
    relay.start()
    lin_append = usertest.LINUX_APPEND
    t_kernel = kernel if target == "cairn" else usertest.VMLINUZ
    t_append = ("init=/init " + CAIRN_IP_ARG) if target == "cairn" else lin_append
    start = time.monotonic()
    peer = Guest("linux", usertest.VMLINUZ, initrds["p"], lin_append,
                 (ports["ga"], ports["ra"]), P_MAC, 1, echo)
    tgt = Guest(target, t_kernel, initrds["t"], t_append, (ports["gb"], ports["rb"]), T_MAC,
                2, echo)
    info, stop = {}, threading.Event()
    try:
        drive(tgt, peer, relay, scs, bad, flood, total, info, stop)
    finally:
        stop.set()
        tgt.kill()
        peer.kill()
        relay.stop()
    wall = time.monotonic() - start
    for g in (tgt, peer):
        with open(os.path.join(BUILD, "relay-%s-%s.log" % (g.label, "t" if g is tgt else "p")),
                  "w") as f:
            f.write("\n".join(g.text()) + "\n" + relay.summary() + "\n")
    report(res, prefix, target, tgt, peer, scs, info, relay, wall, flood)


def drive(tgt, peer, relay, scs, bad, flood, total, info, stop):
    """Follow the boots; start the injections when the target gets to them."""
    deadline = time.monotonic() + total
    if bad:
        i = tgt.wait_for(r"relay: start %d" % BAD_PORT, total)
        if i is not None:
            t = threading.Thread(target=bad_input, args=(relay, tgt, stop, info), daemon=True)
            t.start()
            tgt.wait_for(r"relay: end %d" % BAD_PORT, deadline - time.monotonic(), i)
            stop.set()
            t.join(10)
    if flood:
        i = tgt.wait_for(r"netxfer: listening on %d" % FLOOD_PORT,
                         max(1, deadline - time.monotonic()))
        if i is not None:
            info["line_count"] = lambda: len(tgt.text())
            syn_flood(relay, peer, info)
    for g in (tgt, peer):
        g.wait_for(r"relay: all done|=== end", max(1, deadline - time.monotonic()))


def figures(line):
    m = re.search(r"ms=(\d+) maxgap_ms=(\d+)", line or "")
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def report(res, prefix, target, tgt, peer, scs, info, relay, wall, flood):
    t_lines = tgt.text()
    rt, rp = results(tgt), results(peer)
    dead = [l for l in t_lines if re.search(r"panic|---\[ end|cairn: halted", l)]
    ok = not dead and any(l == "relay: all done" for l in t_lines)
    res.add("%s: %s ran every scenario without a crash" % (prefix, target), ok,
            "" if ok else "    " + "\n    ".join(dead[:5] + t_lines[-15:]))
    for sc in scs:
        a, b = rt.get(str(sc.port)), rp.get(str(sc.port))
        ok = bool(a and b and a[0] == 0 and b[0] == 0 and "result=ok" in a[1] + b[1]
                  and a[1].startswith("netxfer: result=ok") and b[1].startswith(
                      "netxfer: result=ok"))
        ms, _ = figures(a[1] if a else None)
        rate = " %.2f MB/s each way" % (sc.size / 1e3 / ms) if ok and ms else ""
        res.add("%s: %s: %d MiB each way checked on both ends" % (prefix, sc.name,
                                                                  sc.size >> 20),
                ok, ("%d ms%s" % (ms, rate)) if ok else "    target: %s\n    peer:   %s" % (a, b))
        if not ok:
            continue
        bound, j = stall_bound(sc.profile, sc.size)
        gap = max(gap_of(a[1]), gap_of(b[1]))
        res.add("%s: %s: no stall beyond %.1f s (RTO backoff for %d loss%s in a row)"
                % (prefix, sc.name, bound, j, "" if j == 1 else "es"),
                gap <= bound, "longest gap %.1f s" % gap)
    if "rounds" in info:
        bad_report(res, prefix, t_lines, info)
    if flood:
        flood_report(res, prefix, t_lines, rt, rp, info)
    c = relay.counters()
    print("%s: %s, %.0f s wall; %s" % (prefix, target, wall, relay.summary().replace("\n", "; ")),
          flush=True)
    return c


def bad_report(res, prefix, t_lines, info):
    before = snmp_table(t_lines, "relay: snmp-before")
    after = snmp_table(t_lines, "relay: snmp-after")
    rounds = info["rounds"]
    res.add("%s: bad input: %d malformed frames injected in %d rounds during the transfer"
            % (prefix, info.get("frames", 0), rounds), rounds >= 3,
            "" if rounds >= 3 else "    the transfer gave no data segment to copy or ended first")
    if not before or not after:
        res.add("%s: bad input: /proc/net/snmp read before and after" % prefix, False,
                "    before %r, after %r" % (before, after))
        return
    # The last round may race the guest's read of the counters: its transfer
    # ends, it prints /proc/net/snmp, and only then does the injector hear
    # that it should stop (a 16 MiB transfer at 0% loss can end in 2 s). So
    # every round but the last must be counted.
    for table, name, per_round in SNMP_MUST_RISE:
        b, a = before.get(table, {}).get(name), after.get(table, {}).get(name)
        ok = a is not None and b is not None and a - b >= per_round * (rounds - 1)
        why = ("%s -> %s, %d rounds x %d" % (b, a, rounds, per_round) if a is not None
               else "    /proc/net/snmp has no %s %s (tables: %s)" % (table, name,
                                                                  ", ".join(sorted(after))))
        res.add("%s: bad input: %s %s counted every dropped frame" % (prefix, table, name), ok,
                why)


def flood_report(res, prefix, t_lines, rt, rp, info):
    res.add("%s: SYN flood: %d SYNs sent" % (prefix, info.get("syns", 0)),
            info.get("syns") == FLOOD_SYNS, "%.1f s" % info.get("flood_s", 0))
    for go, when in ((6000, "during"), (6001, "after")):
        r = rp.get("flood-%d" % go)
        ok = bool(r and r[0] == 0 and r[1] and r[1].startswith("netxfer: result=ok"))
        res.add("%s: SYN flood: a real connection %s the flood is served" % (prefix, when), ok,
                "" if ok else "    peer: %r" % (r,))
    mem = [(i, int(m.group(1))) for i, m in enumerate(
        re.search(r"relay: mem MemFree:\s+(\d+)", l) for l in t_lines) if m]
    if len(mem) < 3 or "end_line" not in info:
        res.add("%s: SYN flood: memory bounded" % prefix, False, "    MemFree samples: %r" % mem)
        return
    before = mem[0][1]
    half = before - min(v for i, v in mem if i <= info["mid_line"])
    whole = before - min(v for i, v in mem if i <= info["end_line"])
    peak = before - min(v for _, v in mem)
    res.add("%s: SYN flood: memory bounded (%d kB at the peak <= %d kB)" % (
        prefix, peak, FLOOD_MEM_KB), peak <= FLOOD_MEM_KB,
        "MemFree %d kB before, %d kB lowest, %d kB at the end" % (before, before - peak,
                                                                  mem[-1][1]))
    res.add("%s: SYN flood: the second 5,000 SYNs cost <= %d kB more than the first" % (
        prefix, FLOOD_GROWTH_KB), whole - half <= FLOOD_GROWTH_KB,
        "%d kB after 5,000, %d kB after 10,000" % (half, whole))


class _Print:
    """A stand-in for tools/cairntest.py's Results when run by hand."""

    def __init__(self):
        self.failed = self.passed = 0

    def skip(self, name, reason):
        print("skip - %s (%s)" % (name, reason), flush=True)

    def add(self, name, ok, detail=""):
        self.passed += ok
        self.failed += not ok
        print("%s - %s%s" % ("ok" if ok else "FAIL", name, " (%s)" % detail if detail else ""),
              flush=True)


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--target", choices=("cairn", "linux"), default="cairn")
    ap.add_argument("--size", type=float, default=MAKE_TEST_MB, help="MiB each way per scenario")
    ap.add_argument("--full", action="store_true", help="100 MiB each way (make test-relay-full)")
    ap.add_argument("--loss", default="0,1,5", help="loss rates in percent")
    ap.add_argument("--no-bad", action="store_true")
    ap.add_argument("--no-flood", action="store_true")
    ap.add_argument("-v", action="store_true", help="copy both serial consoles here")
    opts = ap.parse_args()
    os.chdir(ROOT)
    import tempfile
    tmp = tempfile.mkdtemp(prefix="cairn-relay-")
    res = _Print()
    losses = tuple(float(x) / 100 for x in opts.loss.split(",") if x != "")
    run(res, os.path.join(BUILD, "kernel.elf"), tmp, opts.target, 100 if opts.full else opts.size,
        losses, not opts.no_bad, not opts.no_flood, opts.v)
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
