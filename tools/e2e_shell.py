# SPDX-License-Identifier: MIT
"""End-to-end tests of the shell (issue 6), used by tools/cairntest.py.

Over serial: boot, type commands into the guest's COM1 and check what comes
back. On the screen: type through QEMU's monitor (sendkey) into the PS/2
keyboard, take a screendump, convert it to PNG and look for the glyphs of
the typed text, drawn from the font's own bitmaps, on the console's grid.
"""
import os
import re
import shutil
import socket
import tempfile
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r|\x07")
PROMPT_WAIT = 60


def clean(line):
    return ANSI.sub("", line)


def wait_clean(b, pattern, timeout, start=0):
    """Index of the first line from @start matching @pattern once escapes are stripped."""
    rx = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while True:
        with b.cond:
            lines = list(b.lines)
        for i in range(start, len(lines)):
            if rx.search(clean(lines[i])):
                return i
        if time.monotonic() > deadline or b.proc.poll() is not None:
            return None
        time.sleep(0.1)


def command(b, text, expect, timeout=30):
    """Type @text and Enter; None when a later line matches @expect, else the reason."""
    start = len(b.lines)
    b.write(text.encode() + b"\r")
    if wait_clean(b, expect, timeout, start) is None:
        return "'%s': no line matching /%s/" % (text, expect)
    return None


# Each command of issue 6 with what its output must contain.
COMMANDS = [
    ("echo hi", r"^hi$"),
    ("echo 'two  spaces' \"and quotes\"", r"^two  spaces and quotes$"),
    ("help", r"shutdown"),
    ("uname", r"Cairn"),
    ("uptime", r"up \d+"),
    ("date", r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"),
    ("mem", r"heap"),
    ("ps", r"\bshell"),
    ("cpus", r"\b[01]\b"),
    ("irqs", r"\d"),
    ("acpi", r"APIC"),
    ("lspci", r"^00:00\.0 0600: .*host bridge"),
    ("log", r"cairn: ready"),
    ("ehco hi", r"unknown command 'ehco'.*did you mean 'echo'"),
    ("echo 'open", r"unterminated"),
]


def shell_serial(res, Boot, kernel):
    """Every command over the serial console, ^C during sleep, shutdown ends QEMU."""
    b = Boot("direct", kernel, {"CPUS": "2"}, stdin_pipe=True)
    fails = []
    if b.wait_for(r"cairn: ready", PROMPT_WAIT) is None:
        fails.append("no ready line")
    else:
        time.sleep(1)
        for text, expect in COMMANDS:
            why = command(b, text, expect)
            res.add("e2e shell: %s" % text, why is None, "" if why is None else why)
        start = len(b.lines)
        b.write(b"sleep 100\r")
        time.sleep(1.5)
        t0 = time.monotonic()
        b.write(b"\x03")
        why = command(b, "echo after", r"^after$", timeout=20)
        took = time.monotonic() - t0
        res.add("e2e shell: ^C interrupts sleep 100", why is None and took < 20,
                "back in %.1f s" % took if why is None else why)
        b.write(b"shutdown\r")
        status = b.wait_exit(60)
        res.add("e2e shell: shutdown ends QEMU with status 0", status == 0,
                "" if status == 0 else "QEMU exit status %s" % status)
    b.kill()
    if fails:
        res.add("e2e shell: serial session", False, "; ".join(fails) + "\n" + b.log())
    elif res.failed:
        print(b.log())


def glyphs(font_path, text):
    """Per character, the (x, y) pixels the font sets, and the cell size."""
    import gzip
    import psf2c
    raw = open(font_path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    width, height, stride, count, data, table, version = psf2c.parse(raw)
    cmap = psf2c.unicode_map(table, count, version)
    out = []
    for ch in text:
        g = cmap.get(ord(ch), 0) * stride * height
        out.append({(col, row) for row in range(height) for col in range(width)
                    if data[g + row * stride + col // 8] & (0x80 >> (col % 8))})
    return out, width, height


def find_text(w, h, px, cells, cw, ch):
    """Every (x, y) on the cell grid where the glyphs are drawn, one colour on another."""
    def at(x, y):
        i = (y * w + x) * 3
        return px[i:i + 3]
    on0 = min(cells[0])
    off0 = next((x, y) for y in range(ch) for x in range(cw) if (x, y) not in cells[0])
    n, found = len(cells), []
    for y in range(0, h - ch + 1):
        for x in range(0, w - n * cw + 1, cw):
            fg, bg = at(x + on0[0], y + on0[1]), at(x + off0[0], y + off0[1])
            if fg == bg:
                continue
            if all((at(x + k * cw + cx, y + cy) == fg) == ((cx, cy) in cells[k])
                   and at(x + k * cw + cx, y + cy) in (fg, bg)
                   for k in range(n) for cy in range(ch) for cx in range(cw)):
                found.append((x, y))
    return found


def screendump(mon, ppm):
    """Ask the monitor on socket @mon for a screendump into @ppm and wait for it."""
    mon.sendall(("screendump %s\n" % ppm).encode())
    for _ in range(50):
        if os.path.exists(ppm) and os.path.getsize(ppm) > 0:
            break
        time.sleep(0.1)
    time.sleep(0.5)


def shell_screen(res, Boot, image, font, mode="bios", keep_png=None):
    """Type `echo hello` on the PS/2 keyboard; the screen must show hello in the font."""
    import pngwrite
    tmp = tempfile.mkdtemp(prefix="cairn-shell-screen-")
    sock, ppm = os.path.join(tmp, "mon.sock"), os.path.join(tmp, "screen.ppm")
    png = keep_png or os.path.join(tmp, "screen.png")
    b = Boot(mode, image, args=["-monitor", "unix:%s,server,nowait" % sock])
    why = "no ready line"
    if b.wait_for(r"cairn: ready", PROMPT_WAIT):
        time.sleep(2)
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(sock)
            for key in ["e", "c", "h", "o", "spc", "h", "e", "l", "l", "o", "ret"]:
                s.sendall(("sendkey %s\n" % key).encode())
                time.sleep(0.15)
            time.sleep(1.5)
            screendump(s, ppm)
        w, h, px = pngwrite.read_ppm(ppm)
        pngwrite.write_png(png, w, h, px)
        cells, cw, ch = glyphs(font, "hello")
        typed = find_text(w, h, px, glyphs(font, "echo hello")[0], cw, ch)
        # The command's output: "hello" at the start of a line below what was typed.
        out = [(x, y) for x, y in find_text(w, h, px, cells, cw, ch)
               if typed and x == 0 and y >= typed[-1][1] + ch]
        why = (None if typed and out else "typed 'echo hello' %s, output 'hello' %s" %
               ("found" if typed else "not found", "found" if out else "not found"))
    b.kill()
    shutil.rmtree(tmp, ignore_errors=True)
    res.add("e2e shell: sendkey 'echo hello' shows hello on the %s framebuffer" % mode,
            why is None,
            "" if why is None else why + "\n" + b.log())


KTEST_SUMMARY = r"ktest: (\d+) passed, (\d+) failed"


def shell_test_all(res, Boot, image, mode="bios", timeout=300):
    """The shell's `test` on a live system (banner and a shell on the screen): 0 failed."""
    b = Boot(mode, image, {"CPUS": "2"}, stdin_pipe=True)
    why, detail = "no ready line", ""
    if b.wait_for(r"cairn: ready", PROMPT_WAIT):
        time.sleep(1)
        start = len(b.lines)
        b.write(b"test\r")
        i = wait_clean(b, KTEST_SUMMARY, timeout, start)
        if i is None:
            why = "no '%s' line within %d s" % (KTEST_SUMMARY, timeout)
        else:
            out = [clean(l) for l in b.lines[start:i + 1]]
            passed, failed = (int(n) for n in re.search(KTEST_SUMMARY, out[-1]).groups())
            skips = [l for l in out if re.match(r"ok \d+ - .* # SKIP", l)]
            fails = [l for l in out if l.startswith("not ok") or "message:" in l]
            why = None if failed == 0 and passed > 0 else "\n".join(fails)
            detail = "%d passed, %d skipped" % (passed, len(skips))
    b.kill()
    res.add("e2e shell: `test` on a live %s system (framebuffer console and shells) "
            "fails nothing" % mode.upper(), why is None,
            detail if why is None else why + "\n" + b.log())
