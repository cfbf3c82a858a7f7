#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make check`: the static checks of STYLE.md.
#  1. every header compiles on its own;
#  2. the kernel builds warning-free (-Werror) with GCC and with Clang;
#  3. clang-format agrees with the layout of every C file (a report; set
#     FORMAT_STRICT=1 to fail on it);
#  4. no file under kernel/ outside kernel/arch/ holds inline asm or an
#     in/out port instruction, includes an architecture's private header or
#     the x86-only <arch/cpu.h>/<arch/msr.h>, or calls an x86_ helper
#     (generic code goes through kernel/arch/arch.h and <arch/*.h>).
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

flags=(-std=gnu11 -ffreestanding -fsyntax-only -Wall -Wextra -Werror -I. -Iinclude -Ikernel
	-Ikernel/arch/x86_64/include -mno-sse -mno-red-zone -mcmodel=kernel -fno-pic -fno-pie -x c)
n=0
for h in $(git ls-files 'include/*.h' 'lib/*.h' 'kernel/*.h' 'boot/common/*.h'); do
	printf '#include "%s"\n' "$h" > "$tmp/h.c"
	if ! gcc "${flags[@]}" "$tmp/h.c" 2> "$tmp/err"; then
		echo "check: $h does not compile on its own:"; sed 's/^/    /' "$tmp/err" | head -5
		fail=1
	fi
	n=$((n + 1))
done
echo "check: $n headers compile on their own"

for cc in gcc clang; do
	if make -s BUILD="build/check-$cc" CC=$cc WERROR=1 kernel > "$tmp/build" 2>&1; then
		if [ "$cc" = clang ]; then
			echo "check: kernel builds with clang -Werror -Wthread-safety"
		else
			echo "check: kernel builds with $cc -Werror"
		fi
	else
		echo "check: kernel does not build with $cc -Werror:"; grep -E 'error|warning' "$tmp/build" | head -20
		fail=1
	fi
done

generic=$(git ls-files 'kernel/*.c' 'kernel/*.h' 'kernel/*.S' | grep -v '^kernel/arch/')
arch_ok=1
if grep -nE '\b(asm|__asm|__asm__)\b|"[[:space:]]*(in|out|ins|outs)[bwl]?[[:space:]]' $generic \
		> "$tmp/asm"; then
	echo "check: inline asm or port instructions outside kernel/arch:"; sed 's/^/    /' "$tmp/asm"
	arch_ok=0
fi
if grep -nE '#include[[:space:]]*["<]arch/([a-z0-9_]+/|cpu\.h|msr\.h)|\b(x86|X86)_[A-Za-z]' \
		$generic > "$tmp/archinc"; then
	echo "check: generic kernel code uses x86-only or arch-private names or headers:"
	sed 's/^/    /' "$tmp/archinc"
	arch_ok=0
fi
if [ $arch_ok = 1 ]; then
	echo "check: no inline asm, x86 helper or arch-private header outside kernel/arch ($(echo "$generic" | wc -l) files)"
else
	fail=1
fi

bad=0
for f in $(git ls-files '*.c' '*.h'); do
	clang-format --dry-run "$f" > /dev/null 2> "$tmp/fmt" || true
	[ -s "$tmp/fmt" ] && { bad=$((bad + 1)); echo "  format: $f"; }
done >> "$tmp/fmtlist"
echo "check: $bad files differ from .clang-format (list: make check FORMAT_LIST=1)"
[ "${FORMAT_LIST:-0}" = 1 ] && cat "$tmp/fmtlist"
[ "${FORMAT_STRICT:-0}" = 1 ] && [ "$bad" -gt 0 ] && fail=1

# docs/syscalls.md is generated from the syscall table and the kernel's
# sys_*() definitions; a stale copy fails (regenerate with --write).
if python3 tools/syscalls_doc.py --check docs/syscalls.md; then
	echo "check: docs/syscalls.md matches kernel/syscall/syscalls.def and the kernel"
else
	fail=1
fi

# Clang's build above ran its thread-safety analysis (-Wthread-safety); this
# checks the naming half of the rule: every function that expects a lock held
# ends in _locked and says so with __must_hold() (docs/locking.md).
if python3 tools/check_locked.py > "$tmp/locked"; then
	echo "check: every function that expects a lock held ends in _locked and has __must_hold()"
else
	echo "check: the _locked rule is broken:"; sed 's/^/    /' "$tmp/locked"
	fail=1
fi

exit $fail
