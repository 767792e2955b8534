# SPDX-License-Identifier: MIT
"""make bench-boot: Linux from power-on to /init, booted directly by
QEMU and under x2hv (issue 14).

Three ways, RUNS times each, interleaved so that a change in the
machine's load hits all of them alike:

  direct     QEMU's own PVH loader starts Linux (-kernel vmlinux.pvh
             -initrd), with the guest's RAM and CPU count
  x2hv       QEMU's multiboot loader starts x2hv with the same kernel and
             initramfs as its modules (-kernel x2hv.elf -initrd
             "vmlinux.pvh ARGS,initramfs"): the same loader as direct,
             so the ratio is what x2hv adds
  x2hv-grub  the GRUB ISO of make test-linux: firmware, GRUB reading the
             modules from the CD, x2hv, Linux

The time of a run is from starting QEMU to the serial line
"x2hv-linux: init started" (tests/linux/init.sh), which powers off at
once under x2hv.bootbench=1, so x2hv's exit counters at VM stop are the
boot's. Wall seconds are what the issue asks for; QEMU's CPU seconds
(user + system, read from /proc when the line arrives) are printed next
to them because other work on the machine stretches wall time much more
than CPU time. The load average is printed too.

Then direct and x2hv once more under -icount shift=0,sleep=off, where
time is virtual (one instruction a nanosecond, idle time skipped) and
does not depend on the machine's load or on how fast the emulator runs
the world switch: Linux's own clock at the line, and for x2hv the time
it took from its entry to starting the VM, which it prints. Firmware
time is not counted in these.
"""

import os
import re
import statistics
import subprocess
import time

from .iso import build_iso
from .judge import read_log
from .tests import LINUX_CMDLINE, LINUX_HVARGS, LINUX_KERNEL, Test

RUNS = 3
WAYS = ("direct", "x2hv", "x2hv-grub")
INIT_LINE = "x2hv-linux: init started"
BENCH_ARG = "x2hv.cpus=2 x2hv.bootbench=1"
HVARGS = "vcpus=2 " + LINUX_HVARGS
POLL_S = 0.01
# Lines that end the phases of an x2hv boot: firmware and loader, x2hv's
# own start, Linux.
PHASES = (("loader", "x2hv: x2hv starting"),
          ("x2hv", re.compile(r"x2hv: vm0: \d+ vCPUs, \d+ MiB, starting")),
          ("linux", INIT_LINE))
EXITS_RE = re.compile(r"x2hv: vm0: vcpu\d+: (\d+) exits:(.*)")
LINUX_CLOCK_RE = re.compile(r"\[\s*(\d+\.\d+)\] " + INIT_LINE)
X2HV_TOOK_RE = re.compile(r"starting \(x2hv took (\d+) ms\)")
ICOUNT_ARGS = ["-icount", "shift=0,sleep=off"]
GUEST_MB = 512


def qemu_base(plat, mem_mb, icount=False):
    roms = [a for d in plat.emu.firmware_dirs() for a in ("-L", d)]
    cpu = plat.cpu
    if icount:
        cpu += "".join(",-" + f for f in plat.icount_cpu_minus)
    return ([plat.emu.binary()] + roms + (ICOUNT_ARGS if icount else []) +
            ["-accel", plat.accel, "-cpu", cpu, "-smp", "2",
             "-m", str(mem_mb), "-M", "pc", "-nodefaults",
             "-display", "none", "-no-reboot", "-monitor", "none"])


def argv_direct(plat, build, log, icount=False):
    ldir = os.path.join(build, "linux")
    return qemu_base(plat, GUEST_MB, icount) + [
        "-kernel", os.path.join(ldir, LINUX_KERNEL),
        "-initrd", os.path.join(ldir, "initramfs.cpio.gz"),
        "-append", LINUX_CMDLINE + " " + BENCH_ARG,
        "-serial", f"file:{log}"]


def argv_multiboot(plat, build, log, icount=False):
    ldir = os.path.join(build, "linux")
    # QEMU's multiboot -initrd: modules split at ",", each "file args";
    # a "," inside the arguments is written ",,".
    args = (LINUX_CMDLINE + " " + BENCH_ARG).replace(",", ",,")
    mods = (os.path.join(ldir, LINUX_KERNEL) + " " + args + "," +
            os.path.join(ldir, "initramfs.cpio.gz"))
    return qemu_base(plat, plat.memory_mb, icount) + [
        "-kernel", os.path.join(build, "x2hv.elf"),
        "-append", HVARGS, "-initrd", mods,
        "-serial", f"file:{log}",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def grub_test(build):
    ldir = os.path.join(build, "linux")
    return Test("bench-boot", HVARGS,
                modules=[(os.path.join(ldir, LINUX_KERNEL),
                          LINUX_CMDLINE + " " + BENCH_ARG),
                         (os.path.join(ldir, "initramfs.cpio.gz"), "")])


def cpu_seconds(pid):
    """user + system seconds of a live process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(argv, log, timeout):
    """Start QEMU, note when each phase's line arrives (wall and CPU
    seconds), let the guest power off. Returns ({phase: (wall, cpu)},
    log text) or (None, why)."""
    open(log, "w").close()
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    marks = {}
    try:
        while proc.poll() is None and len(marks) < len(PHASES):
            text = read_log(log)
            for name, pat in PHASES:
                hit = pat.search(text) if hasattr(pat, "search") \
                    else pat in text
                if name not in marks and hit:
                    marks[name] = (time.monotonic() - start,
                                   cpu_seconds(proc.pid))
            if time.monotonic() - start > timeout:
                return None, f"timeout after {timeout:.0f}s"
            time.sleep(POLL_S)
        # The guest powers off; x2hv prints its counters first.
        proc.wait(timeout=60)
    except (subprocess.TimeoutExpired, OSError):
        pass
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if "linux" not in marks:
        return None, f"no '{INIT_LINE}' (log {log})"
    return marks, read_log(log)


def exit_counts(text):
    """{reason: count} over all vCPUs, from x2hv's VM-stop lines."""
    out = {}
    for m in EXITS_RE.finditer(text):
        out["total"] = out.get("total", 0) + int(m.group(1))
        for item in m.group(2).split():
            reason, n = item.split("=")
            out[reason] = out.get(reason, 0) + int(n)
    return out


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt_runs(runs, phase, i):
    return ",".join(f"{r[phase][i]:.2f}" for r in runs)


def report(plat, results, exits, load):
    """The lines make bench-boot prints (and saves)."""
    lines = [f"# bench-boot on {plat.name} ({plat.emu}): start of QEMU to "
             f"'{INIT_LINE}', {RUNS} runs each, Linux with 2 vCPUs and "
             f"{GUEST_MB} MiB; wall seconds, QEMU's CPU seconds in cpu=; "
             f"load average {load[0]:.1f} before, {load[1]:.1f} after"]
    med = {}
    for way in WAYS:
        runs = results[way]
        med[way] = (median([r["linux"][0] for r in runs]),
                    median([r["linux"][1] for r in runs]))
        lines.append(f"bench-boot {way} median={med[way][0]:.2f} "
                     f"cpu_median={med[way][1]:.2f} "
                     f"runs={fmt_runs(runs, 'linux', 0)} "
                     f"cpu={fmt_runs(runs, 'linux', 1)}")
    for way in WAYS[1:]:
        lines.append(f"bench-boot ratio {way}/direct "
                     f"wall={med[way][0] / med['direct'][0]:.2f} "
                     f"cpu={med[way][1] / med['direct'][1]:.2f}")
    for way in WAYS[1:]:
        parts = []
        for name, _ in PHASES:
            p = prev_phase(name)
            w, c = (median([r[name][i] - (r[p][i] if p else 0)
                            for r in results[way]]) for i in (0, 1))
            parts.append(f"{name}={w:.2f}/{c:.2f}")
        lines.append(f"bench-boot phases {way} " + " ".join(parts) +
                     " (medians, wall/cpu seconds)")
    for way in WAYS[1:]:
        keys = sorted({k for e in exits[way] for k in e},
                      key=lambda k: (k != "total", k))
        lines.append(f"bench-boot exits {way} " + " ".join(
            f"{k}={int(median([e.get(k, 0) for e in exits[way]]))}"
            for k in keys) + " (medians over the runs, both vCPUs)")
    return lines


def prev_phase(name):
    names = [n for n, _ in PHASES]
    i = names.index(name)
    return names[i - 1] if i else None


def icount_lines(plat, build, logdir, timeout):
    """Virtual seconds to /init, direct and under x2hv (see above)."""
    got = {}
    for way, fn in (("direct", argv_direct), ("x2hv", argv_multiboot)):
        log = os.path.join(logdir, f"bench-boot-{way}-icount.log")
        marks, text = one_run(fn(plat, build, log, icount=True), log,
                              timeout)
        m = LINUX_CLOCK_RE.search(text or "")
        if marks is None or not m:
            return [f"# bench-boot icount {way}: no result (log {log})"]
        took = X2HV_TOOK_RE.search(text)
        got[way] = (float(m.group(1)),
                    int(took.group(1)) / 1000 if took else 0.0)
    d, x = got["direct"], got["x2hv"]
    return [f"bench-boot icount direct linux={d[0]:.3f}",
            f"bench-boot icount x2hv x2hv={x[1]:.3f} linux={x[0]:.3f} "
            f"ratio={(x[0] + x[1]) / d[0]:.2f} (virtual seconds: Linux's "
            f"clock at /init, x2hv from its entry to the VM start; "
            f"firmware not counted)"]


def unavailable(plat):
    why = plat.unavailable()
    if not why and (getattr(plat, "accel", None) != "tcg" or
                    plat.firmware != "bios"):
        why = "needs QEMU TCG with SeaBIOS (its PVH and multiboot loaders)"
    return why


def cmd_bench_boot(args, plats):
    rc = 0
    for plat in plats:
        why = unavailable(plat)
        if why:
            print(f"SKIP {plat.name} bench-boot: {why}")
            continue
        rc |= bench_platform(args, plat)
    return rc


def bench_platform(args, plat):
    logdir = os.path.join(args.build, "logs", plat.name)
    os.makedirs(logdir, exist_ok=True)
    test = grub_test(args.build)
    iso, err = build_iso(args.build, plat, test.name, test.hvargs,
                         test.modules)
    if err:
        print(f"FAIL {plat.name} bench-boot: {err}")
        return 1
    timeout = args.timeout or plat.linux_timeout
    results = {w: [] for w in WAYS}
    exits = {w: [] for w in WAYS}
    load = [os.getloadavg()[0]]
    for i in range(RUNS):
        for way in WAYS:
            log = os.path.join(logdir, f"bench-boot-{way}-{i + 1}.log")
            if way == "direct":
                argv = argv_direct(plat, args.build, log)
            elif way == "x2hv":
                argv = argv_multiboot(plat, args.build, log)
            else:
                argv = plat.command(os.path.abspath(iso),
                                    os.path.abspath(log), logdir, test)
            marks, text = one_run(argv, log, timeout)
            if marks is None:
                print(f"FAIL {plat.name} bench-boot {way} run {i + 1}: "
                      f"{text}")
                return 1
            print(f"# {way} run {i + 1}: {marks['linux'][0]:.2f} s, "
                  f"cpu {marks['linux'][1]:.2f} s", flush=True)
            results[way].append(marks)
            exits[way].append(exit_counts(text))
    load.append(os.getloadavg()[0])
    lines = report(plat, results, exits, load)
    lines += icount_lines(plat, args.build, logdir, timeout * 3)
    with open(os.path.join(logdir, "bench-boot.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0
