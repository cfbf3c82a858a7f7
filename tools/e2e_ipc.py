#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The "ipc" group of `make test` (issue 15): end-to-end checks of Cairn's
own IPC on a booted system. Each part lives in a module of its own and
adds its jobs here, one line each:

- tools/e2e_svc.py: the service of docs/ipc.md built and run from the shell.
- tools/e2e_kbd.py: the user-space PS/2 keyboard driver killed under typing.

A module that is not there yet adds nothing.
"""
import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PARTS = ["e2e_svc", "e2e_kbd"]


def jobs(res, kernel, tmp):
    """The QEMU jobs of every part present: callables, run by cairntest's pool."""
    out = []
    for name in PARTS:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue
        out += mod.jobs(res, kernel, tmp)
    return out
