#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build a GRUB 2 rescue ISO that boots the kernel ELF through multiboot2,
# proving that an ordinary multiboot2 loader can start Cairn.
# usage: mkiso.sh OUT KERNEL [CMDLINE]
set -euo pipefail
out=$1 kernel=$2 cmdline=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/iso/boot/grub"
cp "$kernel" "$tmp/iso/boot/kernel.elf"
cat > "$tmp/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry "Cairn" {
	multiboot2 /boot/kernel.elf $cmdline
	boot
}
CFG
grub-mkrescue -d /usr/lib/grub/i386-pc -o "$out" "$tmp/iso" 2> "$tmp/log" || { cat "$tmp/log" >&2; exit 1; }
