#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run several `make` test tiers, echo their output, and add up their
closing "N passed, M failed[, K skipped]" lines into one such line.

A tier that crashes or prints no closing line counts as one failure, so a
broken tier can never look like a pass. Exit status 1 if anything failed.

usage: run-tiers.py 'make test-unit' 'make test-boot PLATFORM=qemu-svm' ...
"""
import re
import subprocess
import sys
import time

CLOSING = re.compile(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$")


def run_tier(cmd):
    print(f"=== {cmd}", flush=True)
    start = time.time()
    proc = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    last = None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        m = CLOSING.match(line.strip())
        if m:
            last = m
    rc = proc.wait()
    secs = time.time() - start
    if last is None:
        print(f"=== {cmd}: no result line (exit {rc}): counted as 1 failure"
              f" ({secs:.0f}s)", flush=True)
        return 0, 1, 0
    p, f, s = (int(last.group(i) or 0) for i in (1, 2, 3))
    if rc != 0 and f == 0:
        f = 1
        print(f"=== {cmd}: exit {rc} with no failed test: counted as 1 "
              "failure", flush=True)
    print(f"=== {cmd}: {p} passed, {f} failed, {s} skipped ({secs:.0f}s)",
          flush=True)
    return p, f, s


def main():
    tp = tf = ts = 0
    for cmd in sys.argv[1:]:
        p, f, s = run_tier(cmd)
        tp, tf, ts = tp + p, tf + f, ts + s
    tail = f", {ts} skipped" if ts else ""
    print(f"{tp} passed, {tf} failed{tail}")
    return 1 if tf or not tp else 0


if __name__ == "__main__":
    sys.exit(main())
