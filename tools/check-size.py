#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Small files and small functions in the hypervisor's sources (the
rooms of tools/check-layers.py): no file over MAX_FILE lines, no function
over MAX_FUNC lines, counted from the line of its opening brace to the
line of its closing brace. The sources are Linux style (clang-format), so
a function body opens with "{" alone at column 0 and closes with "}" at
column 0.

Prints one FAIL line per oversized file or function and ends with
`N passed, M failed` (one check per file: its length and its functions).
Exit 1 on any failure.

usage: check-size.py [-v] [ROOT]
"""
import importlib.util
import os
import re
import sys

MAX_FILE = 500
MAX_FUNC = 80
NAME = re.compile(r"([A-Za-z_][A-Za-z_0-9]*)\s*\(")


def layer_sources(root):
    """The hypervisor's sources, as tools/check-layers.py finds them."""
    spec = importlib.util.spec_from_file_location(
        "check_layers", os.path.join(os.path.dirname(__file__),
                                     "check-layers.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return sorted(p for p in set(mod.sources(root))
                  if p.endswith((".c", ".h")))


def functions(lines):
    """Yield (name, first line number, length) of each function body."""
    for i, line in enumerate(lines):
        if line.rstrip("\n") != "{":
            continue
        name = "?"
        for j in range(i - 1, max(i - 6, -1), -1):
            m = NAME.search(lines[j])
            if m and not lines[j].startswith((" ", "\t", "#")):
                name = m.group(1)
                break
        for k in range(i + 1, len(lines)):
            if lines[k].rstrip("\n") == "}":
                yield name, i + 1, k - i + 1
                break


def check_file(root, rel):
    with open(os.path.join(root, rel), errors="replace") as fh:
        lines = fh.readlines()
    bad = []
    if len(lines) > MAX_FILE:
        bad.append(f"{rel}: {len(lines)} lines (max {MAX_FILE})")
    for name, line, n in functions(lines):
        if n > MAX_FUNC:
            bad.append(f"{rel}:{line}: {name}() is {n} lines "
                       f"(max {MAX_FUNC})")
    return bad


def main(argv):
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    root = args[0] if args else os.path.join(os.path.dirname(__file__), "..")
    passed = failed = 0
    for rel in layer_sources(root):
        bad = check_file(root, rel)
        if bad:
            failed += 1
            for b in bad:
                print(f"FAIL {b}")
        else:
            passed += 1
            if verbose:
                print(f"PASS {rel}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
