# SPDX-License-Identifier: MIT
# Run a differential shell script (user/scripts/*.sh) under busybox sh and
# report it as TAP for tools/usertest.py: the script's output (stdout and
# stderr, kept in a file so that no pipe or kernel log line can interleave)
# is printed with "| " before each line, which the runner compares with
# Linux's byte for byte, then two test points.
#   busybox sh tap-script.sh SCRIPT
# The applets are linked into a scratch bin/ first: the test initramfs
# holds only /bin/busybox.
bb=/bin/busybox
$bb mkdir -p /tmp/bb || exit 1
for a in $($bb --list); do
	[ -e /tmp/bb/$a ] || $bb ln -s $bb /tmp/bb/$a
done
PATH=/tmp/bb:/bin
export PATH
out=/tmp/tap-script.out
sh "$1" > $out 2>&1
status=$?
sed 's/^/| /' $out
echo "1..2"
if [ $status -eq 0 ]; then echo "ok 1 - $1 exits 0"; else echo "not ok 1 - $1 exits $status"; fi
n=$(wc -l < $out)
if [ "$n" -ge 200 ]; then echo "ok 2 - it printed $n lines"; else echo "not ok 2 - it printed only $n lines"; fi
rm -f $out
