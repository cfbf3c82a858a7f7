#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write compile_commands.json (the Clang compilation database that clangd
reads) from the commands of a dry run of the Makefile, `make -Bn V=1 ...`,
given on standard input. Every compiler command that names a C or assembly
source becomes one entry per source, so the database always holds exactly
the flags the build uses, without building anything.

usage: make -Bn V=1 TARGETS | tools/compdb.py > compile_commands.json
"""
import json
import os
import re
import shlex
import sys

SOURCE = re.compile(r".*\.(c|S)$")
COMPILER = re.compile(r"(^|.*[-/])(gcc|clang|cc)(-[0-9.]+)?$")
SEPARATORS = set(";&|()")


def logical_lines(text):
    """Join the backslash-continued lines make prints for one recipe line."""
    line = ""
    for raw in text.splitlines():
        if raw.endswith("\\"):
            line += raw[:-1] + " "
            continue
        yield line + raw
        line = ""
    if line:
        yield line


def simple_commands(line):
    """Split a shell line into its simple commands at ;, &&, | and friends."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    cmd = []
    try:
        tokens = list(lexer)
    except ValueError:
        return  # unbalanced quotes: not a compiler command we could use
    for tok in tokens:
        if set(tok) <= SEPARATORS:  # shlex may join them: "));"
            if cmd:
                yield cmd
            cmd = []
        else:
            cmd.append(tok)
    if cmd:
        yield cmd


def compile_args(argv, src):
    """@argv for @src alone: without the other inputs, objects and output."""
    args = []
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a == "-o":
            skip = True
        elif a == src or not (SOURCE.match(a) or a.endswith(".o")):
            args.append(a)
    return args


def entries(text, root):
    """One database entry per source of each compiler command, first use first."""
    seen = set()
    for line in logical_lines(text):
        for argv in simple_commands(line):
            if not COMPILER.match(argv[0]):
                continue
            sources = [a for a in argv[1:] if SOURCE.match(a)]
            for src in sources:
                path = os.path.normpath(os.path.join(root, src))
                args = compile_args(argv, src)
                key = (path, tuple(args))
                if key in seen:
                    continue
                seen.add(key)
                yield {"directory": root, "file": path, "arguments": args}


def main():
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    db = list(entries(sys.stdin.read(), root))
    if not db:
        sys.exit("compdb: no compiler commands in the input")
    json.dump(db, sys.stdout, indent=1)
    sys.stdout.write("\n")
    print(f"compdb: {len(db)} entries, {len({e['file'] for e in db})} files", file=sys.stderr)


if __name__ == "__main__":
    main()
