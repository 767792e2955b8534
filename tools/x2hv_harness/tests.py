# SPDX-License-Identifier: MIT
"""Test definitions: the boot table, guest tests from their "//!"
metadata, the Linux boot test."""

import os
import re
import subprocess
import sys

from .clock import guest_clock

# Always failures, for guest and Linux tests (docs/testing.md).
DEFAULT_REJECT = [r"not ok ", r"RESULT: FAIL", r"x2hv: PANIC"]
DEFAULT_EXPECT = [r"RESULT: PASS"]


class Test:
    """One emulator run and the rules that judge its serial log."""

    def __init__(self, name, hvargs, modules=(), ncpu=2, expect=(),
                 reject=(), timeout=None, platforms=None, cpus_on=False,
                 qemu_args=(), checks=(), need=None, cpu_minus=(),
                 timed_checks=()):
        self.name, self.hvargs, self.modules = name, hvargs, list(modules)
        self.ncpu, self.expect, self.reject = ncpu, list(expect), list(reject)
        self.timeout, self.platforms = timeout, platforms
        self.cpus_on, self.qemu_args = cpus_on, list(qemu_args)
        # CPU features the platform must take off its model (or SKIP).
        self.cpu_minus = list(cpu_minus)
        self.checks = list(checks)  # functions(text) -> None or why
        # functions(platform, text, times) -> (None or why, note), where
        # times are the host times the log's lines arrived (clock.py)
        self.timed_checks = list(timed_checks)
        self.need = need  # function(platform) -> None or SKIP reason
        self.error = None  # a broken test definition: always FAIL


def host_lapic_expect(plat):
    """x2hv drives its own LAPIC in x2APIC mode where the CPU has it."""
    if plat.host_x2apic is None:
        return r"x2hv: host LAPIC: (x2APIC|xAPIC) mode"
    return "x2hv: host LAPIC: " + \
        ("x2APIC" if plat.host_x2apic else "xAPIC") + " mode"


def xapic_page_expect(plat):
    """The guest never touched the xAPIC page: where the nested page
    tables keep accessed flags x2hv can say so, elsewhere it says that it
    cannot tell."""
    states = {True: "never accessed", False: "access not tracked",
              None: "(never accessed|access not tracked)"}
    return r"x2hv: vm0: xAPIC page fee00000: " + states[plat.accessed_flags]


def firmware_expect(plat):
    """x2hv names the firmware that started it; on UEFI the RSDP must
    come from GRUB's ACPI tag, never from a legacy BIOS area."""
    if plat.firmware == "efi":
        return r"x2hv: firmware: UEFI \(system table at [0-9a-f]+\)" \
            r"(.|\n)*x2hv: smp: MADT \(RSDP from the loader\)"
    return r"x2hv: firmware: BIOS"


# ------------------------------------------------------------ boot tests
# The hypervisor alone. "cpus_on": every CPU 0..n-1 must print
# "x2hv: cpu<N>: VMX on" (or SVM; judge() adds those lines).
BOOT_TESTS = [
    {"name": "boot", "hvargs": "noguest loglvl=debug on_exit=poweroff",
     "cpus_on": True, "expect": [host_lapic_expect, firmware_expect],
     "reject": [r"x2hv: PANIC"]},
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
    # A CPU without VMX and SVM: one clear message and a clean halt.
    {"name": "boot-novirt", "hvargs": "noguest on_exit=poweroff",
     "cpu_minus": ["svm", "vmx"], "cpus_on": False,
     "expect": [r"x2hv: error: no usable VMX or SVM on this CPU"],
     "reject": [r"x2hv: PANIC", r"cpu\d+: (VMX|SVM) on"]},
    {"name": "boot-hugemem", "hvargs": "on_exit=poweroff mem=64G",
     "module": "@hello", "cpus_on": False,
     "expect": [r"x2hv: error: mem=65536 MiB: guest RAM above 3072 MiB"],
     "reject": [r"x2hv: PANIC"]},
]


def boot_module(build, name):
    if name == "@x2hv":
        return os.path.join(build, "x2hv.elf")
    if name.startswith("@"):
        return os.path.join(build, "guest", name[1:] + ".elf")
    return os.path.join(build, "bad", name)


def boot_tests(build, plat, make_bad=True):
    """The boot table for one platform (expectations may depend on it).
    make_bad: generate the bad ELF files under build/bad first."""
    if make_bad:
        subprocess.check_call([sys.executable, os.path.join(
            "tests", "bad-input", "mkbadelf.py"), os.path.join(build, "bad")])
    return [Test(t["name"], t["hvargs"], ncpu=2,
                 expect=[e(plat) if callable(e) else e for e in t["expect"]],
                 reject=t["reject"], cpus_on=t["cpus_on"],
                 modules=[(boot_module(build, t["module"]), "")]
                 if "module" in t else [],
                 cpu_minus=t.get("cpu_minus", ()))
            for t in BOOT_TESTS]


# ------------------------------------------------------------ guest tests
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


# ------------------------------------------------------------ Linux
# The init script (tests/linux/init.sh) prints the TAP lines; these are
# the serial-console patterns on top of it (issue 5).
LINUX_HVARGS = "vcpus=2 mem=512M on_exit=poweroff"
LINUX_CMDLINE = ("console=ttyS0 earlyprintk=serial,ttyS0,115200 loglevel=7 "
                 "panic=-1 x2hv.cpus=2")
LINUX_EXPECT = [r"x2hv-linux: init started", r"RESULT: PASS",
                r"x2hv: tsc: \d+ kHz", r"x2hv-linux: tsc-khz \d+"]
LINUX_POWEROFF = r"x2hv: vm0: stopped: poweroff \(ACPI S5\)"
# Kernel trouble on the guest's console (lines the hypervisor forwards with
# a "[vm0] " prefix), so that hypervisor messages cannot match.
LINUX_REJECT = DEFAULT_REJECT + [
    r"\[vm\d+\] .*" + p for p in (r"Kernel panic", r"\bBUG:", r"\bOops\b",
                                   r"WARNING: (CPU: |at )", r"Call Trace")]
# Linux's calibrated TSC frequency must match the host's within this many
# parts per thousand (Linux refines against its own reference clocks).
TSC_TOLERANCE_PERMILLE = 1


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
    # No xAPIC MMIO (from the accessed flag of the page, where the
    # platform keeps one), and a clean ACPI poweroff.
    expect = LINUX_EXPECT + [xapic_page_expect(plat), LINUX_POWEROFF]
    return Test("linux", (LINUX_HVARGS + " " + extra_hvargs).strip(),
                modules=[(os.path.join(ldir, "vmlinux"), cmdline),
                         (os.path.join(ldir, "initramfs.cpio.gz"), "")],
                ncpu=2, expect=expect, reject=LINUX_REJECT,
                timeout=plat.linux_timeout, checks=[tsc_check],
                timed_checks=[guest_clock])
