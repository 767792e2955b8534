# SPDX-License-Identifier: MIT
"""The benchmark command: tests/guest/bench.c, its "bench " lines, and the
peer figures of tools/peers.json."""

import json
import os
import re

from .judge import read_log
from .runner import run_all
from .tests import guest_test

BENCH_ICOUNT_ARGS = ["-icount", "shift=0,sleep=off"]
BENCH_LINE_RE = re.compile(r"(?:^|\] )(bench .*)$", re.M)
BENCH_CROSS_VCPU = ("ipi", "ipi_roundtrip", "ipi_halted")
BENCH_TIMER = ("tsc_deadline_now", "tsc_deadline_3000")
PEERS_FILE = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "peers.json")


def load_peers(path=PEERS_FILE):
    """{platform: {"peer", "measured_on", "unit", "cases": {case: n}}}
    from the entries of tools/peers.json and their "platforms" lists."""
    with open(path) as f:
        data = json.load(f)
    out = {}
    for key, entry in data.items():
        if not key.startswith("_"):
            for plat in entry["platforms"]:
                out[plat] = entry
    return out


def bench_lines(build, plat, name):
    text = read_log(os.path.join(build, "logs", plat.name, name + ".log"))
    return parse_bench(text)


def parse_bench(text):
    """{case: line} of the guest's "bench <case> ..." lines."""
    out = {}
    for m in BENCH_LINE_RE.finditer(text):
        line = m.group(1).strip()
        out[line.split()[1]] = line
    return out


def bench_runs(plat):
    """[(run name, hvargs, emulator args, spare CPUs)]. With icount: the
    single-vCPU cases twice (ticks are instructions; the two runs must
    agree exactly) and the cross-vCPU cases once without it (QEMU's
    icount round-robin lets a spinning vCPU starve the other for 100M
    instructions). Elsewhere 2 vCPUs on 3 CPUs, the third x2hv's timer
    CPU where interrupts post (vmm/timer_cpu.c), and once more on 2 CPUs
    for the timer cases without it."""
    if plat.icount:
        return [("bench-icount1", "vcpus=1", BENCH_ICOUNT_ARGS, 0),
                ("bench-icount2", "vcpus=1", BENCH_ICOUNT_ARGS, 0),
                ("bench-smp", "", (), 0)]
    return [("bench", "", (), 1), ("bench-2cpus", "", (), 0)]


def peer_table(peers, first):
    """Lines comparing x2hv's ticks/op with the peer's figures: the
    ratio, and x2hv's goal where peers.json has one."""
    goals = peers.get("goals", {})
    lines = [f"# x2hv vs {peers['peer']} (measured on "
             f"{peers['measured_on']}), {peers['unit']}:"]
    for case, theirs in peers["cases"].items():
        m = re.search(r"ticks/op=(\d+)", first.get(case, ""))
        ours = int(m.group(1)) if m else None
        line = (f"#   {case:18} x2hv {ours if ours else 'n/a':>6}"
                f"   KVM {theirs:>6}")
        if ours:
            line += f"   {theirs / ours:5.1f}x fewer"
        if case in goals:
            verdict = ("met" if ours and ours <= goals[case] else
                       "MISSED")
            line += f"   goal <= {goals[case]}: {verdict}"
        lines.append(line)
    return lines


def report(build, plat, names, peers):
    """One platform's results as lines, and False when icount runs
    disagree or a goal of peers.json is missed."""
    minus = "".join(",-" + f for f in plat.icount_cpu_minus)
    out = [f"# bench on {plat.name}" +
           (f": ticks = instructions (QEMU -icount shift=0{minus and ', -cpu ' + plat.cpu + minus}), "
            "cross-vCPU cases in TSC ticks without icount" if plat.icount
            else ": ticks = TSC ticks")]
    first = bench_lines(build, plat, names[0])
    out += list(first.values())
    if not plat.icount:
        two = bench_lines(build, plat, names[1])
        for case in BENCH_TIMER:
            if case in two:
                out.append(two[case] + " (2 CPUs: no timer CPU)")
        return True, out
    second = bench_lines(build, plat, names[1])
    same = first == second and bool(first)
    out.append(f"# icount runs repeat exactly: {'yes' if same else 'NO'}"
               f" ({len(first)} cases)")
    smp = bench_lines(build, plat, names[2])
    for case in BENCH_CROSS_VCPU:
        if case in smp:
            out.append(smp[case] + " (no icount)")
    met = True
    if plat.name in peers:
        for line in peer_table(peers[plat.name], first):
            out.append(line)
            met = met and "MISSED" not in line
    return same and met, out


def bench_tests(build, plat, hvargs=""):
    """The benchmark's runs on plat as Tests (see bench_runs)."""
    src = os.path.join("tests", "guest", "bench.c")
    tests = []
    for name, hv, qargs, spare in bench_runs(plat):
        t = guest_test(build, src, hvargs + " " + hv, qargs, name=name)
        t.modules = [(os.path.join(build, "guest", "bench.elf"), "")]
        t.ncpu += spare
        if qargs:
            t.cpu_minus = list(plat.icount_cpu_minus)
        tests.append(t)
    return tests


def cmd_bench(args, plats):
    jobs, plan = [], []
    for p in plats:
        tests = bench_tests(args.build, p, args.hvargs)
        jobs += [(p, t) for t in tests]
        plan.append((p, [t.name for t in tests]))
    rc = run_all(args, jobs)
    peers = load_peers()
    for p, names in plan:
        ok, lines = report(args.build, p, names, peers)
        print("\n".join(lines))
        # What tools/bench-tables.py makes the README's tables from.
        with open(os.path.join(args.build, "logs", p.name, "bench.txt"),
                  "w") as f:
            f.write("\n".join(lines) + "\n")
        if not ok:
            rc = 1
    return rc
