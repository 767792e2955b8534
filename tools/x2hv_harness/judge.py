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


# x2hv's line when a VM starts again after a guest reset (vmm/vcpu.c).
RESTARTED_RE = re.compile(r"^x2hv: vm\d+: restarting after a guest reset",
                          re.M)


class LogScanner:
    """The failures that can be seen before a run ends, found while the
    log grows: a line matching a reject pattern, or more VM restarts than
    the test allows (a reset loop). feed() takes the whole log so far and
    looks only at the complete lines it has not seen."""

    def __init__(self, test):
        self.test, self.pos, self.restarts = test, 0, 0
        self.why = None

    def feed(self, text):
        end = text.rfind("\n") + 1
        if self.why or end <= self.pos:
            return self.why
        lines = text[self.pos:end]
        self.pos = end
        for line in lines.splitlines():
            for pat in self.test.reject:
                if re.search(pat, line):
                    self.why = f"matched /{pat}/: {line.strip()[:160]}"
                    return self.why
        self.restarts += len(RESTARTED_RE.findall(lines))
        if self.restarts > self.test.max_restarts:
            self.why = f"reset loop: {self.restarts} VM restarts, at " \
                f"most {self.test.max_restarts} expected"
        return self.why


def judge(test, plat, text, times=None):
    """Return None when the log passes, else the first reason it fails.
    Pure: reads only the test's rules, the platform's properties, text
    and the lines' arrival times (clock.py)."""
    grub = GRUB_ERROR_RE.search(text)
    if grub:
        return f"GRUB {grub.group(0).strip()[:160]}"
    early = LogScanner(test).feed(text if text.endswith("\n")
                                  else text + "\n")
    if early:
        return early
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
