# SPDX-License-Identifier: MIT
# The block layer from busybox (issue 13), run by busybox sh on Cairn and on
# the Linux baseline (user/scripts/tap-script.sh wraps it); the output must
# be the same byte for byte. An image file is made with busybox's mke2fs,
# bound with losetup, asked its sizes with blockdev, mounted, written,
# unmounted, detached, then mounted again with mount -o loop (which binds
# and, at umount, frees a loop device itself) and read back. devtmpfs is
# mounted on /dev first (Linux's initramfs has no loop nodes otherwise).
set -u
umask 022
export LC_ALL=C
top=/tmp/blockdev
rm -rf "$top"
mkdir -p "$top/mnt" && cd "$top" || exit 1
mount -t devtmpfs devtmpfs /dev || exit 1

echo "== an image and a loop device"
dd if=/dev/zero of=img bs=1024 count=8192 2>/dev/null
mke2fs -F img 8192 > /dev/null 2>&1 || echo "mke2fs failed"
losetup /dev/loop0 img && echo "bound /dev/loop0"
losetup /dev/loop0 img 2>/dev/null || echo "binding it again fails"
echo "size $(blockdev --getsize64 /dev/loop0) sectors $(blockdev --getsz /dev/loop0)"
echo "sector size $(blockdev --getss /dev/loop0) read-only $(blockdev --getro /dev/loop0)"

echo "== mounted from the loop device"
mount -t ext2 /dev/loop0 mnt && echo "mounted"
echo "hello through a loop device" > mnt/a.txt
mkdir mnt/d
i=1
while [ $i -le 240 ]; do echo "line $i of a file on ext2 on a loop device"; i=$((i + 1)); done > mnt/d/lines.txt
sync
umount mnt && echo "unmounted"
losetup -d /dev/loop0 && echo "detached"
losetup -d /dev/loop0 2>/dev/null || echo "detaching it again fails"

echo "== mount -o loop"
mount -o loop -t ext2 img mnt && echo "mounted with -o loop"
cat mnt/a.txt
ls mnt mnt/d
cat mnt/d/lines.txt
md5sum mnt/d/lines.txt | cut -d' ' -f1
umount mnt && echo "unmounted"
# The loop device mount -o loop took is free again (autoclear).
losetup /dev/loop0 img && echo "loop0 is free again" && losetup -d /dev/loop0
umount /dev
cd / && rm -rf "$top"
echo "== done"
