#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run libFuzzer binaries for a fixed time each and summarise them.

Usage: tools/run-fuzz.py [--seconds S] [-j N] build/fuzz/fuzz_NAME...

Each fuzzer NAME runs S seconds (-max_total_time) on a working copy of its
seed corpus tests/fuzz/corpus/NAME/ (build/fuzz/corpus/NAME/, so the
committed seeds are never modified) with output in build/logs/fuzz/NAME.log
and crash artifacts next to it. One line per fuzzer, PASS or FAIL with the
sanitizer's summary line, then "N passed, M failed". Exit 1 when a fuzzer
failed or none was given.
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import time

SEED_ROOT = os.path.join("tests", "fuzz", "corpus")
# Per-input limit: an input that runs longer is a hang, reported as a bug.
PER_INPUT_TIMEOUT_S = 10
# Extra wall time beyond -max_total_time before we kill a stuck fuzzer.
GRACE_S = 60
RE_REASON = re.compile(r"^(==\d+==\s*ERROR: .*|SUMMARY: .*|.*runtime error: .*|"
                       r"ALARM: .*|.*-rss_limit_mb.*exceeded.*)$", re.M)
RE_EXECS = re.compile(r"^stat::number_of_executed_units:\s*(\d+)", re.M)
RE_COV = re.compile(r"^#\d+\s+DONE\s+cov: (\d+)", re.M)


def fuzzer_name(path):
    base = os.path.basename(path)
    return base[len("fuzz_"):] if base.startswith("fuzz_") else base


def run_one(path, seconds, build):
    name = fuzzer_name(path)
    logdir = os.path.join(build, "logs", "fuzz")
    os.makedirs(logdir, exist_ok=True)
    log = os.path.join(logdir, f"{name}.log")
    corpus = os.path.join(build, "fuzz", "corpus", name)
    seeds = os.path.join(SEED_ROOT, name)
    shutil.rmtree(corpus, ignore_errors=True)
    note = ""
    if os.path.isdir(seeds):
        shutil.copytree(seeds, corpus)
    else:
        os.makedirs(corpus)
        note = " (no seed corpus)"

    cmd = [os.path.abspath(path), f"-max_total_time={seconds}",
           f"-timeout={PER_INPUT_TIMEOUT_S}", "-print_final_stats=1",
           f"-artifact_prefix={os.path.join(logdir, name)}-", corpus]
    start = time.monotonic()
    with open(log, "wb") as out:
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT,
                                  timeout=seconds + GRACE_S)
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            rc = None
        except OSError as e:
            return False, f"FAIL {name}: cannot run: {e}"
    secs = time.monotonic() - start
    with open(log, encoding="utf-8", errors="replace") as f:
        text = f.read()

    if rc == 0:
        execs = RE_EXECS.findall(text)
        cov = RE_COV.findall(text)
        stats = []
        if execs:
            stats.append(f"{execs[-1]} execs")
        if cov:
            stats.append(f"cov {cov[-1]}")
        return True, (f"PASS {name} ({secs:.0f}s{', ' if stats else ''}"
                      f"{', '.join(stats)}){note}")
    if rc is None:
        why = f"did not stop within {seconds + GRACE_S}s"
    else:
        reasons = RE_REASON.findall(text)
        why = reasons[0].strip() if reasons else f"exit status {rc}"
    return False, f"FAIL {name}: {why} (log {log})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--build", default=None,
                    help="build directory (default: two levels above the "
                         "first fuzzer binary)")
    ap.add_argument("fuzzers", nargs="*")
    args = ap.parse_args()

    if not args.fuzzers:
        print("0 passed, 0 failed")
        return 1
    build = args.build or os.path.dirname(
        os.path.dirname(os.path.normpath(args.fuzzers[0]))) or "."


    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futs = [pool.submit(run_one, p, args.seconds, build)
                for p in args.fuzzers]
        for fut in futs:
            ok, line = fut.result()
            print(line, flush=True)
            passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
