#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A hostile link between two QEMU guests (docs/net-tests.md).

Each guest has a dgram netdev (tools/qemu.sh NET=dgram:LPORT:RPORT): QEMU
sends every Ethernet frame the guest transmits as one UDP datagram from
127.0.0.1:LPORT to 127.0.0.1:RPORT, and hands every datagram arriving at
LPORT to the guest as a frame. The relay owns both RPORTs and forwards
each frame to the other guest, after deciding with a seeded random number
generator per direction whether to drop it, duplicate it, hold it back
behind N later frames (reorder), delay it, or flip one byte of its IP/TCP
part (corrupt). The rates are set per direction, and per TCP port, so one
guest boot can run several connections each under its own conditions
(frames that are not TCP, ARP above all, pass under the default profile).

Used as a module (tools/e2e_relay.py):
    r = Relay(("127.0.0.1", 7001), ("127.0.0.1", 7000),   # side a: relay's port, guest's
              ("127.0.0.1", 7003), ("127.0.0.1", 7002), seed=1)
    r.set_profile("ab", Profile(drop=0.01), port=5001); r.start()
    r.inject("b", frame)          # a crafted frame to guest b
    r.stop(); print(r.summary())
From a shell, until ^C, printing its counters at exit:
    tools/netrelay.py --a 7001:7000 --b 7003:7002 --seed 1 --drop 0.01 --dup 0.01
"""
import argparse
import heapq
import random
import select
import signal
import socket
import threading
import time

import netframes

COUNTERS = ("frames", "sent", "dropped", "duplicated", "reordered", "delayed", "corrupted",
            "filtered", "injected")


class Profile:
    """What the link does to one direction's frames: rates are 0..1 per frame.
    @reorder_depth: a reordered frame goes out after this many later frames
    (or @hold_ms, whichever comes first); @delay_ms: a delayed frame waits
    this long plus up to @jitter_ms more (delayed frames may pass each other)."""

    def __init__(self, drop=0.0, dup=0.0, reorder=0.0, reorder_depth=3, hold_ms=50, delay=0.0,
                 delay_ms=20, jitter_ms=10, corrupt=0.0):
        self.drop, self.dup, self.reorder, self.delay, self.corrupt = (drop, dup, reorder, delay,
                                                                      corrupt)
        self.reorder_depth, self.hold_ms = reorder_depth, hold_ms
        self.delay_ms, self.jitter_ms = delay_ms, jitter_ms

    def __repr__(self):
        return ("drop %.3g dup %.3g reorder %.3g/%d delay %.3g/%dms corrupt %.3g"
                % (self.drop, self.dup, self.reorder, self.reorder_depth, self.delay,
                   self.delay_ms, self.corrupt))


CLEAN = Profile()


class Direction:
    """Frames from one guest to the other: the socket they leave by, the
    peer's address, the profiles, the seeded generator and the counters."""

    def __init__(self, name, out_sock, peer, seed):
        self.name, self.sock, self.peer = name, out_sock, peer
        self.rng = random.Random("%s-%s" % (seed, name))
        self.default, self.by_port = CLEAN, {}
        self.filters = []
        self.held = []  # [frames left to pass, deadline, frame]
        self.count = dict.fromkeys(COUNTERS, 0)
        self.taps = []

    def profile(self, frame):
        if self.by_port:
            ports = netframes.tcp_ports(frame)
            if ports:
                for p in ports:
                    if p in self.by_port:
                        return self.by_port[p]
        return self.default

    def send(self, frame):
        try:
            self.sock.sendto(frame, self.peer)
            self.count["sent"] += 1
        except OSError:
            # The guest's QEMU is not there (yet, or any more): the frame is lost.
            self.count["dropped"] += 1


class Relay:
    def __init__(self, a_listen, a_guest, b_listen, b_guest, seed=1):
        self.sa = self._bind(a_listen)
        self.sb = self._bind(b_listen)
        self.dirs = {"ab": Direction("ab", self.sb, b_guest, seed),
                     "ba": Direction("ba", self.sa, a_guest, seed)}
        self.by_sock = {self.sa: self.dirs["ab"], self.sb: self.dirs["ba"]}
        self.delayed = []  # heap of (due, n, direction, frame)
        self.n = 0
        self.lock = threading.RLock()  # a tap may inject from inside the relay's loop
        self.stopping = False
        self.wake_r, self.wake_w = socket.socketpair()
        self.thread = None

    @staticmethod
    def _bind(addr):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        s.bind(addr)
        return s

    def set_profile(self, direction, profile, port=None):
        """Use @profile for @direction ("ab", "ba") on TCP @port, or by default."""
        with self.lock:
            d = self.dirs[direction]
            if port is None:
                d.default = profile
            else:
                d.by_port[port] = profile

    def add_filter(self, direction, pred):
        """Drop (and count as filtered) every frame of @direction for which @pred is true."""
        with self.lock:
            self.dirs[direction].filters.append(pred)

    def add_tap(self, direction, fn):
        """Call @fn(frame) for each frame of @direction as it arrives (before any harm)."""
        with self.lock:
            self.dirs[direction].taps.append(fn)

    def inject(self, to, frame):
        """Send the crafted @frame to guest @to ("a" or "b") at once, past the rates."""
        d = self.dirs["ba" if to == "a" else "ab"]
        with self.lock:
            d.send(frame)
            d.count["injected"] += 1

    def _corrupt(self, d, frame):
        if len(frame) <= 14:
            return frame
        b = bytearray(frame)
        b[d.rng.randrange(14, len(b))] ^= d.rng.randrange(1, 256)
        d.count["corrupted"] += 1
        return bytes(b)

    def _forward(self, d, frame, now):
        """The fate of one frame from the wire, under @d's lock-held state."""
        d.count["frames"] += 1
        for tap in d.taps:
            tap(frame)
        if any(f(frame) for f in d.filters):
            d.count["filtered"] += 1
            return
        p, rng = d.profile(frame), d.rng
        if p.drop and rng.random() < p.drop:
            d.count["dropped"] += 1
            return
        copies = 1
        if p.dup and rng.random() < p.dup:
            copies, d.count["duplicated"] = 2, d.count["duplicated"] + 1
        if p.corrupt and rng.random() < p.corrupt:
            frame = self._corrupt(d, frame)
        for _ in range(copies):
            if p.reorder and rng.random() < p.reorder:
                d.count["reordered"] += 1
                d.held.append([p.reorder_depth, now + p.hold_ms / 1000.0, frame])
            elif p.delay and rng.random() < p.delay:
                d.count["delayed"] += 1
                due = now + (p.delay_ms + rng.random() * p.jitter_ms) / 1000.0
                self.n += 1
                heapq.heappush(self.delayed, (due, self.n, d.name, frame))
            else:
                d.send(frame)
                self._passed(d, now)

    def _passed(self, d, now):
        """One more frame went out on @d: release held frames whose turn came."""
        if not d.held:
            return
        keep = []
        for h in d.held:
            h[0] -= 1
            if h[0] <= 0 or now >= h[1]:
                d.send(h[2])
            else:
                keep.append(h)
        d.held = keep

    def _timers(self, now):
        """Send due delayed frames and overdue held ones; the next deadline or None."""
        while self.delayed and self.delayed[0][0] <= now:
            _, _, name, frame = heapq.heappop(self.delayed)
            self.dirs[name].send(frame)
        nxt = self.delayed[0][0] if self.delayed else None
        for d in self.dirs.values():
            if d.held:
                overdue = [h for h in d.held if now >= h[1]]
                for h in overdue:
                    d.send(h[2])
                d.held = [h for h in d.held if now < h[1]]
                for h in d.held:
                    nxt = h[1] if nxt is None else min(nxt, h[1])
        return nxt

    def run(self):
        socks = [self.sa, self.sb, self.wake_r]
        for s in (self.sa, self.sb):
            s.setblocking(False)
        nxt = None
        while not self.stopping:
            timeout = None if nxt is None else max(0.0, nxt - time.monotonic())
            ready, _, _ = select.select(socks, [], [], timeout)
            with self.lock:
                for s in ready:
                    if s is self.wake_r:
                        continue
                    d = self.by_sock[s]
                    for _ in range(64):  # a burst per wake-up, then look at the other side
                        try:
                            frame = s.recv(65536)
                        except (BlockingIOError, ConnectionRefusedError):
                            break
                        self._forward(d, frame, time.monotonic())
                nxt = self._timers(time.monotonic())

    def start(self):
        self.thread = threading.Thread(target=self.run, name="netrelay", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.stopping = True
        self.wake_w.send(b"x")
        if self.thread:
            self.thread.join(5)
        for s in (self.sa, self.sb, self.wake_r, self.wake_w):
            s.close()

    def counters(self):
        with self.lock:
            return {n: dict(d.count) for n, d in self.dirs.items()}

    def summary(self):
        c = self.counters()
        return "\n".join("netrelay: %s %s" % (n, " ".join("%s=%d" % kv for kv in c[n].items()))
                         for n in sorted(c))


def _ports(text):
    a, b = text.split(":")
    return ("127.0.0.1", int(a)), ("127.0.0.1", int(b))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, metavar="RELAYPORT:GUESTPORT", help="side a's ports")
    ap.add_argument("--b", required=True, metavar="RELAYPORT:GUESTPORT", help="side b's ports")
    ap.add_argument("--seed", type=int, default=1)
    for name in ("drop", "dup", "reorder", "delay", "corrupt"):
        ap.add_argument("--" + name, type=float, default=0.0, help="rate, both directions")
    ap.add_argument("--delay-ms", type=int, default=20)
    ap.add_argument("--reorder-depth", type=int, default=3)
    opts = ap.parse_args()
    a_listen, a_guest = _ports(opts.a)
    b_listen, b_guest = _ports(opts.b)
    r = Relay(a_listen, a_guest, b_listen, b_guest, opts.seed)
    p = Profile(drop=opts.drop, dup=opts.dup, reorder=opts.reorder, delay=opts.delay,
                corrupt=opts.corrupt, delay_ms=opts.delay_ms, reorder_depth=opts.reorder_depth)
    for d in ("ab", "ba"):
        r.set_profile(d, p)
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    r.start()
    print("netrelay: a %s<->%s, b %s<->%s, %r" % (a_listen[1], a_guest[1], b_listen[1],
                                                   b_guest[1], p), flush=True)
    done.wait()
    r.stop()
    print(r.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
