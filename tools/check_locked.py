#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make check`: the _locked rule of docs/locking.md.

A function that expects a lock held ends in _locked and says which lock with
__must_hold() (clang then checks every caller). This finds functions that
break either half: __must_hold() on a name without _locked, and a *_locked
function declared or defined without __must_hold() (an exemption must carry
__no_thread_safety_analysis and a comment saying why). Prints each offence
and exits 1 if there is any.
"""
import re
import subprocess
import sys

# Functions that take a lock held by their caller as an argument by design,
# not because they run inside its critical section.
EXEMPT = {
    "cond_wait": "drops the mutex while it waits and takes it again (pthread_cond_wait)",
    "cond_wait_until": "as cond_wait()",
}

# A function's name, its parameter list, then attributes up to ; or {.
DECL = re.compile(r"^(?:static\s+|inline\s+|__\w+(?:\([^)]*\))?\s+|\w+\s+\**)*?(\w+)\s*\(", re.M)


def declarations(text):
    """Yield (name, attribute text, line) for each function declaration or definition."""
    for m in DECL.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if text[m.start():m.start() + 1] in "#\t }/*" or m.group(1) in ("if", "for", "while",
                                                                      "switch", "return"):
            continue
        depth, i = 0, m.end() - 1
        while i < len(text):
            if text[i] == "(":
                depth += 1
            elif text[i] == ")":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        end = i
        while end < len(text) and text[end] not in ";{=":
            end += 1
        if end >= len(text) or text[end] == "=":
            continue
        yield m.group(1), text[m.start():end], line


def main():
    files = subprocess.check_output(["git", "ls-files", "kernel/*.c", "kernel/*.h",
                                     "tests/kernel/*.c"], text=True).split()
    decls = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            decls += [(path, *d) for d in declarations(f.read())]
    # An attribute on a prototype covers the definition (clang merges them).
    held_somewhere = {name for _, name, decl, _ in decls if "__must_hold(" in decl}
    exempt_somewhere = {name for _, name, decl, _ in decls
                        if "__no_thread_safety_analysis" in decl}
    bad = 0
    for path, name, decl, line in decls:
        held = "__must_hold(" in decl
        if held and not name.endswith("_locked") and name not in EXEMPT:
            print(f"{path}:{line}: {name}() has __must_hold() but does not end in _locked")
            bad += 1
        elif (name.endswith("_locked") and name not in held_somewhere and
              name not in exempt_somewhere):
            print(f"{path}:{line}: {name}() ends in _locked but has no __must_hold()")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
