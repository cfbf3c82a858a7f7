# SPDX-License-Identifier: MIT
"""End-to-end tests of KASLR (issue 11, docs/kaslr.md), used by tools/cairntest.py.

Each boot asks for kaslr=verbose, so the kernel logs where it put the image
("kaslr: image 0x... (slide 0x...)"): boots must differ, nokaslr must give
the link address, each boot path names its entropy source, and a panic under
KASLR must still print a backtrace with function names at moved addresses.
"""
import os
import re
import subprocess

IMAGE = re.compile(r"kaslr: image (0x[0-9a-f]+) \(slide (0x[0-9a-f]+|0)\)")
SOURCE = re.compile(r"kaslr: on, entropy from (\S+);")
FRAME = re.compile(r"^\s+#(\d+) (0x[0-9a-f]+) (\S+)")
BOOT_WAIT = 120


def link_address(root, kernel):
    """_kernel_start as linked, from the ELF's symbol table."""
    out = subprocess.run(["nm", os.path.join(root, kernel)], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    return int(re.search(r"^([0-9a-f]+) \S _kernel_start$", out, re.M).group(1), 16)


def image_of(Boot, mode, path, env):
    """Boot until the kaslr line; (image address, source, log) or (None, None, log)."""
    b = Boot(mode, path, env)
    m = b.wait_for(IMAGE.pattern, BOOT_WAIT)
    b.wait_for(r"cairn: ready", 10)
    b.kill()
    src = next((SOURCE.search(l).group(1) for l in b.lines if SOURCE.search(l)), None)
    return (int(m.group(1), 16) if m else None), src, b.log()


def boots_differ(res, Boot, name, mode, path, env, link, count=3):
    """@count boots: every image moved off the link address, and not all at one place.
    Three boots at one place by chance: about one in a million (1,021 places)."""
    seen = []
    for _ in range(count):
        addr, _, log = image_of(Boot, mode, path, env)
        if addr is None:
            res.add(name, False, "no 'kaslr: image' line\n" + log)
            return
        seen.append(addr)
    why = None
    if link in seen:
        why = "an image at the link address %#x" % link
    elif len(set(seen)) < 2:
        why = "every boot at %#x" % seen[0]
    res.add(name, why is None, " ".join("%#x" % a for a in seen) if why is None else why)


def at_link_address(res, Boot, name, mode, path, env, link):
    addr, _, log = image_of(Boot, mode, path, env)
    off = "kaslr: off" in log
    ok = addr == link and off
    res.add(name, ok, "%#x" % link if ok else "image %s, 'kaslr: off' %s\n%s" % (
        addr and "%#x" % addr, "seen" if off else "missing", log))


def source_is(res, Boot, name, mode, path, env, want):
    addr, src, log = image_of(Boot, mode, path, env)
    res.add(name, src == want and addr is not None,
            "entropy from %s" % src if src == want else "entropy from %s\n%s" % (src, log))


def panic_backtrace(res, Boot, kernel, link):
    """panic-test under KASLR: every frame named, inside the moved image, kmain among them."""
    name = "e2e: a panic under KASLR prints a named backtrace"
    b = Boot("direct", kernel, {"APPEND": "panic-test kaslr=verbose"})
    done = b.wait_for(r"cairn: halted after panic", BOOT_WAIT)
    b.kill()
    m = next((IMAGE.search(l) for l in b.lines if IMAGE.search(l)), None)
    frames = [FRAME.match(l) for l in b.lines if FRAME.match(l)]
    why = None
    if not done or not m:
        why = "no panic report or no kaslr line"
    else:
        base = int(m.group(1), 16)
        pcs = [int(f.group(2), 16) for f in frames]
        names = [f.group(3) for f in frames]
        if base == link:
            why = "the kernel was not moved"
        elif len(frames) < 2 or "?" in names or not any(n.startswith("kmain+") for n in names):
            why = "frames %s" % names
        elif not all(base <= pc < base + (64 << 20) for pc in pcs):
            why = "a frame outside the moved image"
    res.add(name, why is None,
            " ".join(f.group(3) for f in frames) if why is None else why + "\n" + b.log())


def jobs(res, Boot, root, build, tmp, make_image):
    """The KASLR tests as cairntest jobs (callables)."""
    kernel = os.path.join(build, "kernel.elf")
    link = link_address(root, kernel)
    verbose = os.path.join(tmp, "kaslr-verbose.img")
    fixed = os.path.join(tmp, "nokaslr.img")
    make_image(verbose, kernel, "kaslr=verbose")
    make_image(fixed, kernel, "nokaslr kaslr=verbose")
    v = {"APPEND": "kaslr=verbose"}
    return [
        lambda: boots_differ(res, Boot, "e2e: KASLR: direct boots place the kernel apart",
                             "direct", kernel, v, link),
        lambda: boots_differ(res, Boot, "e2e: KASLR: BIOS boots place the kernel apart", "bios",
                             verbose, {}, link),
        lambda: at_link_address(res, Boot, "e2e: nokaslr: kernel at its link address (PVH)",
                                "direct", kernel, {"APPEND": "nokaslr kaslr=verbose"}, link),
        lambda: at_link_address(res, Boot, "e2e: nokaslr: kernel at its link address (UEFI)",
                                "uefi", fixed, {}, link),
        lambda: source_is(res, Boot, "e2e: KASLR on UEFI draws from EFI_RNG_PROTOCOL", "uefi",
                          verbose, {"QEMU_EXTRA": "-device virtio-rng-pci"}, "efi-rng"),
        lambda: source_is(res, Boot, "e2e: KASLR on BIOS with -cpu max draws from RDRAND",
                          "bios", verbose, {"QEMU_CPU": "max"}, "rdrand"),
        lambda: source_is(res, Boot, "e2e: KASLR without RDRAND falls back to TSC jitter",
                          "direct", kernel, v, "tsc-jitter"),
        lambda: panic_backtrace(res, Boot, kernel, link),
    ]
