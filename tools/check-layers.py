#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The include arrows between the hypervisor's rooms (README.md,
"Architecture"). Every #include of every hypervisor source (.c, .h, .S,
.inc under the rooms below) must point into its own room or into a room
its room may use; a file outside every room is an error too, so a new
directory has to be placed here first.

A quoted include is a path from the repository root ("vmm/vm.h"); an
angle include (<string.h>) is a freestanding header, either the
project's own under include/ or one of the compiler's (FREESTANDING).

A declaration of something defined elsewhere (an `extern` variable or a
file-scope function prototype that is not static) in a .c file is an
include this check could not see, so it fails too: such declarations
belong in the owner's header.

Prints one line per failing file, `FAIL file:line: from -> to (header)`,
and ends with `N passed, M failed` (one check per file). Exit 1 on any
failure.

usage: check-layers.py [-v] [ROOT]
"""
import os
import re
import sys

# The arrows, room -> the rooms it includes directly (README.md). A room
# may include its own headers and those of every room its arrows reach.
# Longest prefix wins, so arch/x86/vmx/ is its own room, not arch/x86/.
ARROWS = {
    "boot": {"vmm"},
    "arch/x86/vmx": {"vmm"},
    "arch/x86/svm": {"vmm"},
    "vmm": {"loader", "vlapic", "arch/x86"},
    "loader": {"lib"},
    "arch/x86": {"lib"},
    "vlapic": {"include"},
    "lib": {"include"},
    "include": set(),
}


def reachable(room, seen=None):
    """Every room @room may include (the arrows' transitive closure)."""
    seen = set() if seen is None else seen
    for r in ARROWS[room]:
        if r not in seen:
            seen.add(r)
            reachable(r, seen)
    return seen


ALLOWED = {room: reachable(room) for room in ARROWS}
assert all(room not in ALLOWED[room] for room in ARROWS), "a cycle"

# The compiler's freestanding headers (C11 4p6) that the build may use.
FREESTANDING = {"stdint.h", "stdbool.h", "stddef.h", "stdarg.h",
                "stdalign.h", "stdnoreturn.h", "limits.h"}
SUFFIXES = (".c", ".h", ".S", ".inc")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
EXTERN = re.compile(r"^\s*extern\b")
# A file-scope statement that starts at column 0 with an identifier.
TOPLEVEL = re.compile(r"^[A-Za-z_]")
NOT_A_PROTOTYPE = re.compile(r"^(static|typedef|struct|union|enum|"
                             r"_Static_assert|#)\b|=")


# Files at the repository root (the linker script, linker.ld.S) belong to
# the top of the arrows, with boot/.
ROOT_ROOM = "boot"


def room_of(path):
    if "/" not in path and path.endswith(SUFFIXES):
        return ROOT_ROOM
    best = None
    for room in ARROWS:
        if path == room or path.startswith(room + "/"):
            if best is None or len(room) > len(best):
                best = room
    return best


# Top-level directories that hold no hypervisor source.
NOT_HYPERVISOR = {"tests", "tools", "docs", "build", "shared"}


def sources(root):
    for dirpath, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir == ".":
            dirs[:] = [d for d in dirs
                       if d not in NOT_HYPERVISOR and not d.startswith(".")]
        for f in files:
            if f.endswith(SUFFIXES):
                yield os.path.normpath(os.path.join(rel_dir, f))


def check_file(root, rel):
    """Return a list of violations (strings) for one source file."""
    bad = []
    src = room_of(rel)
    if src is None:
        return [f"{rel}: in no room (add its directory to ARROWS)"]
    with open(os.path.join(root, rel), errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, name = m.groups()
            if kind == "<":
                if os.path.isfile(os.path.join(root, "include", name)):
                    dst = "include"
                elif name in FREESTANDING:
                    continue
                else:
                    bad.append(f"{rel}:{n}: <{name}> is neither under "
                               "include/ nor a freestanding header")
                    continue
            else:
                if not os.path.isfile(os.path.join(root, name)):
                    bad.append(f'{rel}:{n}: "{name}" is not a path from '
                               "the repository root")
                    continue
                dst = room_of(name)
                if dst is None:
                    bad.append(f"{rel}:{n}: {name} is in no room")
                    continue
            if dst != src and dst not in ALLOWED[src]:
                bad.append(f"{rel}:{n}: {src} -> {dst} ({name}) is not "
                           "an allowed arrow")
    return bad


def local_declarations(root, rel):
    """`extern` lines and non-static function prototypes in a .c file."""
    bad = []
    with open(os.path.join(root, rel), errors="replace") as fh:
        lines = fh.readlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if EXTERN.match(line):
            bad.append(f"{rel}:{i + 1}: extern declaration in a .c file "
                       "(put it in the owner's header)")
        elif TOPLEVEL.match(line):
            stmt, j = line, i
            while not stmt.rstrip().endswith((";", "{", "}", ")")) \
                    and j + 1 < len(lines) and j - i < 8:
                j += 1
                stmt += lines[j]
            if stmt.rstrip().endswith(";") and "(" in stmt and \
                    not NOT_A_PROTOTYPE.search(stmt.split("(")[0]):
                bad.append(f"{rel}:{i + 1}: function declared in a .c "
                           "file (put it in the owner's header, or make "
                           "it static)")
            i = j
        i += 1
    return bad


def main(argv):
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    root = args[0] if args else os.path.join(os.path.dirname(__file__), "..")
    passed = failed = 0
    for rel in sorted(set(sources(root))):
        bad = check_file(root, rel)
        if rel.endswith(".c") and room_of(rel):
            bad += local_declarations(root, rel)
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
