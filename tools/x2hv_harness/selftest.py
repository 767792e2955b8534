# SPDX-License-Identifier: MIT
"""The harness' self-test: the log judge on synthetic logs (so a harness
regression cannot turn FAILs into PASSes), the metadata parser, platform
properties and command lines, grub.cfg and the benchmark's parsing."""

import copy
import os
import sys
import tempfile

from . import bench, bench_boot, iso, platforms, runner
from .clock import GUEST_TS_RE, fit, guest_points
from .judge import HALTED, LogScanner, clean, judge
from .tests import DEFAULT_REJECT, Test, boot_tests, guest_test, linux_test

OK_BOOT = ("\x1b[H\x1b[J  Booting `x2hv'\r\nx2hv: firmware: BIOS\n"
           "x2hv: host LAPIC: xAPIC mode\n"
           "x2hv: cpu0: SVM on\nx2hv: cpu1: SVM on\n" + HALTED + "\n")
# UEFI: the firmware line, and the RSDP only from the loader's tag.
EFI_BOOT = OK_BOOT.replace(
    "x2hv: firmware: BIOS\n", "x2hv: firmware: UEFI (system table at "
    "7f9ec018)\nx2hv: smp: MADT (RSDP from the loader) lists 2 enabled "
    "CPUs\n")
LIN_OK = ("x2hv: tsc: 2600000 kHz\n"
          "[vm0] [    3.000000] sched_clock: Marking stable (1, 2)->(3, 4)\n"
          "[vm0] x2hv-linux: init started\n"
          "[vm0] ok 1 - cpus\n[vm0] x2hv-linux: tsc-khz 2600100\n"
          "[vm0] RESULT: PASS\n"
          "[vm0] [   13.000000] x2hv-linux: clock mark 1\n"
          "x2hv: vm0: stopped: poweroff (ACPI S5)\n"
          "x2hv: vm0: xAPIC page fee00000: never accessed\n" +
          HALTED + "\n")


RESTART = "x2hv: vm0: restarting after a guest reset\n"
LIN_REBOOTED = (2 * ("x2hv: vm0: restarting: reset requested through port "
                     "cf9\n" + RESTART) +
                LIN_OK.replace("[vm0] RESULT", "[vm0] x2hv-linux: boot 3 of "
                               "3\n[vm0] RESULT"))


def judge_cases(build):
    """[(test, platform, log, None or a part of the expected reason)]"""
    P = platforms.PLATFORMS
    svm, vmx, kvm = P["qemu-svm-xapic"], P["bochs-vmx"], P["kvm"]
    efi = P["qemu-svm-efi"]
    boot, fault = boot_tests(build, svm, make_bad=False)[:2]
    eboot = boot_tests(build, efi, make_bad=False)[0]
    vboot = boot_tests(build, vmx, make_bad=False)[0]
    kboot = boot_tests(build, kvm, make_bad=False)[0]
    lin, vlin = linux_test(build, svm), linux_test(build, vmx)
    rlin = linux_test(build, svm, variant="linux-reboot")
    klin = linux_test(build, kvm)
    vmx_boot = OK_BOOT.replace("SVM", "VMX").replace("xAPIC mode",
                                                      "x2APIC mode")
    efi_x2 = EFI_BOOT.replace("xAPIC mode", "x2APIC mode")
    untracked = LIN_OK.replace("never accessed",
                               "access not tracked on this CPU")
    # Bochs' TSC runs at its ips: x2hv and Linux must say so.
    bochs_khz = platforms.BOCHS_IPS // 1000
    bochs_ok = untracked.replace("2600000 kHz", f"{bochs_khz} kHz").replace(
        "tsc-khz 2600100", f"tsc-khz {bochs_khz + 1}")
    return [
        (boot, svm, OK_BOOT, None),
        (boot, svm, OK_BOOT.replace("cpu1: SVM", "cpu1: VMX"), "missing"),
        (boot, svm, OK_BOOT.replace(HALTED, ""), "never appeared"),
        (boot, svm, OK_BOOT + "x2hv: PANIC: x\n", "matched"),
        # The host LAPIC mode is a property of the platform.
        (boot, svm, OK_BOOT.replace("xAPIC mode", "x2APIC mode"),
         "missing /x2hv: host LAPIC: xAPIC"),
        (vboot, vmx, vmx_boot, None),
        (vboot, vmx, vmx_boot.replace("x2APIC mode", "xAPIC mode"),
         "missing /x2hv: host LAPIC: x2APIC"),
        (vboot, vmx, OK_BOOT.replace("xAPIC mode", "x2APIC mode"),
         "missing /x2hv: cpu0: VMX on"),
        (eboot, efi, efi_x2, None),
        (eboot, efi, OK_BOOT.replace("xAPIC mode", "x2APIC mode"),
         "missing /x2hv: firmware: UEFI"),
        (eboot, efi, efi_x2.replace("from the loader", "found in the BIOS "
                                    "area"), "missing /x2hv: firmware"),
        (boot, svm, EFI_BOOT, "missing /x2hv: firmware: BIOS"),
        (kboot, kvm, vmx_boot, None),
        (kboot, kvm, OK_BOOT, None),
        (fault, svm, "x2hv: PANIC: #UD\nRIP=1 RSP=2\nCR3=0\n" + HALTED, None),
        (fault, svm, "x2hv: PANIC: #GP\nRIP=1 RSP=2\nCR3=0\n" + HALTED,
         "missing /#UD/"),
        (lin, svm, LIN_OK, None),
        (lin, svm, LIN_OK.replace("ok 1", "not ok 1"), "matched /not ok /"),
        (lin, svm, LIN_OK.replace("2600100", "2603000"), "differs"),
        (lin, svm, LIN_OK.replace("never accessed", "accessed by the guest"),
         "missing /x2hv: vm0: xAPIC"),
        # Accessed flags: a platform with them must say "never accessed".
        (lin, svm, untracked, "missing /x2hv: vm0: xAPIC"),
        (vlin, vmx, bochs_ok, None),
        (vlin, vmx, LIN_OK, "missing /x2hv: vm0: xAPIC"),
        (klin, kvm, untracked, None),
        (klin, kvm, LIN_OK.replace("never accessed", "accessed by the guest"),
         "missing /x2hv: vm0: xAPIC"),
        (lin, svm, LIN_OK.replace("poweroff (ACPI S5)", "triple fault"),
         "missing"),
        (lin, svm, LIN_OK.replace("x2hv: tsc: 2600000 kHz\n", ""), "missing"),
        (lin, svm, LIN_OK + "[vm0] WARNING: CPU: 1 PID: 0 at x+0x1\n",
         "WARNING"),
        (lin, svm, "[vm0] [    0.000000] BUG: unable to handle page fault\n"
         + LIN_OK, "BUG:"),
        (lin, svm, "x2hv: vm0: WARNING: slow path\n" + LIN_OK, None),
        (lin, svm, "[vm0] [    0.1] RETBleed: WARNING: Spectre v2 "
         "mitigation\n" + LIN_OK, None),
        (boot, svm, "error: premature end of file /boot/x2hv.elf.\n",
         "GRUB"),
        # The guest's clock against the host's (clock.py): lines arrive
        # 1.01 host seconds per guest second, a TSC figure 1% high.
        (lin, svm, LIN_OK, "guest clock off", 1.01),
        (lin, svm, LIN_OK, None, 1.004),
        (lin, svm, LIN_OK.replace("Marking stable", "Marking"),
         "fewer than 2 kernel lines"),
        # Bochs: the reference is its configured rate, not the host.
        (vlin, vmx, untracked, "guest clock off"),
        (vlin, vmx, bochs_ok, None, 3.0),
        # VM restarts: none expected by default, a reboot test's count
        # exactly (fewer: the reset stopped the VM; more: a reset loop).
        (lin, svm, RESTART + LIN_OK, "reset loop: 1 VM restarts"),
        (rlin, svm, LIN_REBOOTED, None),
        (rlin, svm, LIN_REBOOTED.replace(RESTART, "", 1),
         "1 VM restarts, 2 expected"),
        (rlin, svm, RESTART + LIN_REBOOTED, "reset loop: 3 VM restarts"),
        (rlin, svm, LIN_REBOOTED.replace("port cf9", "the 8042"),
         "missing /x2hv: vm0: restarting: reset requested through port"),
    ]


def arrival_times(text, factor):
    """Synthetic host arrival times: a timestamped kernel line arrives
    factor host seconds per guest second after a start; other lines with
    the line before them."""
    times, now = [], 100.0
    for line in text.splitlines():
        m = GUEST_TS_RE.search(line)
        if m:
            now = 100.0 + factor * float(m.group(1))
        times.append((now, line))
    return times


def check_clock_reboots():
    """After a VM restart guest time starts again: the clock fit uses only
    the last boot's lines (here the first boot's arrive at half speed)."""
    boot = ["[vm0] [    1.000000] sched_clock: Marking stable (1, 2)->(3, 4)"] \
        + [f"[vm0] [   {t:2d}.000000] x" for t in range(2, 14)]
    times = [(100.0 + 2 * float(l[8:19]), l) for l in boot]
    times.append((130.0, RESTART.strip()))
    times += [(200.0 + float(l[8:19]), l) for l in boot]
    got = fit(guest_points(times))
    if not got or abs(got[0] - 1.0) > 1e-9:
        return f"fit over the last boot: {got}"
    return None


def check_scanner():
    """The live log scanner sees only complete lines, and stops at the
    first restart too many, before the log ends."""
    t = guest_test("build", os.path.join("tests", "guest",
                                         "reboot-acpi.c"))
    s = LogScanner(t)
    steps = [("[vm0] not o", None), ("[vm0] not ok 1 - x", None),
             ("[vm0] not ok 1 - x\n", "matched /not ok /")]
    for text, want in steps:
        got = s.feed(text)
        if (got is None) != (want is None) or (want and want not in got):
            return f"after {text!r}: want {want!r}, got {got!r}"
    s = LogScanner(t)
    if s.feed(RESTART) or not s.feed(2 * RESTART):
        return "a second restart of a 1-restart test is a reset loop"
    return None


def check_metadata(build):
    meta_src = os.path.join(build, "selftest-meta.c")
    os.makedirs(build, exist_ok=True)
    with open(meta_src, "w") as f:
        f.write("//! vcpus: 3\n//! hvargs: loglvl=debug\n//! expect: a b\n"
                "//! reject: c\n//! timeout: 7\n//! platforms: bochs-vmx\n")
    t = guest_test(build, meta_src)
    os.unlink(meta_src)
    want = ("loglvl=info on_exit=poweroff vcpus=3 loglvl=debug", 3, ["a b"],
            DEFAULT_REJECT + ["c"], 7, ["bochs-vmx"])
    got = (t.hvargs, t.ncpu, t.expect, t.reject, t.timeout, t.platforms)
    return None if got == want else f"want {want}, got {got}"


def argv_has(argv, seq):
    n = len(seq)
    return any(argv[i:i + n] == seq for i in range(len(argv) - n + 1))


def stand_in(plat):
    """plat with its emulator binary replaced by this Python (an
    executable that exists everywhere), so that command lines can be
    checked without the emulators installed."""
    fake = copy.copy(plat)
    fake.emu = copy.copy(plat.emu)
    fake.emu.paths, fake.emu._found = [sys.executable], None
    return fake


def check_platform(name, plat, wd):
    """One platform's command line for a 3-CPU test with cpu_minus and
    QEMU arguments; None when it says what the properties say."""
    p = stand_in(plat)
    t = Test("t", "", ncpu=3, qemu_args=["-icount", "x"],
             cpu_minus=["svm", "vmx"])
    argv = p.command("x.iso", "x.log", wd, t)
    if argv[0] != sys.executable:
        return f"{name} argv[0] {argv[0]}"
    if isinstance(p, platforms.QemuPlatform):
        cpu = f"{p.cpu},-svm,-vmx"
        fw = [a for d in p.emu.firmware for a in
              ("-L", os.path.normpath(os.path.join(
                  os.path.dirname(sys.executable), d)))]
        if not (argv_has(argv, ["-accel", p.accel, "-cpu", cpu]) and
                argv_has(argv, ["-smp", "3"]) and argv[1:1 + len(fw)] == fw
                and argv[-2:] == ["-icount", "x"]):
            return f"{name} argv {argv}"
        return None
    with open(os.path.join(wd, "bochsrc")) as f:
        rc = f.read()
    if f"model={p.cpu_model}, count=3," not in rc or \
            f"display_library: {p.emu.display}" not in rc or "icount" in rc:
        return f"{name} bochsrc:\n{rc}"
    if ("-rc" in argv) != p.emu.debugger:
        return f"{name} argv {argv}: -rc iff the debugger is built in"
    if "cannot take svm, vmx off" not in (runner.skip_reason(p, t) or ""):
        return f"{name}: cpu_minus does not SKIP"
    return None


def check_commands():
    """Platform properties reach the emulator's command line."""
    with tempfile.TemporaryDirectory() as wd:
        for name, plat in platforms.PLATFORMS.items():
            why = check_platform(name, plat, wd)
            if why:
                return why
    return None


def check_bench():
    peers = bench.load_peers()
    svm = peers.get("qemu-svm", {}).get("cases", {})
    if not svm or not all(isinstance(v, int) and v > 0
                          for v in svm.values()):
        return f"peers.json qemu-svm cases: {svm}"
    text = clean("[vm0] bench cpuid exits/op=1 ticks/op=359\r\n"
                 "x2hv: bench nothing\n[vm0] bench vmcall exits/op=1 "
                 "ticks/op=347\n")
    got = bench.parse_bench(text)
    if sorted(got) != ["cpuid", "vmcall"]:  # not the x2hv: line
        return f"parse_bench: {got}"
    P = platforms.PLATFORMS
    runs = {t.name: (t.hvargs, t.qemu_args, t.cpu_minus)
            for t in bench.bench_tests("build", P["qemu-svm"])}
    icount = bench.BENCH_ICOUNT_ARGS
    if sorted(runs) != ["bench-icount1", "bench-icount2", "bench-smp"] or \
            runs["bench-icount1"][1:] != (icount, ["x2apic"]) or \
            runs["bench-smp"][1:] != ([], []) or \
            "vcpus=1" not in runs["bench-icount2"][0]:
        return f"qemu-svm bench runs: {runs}"
    if [(t.qemu_args, t.ncpu) for t in
            bench.bench_tests("build", P["bochs-vmx"])] != [([], 3), ([], 2)]:
        return "bochs-vmx bench: 3 CPUs and 2, no icount"
    table = bench.peer_table(peers["qemu-svm"], got)
    if "x2hv    359   KVM   2628" not in table[1] or "n/a" not in table[3] \
            or "7.3x fewer   goal <= 190: MISSED" not in table[1] or \
            "goal <= 200: MISSED" not in table[3]:
        return f"peer table: {table}"
    got["cpuid"] = "bench cpuid exits/op=1 ticks/op=190"
    if "goal <= 190: met" not in bench.peer_table(peers["qemu-svm"],
                                                  got)[1]:
        return "peer table: 190 meets a goal of at most 190"
    return None


def check_bench_boot():
    text = ("x2hv: vm0: 2 vCPUs, 512 MiB, starting (x2hv took 312 ms)\n"
            "[vm0] [    1.446748] x2hv-linux: init started\n"
            "x2hv: vm0: vcpu1: 10 exits: cpuid=4 io=6\n"
            "x2hv: vm0: vcpu0: 30 exits: cpuid=5 io=20 hlt=5\n")
    got = bench_boot.exit_counts(text)
    if got != {"total": 40, "cpuid": 9, "io": 26, "hlt": 5}:
        return f"exit_counts: {got}"
    if bench_boot.LINUX_CLOCK_RE.search(text).group(1) != "1.446748" or \
            bench_boot.X2HV_TOOK_RE.search(text).group(1) != "312":
        return "the icount lines are not parsed"
    P = platforms.PLATFORMS
    argv = bench_boot.argv_multiboot(P["qemu-svm"], "b", "L", icount=True)
    mods = argv[argv.index("-initrd") + 1]
    if "earlyprintk=serial,,ttyS0,,115200" not in mods or \
            not mods.endswith(",b/linux/initramfs.cpio.gz") or \
            "max,-x2apic" not in argv or "-icount" not in argv:
        return f"multiboot argv: {argv}"
    qemu = P["qemu-svm"].command("/i.iso", "/l", "/w", Test("t", ""))
    if "-cdrom" in qemu or "ide-cd,bus=ahci.0,drive=cd,bootindex=0" \
            not in qemu:
        return f"the ISO is not on AHCI: {qemu}"
    return check_trim_elf()


def check_trim_elf():
    """tests/linux/trim-elf.py on a made-up ELF: smaller, same memory."""
    import importlib.util
    import struct
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests",
                        "linux", "trim-elf.py")
    spec = importlib.util.spec_from_file_location("trim_elf", path)
    trim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(trim)
    segs = [(0x1000, b"code" + b"\0" * 3000, 5000),
            (0x3000, b"\0" * 100 + b"data" + b"\0" * 8000, 9000)]
    eh = trim.EHDR.pack(b"\x7fELF\x02\x01\x01" + b"\0" * 9, 2, 62, 1,
                        0x1000, 64, 0, 0, 64, 56, len(segs) + 1, 0, 0, 0)
    off, phs, body = 4096, b"", b""
    for paddr, data, memsz in segs:
        phs += trim.PHDR.pack(1, 5, off + len(body), paddr, paddr,
                              len(data), memsz, 4096)
        body += data
    phs += trim.PHDR.pack(4, 4, off + 4, 0, 0, 4, 4, 4)  # a note
    img = eh + phs + b"\0" * (off - len(eh) - len(phs)) + body
    out = trim.trim(img)
    if trim.memory(out) != trim.memory(img) or len(out) >= len(img):
        return "trim-elf: the image loads differently or is not smaller"
    _, ophs = trim.parse(out)
    if [ph[5] for ph in ophs] != [4, 104, 4] or \
            out[ophs[2][2]:ophs[2][2] + 4] != img[off + 4:off + 8]:
        return f"trim-elf: program headers {ophs}"
    return None


def check_grub_cfg():
    cfg = iso.grub_cfg("vcpus=2", [("/b/vmlinux", "console=ttyS0"),
                                   ("/b/initrd.gz", "")])
    want = ("\tmultiboot2 /boot/x2hv.elf vcpus=2\n"
            "\tmodule2 --nounzip /boot/vmlinux console=ttyS0\n"
            "\tmodule2 --nounzip /boot/initrd.gz\n\tboot\n")
    return None if want in cfg else f"grub.cfg:\n{cfg}"


def cmd_selftest(args):
    failed = n = 0
    for i, (test, plat, text, want, *factor) in enumerate(
            judge_cases(args.build)):
        text = clean(text)
        got = judge(test, plat, text,
                    arrival_times(text, factor[0] if factor else 1.0))
        good = (got is None) if want is None else (got is not None and
                                                   want in got)
        n += 1
        if not good:
            failed += 1
            print(f"selftest {i} ({test.name} on {plat.name}): want "
                  f"{want!r}, got {got!r}")
    for name, check in (("metadata", lambda: check_metadata(args.build)),
                        ("commands", check_commands),
                        ("scanner", check_scanner),
                        ("clock-reboots", check_clock_reboots),
                        ("bench", check_bench), ("grub.cfg", check_grub_cfg),
                        ("bench-boot", check_bench_boot)):
        n += 1
        why = check()
        if why:
            failed += 1
            print(f"selftest {name}: {why}")
    print(f"{n - failed} passed, {failed} failed")
    return 1 if failed else 0
