#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetch the two Debian packages the user-program tests run beside Cairn:
# Debian's own Linux kernel (the baseline that tools/linux-baseline boots) and
# busybox-static (glibc, unchanged). Each is downloaded with `apt-get download`
# and unpacked with `dpkg -x` under BUILD/debs; nothing is installed on the
# host. Prints nothing when everything is already there.
#
# Debian builds the disk drivers and file systems as modules; the ones the
# disk tests and benchmarks need on the baseline (virtio-blk, NVMe, ext4
# for ext2, vfat, virtio-net for the network tests and benchmarks) are kept
# with their dependencies under BUILD/debs/modules, and
# BUILD/debs/modules/load lists them in an order insmod accepts
# (dependencies first; user/init/testinit.c loads them). Debian's kernel
# has no CONFIG_IP_PNP, so it ignores ip=: the baseline's init configures
# eth0 itself (docs/virtio-net.md).
#
# usage: tools/fetch-debs.sh [BUILD]      (default: build)
# output: BUILD/debs/vmlinuz, BUILD/debs/busybox, BUILD/debs/modules/
set -euo pipefail

build=${1:-build}
dir=$build/debs
# The modules the baseline loads (with their dependencies, found below).
MODULES="virtio_pci virtio_blk virtio_net nvme ext4 vfat nls_cp437 nls_iso8859-1 nls_utf8 crc32c_generic loop"
# Done already when every module is in the list (a list from an older MODULES is made again).
modules_done() {
	[ -f "$dir/modules/load" ] || return 1
	for m in $MODULES; do
		grep -q -- "-${m//-/_}.ko\$" "$dir/modules/load" || return 1
	done
}
[ -f "$dir/vmlinuz" ] && [ -f "$dir/busybox" ] && modules_done && exit 0
mkdir -p "$dir"

fail() {
	echo "fetch-debs: $*" >&2
	echo "fetch-debs: the Linux baseline and busybox need Debian's package servers" \
		"(offline?); the user tests cannot run without them" >&2
	exit 1
}

# The real kernel package behind the linux-image-amd64 metapackage, e.g.
# linux-image-6.1.0-57-amd64. An empty answer means apt's lists are missing
# (a fresh machine): read them once and ask again.
kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

pkg=$(kernel_package)
if [ -z "$pkg" ]; then
	apt-get update -qq >/dev/null 2>&1 || fail "apt-get update failed"
	pkg=$(kernel_package)
fi
[ -n "$pkg" ] || fail "cannot resolve the package behind linux-image-amd64"

# Download into a scratch folder so that a half-fetched .deb never looks done.
tmp=$(mktemp -d "$dir/fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for p in "$pkg" busybox-static; do
	ls "$dir"/"${p}"_*.deb >/dev/null 2>&1 && continue
	echo "fetch-debs: downloading $p" >&2
	(cd "$tmp" && apt-get download -q "$p" >/dev/null 2>&1) || fail "apt-get download $p failed"
	mv "$tmp"/*.deb "$dir"/
done

rm -rf "$tmp"/root && mkdir "$tmp"/root
dpkg -x "$(ls "$dir"/"${pkg}"_*.deb | tail -n 1)" "$tmp"/root
dpkg -x "$(ls "$dir"/busybox-static_*.deb | tail -n 1)" "$tmp"/root
cp "$(ls "$tmp"/root/boot/vmlinuz-* | head -n 1)" "$dir/vmlinuz.part" && mv "$dir/vmlinuz.part" "$dir/vmlinuz"
cp "$tmp"/root/bin/busybox "$dir/busybox.part" && mv "$dir/busybox.part" "$dir/busybox"

# The modules and everything they depend on (each .ko's "depends=" field;
# the package ships no modules.dep), dependencies first.
rm -rf "$dir/modules.part" && mkdir "$dir/modules.part"
python3 - "$tmp"/root/lib/modules/*/kernel "$dir/modules.part" $MODULES <<'PY'
import os, re, shutil, sys
tree, out, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]
paths = {}
for d, _, files in os.walk(tree):
    for f in files:
        if f.endswith(".ko"):
            paths[f[:-3].replace("-", "_")] = os.path.join(d, f)
order = []
def visit(name):
    name = name.replace("-", "_")
    if name in order:
        return
    with open(paths[name], "rb") as f:
        m = re.search(rb"\0depends=([^\0]*)\0", f.read())
    for dep in (m.group(1).decode().split(",") if m and m.group(1) else []):
        visit(dep)
    order.append(name)
for w in wanted:
    visit(w)
with open(os.path.join(out, "load"), "w") as f:
    for i, name in enumerate(order):
        dst = "%02d-%s.ko" % (i, name)
        shutil.copy(paths[name], os.path.join(out, dst))
        f.write(dst + "\n")
PY
rm -rf "$dir/modules" && mv "$dir/modules.part" "$dir/modules"
echo "$pkg" > "$dir/kernel-package"
