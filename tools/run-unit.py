#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run host unit-test binaries (cmocka) and summarise them.

Usage: tools/run-unit.py [--timeout S] [-v] BINARY...

One line per binary, then exactly one summary line
"N passed, M failed" (", K skipped" when K > 0). Exit status 1 when a test
failed, a binary crashed (counted as one failure, or as the tests it never
reported), or no binary was given at all: a run that tested nothing is an
error, never a success.

cmocka (1.1.x) prints, per group, "[==========] Running N test(s).", then
"[  PASSED  ] P test(s).", "[  FAILED  ] F test(s), listed below:" and
"[  SKIPPED ] S test(s), listed below:". We force its output to stdout
(CMOCKA_MESSAGE_OUTPUT) so stdout and stderr do not interleave.
"""

import argparse
import os
import re
import subprocess
import sys

RE_RUNNING = re.compile(r"^\[==========\] Running (\d+) test\(s\)\.", re.M)
RE_PASSED = re.compile(r"^\[  PASSED  \] (\d+) test\(s\)\.", re.M)
RE_FAILED = re.compile(r"^\[  FAILED  \] (\d+) test\(s\)", re.M)
RE_SKIPPED = re.compile(r"^\[  SKIPPED \] (\d+) test\(s\)", re.M)
RE_FAILED_NAME = re.compile(r"^\[  FAILED  \] (?!\d+ test\(s\))(\S+)", re.M)
RE_PREFIX = re.compile(r"^\[\s+(?:ERROR|LINE)\s+\] --- ")

TAIL_LINES = 15
BLOCK_LINES = 6


def summary_line(passed, failed, skipped):
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    return line


def parse(output):
    """Return (running, passed, failed, skipped) summed over all groups."""
    def total(rx):
        return sum(int(m) for m in rx.findall(output))
    return (total(RE_RUNNING), total(RE_PASSED), total(RE_FAILED),
            total(RE_SKIPPED))


def failed_block(out, test):
    """The last lines a failed test printed between its RUN and FAILED
    markers, with cmocka's "[  ERROR   ] --- " prefixes removed."""
    m = re.search(r"^\[ RUN      \] " + re.escape(test) + r"\n(.*?)^\[  FAILED  \] "
                  + re.escape(test) + r"$", out, re.M | re.S)
    if not m:
        return []
    lines = []
    for l in m.group(1).splitlines():
        while RE_PREFIX.match(l):
            l = RE_PREFIX.sub("", l, count=1)
        if l.strip():
            lines.append(l.rstrip())
    return lines[-BLOCK_LINES:]


def run_one(path, timeout, verbose):
    """Run one binary; return (passed, failed, skipped, report line)."""
    name = os.path.basename(path)
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="STDOUT")
    # Make sanitizer reports end the run with a clear status.
    env.setdefault("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    try:
        proc = subprocess.run([path], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=env,
                              timeout=timeout)
        out = proc.stdout.decode("utf-8", "replace")
        rc = proc.returncode
        why = None
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        rc = None
        why = f"timed out after {timeout}s"
    except OSError as e:
        return 0, 1, 0, f"FAIL {name}: cannot run: {e}"

    if verbose:
        sys.stdout.write(out)
    running, passed, failed, skipped = parse(out)
    reported = passed + failed + skipped
    crashed = False
    if why is None and rc is not None and rc < 0:
        why = f"killed by signal {-rc}"
    if why is None and rc != 0 and failed == 0:
        why = f"exit status {rc} without a reported failure"
    if why is not None:
        crashed = True
        # Tests that never reported count as failed; at least one.
        failed += max(1, running - reported)

    if failed == 0 and passed + skipped == 0:
        # A binary that ran no test proves nothing.
        return 0, 1, 0, f"FAIL {name}: no tests ran"

    if failed == 0:
        extra = f", {skipped} skipped" if skipped else ""
        return passed, 0, skipped, f"PASS {name}: {passed} passed{extra}"

    names = RE_FAILED_NAME.findall(out)
    detail = why if crashed else f"{failed} failed"
    if names:
        detail += " (" + ", ".join(dict.fromkeys(names)) + ")"
    lines = [f"FAIL {name}: {detail}"]
    blocks = [failed_block(out, n) for n in dict.fromkeys(names)]
    blocks = [b for b in blocks if b]
    if blocks and not verbose:
        for b in blocks[:TAIL_LINES]:
            lines += ["    " + l for l in b]
    elif crashed and not verbose:
        lines += ["    " + l for l in out.rstrip().splitlines()[-TAIL_LINES:]]
    return passed, failed, skipped, "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=300,
                    help="seconds per binary (default 300)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="echo each binary's output")
    ap.add_argument("binaries", nargs="*")
    args = ap.parse_args()

    passed = failed = skipped = 0
    for path in args.binaries:
        p, f, s, line = run_one(path, args.timeout, args.verbose)
        print(line, flush=True)
        passed, failed, skipped = passed + p, failed + f, skipped + s

    print(summary_line(passed, failed, skipped))
    if not args.binaries or failed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
