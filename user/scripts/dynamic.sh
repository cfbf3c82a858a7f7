# SPDX-License-Identifier: MIT
# Dynamically linked programs (issue 13, part 6): Debian's own ls, sort and
# md5sum from coreutils, with the ld.so and the libraries ldd lists, copied
# unchanged from the build machine into the test initramfs by
# tools/usertest.py (DYNAMIC_PROGRAMS). Run by busybox sh through
# user/scripts/tap-script.sh on Cairn and on the Linux baseline; the output
# must be the same byte for byte. Every program starts in the interpreter
# its PT_INTERP names, which maps libc and the others with mmap of the
# files and mprotect. Nothing printed may depend on the kernel: no
# directory sizes or inode numbers, no times but the archive's (1970).
set -u
umask 022
export TZ=UTC LC_ALL=C
top=/tmp/dynsh
rm -rf "$top"
mkdir -p "$top" && cd "$top" || exit 1

section() { echo "== $*"; }

section "md5sum of the programs and of the libraries they load"
/usr/bin/md5sum /usr/bin/ls /usr/bin/sort /usr/bin/md5sum /lib64/ld-linux-x86-64.so.2
for lib in $(/usr/bin/ls /lib/x86_64-linux-gnu); do
	/usr/bin/md5sum "/lib/x86_64-linux-gnu/$lib"
done
/usr/bin/md5sum < /usr/bin/sort
echo "md5sum -c: $(/usr/bin/md5sum /usr/bin/ls > sums && /usr/bin/md5sum -c sums)"

section "ls"
/usr/bin/ls -l /usr/bin
/usr/bin/ls -1 /lib/x86_64-linux-gnu /lib64
/usr/bin/ls -d /usr/bin /lib64 /nonexistent 2> err; echo "status $?"; cat err
/usr/bin/ls -lR --time-style=+%Y /s | grep -v '^total'

section "sort"
/usr/bin/sort /s/diff.sh | /usr/bin/md5sum
/usr/bin/sort -r -u /s/diff.sh
printf '10 b\n9 a\n100 c\n9 b\n' | /usr/bin/sort -n -k1,1 -k2,2r
printf 'b\na\nc\n' > f1
/usr/bin/sort -o f2 f1 && cat f2
/usr/bin/sort -c f1; echo "sort -c status $?"

section "a pipeline of the three"
/usr/bin/ls /usr/bin /lib/x86_64-linux-gnu | /usr/bin/sort -r | /usr/bin/md5sum
cd / && rm -rf "$top"
echo "done"
