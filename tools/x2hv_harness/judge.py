# SPDX-License-Identifier: MIT
"""The serial protocol (docs/testing.md) and the pure log judge."""

import re

HALTED = "x2hv: system halted"
# GRUB reports a failed command (bad ELF, missing file) as "error: ..." at
# the start of a line and then waits for a key: end such runs at once.
GRUB_ERROR_RE = re.compile(r"^error: .*$", re.M)
# The terminal control sequences GRUB writes on a serial terminal.
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]")


def clean(raw):
    """Serial bytes or text as the judge sees them: no carriage returns,
    no terminal escapes."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    return ANSI_RE.sub("", raw.replace("\r", ""))


def read_log(path):
    try:
        with open(path, "rb") as f:
            return clean(f.read())
    except OSError:
        return ""


def judge(test, plat, text, times=None):
    """Return None when the log passes, else the first reason it fails.
    Pure: reads only the test's rules, the platform's properties, text
    and the lines' arrival times (clock.py)."""
    grub = GRUB_ERROR_RE.search(text)
    if grub:
        return f"GRUB {grub.group(0).strip()[:160]}"
    for line in text.splitlines():
        for pat in test.reject:
            if re.search(pat, line):
                return f"matched /{pat}/: {line.strip()[:160]}"
    expect = list(test.expect)
    if test.cpus_on:
        mode = plat.mode or "(VMX|SVM)"
        expect += [rf"x2hv: cpu{n}: {mode} on" for n in range(test.ncpu)]
    for pat in expect:
        if not re.search(pat, text, re.M):
            return f"missing /{pat}/"
    if HALTED not in text:
        return f"'{HALTED}' never appeared"
    for check in test.checks:
        why = check(text)
        if why:
            return why
    for check in test.timed_checks:
        why, _ = check(plat, text, times)
        if why:
            return why
    return None
