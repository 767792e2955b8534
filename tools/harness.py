#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""x2hv emulator test harness: boot the hypervisor from a GRUB ISO on an
emulator, watch the serial log, decide pass/fail from its markers.

Subcommands (docs/testing.md has the whole story):
  boot   the hypervisor alone (table BOOT_TESTS below)
  guest  tests/guest/<name>.c test kernels (metadata in "//! key: value")
  linux  Debian's stock kernel with the busybox initramfs (tests/linux)
  run    interactive: serial console on stdio
  bench  build/guest/bench.elf under QEMU -icount; prints "bench " lines

Platforms: qemu-svm, bochs-vmx, bochs-svm, kvm (see PLATFORMS). Output: one
"PASS|FAIL|SKIP <platform> <test>..." line per test, then
"N passed, M failed" (", K skipped"); exit status 1 when anything failed.
"""

import argparse
import concurrent.futures
import fcntl
import fnmatch
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import time

# ------------------------------------------------------------ serial protocol
HALTED = "x2hv: system halted"
# GRUB reports a failed command (bad ELF, missing file) as "error: ..." at
# the start of a line and then waits for a key: end such runs at once.
GRUB_ERROR_RE = re.compile(r"^error: .*$", re.M)
# Always failures, for guest and Linux tests (docs/testing.md).
DEFAULT_REJECT = [r"not ok ", r"RESULT: FAIL", r"x2hv: PANIC"]
DEFAULT_EXPECT = [r"RESULT: PASS"]
# Seconds to let the emulator exit on its own after HALTED (it powers off
# through isa-debug-exit or the Bochs shutdown port) before we kill it.
HALT_GRACE_S = 3.0
POLL_S = 0.2
DEFAULT_TIMEOUT = {"qemu": 60, "bochs": 300, "kvm": 60}
# The terminal control sequences GRUB writes on a serial terminal.
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]")

# Boot tests: the hypervisor alone. "cpus" lines are generated per platform:
# every CPU 0..n-1 must print "x2hv: cpu<N>: VMX on" (or SVM).
BOOT_TESTS = [
    {"name": "boot", "hvargs": "noguest loglvl=debug on_exit=poweroff",
     "cpus_on": True, "expect": [], "reject": [r"x2hv: PANIC"]},
    {"name": "boot-fault", "hvargs": "noguest testfault=ud on_exit=poweroff",
     "cpus_on": False,
     "expect": [r"x2hv: PANIC", r"#UD", r"RIP", r"RSP", r"CR3"],
     "reject": []},
    {"name": "boot-badargs", "hvargs": "on_exit=poweroff bogus=1",
     "cpus_on": False, "expect": [r"x2hv: error: command line: .*bogus=1"],
     "reject": [r"x2hv: PANIC"]},
    # Bad boot input (issue 7): one clear error line and a clean halt.
    # "module" names a file under build/bad/ (tests/bad-input/mkbadelf.py)
    # or, as "@x2hv", the hypervisor's own ELF (an ELF with no PVH note).
    {"name": "boot-nomodule", "hvargs": "on_exit=poweroff",
     "cpus_on": False, "expect": [r"x2hv: error: no guest kernel"],
     "reject": [r"x2hv: PANIC"]},
    {"name": "boot-notelf", "hvargs": "on_exit=poweroff",
     "module": "notelf.bin", "cpus_on": False,
     "expect": [r"x2hv: error: guest kernel \(module 1\): not an ELF image"],
     "reject": [r"x2hv: PANIC"]},
    {"name": "boot-nopvh", "hvargs": "on_exit=poweroff", "module": "@x2hv",
     "cpus_on": False,
     "expect": [r"x2hv: error: guest kernel \(module 1\): no PVH entry "
                r"note"],
     "reject": [r"x2hv: PANIC"]},
    {"name": "boot-overlap", "hvargs": "on_exit=poweroff",
     "module": "overlap.elf", "cpus_on": False,
     "expect": [r"x2hv: error: guest kernel \(module 1\): segments "
                r"overlap"],
     "reject": [r"x2hv: PANIC"]},
    {"name": "boot-outside", "hvargs": "on_exit=poweroff mem=256M",
     "module": "outside.elf", "cpus_on": False,
     "expect": [r"x2hv: error: guest kernel \(module 1\): segment outside "
                r"guest RAM"],
     "reject": [r"x2hv: PANIC"]},
    {"name": "boot-bigmem", "hvargs": "on_exit=poweroff mem=3000M",
     "module": "@hello", "cpus_on": False,
     "expect": [r"x2hv: error: mem=3000 MiB is more than the free host "
                r"memory"],
     "reject": [r"x2hv: PANIC", r"vm0: .* starting"]},
    # A CPU without SVM (QEMU's -cpu option: the last one wins): one
    # clear message and a clean halt.
    {"name": "boot-novirt", "hvargs": "noguest on_exit=poweroff",
     "qemu_args": ["-cpu", "max,-svm"], "platforms": ["qemu-svm"],
     "cpus_on": False,
     "expect": [r"x2hv: error: no usable VMX or SVM on this CPU"],
     "reject": [r"x2hv: PANIC", r"cpu\d+: SVM on"]},
    {"name": "boot-hugemem", "hvargs": "on_exit=poweroff mem=64G",
     "module": "@hello", "cpus_on": False,
     "expect": [r"x2hv: error: mem=65536 MiB: guest RAM above 3072 MiB"],
     "reject": [r"x2hv: PANIC"]},
]

# Linux boot test (issue 5). The init script (tests/linux/init.sh) prints
# the TAP lines; these are the serial-console patterns on top of it.
LINUX_HVARGS = "vcpus=2 mem=512M on_exit=poweroff"
LINUX_CMDLINE = ("console=ttyS0 earlyprintk=serial,ttyS0,115200 loglevel=7 "
                 "panic=-1 x2hv.cpus=2")
LINUX_EXPECT = [r"x2hv-linux: init started", r"RESULT: PASS",
                r"x2hv: tsc: \d+ kHz", r"x2hv-linux: tsc-khz \d+",
                # No xAPIC MMIO, from the EPT/NPT accessed flag of the page
                # (where the CPU keeps one), and a clean ACPI poweroff.
                r"x2hv: vm0: xAPIC page fee00000: (never accessed|access not "
                r"tracked)",
                r"x2hv: vm0: stopped: poweroff \(ACPI S5\)"]
# Kernel trouble on the guest's console (lines the hypervisor forwards with
# a "[vm0] " prefix), so that hypervisor messages cannot match.
LINUX_REJECT = DEFAULT_REJECT + [
    r"\[vm\d+\] .*" + p for p in (r"Kernel panic", r"\bBUG:", r"\bOops\b",
                                   r"WARNING: (CPU: |at )", r"Call Trace")]
LINUX_TIMEOUT = {"qemu": 600, "bochs": 3600, "kvm": 120}
# Linux's calibrated TSC frequency must match the host's within this many
# parts per thousand (Linux refines against its own reference clocks).
TSC_TOLERANCE_PERMILLE = 1

BENCH_QEMU_ARGS = ["-icount", "shift=0,sleep=off"]
BENCH_LINE_RE = re.compile(r"(?:^|\] )(bench .*)$", re.M)


# ------------------------------------------------------------ platforms
def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def kvm_nested_mode():
    """Return ("VMX"|"SVM", None) if KVM can run a hypervisor, else
    (None, reason)."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return None, "/dev/kvm not accessible"
    flags = cpu_flags()
    for flag, mode, mod in (("vmx", "VMX", "kvm_intel"),
                            ("svm", "SVM", "kvm_amd")):
        if flag not in flags:
            continue
        try:
            with open(f"/sys/module/{mod}/parameters/nested") as f:
                nested = f.read().strip()
        except OSError:
            return None, f"{mod} not loaded"
        if nested not in ("1", "Y", "y"):
            return None, f"{mod} nested={nested}: nesting disabled"
        return mode, None
    return None, "host CPU has neither vmx nor svm (no nested virtualization)"


class Platform:
    """An emulator configuration. kind: qemu, bochs or kvm."""

    def __init__(self, name, kind, mode, cpu_model=None):
        self.name, self.kind, self.mode = name, kind, mode
        self.cpu_model = cpu_model

    def unavailable(self):
        """None when usable, else the reason to SKIP."""
        if self.kind in ("qemu", "kvm"):
            if not shutil.which("qemu-system-x86_64"):
                return "qemu-system-x86_64 not installed (qemu-system-x86)"
        if self.kind == "kvm":
            mode, why = kvm_nested_mode()
            if why:
                return why
            self.mode = mode
        if self.kind == "bochs":
            if not shutil.which("bochs"):
                return "bochs not installed (bochs, bochsbios, vgabios)"
            if not os.path.exists(BOCHS_BIOS):
                return f"{BOCHS_BIOS} missing (bochsbios)"
        for tool in ("grub-mkrescue", "xorriso", "mformat"):
            if not shutil.which(tool):
                return f"{tool} not installed (grub-pc-bin, xorriso, mtools)"
        if not os.path.isdir("/usr/lib/grub/i386-pc"):
            return "GRUB i386-pc modules missing (grub-pc-bin)"
        return None

    def timeout(self, override=None):
        return override if override else DEFAULT_TIMEOUT[self.kind]

    def command(self, iso, log, ncpu, workdir, extra_qemu=(), interactive=False):
        """argv to boot iso with the serial console to log (or stdio)."""
        if self.kind == "bochs":
            return bochs_command(self, iso, log, ncpu, workdir, interactive)
        accel = ["-accel", "kvm", "-cpu", "host"] if self.kind == "kvm" \
            else ["-accel", "tcg", "-cpu", "max"]
        serial = ["-serial", "mon:stdio"] if interactive \
            else ["-serial", f"file:{log}", "-monitor", "none"]
        return (["qemu-system-x86_64"] + accel +
                ["-smp", str(ncpu), "-m", "2048", "-M", "pc", "-nodefaults",
                 "-display", "none", "-no-reboot", "-cdrom", iso] + serial +
                ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"] +
                list(extra_qemu))


PLATFORMS = {
    "qemu-svm": Platform("qemu-svm", "qemu", "SVM"),
    # Bochs 2.7 models with VMX (EPT, unrestricted guest, x2APIC) or SVM.
    "bochs-vmx": Platform("bochs-vmx", "bochs", "VMX", "corei7_skylake_x"),
    "bochs-svm": Platform("bochs-svm", "bochs", "SVM", "ryzen"),
    "kvm": Platform("kvm", "kvm", None),
}

BOCHS_BIOS = "/usr/share/bochs/BIOS-bochs-latest"
BOCHS_VGABIOS = "/usr/share/vgabios/vgabios.bin"
# Emulated instructions per emulated second (and so the TSC rate). With
# clock sync=none virtual time depends on instructions only: runs repeat.
BOCHS_IPS = int(os.environ.get("BOCHS_IPS", "50000000"))
BOCHS_MEGS = 2048


def bochs_command(plat, iso, log, ncpu, workdir, interactive):
    """Write a bochsrc (and the debugger rc file: Debian's bochs has the
    internal debugger and stops at its prompt unless told to continue)."""
    rc = os.path.join(workdir, "bochs.rc")
    conf = os.path.join(workdir, "bochsrc")
    with open(rc, "w") as f:
        f.write("c\n")
    com1 = "mode=term, dev=/dev/tty" if interactive \
        else f"mode=file, dev={log}"
    # No "nogui" library in Debian's build: rfb with timeout=0 runs headless
    # (it binds the first free TCP port from 5900, so runs can be parallel).
    # reset_on_triple_fault=0 turns a triple fault into a panic that ends
    # the run instead of rebooting into GRUB.
    with open(conf, "w") as f:
        f.write(f"""\
romimage: file={BOCHS_BIOS}
vgaromimage: file={BOCHS_VGABIOS}
cpu: model={plat.cpu_model}, count={ncpu}, ips={BOCHS_IPS}, reset_on_triple_fault=0
memory: guest={BOCHS_MEGS}, host={BOCHS_MEGS}
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
com1: enabled=1, {com1}
display_library: rfb, options="timeout=0"
speaker: enabled=0
clock: sync=none, time0=local
log: {os.path.join(workdir, "bochs.log")}
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
""")
    return ["bochs", "-q", "-f", conf, "-rc", rc]


# ------------------------------------------------------------ ISO
GRUB_CFG = """\
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_output serial
menuentry "x2hv" {{
\tmultiboot2 /boot/x2hv.elf {hvargs}
{modules}\tboot
}}
"""


def build_iso(build, plat, test, hvargs, modules):
    """Build build/iso/<platform>/<test>.iso. modules: [(path, cmdline)],
    first the guest kernel, then an optional initrd. Returns (iso, err)."""
    hv = os.path.join(build, "x2hv.elf")
    if not os.path.exists(hv):
        return None, f"{hv} missing (make all)"
    isodir = os.path.join(build, "iso", plat.name)
    stage = os.path.join(isodir, test + ".d")
    iso = os.path.join(isodir, test + ".iso")
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(os.path.join(stage, "boot", "grub"))
    shutil.copyfile(hv, os.path.join(stage, "boot", "x2hv.elf"))
    lines = ""
    for path, cmdline in modules:
        if not os.path.exists(path):
            return None, f"{path} missing"
        name = os.path.basename(path)
        # Hard link when possible: the Debian vmlinux is 66 MB.
        dst = os.path.join(stage, "boot", name)
        try:
            os.link(path, dst)
        except OSError:
            shutil.copyfile(path, dst)
        # --nounzip: hand the initramfs to the guest as it is (GRUB would
        # otherwise gunzip it).
        lines += f"\tmodule2 --nounzip /boot/{name} {cmdline}".rstrip() + "\n"
    with open(os.path.join(stage, "boot", "grub", "grub.cfg"), "w") as f:
        f.write(GRUB_CFG.format(hvargs=hvargs, modules=lines))
    try:
        os.unlink(iso)
    except FileNotFoundError:
        pass
    # No locales, fonts or themes: a smaller ISO that GRUB reads faster
    # under Bochs' emulated BIOS disk services.
    proc = subprocess.run(["grub-mkrescue", "-o", iso, "--locales=",
                           "--fonts=", "--themes=", stage],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    if proc.returncode != 0 or not os.path.exists(iso):
        tail = proc.stdout.decode("utf-8", "replace").strip().splitlines()
        return None, "grub-mkrescue failed: " + (tail[-1] if tail else "")
    shutil.rmtree(stage, ignore_errors=True)
    return iso, None


# ------------------------------------------------------------ tests
class Test:
    """One emulator run and the rules that judge its serial log."""

    def __init__(self, name, hvargs, modules=(), ncpu=2, expect=(),
                 reject=(), timeout=None, platforms=None, cpus_on=False,
                 qemu_args=(), checks=(), need=None):
        self.name, self.hvargs, self.modules = name, hvargs, list(modules)
        self.ncpu, self.expect, self.reject = ncpu, list(expect), list(reject)
        self.timeout, self.platforms = timeout, platforms
        self.cpus_on, self.qemu_args = cpus_on, list(qemu_args)
        self.checks = list(checks)  # functions(text) -> None or why
        self.need = need  # function(platform) -> None or SKIP reason
        self.error = None  # a broken test definition: always FAIL


def read_log(path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError:
        return ""
    text = raw.decode("utf-8", "replace").replace("\r", "")
    return ANSI_RE.sub("", text)


def judge(test, plat, text):
    """Return None when the log passes, else the first reason it fails."""
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
    return None


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


def run_test(build, plat, test, timeout_override=None, scale=1.0):
    """Run one test on one platform; return ("PASS"|"FAIL"|"SKIP", line)."""
    label = f"{plat.name} {test.name}"
    if test.error:
        return "FAIL", f"FAIL {label}: {test.error}"
    why = plat.unavailable()
    if not why and test.platforms and plat.name not in test.platforms:
        why = "not for this platform (platforms: " + \
            " ".join(test.platforms) + ")"
    if not why and test.need:
        why = test.need(plat)
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


def run_locked(build, plat, test, label, logdir, timeout_override, scale):
    workdir = os.path.join(logdir, test.name + ".d")
    os.makedirs(workdir, exist_ok=True)
    log = os.path.join(logdir, test.name + ".log")
    iso, err = build_iso(build, plat, test.name, test.hvargs, test.modules)
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
                        test.ncpu, os.path.abspath(workdir),
                        extra_qemu=test.qemu_args)
    emu_out = os.path.join(workdir, "emulator.out")
    start = time.monotonic()
    with open(emu_out, "wb") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, cwd=workdir,
                                start_new_session=True)
        halted_at = None
        timed_out = False
        while proc.poll() is None:
            now = time.monotonic()
            if halted_at is None:
                text = read_log(log)
                if HALTED in text:
                    halted_at = now
                elif GRUB_ERROR_RE.search(text):
                    break
            if halted_at is not None and now - halted_at > HALT_GRACE_S:
                break
            if now - start > timeout:
                timed_out = True
                break
            time.sleep(POLL_S)
        exited_alone = proc.poll() is not None
        kill_group(proc)
    secs = time.monotonic() - start
    text = read_log(log)
    why = judge(test, plat, text)
    if why and timed_out:
        why = f"timeout after {timeout:.0f}s ({why})"
    elif why and exited_alone and HALTED not in text:
        why += f" (emulator exited with status {proc.returncode}" + \
            emulator_reason(emu_out) + ")"
    if why:
        return "FAIL", f"FAIL {label}: {why} (log {log})"
    shutil.rmtree(workdir, ignore_errors=True)
    return "PASS", f"PASS {label} ({secs:.1f}s)"


# ------------------------------------------------------------ test sources
META_RE = re.compile(r"^//!\s*([a-z]+)\s*:\s*(.*?)\s*$")


def parse_metadata(path):
    """The "//! key: value" lines of a guest test (docs/testing.md)."""
    meta = {"expect": [], "reject": []}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = META_RE.match(line)
            if not m:
                continue
            key, val = m.group(1), m.group(2)
            if key in ("expect", "reject"):
                meta[key].append(val)
            elif key in ("vcpus", "timeout"):
                if not val.isdigit() or int(val) < 1:
                    raise ValueError(f"{path}: {key} must be a positive "
                                     f"integer, not '{val}'")
                meta[key] = int(val)
            elif key in ("hvargs", "platforms"):
                meta[key] = val
            else:
                raise ValueError(f"{path}: unknown metadata key '{key}'")
    return meta


def guest_test(build, src, extra_hvargs="", qemu_args=(), name=None):
    name = name or os.path.splitext(os.path.basename(src))[0]
    try:
        meta = parse_metadata(src)
    except (OSError, ValueError) as e:
        t = Test(name, "")
        t.error = f"bad test metadata: {e}"
        return t
    vcpus = meta.get("vcpus", 1)
    hvargs = f"loglvl=info on_exit=poweroff vcpus={vcpus} " + \
        meta.get("hvargs", "") + " " + extra_hvargs
    elf = os.path.join(build, "guest", name + ".elf")
    return Test(name, " ".join(hvargs.split()), modules=[(elf, "")],
                ncpu=max(2, vcpus),
                expect=meta["expect"] or DEFAULT_EXPECT,
                reject=DEFAULT_REJECT + meta["reject"],
                timeout=meta.get("timeout"),
                platforms=meta.get("platforms", "").split() or None,
                qemu_args=qemu_args)


def tsc_check(text):
    """Linux's TSC frequency against the host's, both in kHz."""
    host = re.search(r"x2hv: tsc: (\d+) kHz", text)
    guest = re.search(r"x2hv-linux: tsc-khz (\d+)", text)
    if not host or not guest:
        return None  # the expect list reports the missing line
    h, g = int(host.group(1)), int(guest.group(1))
    if abs(g - h) * 1000 > h * TSC_TOLERANCE_PERMILLE:
        return f"guest TSC {g} kHz differs from host {h} kHz by more " \
            f"than {TSC_TOLERANCE_PERMILLE / 10}%"
    return None


def linux_test(build, plat, extra_cmdline="", extra_hvargs=""):
    ldir = os.path.join(build, "linux")
    cmdline = (LINUX_CMDLINE + " " + extra_cmdline).strip()
    return Test("linux", (LINUX_HVARGS + " " + extra_hvargs).strip(),
                modules=[(os.path.join(ldir, "vmlinux"), cmdline),
                         (os.path.join(ldir, "initramfs.cpio.gz"), "")],
                ncpu=2, expect=LINUX_EXPECT, reject=LINUX_REJECT,
                timeout=LINUX_TIMEOUT[plat.kind], checks=[tsc_check])


def boot_module(build, name):
    if name == "@x2hv":
        return os.path.join(build, "x2hv.elf")
    if name.startswith("@"):
        return os.path.join(build, "guest", name[1:] + ".elf")
    return os.path.join(build, "bad", name)


def boot_tests(build):
    subprocess.check_call([sys.executable, os.path.join(
        "tests", "bad-input", "mkbadelf.py"), os.path.join(build, "bad")])
    return [Test(t["name"], t["hvargs"], ncpu=2, expect=t["expect"],
                 reject=t["reject"], cpus_on=t["cpus_on"],
                 modules=[(boot_module(build, t["module"]), "")]
                 if "module" in t else [],
                 qemu_args=t.get("qemu_args", ()),
                 platforms=t.get("platforms"))
            for t in BOOT_TESTS]


# ------------------------------------------------------------ drivers
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
        for fut in concurrent.futures.as_completed(futs):
            verdict, line = fut.result()
            counts[verdict] += 1
            print(line, flush=True)
    print(summary(counts))
    return 1 if counts["FAIL"] else 0


def platforms_of(args):
    plats = []
    for name in args.platform.split(","):
        if name == "all":
            plats += PLATFORMS.values()
        elif name in PLATFORMS:
            plats.append(PLATFORMS[name])
        else:
            sys.exit(f"harness: unknown platform '{name}' "
                     f"(one of {', '.join(PLATFORMS)}, all)")
    return plats


def guest_sources(pattern):
    srcs = sorted(glob.glob(os.path.join("tests", "guest", "*.c")))
    pats = pattern.split(",")
    return [s for s in srcs
            if any(fnmatch.fnmatch(os.path.basename(s)[:-2], p) for p in pats)]


def cmd_boot(args):
    return run_all(args, [(p, t) for p in platforms_of(args)
                          for t in boot_tests(args.build)])


def cmd_guest(args):
    jobs = []
    for p in platforms_of(args):
        for src in guest_sources(args.tests):
            jobs.append((p, guest_test(args.build, src, args.hvargs)))
    return run_all(args, jobs)


def cmd_linux(args):
    return run_all(args, [(p, linux_test(args.build, p, args.append,
                                         args.hvargs))
                          for p in platforms_of(args)])


# Linux KVM on qemu-svm with icount, instructions per operation, guest and
# KVM together (../shared/ENVIRONMENT.md): the peer figures for x2hv.
KVM_PEER = {"cpuid": 2628, "vmcall": 2777, "tpr_write": 2789,
            "tsc_deadline_far": 2750, "self_ipi_eoi": 7396}
BENCH_CROSS_VCPU = ("ipi", "ipi_roundtrip", "ipi_halted")


def bench_lines(build, plat, name):
    text = read_log(os.path.join(build, "logs", plat.name, name + ".log"))
    out = {}
    for m in BENCH_LINE_RE.finditer(text):
        line = m.group(1).strip()
        out[line.split()[1]] = line
    return out


def cmd_bench(args):
    """Benchmark runs. On qemu-svm: the single-vCPU cases twice under
    -icount (ticks are instructions; the two runs must agree exactly) and
    the cross-vCPU cases once without it (QEMU's icount round-robin lets a
    spinning vCPU starve the other for 100M instructions). Elsewhere one
    run with 2 vCPUs."""
    src = os.path.join("tests", "guest", "bench.c")
    jobs, plan = [], []
    for p in platforms_of(args):
        if p.name == "qemu-svm":
            runs = [("bench-icount1", "vcpus=1", BENCH_QEMU_ARGS),
                    ("bench-icount2", "vcpus=1", BENCH_QEMU_ARGS),
                    ("bench-smp", "", ())]
        else:
            runs = [("bench", "", ())]
        for name, hv, qargs in runs:
            t = guest_test(args.build, src, args.hvargs + " " + hv, qargs,
                           name=name)
            t.modules = [(os.path.join(args.build, "guest", "bench.elf"),
                          "")]
            jobs.append((p, t))
        plan.append((p, [r[0] for r in runs]))
    rc = run_all(args, jobs)
    for p, names in plan:
        print(f"# bench on {p.name}" +
              (": ticks = instructions (QEMU -icount shift=0), cross-vCPU "
               "cases in TSC ticks without icount" if p.name == "qemu-svm"
               else ": ticks = TSC ticks"))
        first = bench_lines(args.build, p, names[0])
        for line in first.values():
            print(line)
        if p.name == "qemu-svm":
            second = bench_lines(args.build, p, names[1])
            same = first == second and bool(first)
            print(f"# icount runs repeat exactly: {'yes' if same else 'NO'}"
                  f" ({len(first)} cases)")
            if not same:
                rc = 1
            smp = bench_lines(args.build, p, names[2])
            for case in BENCH_CROSS_VCPU:
                if case in smp:
                    print(smp[case] + " (no icount)")
            print("# x2hv vs Linux KVM, instructions per operation:")
            for case, kvm in KVM_PEER.items():
                m = re.search(r"ticks/op=(\d+)", first.get(case, ""))
                ours = m.group(1) if m else "n/a"
                print(f"#   {case:18} x2hv {ours:>6}   KVM {kvm:>6}")
    return rc


def cmd_run(args):
    """Interactive: boot with the serial console on this terminal."""
    plat = platforms_of(args)[0]
    why = plat.unavailable()
    if why:
        print(f"SKIP {plat.name} run: {why}")
        return 1
    if args.guest == "none":
        t = Test("run", "noguest loglvl=debug " + args.hvargs)
    elif args.guest == "linux":
        t = linux_test(args.build, plat, "x2hv.shell=1 " + args.append,
                       args.hvargs)
        t.hvargs = t.hvargs.replace("on_exit=poweroff", "").strip()
    else:
        t = guest_test(args.build, os.path.join(
            "tests", "guest", args.guest + ".c"), args.hvargs)
    t.name = "run"
    iso, err = build_iso(args.build, plat, t.name, t.hvargs, t.modules)
    if err:
        print(f"harness: {err}", file=sys.stderr)
        return 1
    workdir = os.path.abspath(os.path.join(args.build, "logs", plat.name,
                                           "run.d"))
    os.makedirs(workdir, exist_ok=True)
    argv = plat.command(os.path.abspath(iso), None, t.ncpu, workdir,
                        extra_qemu=t.qemu_args, interactive=True)
    print("harness: " + " ".join(argv), file=sys.stderr)
    print("harness: QEMU: Ctrl-A X quits; Bochs: Ctrl-C", file=sys.stderr)
    return subprocess.call(argv, cwd=workdir)


def cmd_selftest(args):
    """Check the log judge on synthetic logs: every case must come out as
    stated, so a regression in the harness cannot turn FAILs into PASSes."""
    svm = PLATFORMS["qemu-svm"]
    boot = boot_tests(args.build)[0]
    fault = boot_tests(args.build)[1]
    lin = linux_test(args.build, svm)
    ok_boot = ("\x1b[H\x1b[J  Booting `x2hv'\r\nx2hv: cpu0: SVM on\n"
               "x2hv: cpu1: SVM on\n" + HALTED + "\n")
    lin_ok = ("x2hv: tsc: 2600000 kHz\n[vm0] x2hv-linux: init started\n"
              "[vm0] ok 1 - cpus\n[vm0] x2hv-linux: tsc-khz 2600100\n"
              "[vm0] RESULT: PASS\n"
              "x2hv: vm0: stopped: poweroff (ACPI S5)\n"
              "x2hv: vm0: xAPIC page fee00000: never accessed\n" +
              HALTED + "\n")
    cases = [
        (boot, ok_boot, None),
        (boot, ok_boot.replace("cpu1: SVM", "cpu1: VMX"), "missing"),
        (boot, ok_boot.replace(HALTED, ""), "never appeared"),
        (boot, ok_boot + "x2hv: PANIC: x\n", "matched"),
        (fault, "x2hv: PANIC: #UD\nRIP=1 RSP=2\nCR3=0\n" + HALTED, None),
        (fault, "x2hv: PANIC: #GP\nRIP=1 RSP=2\nCR3=0\n" + HALTED,
         "missing /#UD/"),
        (lin, lin_ok, None),
        (lin, lin_ok.replace("ok 1", "not ok 1"), "matched /not ok /"),
        (lin, lin_ok.replace("2600100", "2603000"), "differs"),
        (lin, lin_ok.replace("never accessed", "accessed by the guest"),
         "missing /x2hv: vm0: xAPIC"),
        (lin, lin_ok.replace("poweroff (ACPI S5)", "triple fault"),
         "missing"),
        (lin, lin_ok.replace("x2hv: tsc: 2600000 kHz\n", ""), "missing"),
        (lin, lin_ok + "[vm0] WARNING: CPU: 1 PID: 0 at x+0x1\n", "WARNING"),
        (lin, "[vm0] [    0.000000] BUG: unable to handle page fault\n" +
         lin_ok, "BUG:"),
        (lin, "x2hv: vm0: WARNING: slow path\n" + lin_ok, None),
        (lin, "[vm0] [    0.1] RETBleed: WARNING: Spectre v2 mitigation\n"
         + lin_ok, None),
        (boot, "error: premature end of file /boot/x2hv.elf.\n", "GRUB"),
    ]
    failed = 0
    for i, (test, text, want) in enumerate(cases):
        got = judge(test, svm, ANSI_RE.sub("", text.replace("\r", "")))
        good = (got is None) if want is None else (got is not None and
                                                   want in got)
        if not good:
            failed += 1
            print(f"selftest {i} ({test.name}): want {want!r}, got {got!r}")
    meta_src = os.path.join(args.build, "selftest-meta.c")
    os.makedirs(args.build, exist_ok=True)
    with open(meta_src, "w") as f:
        f.write("//! vcpus: 3\n//! hvargs: loglvl=debug\n//! expect: a b\n"
                "//! reject: c\n//! timeout: 7\n//! platforms: bochs-vmx\n")
    t = guest_test(args.build, meta_src)
    want = ("loglvl=info on_exit=poweroff vcpus=3 loglvl=debug", 3, ["a b"],
            DEFAULT_REJECT + ["c"], 7, ["bochs-vmx"])
    got = (t.hvargs, t.ncpu, t.expect, t.reject, t.timeout, t.platforms)
    if got != want:
        failed += 1
        print(f"selftest metadata: want {want}, got {got}")
    os.unlink(meta_src)
    n = len(cases) + 1
    print(f"{n - failed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, fn in (("boot", cmd_boot), ("guest", cmd_guest),
                     ("linux", cmd_linux), ("run", cmd_run),
                     ("bench", cmd_bench), ("selftest", cmd_selftest)):
        p = sub.add_parser(name)
        p.set_defaults(fn=fn)
        p.add_argument("--platform", default="qemu-svm",
                       help="platform, comma list, or 'all'")
        p.add_argument("-j", "--jobs", type=int, default=2)
        p.add_argument("--timeout", type=float, default=None,
                       help="seconds per test (overrides the defaults)")
        p.add_argument("--timeout-scale", type=float, default=float(
            os.environ.get("X2HV_TIMEOUT_SCALE", "1")),
            help="multiply every timeout (slow machines)")
        p.add_argument("--hvargs", default="",
                       help="extra hypervisor arguments")
        if name == "guest":
            p.add_argument("--tests", default="*",
                           help="glob(s) over tests/guest/<name>.c")
        if name in ("linux", "run"):
            p.add_argument("--append", default="",
                           help="extra Linux command-line arguments")
        if name == "run":
            p.add_argument("--guest", default="linux",
                           help="linux, none, or a tests/guest name")
    args = ap.parse_args()
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
