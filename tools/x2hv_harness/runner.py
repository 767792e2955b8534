# SPDX-License-Identifier: MIT
"""Run tests on platforms: one emulator per test, watched through its
serial log, at most -j at a time."""

import concurrent.futures
import fcntl
import os
import shutil
import signal
import subprocess
import threading
import time

from .clock import LineTimer
from .iso import build_iso
from .judge import GRUB_ERROR_RE, HALTED, LogScanner, judge, read_log

# Seconds to let the emulator exit on its own after HALTED (it powers off
# through isa-debug-exit or the Bochs shutdown port) before we kill it.
HALT_GRACE_S = 3.0
# After a reject pattern matched: the emulator runs on this long.
FAIL_GRACE_S = 5.0
POLL_S = 0.2
# Tests that judge the guest's clock note when each line arrives: the
# poll interval bounds how late a line can be seen.
POLL_TIMED_S = 0.005


# Emulators running now, so that an interrupted harness (Ctrl-C, SIGTERM)
# ends them too: each runs in a session of its own.
_live = set()
_live_lock = threading.Lock()
_stopping = False


def start_emulator(argv, out, cwd):
    """Popen argv in a new session, registered in _live; None once the
    harness is stopping."""
    with _live_lock:
        if _stopping:
            return None
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, cwd=cwd,
                                start_new_session=True)
        _live.add(proc)
        return proc


def stop_all():
    """End every running emulator; start no more."""
    global _stopping
    with _live_lock:
        _stopping = True
        procs = list(_live)
    for proc in procs:
        kill_group(proc)


def kill_group(proc):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass


def emulator_reason(path):
    """The most telling line of the emulator's own output: a Bochs panic
    or error, else the last line."""
    lines = [l.strip() for l in read_log(path).splitlines() if l.strip()]
    for l in lines:
        if ">>PANIC<<" in l or "qemu-system-x86_64:" in l:
            return ": " + l[:160]
    return (": " + lines[-1][:160]) if lines else ""


def skip_reason(plat, test):
    """None when test can run on plat here, else why it is skipped."""
    why = plat.unavailable()
    if not why and test.platforms and plat.name not in test.platforms:
        why = "not for this platform (platforms: " + \
            " ".join(test.platforms) + ")"
    if not why and test.cpu_minus and not plat.cpu_removable:
        why = "cannot take " + ", ".join(test.cpu_minus) + \
            f" off the CPU model ({plat.emu} model)"
    if not why and test.need:
        why = test.need(plat)
    return why


def run_test(build, plat, test, timeout_override=None, scale=1.0):
    """Run one test on one platform; return ("PASS"|"FAIL"|"SKIP", line)."""
    label = f"{plat.name} {test.name}"
    if test.error:
        return "FAIL", f"FAIL {label}: {test.error}"
    why = skip_reason(plat, test)
    if why:
        return "SKIP", f"SKIP {label}: {why}"

    logdir = os.path.join(build, "logs", plat.name)
    os.makedirs(logdir, exist_ok=True)
    # Two harness runs sharing a build directory (a developer and CI, say)
    # would overwrite each other's ISO and log: take turns per test.
    with open(os.path.join(logdir, test.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return run_locked(build, plat, test, label, logdir,
                          timeout_override, scale)


def watch(proc, log, timeout, test, timer=None):
    """Poll the serial log until the emulator exits, the hypervisor halted
    HALT_GRACE_S ago, GRUB failed or the log already fails the test (a
    reject pattern, a reset loop: no need to wait for the timeout)
    FAIL_GRACE_S ago, or
    the timeout; timer (a LineTimer) notes the lines as they arrive.
    Returns timed_out."""
    start = time.monotonic()
    stop_at = None  # the end of a grace period: after HALTED, or a failure
    last_full = 0.0
    scanner = LogScanner(test)
    while proc.poll() is None:
        if timer:
            timer.poll()
        now = time.monotonic()
        if stop_at is None and now - last_full >= POLL_S:
            last_full = now
            text = read_log(log)
            if HALTED in text:
                stop_at = now + HALT_GRACE_S
            elif GRUB_ERROR_RE.search(text) or scanner.feed(text):
                # A failure's first line (an oops' "BUG:") comes before
                # the registers and the trace that explain it.
                stop_at = now + FAIL_GRACE_S
        if stop_at is not None and now > stop_at:
            return False
        if now - start > timeout:
            return True
        time.sleep(POLL_TIMED_S if timer else POLL_S)
    if timer:
        timer.poll()
    return False


def run_locked(build, plat, test, label, logdir, timeout_override, scale):
    workdir = os.path.join(logdir, test.name + ".d")
    os.makedirs(workdir, exist_ok=True)
    log = os.path.join(logdir, test.name + ".log")
    if test.iso:
        iso, err = test.iso, None  # a prebuilt image (make iso)
    else:
        iso, err = build_iso(build, plat, test.name, test.hvargs,
                             test.modules)
    if err:
        return "FAIL", f"FAIL {label}: {err}"
    try:
        os.unlink(log)
    except FileNotFoundError:
        pass
    open(log, "w").close()

    timeout = (timeout_override or test.timeout or
               plat.timeout()) * scale
    argv = plat.command(os.path.abspath(iso), os.path.abspath(log),
                        os.path.abspath(workdir), test)
    emu_out = os.path.join(workdir, "emulator.out")
    timer = LineTimer(log) if test.timed_checks else None
    start = time.monotonic()
    with open(emu_out, "wb") as out:
        proc = start_emulator(argv, out, workdir)
        if proc is None:
            return "FAIL", f"FAIL {label}: harness interrupted"
        try:
            timed_out = watch(proc, log, timeout, test, timer)
            exited_alone = proc.poll() is not None
        finally:
            kill_group(proc)
            with _live_lock:
                _live.discard(proc)
    secs = time.monotonic() - start
    text = read_log(log)
    times = None
    if timer:
        timer.poll()
        timer.save(log + ".times")
        times = timer.times()
    why = judge(test, plat, text, times)
    notes = [n for n in (c(plat, text, times)[1]
                         for c in test.timed_checks) if n]
    note = "; " + "; ".join(notes) if notes else ""
    if why and timed_out:
        why = f"timeout after {timeout:.0f}s ({why})"
    elif why and exited_alone and HALTED not in text:
        why += f" (emulator exited with status {proc.returncode}" + \
            emulator_reason(emu_out) + ")"
    if why:
        return "FAIL", f"FAIL {label}: {why} (log {log})"
    shutil.rmtree(workdir, ignore_errors=True)
    return "PASS", f"PASS {label} ({secs:.1f}s{note})"


def summary(counts):
    line = f"{counts['PASS']} passed, {counts['FAIL']} failed"
    if counts["SKIP"]:
        line += f", {counts['SKIP']} skipped"
    return line


def run_all(args, jobs):
    """jobs: [(platform, Test)]. Runs them -j at a time, prints lines."""
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    if not jobs:
        print("no tests selected")
        print(summary(counts))
        return 1
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futs = [pool.submit(run_test, args.build, p, t, args.timeout,
                            args.timeout_scale) for p, t in jobs]
        try:
            for fut in concurrent.futures.as_completed(futs):
                verdict, line = fut.result()
                counts[verdict] += 1
                print(line, flush=True)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            stop_all()
            raise
    print(summary(counts))
    return 1 if counts["FAIL"] else 0
