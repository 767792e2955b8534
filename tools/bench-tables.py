#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The README's benchmark tables, made from `make bench` output.

`make bench PLATFORM=p` leaves its report in build/logs/<p>/bench.txt.
This rewrites each table of README.md between the markers

    <!-- bench-table PLATFORM -->
    ...
    <!-- end bench-table -->

from that report, for every platform whose report exists, so the tables
are never typed in. With --check it changes nothing and exits 1 when a
table differs from its report (make test does so for qemu-svm, whose
icount figures are exact).

    tools/bench-tables.py [--build DIR] [--check] [PLATFORM ...]
"""

import argparse
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
MARK_RE = re.compile(r"(<!-- bench-table (\S+) -->\n)(.*?)(<!-- end bench-table -->)",
                     re.S)

# What each case of tests/guest/bench.c measures, in README words.
CASES = {
    "cpuid": "CPUID",
    "vmcall": "hypercall (VMMCALL/VMCALL)",
    "uart_lsr": "COM1 LSR read (the serial console's poll, slow path)",
    "tpr_read": "x2APIC TPR read",
    "tpr_write": "x2APIC TPR write",
    "eoi": "x2APIC EOI",
    "self_ipi": "x2APIC SELF_IPI",
    "self_ipi_eoi": "SELF_IPI + handler + EOI",
    "ipi": "IPI to a running vCPU 1 (its ICR write)",
    "ipi_roundtrip": "IPI round trip (BSP: ICR write; vCPU 1: its reply)",
    "ipi_halted": "IPI to a halted vCPU 1",
    "tsc_deadline_far": "TSC_DEADLINE far (moved later)",
    "tsc_deadline_now": "TSC_DEADLINE now, interrupt taken",
    "tsc_deadline_3000": "TSC_DEADLINE +3000 ticks, interrupt taken",
}

LINE_RE = re.compile(r"^bench (\S+) exits/op=(\S+) ticks/op=(\d+)"
                     r"(?: recv_exits/op=(\S+))?(.*)$")


def parse(path):
    """[(case, exits, ticks, recv, suffix)] in report order."""
    rows = []
    with open(path) as f:
        for line in f:
            m = LINE_RE.match(line.strip())
            if m:
                rows.append(m.groups())
    return rows


def peers_for(plat):
    with open(os.path.join(ROOT, "tools", "peers.json")) as f:
        data = json.load(f)
    for key, entry in data.items():
        if not key.startswith("_") and plat in entry["platforms"]:
            return entry
    return None


def num(n):
    return f"{int(n):,}"


def icount_table(plat, rows):
    peers = peers_for(plat) or {"cases": {}, "goals": {}}
    out = [f"| case ({plat}, icount) | exits/op | instructions/op | "
           "Linux KVM | KVM / x2hv | goal |",
           "| --- | --- | --- | --- | --- | --- |"]
    for case, exits, ticks, recv, suffix in rows:
        name = CASES.get(case, case)
        kvm = peers["cases"].get(case)
        goal = peers.get("goals", {}).get(case)
        if "no icount" in suffix:
            continue  # wall-clock ticks, exits that vary: not a table's
        out.append(f"| {name} | {exits} | {num(ticks)} | "
                   f"{num(kvm) if kvm else ''} | "
                   f"{f'{kvm / int(ticks):.1f}' if kvm else ''} | "
                   f"{f'<= {goal}' if goal else ''} |")
    return out


def ticks_table(plat, rows):
    out = [f"| case ({plat}) | exits/op | recv exits/op | TSC ticks/op |",
           "| --- | --- | --- | --- |"]
    for case, exits, ticks, recv, suffix in rows:
        name = CASES.get(case, case)
        if "2 CPUs" in suffix:
            name += ", 2 CPUs: no timer CPU"
        out.append(f"| {name} | {exits} | {recv or ''} | {num(ticks)} |")
    return out


def table(plat, report):
    rows = parse(report)
    if not rows:
        raise SystemExit(f"bench-tables: no bench lines in {report}")
    icount = any("icount" in line for line in open(report))
    lines = icount_table(plat, rows) if icount else ticks_table(plat, rows)
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--check", action="store_true")
    ap.add_argument("platforms", nargs="*")
    args = ap.parse_args()
    text = open(README).read()
    stale = []

    def fill(m):
        plat = m.group(2)
        report = os.path.join(args.build, "logs", plat, "bench.txt")
        if (args.platforms and plat not in args.platforms) or \
                not os.path.exists(report):
            if args.platforms and plat in args.platforms:
                raise SystemExit(f"bench-tables: no {report}: run "
                                 f"`make bench PLATFORM={plat}` first")
            return m.group(0)
        new = table(plat, report)
        if new != m.group(3):
            stale.append(plat)
        return m.group(1) + new + m.group(4)

    updated = MARK_RE.sub(fill, text)
    if args.check:
        if stale:
            print("bench-tables: README.md's table for " + ", ".join(stale) +
                  " differs from `make bench`; run tools/bench-tables.py")
            return 1
        print("bench-tables: README.md's tables match the bench reports")
        return 0
    if updated != text:
        with open(README, "w") as f:
            f.write(updated)
    print("bench-tables: " + (", ".join(stale) + " rewritten" if stale
                              else "nothing to change"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
