# SPDX-License-Identifier: MIT
# The differential shell script of issue 12: run by busybox sh on Cairn and
# on the Linux baseline (user/scripts/tap-script.sh wraps it), its output
# must be the same byte for byte. It exercises sh itself (arithmetic,
# functions, loops, case, here-documents, subshells, traps, redirections),
# sed, awk, sort, uniq, find, xargs, tar, gzip, md5sum, date arithmetic,
# printf and test. Nothing it prints may depend on the kernel: no times of
# now, pids, inode numbers, block counts or directory order (find and tar
# listings are sorted; tar's and gzip's own bytes carry times, so only what
# comes back out of them is compared).
set -u
umask 022
export TZ=UTC LC_ALL=C
top=/tmp/diffsh
rm -rf "$top"
mkdir -p "$top" && cd "$top" || exit 1

section() { echo "== $*"; }

section "arithmetic and parameters"
i=0 sum=0
while [ $i -lt 100 ]; do i=$((i + 1)); sum=$((sum + i * i)); done
echo "sum of squares 1..100 = $sum"
echo "hex $((0x1f)) octal $((010)) shifts $((1 << 20 >> 3)) mod $((-7 % 3)) ternary $((3 > 2 ? 5 : 6))"
s="path/to/some/file.tar.gz"
echo "${s##*/} ${s%%/*} ${s#*.} ${s%.*} ${#s}"
unset undefined_var
echo "default=${undefined_var:-fallback} alt=${s:+set}"
set -- one "two words" three
echo "argc=$# first=$1 second=$2 all=$*"
for a in "$@"; do printf '<%s>' "$a"; done; echo
shift 2; echo "after shift: $# $1"

section "functions, case and loops"
fact() { if [ "$1" -le 1 ]; then echo 1; else echo $(($1 * $(fact $(($1 - 1))))); fi; }
echo "10! = $(fact 10)"
classify() {
	case "$1" in
	[0-9]*) echo "$1: number" ;;
	*.txt | *.md) echo "$1: text" ;;
	-*) echo "$1: option" ;;
	*) echo "$1: other" ;;
	esac
}
for w in 42 notes.txt README.md -v word; do classify "$w"; done
n=0; until [ $n -ge 5 ]; do n=$((n + 1)); [ $n -eq 3 ] && continue; printf '%d ' $n; done; echo
for x in a b c d e; do [ $x = d ] && break; printf '%s' $x; done; echo
count_args() { local c=$#; echo "local count $c"; }
count_args 1 2 3 4

section "test"
touch empty; printf 'data\n' > full; mkdir -p dir; ln -s full link
for f in empty full dir link missing; do
	r=""
	[ -e $f ] && r="${r}e"; [ -f $f ] && r="${r}f"; [ -d $f ] && r="${r}d"
	[ -s $f ] && r="${r}s"; [ -L $f ] && r="${r}L"; [ -r $f ] && r="${r}r"
	echo "$f: ${r:-none}"
done
[ 10 -gt 9 ] && [ abc \< abd ] && [ -n "x" ] && [ -z "" ] && echo "comparisons ok"
[ full -nt missing ] || echo "-nt with a missing file is false"
test "a" = "b" || echo "test a = b is false"

section "printf"
printf '%5d|%-5d|%05d|%x|%X|%o\n' 42 42 42 255 255 8
printf '%s=%s\n' a 1 b 2 c 3
printf '%.3f %e %g\n' 3.14159265 12345.678 0.0001
printf '%c%c%c\n' x y z
printf '[%10s][%-10s][%.2s]\n' right left truncate
printf 'escapes: \\ \t| \101 \n'

section "redirections"
echo first > out.txt
echo second >> out.txt
cat < out.txt
{ echo to-stdout; echo to-stderr >&2; } > both.txt 2>&1
cat both.txt
echo gone > /dev/null && echo "/dev/null swallowed it"
exec 3> fd3.txt; echo "via fd 3" >&3; exec 3>&-
cat fd3.txt
exec 4< out.txt; read -r line <&4; echo "read from fd 4: $line"; exec 4<&-
ls missing-file 2> err.txt || echo "ls failed, stderr has $(wc -l < err.txt) line"
echo noclobber > nc.txt; (set -C; echo again > nc.txt) 2>/dev/null || echo "noclobber refused"

section "here-documents"
name=world
cat <<EOF
hello $name
sum is $((2 + 3))
EOF
cat <<'EOF'
no $expansion here
EOF
cat <<-EOF
	leading tabs stripped
	EOF
while read -r k v; do echo "key=$k value=$v"; done <<EOF
alpha 1
beta 2
gamma 3
EOF

section "subshells and command substitution"
v=outer
(v=inner; echo "in subshell: $v")
echo "after subshell: $v"
(cd dir && pwd | sed "s|$top|TOP|")
echo "still in $(pwd | sed "s|$top|TOP|")"
x=$(echo nested $(echo deeper $(echo deepest)))
echo "$x"
(exit 7); echo "subshell status $?"
false | true; echo "pipeline status $?"
! false && echo "negated false is true"

section "traps"
( trap 'echo "exit trap ran"' EXIT; echo "in the trapping subshell" )
trap 'echo "caught USR1"' USR1
kill -USR1 $$
echo "after USR1"
trap - USR1
( trap 'echo "caught TERM"; exit 3' TERM; sh -c 'kill -TERM $PPID'; echo not-here )
echo "TERM subshell status $?"
( trap '' INT; sh -c 'kill -INT $PPID'; echo "ignored INT, still running" )
( trap 'echo "HUP then exit trap"' HUP EXIT; sh -c 'kill -HUP $PPID'; echo "after HUP" )
trap 'echo "trap on ERR-free exit"' EXIT
trap - EXIT

section "sed"
printf 'one two three\nfour five six\nseven eight nine\n' > words.txt
sed 's/o/0/g' words.txt
sed -n '2p' words.txt
sed '/five/d' words.txt
sed -e 's/\([a-z]*\) \([a-z]*\)/\2 \1/' words.txt
sed '1i\
header' words.txt | head -n 2
sed -n '$=' words.txt
sed 'y/abcdefghijklmnopqrstuvwxyz/ABCDEFGHIJKLMNOPQRSTUVWXYZ/' words.txt | tail -n 1

section "awk"
awk '{ print NF, $NF, length($0) }' words.txt
awk 'BEGIN { for (i = 1; i <= 5; i++) s += i * i; printf "%d %.2f\n", s, s / 5 }'
printf 'b 2\na 1\nb 3\nc 5\na 4\n' | awk '{ t[$1] += $2 } END { for (k in t) print k, t[k] }' | sort
awk -F: 'BEGIN { OFS = "-" } { $1 = $1; print }' <<EOF
x:y:z
1:2:3
EOF
echo "3 4" | awk '{ print $1 * $2, $2 % $1, int(7 / 2), substr("abcdef", 2, 3), toupper("mixed") }'
awk 'BEGIN { n = split("a,b,c,d", parts, ","); print n, parts[4]; print index("hello", "ll") }'

section "sort and uniq"
printf '%s\n' pear apple fig apple banana fig fig > fruit.txt
sort fruit.txt | uniq
sort fruit.txt | uniq -c | sed 's/^ *//'
sort -r fruit.txt | head -n 3
sort fruit.txt | uniq -d
printf '10\n9\n100\n1\n' | sort -n
printf 'b 2\na 10\nc 1\n' | sort -k2,2n
printf 'x\nX\ny\n' | sort -f

section "find and xargs"
mkdir -p tree/a/b/c tree/d
for f in tree/a/one.txt tree/a/b/two.txt tree/a/b/c/three.log tree/d/four.txt tree/five.log; do
	echo "$f" > "$f"
done
find tree -type f | sort
find tree -name '*.log' | sort
find tree -type d | sort | wc -l
find tree -type f -name '*.txt' | sort | xargs cat
find tree -type f | sort | xargs -n 2 echo pair:
echo a b c d e | xargs -n 1 | sort -r | tr '\n' ' '; echo
find tree -newer tree/five.log -type f | wc -l | sed 's/ //g' > /dev/null && echo "find -newer ran"

section "md5sum"
printf 'The quick brown fox jumps over the lazy dog' > fox.txt
md5sum fox.txt
printf '' | md5sum
seq 1 1000 | md5sum
md5sum fox.txt > sums.txt && md5sum -c sums.txt

section "gzip"
seq 1 5000 > numbers.txt
gzip -c numbers.txt > numbers.gz
gzip -dc numbers.gz | md5sum
md5sum numbers.txt
gzip -t numbers.gz && echo "gzip -t ok"
cp numbers.txt again.txt && gzip again.txt && [ -f again.txt.gz ] && [ ! -e again.txt ] && echo "gzip replaced the file"
gunzip again.txt.gz && cmp again.txt numbers.txt && echo "gunzip restored it"

section "tar"
tar cf tree.tar tree
tar tf tree.tar | sort
mkdir unpack && tar xf tree.tar -C unpack
(cd unpack && find . -type f | sort | xargs md5sum)
tar czf tree.tgz tree && mkdir unpack2 && tar xzf tree.tgz -C unpack2
diff -r tree unpack2/tree && echo "tar czf/xzf round trip equal"

section "date arithmetic"
date -u -d @0 '+%Y-%m-%d %H:%M:%S %A'
date -u -d @1700000000 '+%Y-%m-%d %H:%M:%S %j %U'
date -u -d @$((1700000000 + 86400 * 45)) '+%F %a'
d1=$(date -u -d '2024-02-28 12:00:00' +%s); d2=$(date -u -d '2024-03-01 12:00:00' +%s)
echo "days between: $(( (d2 - d1) / 86400 )) (2024 is a leap year)"
date -u -d '1999-12-31 23:59:59' +%s
date -u -d @$(( $(date -u -d '2000-01-01' +%s) - 1 )) '+%Y-%m-%d %T'

section "files and text tools"
printf 'c\nb\na\n' > abc.txt
cut -c1-3 words.txt
tr 'a-z' 'A-Z' < abc.txt | tr '\n' ' '; echo
head -c 7 words.txt; echo
wc -l < words.txt; wc -w < words.txt; wc -c < words.txt
tail -n +2 words.txt
paste abc.txt fruit.txt | head -n 3
tac abc.txt | tr '\n' ' '; echo
od -An -tx1 fox.txt | head -n 1 | sed 's/^ *//'
cp words.txt copy.txt && mv copy.txt moved.txt && [ ! -e copy.txt ] && cmp words.txt moved.txt && echo "cp and mv ok"
ln moved.txt hard.txt && echo "link count $(stat -c %h moved.txt)"
chmod 640 moved.txt && stat -c '%a %F' moved.txt
mkfifo fifo && stat -c '%F' fifo
readlink link; realpath link | sed "s|$top|TOP|"
basename /a/b/c.txt .txt; dirname /a/b/c.txt
expr 6 \* 7; expr length "hello"

section "loops over data"
total=0
while IFS=: read -r user id; do total=$((total + id)); echo "$user has $id"; done <<EOF
alice:3
bob:5
carol:7
EOF
echo "total $total"
IFS=, read -r a b c <<EOF
x,y,z
EOF
echo "$c$b$a"
for f in $(seq 3); do echo "line $f"; done | sed -n '2,3p'

section "cleanup"
cd / && rm -rf "$top" && [ ! -e "$top" ] && echo "scratch removed"
echo "done"
