#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Start QEMU on a Cairn image or kernel: the one place that knows QEMU's
# command line, used by `make run`, `make debug` and the tests.
#
# usage: qemu.sh uefi|bios IMAGE [qemu args...]
#        qemu.sh direct KERNEL_ELF [qemu args...]     (PVH: -kernel)
#        qemu.sh iso ISO [qemu args...]                (GRUB multiboot2)
# environment: CPUS (2), MEM (256M), QEMU_CPU (qemu64), QEMU_EXTRA, GUI=1 (a
# window), DEBUG=1 (halt at start with the gdb stub on :1234), APPEND (kernel
# command line for direct boot), INITRD (an initramfs for direct boot: a PVH
# module for Cairn, the initrd for a Linux bzImage), SERIAL (a QEMU -serial backend; default: the
# terminal, with ^C going to Cairn's shell and Ctrl-A X quitting QEMU),
# DISKS (disks to attach, below).
#
# DISKS="PATH[:virtio|:nvme][:ro][:snap] ..." attaches each raw image PATH, in
# order, as a virtio-blk disk (the default; modern transport only, so vda,
# vdb... on Cairn and on Linux) or as an NVMe controller with one namespace
# (nvme0n1...). :ro makes the disk read-only to the guest; :snap keeps the
# guest's writes in a temporary overlay that QEMU drops at exit. The options
# may come in any order; a PATH holding a colon cannot be named.
#
# The uefi and bios images are attached as a virtio-blk disk (BOOT_DISK=virtio:
# OVMF and SeaBIOS both boot from it, and Cairn sees the image as a disk whose
# partition 2 is the ESP, after the DISKS) or as IDE (BOOT_DISK=ide). The default
# is virtio for uefi and ide for bios, where SeaBIOS's virtio reads make the
# loader several times slower. Their writes go to a throw-away overlay unless
# BOOT_SNAPSHOT=0 (the vfat ESP test, docs/fat.md).
#
# NET chooses the network card (docs/virtio-net.md): one virtio-net device,
# modern transport only, with the MAC address $MAC (default 52:54:00:12:34:56).
#   NET unset or none   no card (what every test without a network uses).
#   NET=user            QEMU's user network (slirp): the guest is 10.0.2.15/24,
#                       the gateway 10.0.2.2 (also the host's 127.0.0.1), DNS
#                       10.0.2.3. HOSTFWD="tcp::8080-:80 ..." forwards host
#                       ports to the guest (space-separated QEMU hostfwd rules).
#   NET=dgram:LPORT:RPORT  Ethernet frames as UDP datagrams from 127.0.0.1:LPORT
#                       to 127.0.0.1:RPORT (two guests, or a guest and the test
#                       relay tools/netrelay.py between them).
set -euo pipefail

mode=$1 file=$2
shift 2
[ -f "$file" ] || { echo "qemu.sh: $file not found (run make first)" >&2; exit 1; }

OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}

args=(-machine q35 -smp "${CPUS:-2}" -m "${MEM:-256M}" -cpu "${QEMU_CPU:-qemu64}"
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04)
if [ -n "${SERIAL:-}" ]; then
	args+=(-serial "$SERIAL")
else
	# The terminal, multiplexed with the monitor (Ctrl-A C), signal=off so that
	# ^C reaches the guest instead of ending QEMU.
	args+=(-chardev stdio,id=con0,mux=on,signal=off -serial chardev:con0
		-mon chardev=con0,mode=readline)
fi
if [ "${GUI:-0}" = 1 ]; then
	args+=(-display "${QEMU_DISPLAY:-gtk}")
else
	args+=(-display none)
fi
[ "${DEBUG:-0}" = 1 ] && args+=(-s -S)

# With standard input closed, QEMU would reuse descriptor 0 for a file of its
# own and lose the serial console: give it an empty input instead.
[ -e /proc/$$/fd/0 ] || exec </dev/null

# Append to args the -drive/-device pair for each entry of $DISKS.
add_disks() {
	local n=0 spec path opts o kind ro snap drive specs
	read -r -a specs <<<"${DISKS:-}"
	for spec in "${specs[@]}"; do
		path=${spec%%:*} kind=virtio ro="" snap=""
		opts=${spec#"$path"}
		IFS=: read -r -a opts <<<"${opts#:}"
		for o in "${opts[@]}"; do
			case $o in
			virtio | nvme) kind=$o ;;
			ro) ro=",readonly=on" ;;
			snap) snap=",snapshot=on" ;;
			*) echo "qemu.sh: DISKS: unknown option :$o in $spec" >&2; exit 2 ;;
			esac
		done
		[ -f "$path" ] || [ -b "$path" ] || { echo "qemu.sh: disk $path not found" >&2; exit 1; }
		drive="if=none,file=$path,format=raw,id=d$n$ro$snap"
		args+=(-drive "$drive")
		if [ "$kind" = nvme ]; then
			args+=(-device "nvme,serial=cairn$n,drive=d$n")
		else
			args+=(-device "virtio-blk-pci,disable-legacy=on,drive=d$n")
		fi
		n=$((n + 1))
	done
}
add_disks

# Append to args the -netdev/-device pair that $NET asks for.
add_net() {
	local net=${NET:-none} mac=${MAC:-52:54:00:12:34:56} netdev rule rules lport rport
	local dev
	case $net in
	none) return ;;
	user)
		netdev="user,id=n0"
		read -r -a rules <<<"${HOSTFWD:-}"
		for rule in "${rules[@]}"; do
			netdev+=",hostfwd=$rule"
		done
		;;
	dgram:*:*)
		IFS=: read -r _ lport rport <<<"$net"
		[[ $lport =~ ^[0-9]+$ && $rport =~ ^[0-9]+$ ]] ||
			{ echo "qemu.sh: NET=dgram:LPORT:RPORT wants two port numbers" >&2; exit 2; }
		netdev="dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=$lport"
		netdev+=",remote.type=inet,remote.host=127.0.0.1,remote.port=$rport"
		;;
	*) echo "qemu.sh: NET must be none, user or dgram:LPORT:RPORT" >&2; exit 2 ;;
	esac
	dev="virtio-net-pci,netdev=n0,disable-legacy=on,mac=$mac"
	args+=(-netdev "$netdev" -device "$dev")
}
add_net

# The uefi/bios image itself, after the DISKS (so those keep the first names).
boot_disk() {
	local snap=",snapshot=on"
	[ "${BOOT_SNAPSHOT:-1}" = 0 ] && snap=""
	args+=(-drive "file=$file,format=raw,if=none,id=disk0$snap")
	case ${BOOT_DISK:-$1} in
	ide) args+=(-device ide-hd,drive=disk0,bootindex=0) ;;
	virtio) args+=(-device virtio-blk-pci,disable-legacy=on,drive=disk0,bootindex=0) ;;
	*) echo "qemu.sh: BOOT_DISK must be virtio or ide" >&2; exit 2 ;;
	esac
}

tmp=""
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT

case $mode in
uefi)
	# A fresh copy of the variable store every run: a stale boot entry
	# would otherwise drop OVMF into its shell.
	tmp=$(mktemp -d)
	cp "$OVMF_VARS" "$tmp/vars.fd"
	args+=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
		-drive "if=pflash,format=raw,file=$tmp/vars.fd")
	boot_disk virtio
	;;
bios)
	boot_disk ide
	;;
direct)
	args+=(-kernel "$file" -append "${APPEND:-}")
	if [ -n "${INITRD:-}" ]; then
		[ -f "$INITRD" ] || { echo "qemu.sh: initrd $INITRD not found" >&2; exit 1; }
		args+=(-initrd "$INITRD")
	fi
	;;
iso)
	args+=(-cdrom "$file")
	;;
*)
	echo "qemu.sh: unknown mode $mode" >&2
	exit 2
	;;
esac

# shellcheck disable=SC2086 # QEMU_EXTRA is a list of arguments
qemu-system-x86_64 "${args[@]}" ${QEMU_EXTRA:-} "$@"
