#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The network end to end (issue 14, group "net"): the busybox image boots
directly with a virtio-net card on QEMU's user network (as `make run` does),
takes its address by DHCP, and unmodified busybox talks to servers this
script runs on the host, which the guest reaches as 10.0.2.2:

  dhcp       the kernel's one line (10.0.2.15/24, gw 10.0.2.2, dns 10.0.2.3)
             and /etc/resolv.conf written from the lease
  ifconfig   eth0 and lo as Linux prints them; route -n and netstat -rn show
             the connected and default routes; arp -n knows the gateway
  ip         ip addr and ip route (rtnetlink dumps) show the same
  ping       ping -c 3 10.0.2.2 (QEMU's user network answers for the host)
  wget       a file from an HTTP server on the host, its md5 compared
  nc-out     guest connects, sends a file: the host listener checks its md5
  nc-in      guest listens (nc -l on a forwarded port), the host connects
             and sends: the guest's md5 compared
  nslookup   a name from a DNS responder on the host's 127.0.0.1:53 (QEMU
             forwards 10.0.2.2:53 there); no internet needed. Skipped when
             port 53 cannot be bound (not root)
  httpd      busybox httpd -h /www served to the host's curl through the
             forwarded port, index.html and a bigger file checksummed
  netstat    -tln lists httpd on :80 (/proc/net/tcp, the sock lane's); -anuwx
             finds every table it reads
  arp        arp -n shows the gateway's MAC (/proc/net/arp)

The same checks run on the Linux baseline booting the same image (virtio_net
loaded and eth0 configured by hand: Debian's kernel has no ip=), which proves
the checks; the DHCP line is Cairn's alone.

  tools/e2e_net.py [--linux] [--echo] [--only dhcp,ping]   (cairntest.py group "net")
"""
import argparse
import hashlib
import http.server
import os
import re
import shutil
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_busybox  # noqa: E402
from e2e_busybox_checks import failure  # noqa: E402

GUEST, GW, DNS = "10.0.2.15", "10.0.2.2", "10.0.2.3"
DNS_NAME, DNS_ADDR = "cairn-e2e.test", "192.0.2.77"  # RFC 5737's documentation block
BLOB_SIZE = 1 << 20
CURL = shutil.which("curl")


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class HttpServer:
    """A host HTTP server over @root on 127.0.0.1 (10.0.2.2 for the guest)."""

    def __init__(self, root):
        handler = lambda *a, **k: Quiet(*a, directory=root, **k)  # noqa: E731
        self.srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self.srv.daemon_threads = True
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


class Sink:
    """A host TCP listener that takes one connection, reads @size bytes and
    closes: the md5 of what came, or why not."""

    def __init__(self, size):
        self.size, self.md5, self.why = size, None, "no connection"
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(60)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError as e:
            self.why = "accept: %s" % e
            return
        h, got = hashlib.md5(), 0
        conn.settimeout(60)
        try:
            while got < self.size:
                b = conn.recv(65536)
                if not b:
                    break
                h.update(b)
                got += len(b)
        except OSError as e:
            self.why = "recv after %d bytes: %s" % (got, e)
            return
        finally:
            conn.close()
        self.md5 = h.hexdigest() if got == self.size else None
        self.why = None if self.md5 else "%d of %d bytes came" % (got, self.size)

    def result(self, timeout):
        self.thread.join(timeout)
        self.sock.close()
        return self.md5, self.why


class DnsResponder:
    """A DNS server on 127.0.0.1:53 (UDP) answering A queries for DNS_NAME
    (RFC 1035, 4.1) and NXDOMAIN for the rest; None when 53 is taken or
    needs privileges we lack."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 53))
        self.queries = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @staticmethod
    def _qname(msg):
        labels, i = [], 12
        while i < len(msg) and msg[i]:
            n = msg[i]
            labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
            i += 1 + n
        return ".".join(labels), i + 1

    def _answer(self, q):
        name, end = self._qname(q)
        qtype, = struct.unpack("!H", q[end:end + 2])
        question = q[12:end + 4]
        ok = name.lower() == DNS_NAME
        rcode = 0 if ok else 3
        nans = 1 if ok and qtype == 1 else 0
        hdr = q[:2] + struct.pack("!HHHHH", 0x8180 | rcode, 1, nans, 0, 0)
        ans = b""
        if nans:
            ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(DNS_ADDR)
        return hdr + question + ans

    def _serve(self):
        while True:
            try:
                q, peer = self.sock.recvfrom(512)
            except OSError:
                return
            if len(q) < 17:
                continue
            self.queries += 1
            try:
                self.sock.sendto(self._answer(q), peer)
            except (OSError, struct.error):
                pass

    def close(self):
        self.sock.close()


MODULES = os.path.join(e2e_busybox.BUILD, "debs", "modules")
# The Linux baseline has no ip= (Debian's kernel lacks CONFIG_IP_PNP) and the image
# no DHCP script: it loads virtio-net and takes QEMU's lease by hand.
LINUX_SETUP = ("for m in /lib/modules/*.ko; do insmod $m 2>/dev/null; done; sleep 1; "
               "ifconfig lo up && ifconfig eth0 %s netmask 255.255.255.0 up && "
               "route add default gw %s && echo nameserver %s > /etc/resolv.conf" % (GUEST, GW, DNS))


def net_rootfs(out, linux):
    """The busybox image; for Linux with the baseline's modules in /lib/modules."""
    extra = {}
    if linux:
        for name in sorted(os.listdir(MODULES)):
            if name.endswith(".ko"):
                extra["lib/modules/" + name] = e2e_busybox.mkrootfs.Entry(
                    "file", 0o644, e2e_busybox.mkrootfs.read(os.path.join(MODULES, name)))
    entries = e2e_busybox.mkrootfs.image_entries(extra=extra)
    e2e_busybox.mkrootfs.write_if_changed(out, e2e_busybox.mkrootfs.archive(entries))
    return out


_dns_lock = threading.Lock()
_dns = [None, None]  # the responder, or why there is none


def shared_dns():
    """The one DNS responder of this process: both kernels' QEMUs forward
    10.0.2.2:53 to the same 127.0.0.1:53, and answers go back to each
    query's own source port. (responder, None) or (None, why)."""
    with _dns_lock:
        if _dns[0] is None and _dns[1] is None:
            try:
                _dns[0] = DnsResponder()
            except OSError as e:
                _dns[1] = "cannot serve DNS on 127.0.0.1:53 (%s)" % e.strerror
        return _dns[0], _dns[1]


def md5_of(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def guest_md5(sh, path):
    status, out = sh.run("md5sum %s" % path, 60)
    m = re.match(r"^([0-9a-f]{32})\s", out[0]) if status == 0 and out else None
    return m.group(1) if m else None


# ---- the checks: (sh, ctx) -> (detail, None) or (None, why) ----

def check_dhcp(sh, ctx):
    text = ctx["serial"].text()
    m = re.search(r"net: eth0 (\S+) gw (\S+) dns (\S+) \(dhcp, (\d+) ms\)", text)
    if not m:
        return None, "no DHCP line from the kernel\n" + ctx["serial"].tail()
    if m.groups()[:3] != (GUEST + "/24", GW, DNS):
        return None, "the lease is %s gw %s dns %s" % m.groups()[:3]
    status, out = sh.run("cat /etc/resolv.conf")
    if status != 0 or ("nameserver " + DNS) not in out:
        return None, failure("/etc/resolv.conf has no nameserver %s" % DNS, status, out)
    return "%s in %s ms; resolv.conf: nameserver %s" % (m.group(1), m.group(4), DNS), None


def check_ifconfig(sh, ctx):
    status, out = sh.run("ifconfig eth0; ifconfig lo")
    text = "\n".join(out)
    need = [(r"eth0\s+Link encap:Ethernet\s+HWaddr 52:54:00:12:34:56", "eth0's HWaddr"),
            (r"inet addr:%s\s+Bcast:10\.0\.2\.255\s+Mask:255\.255\.255\.0" % GUEST,
             "eth0's address, broadcast and mask"),
            (r"UP BROADCAST RUNNING MULTICAST\s+MTU:1500", "eth0's flags and MTU"),
            (r"RX packets:\d+ errors:\d+ dropped:\d+", "eth0's counters"),
            (r"lo\s+Link encap:Local Loopback", "lo"),
            (r"inet addr:127\.0\.0\.1\s+Mask:255\.0\.0\.0", "lo's address"),
            (r"UP LOOPBACK RUNNING\s+MTU:65536", "lo's flags and MTU")]
    missing = [what for rx, what in need if not re.search(rx, text)]
    if status != 0 or missing:
        return None, failure("missing: %s" % ", ".join(missing), status, out)
    return "eth0 and lo as on Linux", None


def check_routes(sh, ctx):
    for cmd in ("route -n", "netstat -rn"):
        status, out = sh.run(cmd)
        text = "\n".join(out)
        need = [(r"(?m)^0\.0\.0\.0\s+10\.0\.2\.2\s+0\.0\.0\.0\s+UG\s.*eth0$", "default"),
                (r"(?m)^10\.0\.2\.0\s+0\.0\.0\.0\s+255\.255\.255\.0\s+U\s.*eth0$",
                 "10.0.2.0/24")]
        missing = [what for rx, what in need if not re.search(rx, text)]
        if status != 0 or missing:
            return None, failure("%s lacks: %s" % (cmd, ", ".join(missing)), status, out)
    return "default via %s, 10.0.2.0/24 on eth0" % GW, None


def check_ip(sh, ctx):
    status, out = sh.run("ip addr; ip route")
    text = "\n".join(out)
    need = [(r"inet 127\.0\.0\.1/8 scope host lo", "lo's address"),
            (r"link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff", "eth0's link"),
            (r"inet 10\.0\.2\.15/24 brd 10\.0\.2\.255 scope global eth0", "eth0's address"),
            (r"(?m)^10\.0\.2\.0/24 dev eth0 scope link\s+src 10\.0\.2\.15", "the connected route"),
            (r"(?m)^default via 10\.0\.2\.2 dev eth0", "the default route")]
    missing = [what for rx, what in need if not re.search(rx, text)]
    if status != 0 or missing:
        return None, failure("ip addr/route lack: %s" % ", ".join(missing), status, out)
    return "ip addr and ip route over rtnetlink", None


def check_ping(sh, ctx):
    status, out = sh.run("ping -c 3 %s" % GW, 30)
    text = "\n".join(out)
    m = re.search(r"3 packets transmitted, 3 packets received, 0% packet loss", text)
    rtt = re.search(r"round-trip min/avg/max = (\S+) ms", text)
    if status != 0 or not m:
        return None, failure("3 echo replies expected", status, out)
    return "3 of 3 answered, rtt %s ms" % (rtt.group(1) if rtt else "?"), None


def check_wget(sh, ctx):
    url = "http://%s:%d/blob" % (GW, ctx["http"].port)
    status, out = sh.run("wget -q -O /tmp/blob %s" % url, 90)
    if status != 0:
        return None, failure("wget %s failed" % url, status, out)
    got = guest_md5(sh, "/tmp/blob")
    if got != ctx["blob_md5"]:
        return None, "md5 in the guest %s, on the host %s" % (got, ctx["blob_md5"])
    return "%d bytes, md5 %s" % (BLOB_SIZE, got), None


def check_nc_out(sh, ctx):
    sink = Sink(BLOB_SIZE)
    status, out = sh.run("nc %s %d < /tmp/blob" % (GW, sink.port), 90)
    md5, why = sink.result(30)
    if why:
        return None, failure("the host received wrong data: %s" % why, status, out)
    if md5 != ctx["blob_md5"]:
        return None, "the host received md5 %s, sent %s" % (md5, ctx["blob_md5"])
    return "%d bytes to the host, md5 equal" % BLOB_SIZE, None


def check_nc_in(sh, ctx):
    status, out = sh.run("nc -l -p 5000 > /tmp/in < /dev/null &")
    if status != 0:
        return None, failure("nc -l did not start", status, out)
    data = ctx["blob"]
    for attempt in range(50):  # the listener needs a moment to bind
        try:
            with socket.create_connection(("127.0.0.1", ctx["nc_port"]), timeout=10) as c:
                c.sendall(data)
                c.shutdown(socket.SHUT_WR)
                c.settimeout(30)
                while c.recv(4096):
                    pass
            break
        except OSError:
            time.sleep(0.2)
    status, out = sh.run("wait", 60)
    got = guest_md5(sh, "/tmp/in")
    if got != ctx["blob_md5"]:
        return None, failure("the guest received md5 %s, sent %s" % (got, ctx["blob_md5"]),
                             status, out)
    return "%d bytes from the host, md5 equal" % len(data), None


def check_nslookup(sh, ctx):
    if ctx["dns"] is None:
        return "SKIP: %s" % ctx["dns_why"], None
    status, out = sh.run("nslookup %s %s" % (DNS_NAME, GW), 30)
    text = "\n".join(out)
    if status != 0 or not re.search(r"Address:\s+%s" % re.escape(DNS_ADDR), text):
        return None, failure("no answer %s (the responder saw %d queries)" %
                             (DNS_ADDR, ctx["dns"].queries), status, out)
    return "%s is %s" % (DNS_NAME, DNS_ADDR), None


def curl(port, path):
    url = "http://127.0.0.1:%d%s" % (port, path)
    r = subprocess.run([CURL, "-sS", "--max-time", "60", url], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return r.returncode, r.stdout, r.stderr.decode("utf-8", "replace")


def check_httpd(sh, ctx):
    if not CURL:
        return "SKIP: curl is missing (curl package)", None
    status, out = sh.run("cp /tmp/blob /www/blob && httpd -p 80 -h /www")
    if status != 0:
        return None, failure("httpd did not start", status, out)
    rc, body, err = curl(ctx["http_port"], "/")
    if rc != 0 or b"Hello from Cairn" not in body:
        return None, "curl / (exit %d): %s %r" % (rc, err, body[:200])
    rc, body, err = curl(ctx["http_port"], "/blob")
    if rc != 0 or hashlib.md5(body).hexdigest() != ctx["blob_md5"]:
        return None, "curl /blob (exit %d, %d bytes): %s" % (rc, len(body), err)
    return "index.html and %d bytes to the host's curl" % len(body), None


def check_netstat(sh, ctx):
    status, out = sh.run("netstat -tln")
    text = "\n".join(out)
    if status != 0 or not re.search(r"(?m)^tcp\s+\d+\s+\d+\s+(0\.0\.0\.0|::):80\s+(0\.0\.0\.0|::):\*\s+LISTEN", text):
        return None, failure("netstat -tln does not list :80", status, out)
    status, out = sh.run("netstat -anuwx 2>&1")
    missing = [l for l in out if "No such file" in l]
    if status != 0 or missing:
        return None, failure("netstat -anuwx misses /proc/net files", status, out)
    return "httpd listens on :80; every /proc/net table netstat reads is there", None


def check_arp(sh, ctx):
    status, out = sh.run("ping -c 1 %s > /dev/null; arp -n" % GW, 30)
    text = "\n".join(out)
    if status != 0 or not re.search(r"\(10\.0\.2\.2\) at 52:55:0a:00:02:02 \[ether\]\s+on eth0", text):
        return None, failure("arp -n does not know the gateway", status, out)
    return "the gateway is in the ARP cache", None


CHECKS = [("dhcp", check_dhcp), ("ifconfig", check_ifconfig), ("routes", check_routes),
          ("ip", check_ip), ("ping", check_ping), ("wget", check_wget), ("nc-out", check_nc_out),
          ("nc-in", check_nc_in), ("nslookup", check_nslookup), ("httpd", check_httpd),
          ("netstat", check_netstat), ("arp", check_arp)]


def user_net_missing():
    """Why QEMU cannot give the guest a user network, or None."""
    r = subprocess.run(["qemu-system-x86_64", "-netdev", "help"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return None if re.search(r"(?m)^user$", r.stdout) else "QEMU has no user networking (slirp)"


def available(kernel, target="cairn"):
    linux = target == "linux"
    for need in ((e2e_busybox.VMLINUZ, MODULES) if linux else (kernel,)) + \
            (e2e_busybox.mkrootfs.BUSYBOX,):
        if not os.path.exists(need):
            return "%s missing" % need
    return user_net_missing()


def session(kernel, tmp, report, only=None, echo=False, target="cairn"):
    """One boot of @target ("cairn" or "linux"), every check; @report(name,
    detail, why) for each. On Linux the same checks prove themselves (the
    DHCP line is Cairn's own and not asked of it)."""
    linux = target == "linux"
    work = os.path.join(tmp, "net-" + target)
    os.makedirs(os.path.join(work, "www"), exist_ok=True)
    blob = os.urandom(BLOB_SIZE)
    with open(os.path.join(work, "www", "blob"), "wb") as f:
        f.write(blob)
    ctx = {"blob": blob, "blob_md5": hashlib.md5(blob).hexdigest(),
           "http": HttpServer(os.path.join(work, "www")),
           "http_port": free_port(), "nc_port": free_port(), "dns": None}
    ctx["dns"], ctx["dns_why"] = shared_dns()
    rootfs = net_rootfs(os.path.join(work, "rootfs.cpio"), linux)
    env = {"INITRD": rootfs, "NET": "user",
           "APPEND": e2e_busybox.LINUX_APPEND if linux else e2e_busybox.CAIRN_APPEND,
           "HOSTFWD": "tcp:127.0.0.1:%d-:80 tcp:127.0.0.1:%d-:5000" % (ctx["http_port"],
                                                                     ctx["nc_port"])}
    s = e2e_busybox.Serial("direct", e2e_busybox.VMLINUZ if linux else kernel, env, echo)
    ctx["serial"] = s
    try:
        sh = e2e_busybox.Shell(s)
        detail, why = e2e_busybox.first_prompt(s, sh, time.monotonic())
        report("boot to a shell with a network card", detail, why)
        checks = [c for c in CHECKS if (only is None or c[0] in only) and
                  not (linux and c[0] == "dhcp")]
        if why is None and linux:
            status, out = sh.run(LINUX_SETUP, 60)
            if status != 0:
                why = failure("configuring eth0 by hand failed", status, out)
                report("Linux: virtio_net loaded, eth0 configured", None, why)
        if why is None:
            e2e_busybox.run_checks(sh, checks, ctx, report)
    finally:
        s.kill()
        ctx["http"].close()
    return s


def run(res, kernel, tmp, target="cairn"):
    """tools/cairntest.py's group "net" on @target, results into @res."""
    label = "net/%s" % target
    why = available(kernel, target)
    if why:
        res.skip("%s: every check" % label, why)
        return
    log = os.path.join(e2e_busybox.BUILD, "e2e-net-%s.log" % target)

    def report(name, detail, why):
        if why is None and detail and detail.startswith("SKIP: "):
            res.skip("%s: %s" % (label, name), detail[6:])
            return
        res.add("%s: %s" % (label, name), why is None, detail if why is None else why)
    s = session(kernel, tmp, report, target=target)
    with open(log, "w") as f:
        f.write(s.text())
    print("  %s: serial log in %s" % (label, log))


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--kernel", default=os.path.join(e2e_busybox.BUILD, "kernel.elf"))
    ap.add_argument("--only", default="", help="comma list: " + ",".join(n for n, _ in CHECKS))
    ap.add_argument("--echo", action="store_true", help="echo the serial line")
    ap.add_argument("--linux", action="store_true", help="the Linux baseline instead of Cairn")
    opts = ap.parse_args()
    os.chdir(e2e_busybox.ROOT)
    target = "linux" if opts.linux else "cairn"
    why = available(opts.kernel, target)
    if why:
        print("skip: " + why)
        return 0
    only = set(opts.only.split(",")) if opts.only else None
    counts = [0, 0]

    def report(name, detail, why):
        counts[why is not None] += 1
        print(("ok - %s (%s)" % (name, detail)) if why is None else
              ("FAIL - %s\n%s" % (name, why)), flush=True)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cairn-net-") as tmp:
        session(opts.kernel, tmp, report, only, opts.echo, target)
    print("%d passed, %d failed in %.0f s" % (counts[0], counts[1], time.monotonic() - t0))
    return 1 if counts[1] else 0


if __name__ == "__main__":
    sys.exit(main())
