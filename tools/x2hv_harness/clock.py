# SPDX-License-Identifier: MIT
"""The guest's clock checked from outside the guest (issue 12, item 3).

x2hv tells Linux its TSC frequency (kvmclock); Linux's time is then TSC
ticks divided by that figure. If the figure is wrong, guest time runs
fast or slow against real time. Comparing Linux's own figure with x2hv's
proves nothing, so the reference comes from outside the guest:

* where the emulated TSC is the host's TSC (QEMU's TCG reads the host's
  RDTSC; KVM runs on it), the host's clock: the harness notes when each
  serial line arrives, and the kernel's printk timestamps
  ("[vm0] [   12.345678] ...") are guest time, from the TSC scaled by
  x2hv's figure. Guest seconds per host second must be 1 within
  TOLERANCE. tests/linux/init.sh writes a few kernel lines at the end
  through /dev/kmsg, so both ends of the run have some;
* where the emulator defines its TSC rate itself (Bochs: one tick per
  emulated instruction at its configured ips, with virtual time that
  follows instructions, so host time means nothing), that rate.

A line can only arrive late, never early, so the fit is the lower
envelope: in the first and the last quarter of the run it takes the line
that arrived soonest after its guest timestamp.
"""

import re
import time

from .judge import RESTARTED_RE

TOLERANCE = 0.005  # 0.5%
MIN_SPAN_S = 5.0  # guest seconds between the two envelope points
# A printk timestamp; a kernel line can land in the middle of a line that
# user space is writing to the same console.
GUEST_TS_RE = re.compile(r"\[\s*(\d+\.\d{6})\] ")
STABLE_RE = re.compile(r"sched_clock: Marking stable")
X2HV_TSC_RE = re.compile(r"x2hv: tsc: (\d+) kHz")
FIT_ROUNDS = 4


class LineTimer:
    """Reads a growing log file; notes the host time each line completed.
    poll() is called often (the runner's loop); lines keep the log's
    order."""

    def __init__(self, path):
        self.path, self.offset, self.partial = path, 0, b""
        self.lines = []  # [(host seconds, line bytes without newline)]

    def poll(self):
        now = time.monotonic()
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return
        self.offset += len(data)
        *done, self.partial = (self.partial + data).split(b"\n")
        self.lines += [(now, l) for l in done]

    def times(self):
        """[(host seconds, text line)] with carriage returns removed."""
        return [(t, l.decode("utf-8", "replace").replace("\r", ""))
                for t, l in self.lines]

    def save(self, path):
        with open(path, "w") as f:
            for t, line in self.times():
                f.write(f"{t:.6f} {line}\n")


def guest_points(times):
    """[(guest seconds, host seconds)] from timestamped kernel lines once
    Linux marked its sched_clock stable: before that, printk time is
    clamped to the tick (kernel/sched/clock.c) and it stood still for
    seconds while boot code ran with interrupts off, then jumped. Only the
    last boot counts: guest time starts again after a VM restart."""
    pts, stable = [], False
    for host, line in times:
        if RESTARTED_RE.search(line):
            pts, stable = [], False
        if not line.startswith("[vm"):
            continue
        stable = stable or STABLE_RE.search(line) is not None
        m = GUEST_TS_RE.search(line)
        if stable and m:
            pts.append((float(m.group(1)), host))
    return pts


def fit(pts):
    """(host seconds per guest second, guest span) or None when the
    lines span less than MIN_SPAN_S."""
    if len(pts) < 2:
        return None
    g0, g1 = min(p[0] for p in pts), max(p[0] for p in pts)
    span = g1 - g0
    if span < MIN_SPAN_S:
        return None
    early = [p for p in pts if p[0] <= g0 + span / 4]
    late = [p for p in pts if p[0] >= g1 - span / 4]
    r = 1.0
    for _ in range(FIT_ROUNDS):
        e = min(early, key=lambda p: p[1] - r * p[0])
        l = min(late, key=lambda p: p[1] - r * p[0])
        r = (l[1] - e[1]) / (l[0] - e[0])
    return r, l[0] - e[0]


def guest_clock(plat, text, times):
    """(why or None, note): the guest's TSC rate against the platform's
    reference. note gives the figures for the PASS/FAIL line."""
    m = X2HV_TSC_RE.search(text)
    if not m:
        return None, None  # the expect list reports the missing line
    told = int(m.group(1))
    if plat.tsc_reference:
        ref, how = plat.tsc_reference, f"{plat.emu}'s configured rate"
    else:
        got = fit(guest_points(times or []))
        if not got:
            return ("guest clock: fewer than 2 kernel lines "
                    f"{MIN_SPAN_S:.0f} s apart to compare with the "
                    "host's clock"), None
        r, span = got
        # Guest seconds are TSC ticks / told; host seconds ticks / true.
        ref = round(told / r)
        how = f"host clock over {span:.1f} guest s"
    err = (told - ref) / ref
    note = f"TSC {told} kHz, true {ref} kHz ({how}): {err * 100:+.3f}%"
    if abs(err) > TOLERANCE:
        return f"guest clock off by more than {TOLERANCE * 100}%: " + \
            note, note
    return None, note
