#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Make the ACPI table images that tests/host/test_acpi_*.c read: dump the
# tables QEMU's firmware really builds, and compile the hand-written ASL
# sources with iasl. The outputs are committed, so the host tests need
# neither QEMU nor iasl; run this again after a QEMU or firmware upgrade.
#
# usage: tools/acpi-dump.sh [all|dump|asl] [OUTDIR]   (default: all tests/data/acpi)
#
# Dumping: QEMU starts with no disk and no NIC, its HMP monitor on a Unix
# socket. The firmware builds the tables and then fails to boot, which is
# fine. The script stops the guest, saves all of guest RAM with `pmemsave`,
# finds the RSDP (SeaBIOS: the BIOS area 0xE0000-0xFFFFF, ACPI 6.5 5.2.5.1;
# OVMF: the ACPI 2.0 entry of the UEFI system table's configuration table,
# 5.2.5.2), follows the RSDT/XSDT and the FADT's DSDT/FACS pointers and
# writes each table to OUTDIR/<machine>-<firmware>/<SIG>.bin (SIG-2.bin for a
# second instance), the RSDP to rsdp.bin, and an index.txt of
# "<physical address> <file>" lines plus "# key: value" notes (-smp, -m ...).
# It polls until two dumps in a row agree, so a firmware still installing
# tables is never caught half-way.
set -euo pipefail

what=${1:-all}
out=${2:-tests/data/acpi}
cd "$(dirname "$0")/.."

dump() {
	python3 - "$out" <<'EOF'
import os, socket, struct, subprocess, sys, tempfile, time, zlib, shutil

OUT = sys.argv[1]
SMP, MEM_MB = 2, 256
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
CONFIGS = [("q35", "seabios"), ("pc", "seabios"), ("q35", "ovmf"), ("pc", "ovmf")]
ACPI20_GUID = bytes.fromhex("71e86888f1e4d311bc220080c73c8881")  # 8868e871-e4f1-11d3-bc22-0080c73c8881


def csum_ok(b):
    return sum(b) & 0xff == 0


class Monitor:
    def __init__(self, path):
        for _ in range(100):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("acpi-dump: cannot reach the QEMU monitor")
        self.read_prompt()

    def read_prompt(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            chunk = self.s.recv(4096)
            if not chunk:
                raise SystemExit("acpi-dump: QEMU monitor closed")
            buf += chunk
        return buf

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\n")
        return self.read_prompt()


def find_rsdp_bios(mem):
    """ACPI 6.5 5.2.5.1: 16-byte boundaries in 0xE0000-0xFFFFF."""
    for a in range(0xE0000, 0x100000, 16):
        if mem[a:a + 8] == b"RSD PTR " and csum_ok(mem[a:a + 20]):
            return a
    return None


def find_rsdp_uefi(mem):
    """Find the EFI system table ("IBI SYST", header CRC32 checked) and its
    ACPI 2.0 configuration table entry (UEFI 2.10, 4.3 and 4.6)."""
    found = set()
    pos = 0
    while True:
        pos = mem.find(b"IBI SYST", pos)
        if pos < 0:
            break
        a, pos = pos, pos + 8
        if a % 8:
            continue
        hsize, crc = struct.unpack_from("<II", mem, a + 12)
        if hsize < 120 or a + hsize > len(mem):
            continue
        hdr = bytearray(mem[a:a + hsize])
        hdr[16:20] = b"\0\0\0\0"
        if zlib.crc32(hdr) & 0xffffffff != crc:
            continue
        n, tab = struct.unpack_from("<QQ", mem, a + 104)
        for i in range(min(n, 64)):
            e = tab + 24 * i
            if e + 24 > len(mem):
                break
            if mem[e:e + 16] == ACPI20_GUID:
                found.add(struct.unpack_from("<Q", mem, e + 16)[0])
    if len(found) != 1:
        raise SystemExit("acpi-dump: %d ACPI 2.0 RSDPs in UEFI system tables" % len(found))
    return found.pop()


def grab_table(mem, addr, want=None):
    if addr == 0 or addr + 36 > len(mem):
        raise SystemExit("acpi-dump: table at %#x outside RAM" % addr)
    sig = mem[addr:addr + 4].decode("latin-1")
    if want and sig != want:
        raise SystemExit("acpi-dump: %s expected at %#x, found %r" % (want, addr, sig))
    length = struct.unpack_from("<I", mem, addr + 4)[0]
    data = mem[addr:addr + length]
    if sig != "FACS" and not csum_ok(data):
        raise SystemExit("acpi-dump: %s at %#x checksum bad" % (sig, addr))
    return sig, data


def collect(mem, rsdp):
    """Return [(addr, name, bytes)] for the RSDP and every table it reaches."""
    rev = mem[rsdp + 15]
    rlen = 20 if rev < 2 else struct.unpack_from("<I", mem, rsdp + 20)[0]
    if rev >= 2 and not csum_ok(mem[rsdp:rsdp + rlen]):
        raise SystemExit("acpi-dump: RSDP extended checksum bad")
    out = [(rsdp, "RSDP", mem[rsdp:rsdp + rlen])]
    roots = [(struct.unpack_from("<I", mem, rsdp + 16)[0], "RSDT", 4)]
    if rev >= 2:
        roots.append((struct.unpack_from("<Q", mem, rsdp + 24)[0], "XSDT", 8))
    seen = {}
    for addr, sig, width in roots:
        if addr == 0:
            continue
        _, data = grab_table(mem, addr, sig)
        out.append((addr, sig, data))
        for off in range(36, len(data), width):
            seen.setdefault(int.from_bytes(data[off:off + width], "little"), None)
    for addr in list(seen):
        sig, data = grab_table(mem, addr)
        out.append((addr, sig, data))
        if sig == "FACP":
            flen = len(data)
            facs, dsdt = struct.unpack_from("<II", data, 36)
            if flen >= 148:
                xfacs, xdsdt = struct.unpack_from("<QQ", data, 132)
                facs, dsdt = xfacs or facs, xdsdt or dsdt
            for a, s in ((dsdt, "DSDT"), (facs, "FACS")):
                if a and a not in seen:
                    seen[a] = None
                    out.append((a,) + grab_table(mem, a, s))
    return out


def run_once(machine, fw, tmp):
    sock = os.path.join(tmp, "mon.sock")
    args = ["qemu-system-x86_64", "-machine", machine, "-smp", str(SMP),
            "-m", "%dM" % MEM_MB, "-cpu", "qemu64", "-display", "none",
            "-nodefaults", "-net", "none", "-serial", "none", "-no-reboot",
            "-monitor", "unix:%s,server=on,wait=off" % sock]
    if fw == "ovmf":
        vars_ = os.path.join(tmp, "vars.fd")
        shutil.copy(OVMF_VARS, vars_)
        args += ["-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                 "-drive", "if=pflash,format=raw,file=" + vars_]
    qemu = subprocess.Popen(args, stdin=subprocess.DEVNULL, cwd=tmp)
    try:
        mon = Monitor(sock)
        ram = os.path.join(tmp, "ram.bin")
        last = None
        deadline = time.time() + 120
        while time.time() < deadline:
            time.sleep(2 if fw == "ovmf" else 1)
            mon.cmd("stop")
            # A relative name: HMP would read "/tmp" after the size as a division.
            r = mon.cmd("pmemsave 0 %#x ram.bin" % (MEM_MB << 20))
            if not os.path.exists(ram):
                raise SystemExit("acpi-dump: pmemsave failed: %r" % r)
            with open(ram, "rb") as f:
                mem = f.read()
            mon.cmd("cont")
            try:
                rsdp = find_rsdp_bios(mem) if fw == "seabios" else find_rsdp_uefi(mem)
                tables = collect(mem, rsdp) if rsdp is not None else None
            except SystemExit as e:
                print("  not yet:", e)
                tables = None
            if tables and tables == last:
                return tables
            last = tables
        raise SystemExit("acpi-dump: %s-%s: tables never settled" % (machine, fw))
    finally:
        qemu.kill()
        qemu.wait()


def write(machine, fw, tables):
    d = os.path.join(OUT, "%s-%s" % (machine, fw))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    ver = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                         text=True).stdout.splitlines()[0]
    lines = ["# ACPI tables of QEMU -machine %s with %s, made by tools/acpi-dump.sh" % (machine, fw),
             "# qemu: %s" % ver,
             "# machine: %s" % machine, "# firmware: %s" % fw,
             "# smp: %d" % SMP, "# mem: %dM" % MEM_MB, "# cpu: qemu64",
             "# Each line: the physical address of a table and the file holding its bytes."]
    count = {}
    for addr, sig, data in tables:
        count[sig] = count.get(sig, 0) + 1
        name = "rsdp.bin" if sig == "RSDP" else \
            "%s.bin" % sig if count[sig] == 1 else "%s-%d.bin" % (sig, count[sig])
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        lines.append("%#010x %s" % (addr, name))
    with open(os.path.join(d, "index.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("%s-%s: %s" % (machine, fw, " ".join(s for _, s, _ in tables)))


for machine, fw in CONFIGS:
    with tempfile.TemporaryDirectory() as tmp:
        write(machine, fw, run_once(machine, fw, tmp))
EOF
}

# Compile the ASL sources: data tables (.dsl, the iasl data table language)
# and definition blocks (.asl), each to OUTDIR/iasl/<name>.aml.
asl() {
	command -v iasl > /dev/null || { echo "acpi-dump: iasl missing (tools/deps.sh)" >&2; exit 1; }
	mkdir -p "$out/iasl"
	tmp=$(mktemp -d)
	for src in "$out"/src/*.dsl "$out"/src/*.asl; do
		[ -e "$src" ] || continue
		name=$(basename "${src%.*}")
		iasl -ve -p "$tmp/$name" "$src" > "$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
		cp "$tmp/$name.aml" "$out/iasl/$name.aml"
		echo "iasl: $name.aml ($(stat -c %s "$out/iasl/$name.aml") bytes)"
	done
	rm -rf "$tmp"
}

case $what in
all) dump; asl ;;
dump) dump ;;
asl) asl ;;
*) echo "usage: $0 [all|dump|asl] [OUTDIR]" >&2; exit 2 ;;
esac
