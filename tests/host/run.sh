#!/bin/sh
# SPDX-License-Identifier: MIT
# Run the host test executables given as arguments with cmocka's TAP output,
# count individual test cases and print "host: N passed, N failed". A binary
# that dies part-way (an ASan report, say) has its unreported cases counted as
# failed, and one more failure if it reported none. Exits 1 if anything failed.

passed=0
failed=0
for bin in "$@"; do
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$bin" 2>&1)
	rc=$?
	planned=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | head -n 1)
	ok=$(printf '%s\n' "$out" | grep -c '^ok ')
	bad=$(printf '%s\n' "$out" | grep -c '^not ok ')
	missing=$(( ${planned:-0} - ok - bad ))
	[ "$missing" -lt 0 ] && missing=0
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && [ "$missing" -eq 0 ]; then
		missing=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad + missing))
	if [ "$bad" -ne 0 ] || [ "$missing" -ne 0 ]; then
		printf '%s\n' "$out"
		echo "FAIL: $bin ($ok passed, $bad failed, $missing did not run, exit $rc)"
	else
		echo "PASS: $bin ($ok tests)"
	fi
done
echo "host: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
