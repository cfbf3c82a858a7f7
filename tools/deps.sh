#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian packages Cairn needs to build, run and test, if any is
# missing. Quiet when everything is there already; uses sudo when not root.
set -euo pipefail

packages=(
	build-essential binutils make python3 gdb   # toolchain
	gnu-efi                                     # UEFI headers, crt0 and linker script
	mtools gdisk dosfstools                     # disk image
	qemu-system-x86 ovmf seabios                # emulator and firmware
	grub-pc-bin grub-common xorriso             # multiboot2 test ISO
	libcmocka-dev                               # host unit tests
	console-setup-linux                         # Terminus PSF font for the framebuffer
	acpica-tools                                # iasl, for ACPI table tests
	clang clang-format                          # make check (second compiler, format), make fuzz
	musl-tools                                  # user programs: musl-gcc -static
	e2fsprogs                                   # make run's data disk (mke2fs), disk benchmarks
	coreutils libc-bin                          # dynamically linked ls/sort/md5sum and ldd (docs/dynamic.md)
	apache2-utils curl                          # make bench: the network figures (ab, curl; tools/netbench.py)
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
