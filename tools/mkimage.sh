#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the Cairn disk image: a GPT disk that boots on UEFI and on BIOS.
#   LBA 0        protective MBR; its first 440 bytes are our MBR boot code
#   LBA 34-2047  BIOS boot partition (EF02) holding stage 2
#   LBA 2048-    EFI system partition (EF00), FAT32: EFI/BOOT/BOOTX64.EFI,
#                cairn/kernel.elf, cairn/cmdline and cairn/initrd if given
# Built from files with sgdisk, mkfs.fat, mtools and dd: no root, no loop devices.
#
# usage: mkimage.sh OUT KERNEL UEFI_LOADER MBR STAGE2 [--cmdline TEXT] [--initrd FILE] [--size MiB]
#        [--no-kernel]
set -euo pipefail

out=$1 kernel=$2 efi=$3 mbr=$4 stage2=$5
shift 5
cmdline="" initrd="" size_mib=64 no_kernel=0
while [ $# -gt 0 ]; do
	case $1 in
	--cmdline) cmdline=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--size) size_mib=$2; shift 2 ;;
	--no-kernel) no_kernel=1; shift ;; # for testing the loaders' error path
	*) echo "mkimage: unknown option $1" >&2; exit 2 ;;
	esac
done

for f in "$efi" "$mbr" "$stage2" $([ "$no_kernel" = 1 ] || echo "$kernel"); do
	[ -f "$f" ] || { echo "mkimage: missing $f" >&2; exit 1; }
done

# MBR patch area (boot/bios/mbr.S, docs/bios-boot.md).
STAGE2_LBA=34
BIOS_PART_END=2047
MBR_LBA_OFFSET=424   # uint64 LE: first LBA of stage 2
MBR_COUNT_OFFSET=432 # uint16 LE: stage 2 sectors
ESP_START=2048

stage2_sectors=$(( ($(stat -c %s "$stage2") + 511) / 512 ))
if [ "$stage2_sectors" -gt $((BIOS_PART_END - STAGE2_LBA + 1)) ] || [ "$stage2_sectors" -gt 240 ]; then
	echo "mkimage: stage 2 too large ($stage2_sectors sectors)" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
img=$tmp/disk.img
truncate -s "${size_mib}M" "$img"

# sgdisk -q can silently write nothing, so check the table it wrote.
sgdisk -o -a 1 -n 1:${STAGE2_LBA}:${BIOS_PART_END} -t 1:EF02 -c 1:"BIOS boot" \
	-a 2048 -n 2:${ESP_START}:0 -t 2:EF00 -c 2:"EFI system" "$img" > "$tmp/sgdisk.log"
esp_end=$(sgdisk -i 2 "$img" | sed -n 's/^Last sector: \([0-9]*\).*/\1/p')
[ -n "$esp_end" ] || { cat "$tmp/sgdisk.log" >&2; echo "mkimage: GPT not written" >&2; exit 1; }
esp_sectors=$((esp_end - ESP_START + 1))

# The ESP as its own file, then placed into the disk.
esp=$tmp/esp.img
truncate -s $((esp_sectors * 512)) "$esp"
mkfs.fat -F 32 -s 1 -n CAIRN "$esp" > /dev/null
mmd -i "$esp" ::EFI ::EFI/BOOT ::cairn
mcopy -i "$esp" "$efi" ::EFI/BOOT/BOOTX64.EFI
[ "$no_kernel" = 1 ] || mcopy -i "$esp" "$kernel" ::cairn/kernel.elf
if [ -n "$cmdline" ]; then
	printf '%s\n' "$cmdline" > "$tmp/cmdline"
	mcopy -i "$esp" "$tmp/cmdline" ::cairn/cmdline
fi
[ -z "$initrd" ] || mcopy -i "$esp" "$initrd" ::cairn/initrd
dd if="$esp" of="$img" bs=512 seek=$ESP_START conv=notrunc status=none

# Stage 2 into the BIOS boot partition; MBR code patched with where it is.
dd if="$stage2" of="$img" bs=512 seek=$STAGE2_LBA conv=notrunc status=none
head -c 440 "$mbr" > "$tmp/mbr"
le() { # value bytes: little-endian binary
	local v=$1 n=$2 i
	for ((i = 0; i < n; i++)); do
		printf "\\x$(printf %02x $(( (v >> (8 * i)) & 255 )))"
	done
}
le $STAGE2_LBA 8 | dd of="$tmp/mbr" bs=1 seek=$MBR_LBA_OFFSET conv=notrunc status=none
le "$stage2_sectors" 2 | dd of="$tmp/mbr" bs=1 seek=$MBR_COUNT_OFFSET conv=notrunc status=none
dd if="$tmp/mbr" of="$img" bs=1 count=440 conv=notrunc status=none

mv "$img" "$out"
