# SPDX-License-Identifier: MIT
"""Test definitions: the boot table, guest tests from their "//!"
metadata, the Linux boot test."""

import os
import re
import subprocess
import sys

from .clock import guest_clock
from .judge import RESTARTED_RE

# Always failures, for guest and Linux tests (docs/testing.md).
DEFAULT_REJECT = [r"not ok ", r"RESULT: FAIL", r"x2hv: PANIC"]
DEFAULT_EXPECT = [r"RESULT: PASS"]


class Test:
    """One emulator run and the rules that judge its serial log."""

    def __init__(self, name, hvargs, modules=(), ncpu=2, expect=(),
                 reject=(), timeout=None, platforms=None, cpus_on=False,
                 qemu_args=(), checks=(), need=None, cpu_minus=(),
                 timed_checks=(), max_restarts=0):
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
        self.iso = None  # boot this image instead of building one
        # VM restarts after a guest reset the test expects; more is a
        # reset loop, which fails the run at once.
        self.max_restarts = max_restarts


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
     "expect": [r"x2hv: error: mem=3000 MiB: more than the free host "
                r"memory"],
     "reject": [r"x2hv: PANIC", r"vm0: .* starting"]},
    # A CPU without VMX and SVM: one clear message and a clean halt.
    {"name": "boot-novirt", "hvargs": "noguest on_exit=poweroff",
     "cpu_minus": ["svm", "vmx"], "cpus_on": False,
     "expect": [r"x2hv: error: no usable VMX or SVM on this CPU"],
     "reject": [r"x2hv: PANIC", r"cpu\d+: (VMX|SVM) on"]},
    # Host RAM above the 16 GiB boot map (issue 13): x2hv maps it (1 GiB
    # pages on this CPU), and the pool hands out its top first, so the
    # guest's RAM and page tables lie above 16 GiB. QEMU touches only what
    # the guest uses.
    {"name": "boot-hostram", "hvargs": "on_exit=poweroff loglvl=debug",
     "module": "@hello", "cpus_on": False,
     "qemu_args": ["-m", "20G"], "platforms": ["qemu-svm", "qemu-svm-efi"],
     "expect": [r"x2hv: memory: 2\d{4} MiB free .*RAM ends at 21504 MiB",
                r"x2hv: memory: identity map extended from 16 to 21 GiB "
                r"with 1 GiB pages", r"RESULT: PASS"],
     "reject": [r"x2hv: PANIC"]},
    # Big hosts (issue 13): every one of 16 CPUs on; the default VM
    # (one vCPU per CPU) on 17 CPUs, more than the 16 vCPUs a VM once had.
    {"name": "boot-16cpus", "hvargs": "noguest on_exit=poweroff",
     "ncpu": 16, "cpus_on": True, "platforms": ["qemu-svm"],
     "expect": [r"x2hv: smp: MADT \(RSDP from the loader\) lists 16 "
                r"enabled CPUs", r"x2hv: smp: 16 CPUs; per CPU \d+ KiB"],
     "reject": [r"x2hv: PANIC", r"did not start"]},
    {"name": "boot-17vcpus", "hvargs": "on_exit=poweroff",
     "module": "@hello", "ncpu": 17, "cpus_on": False,
     "platforms": ["qemu-svm"],
     "expect": [r"x2hv: vm0: 17 vCPUs, \d+ MiB, starting", r"RESULT: PASS"],
     "reject": [r"x2hv: PANIC", r"x2hv: error"]},
    # Consoles (issue 13). QEMU here has one UART, COM1: console=com2
    # gets a clear message there; console=auto without an SPCR table
    # says so and uses COM1; with an SPCR naming COM2 (QEMU's
    # -acpitable) and QEMU's one UART moved to 0x2f8, x2hv's lines reach
    # the log only through the port the SPCR named.
    {"name": "boot-console-missing",
     "hvargs": "noguest on_exit=poweroff console=com2",
     "cpus_on": False, "platforms": ["qemu-svm", "qemu-svm-efi"],
     "expect": [r"x2hv: console: no UART answers at port 2f8; using COM1 "
                r"\(port 3f8\) instead", r"x2hv: noguest"],
     "reject": [r"x2hv: PANIC"]},
    {"name": "boot-console-auto",
     "hvargs": "noguest on_exit=poweroff console=auto",
     "cpus_on": False, "platforms": ["qemu-svm", "qemu-svm-efi"],
     "expect": [r"x2hv: console=auto: port 3f8 \(no SPCR table\)",
                r"x2hv: noguest"],
     "reject": [r"x2hv: PANIC"]},
    {"name": "boot-console-spcr",
     "hvargs": "noguest on_exit=poweroff console=auto",
     # Not on OVMF: UEFI GRUB stops at "serial port `com0' isn't found".
     "cpus_on": False, "platforms": ["qemu-svm"],
     "qemu_args": ["-acpitable", "sig=SPCR,rev=2,data={build}/bad/spcr-com2.dat",
                   "-global", "isa-serial.iobase=0x2f8"],
     "expect": [r"x2hv: console=auto: port 2f8 \(from the ACPI SPCR table\)",
                r"x2hv: noguest"],
     "reject": [r"x2hv: PANIC"]},
    {"name": "boot-hugemem", "hvargs": "on_exit=poweroff mem=64G",
     "module": "@hello", "cpus_on": False,
     "expect": [r"x2hv: error: mem=65536 MiB: more than the free host "
                r"memory"],
     "reject": [r"x2hv: PANIC"]},
]


def write_spcr(path, port):
    """The body of an SPCR table (after its 36-byte header, which QEMU's
    -acpitable adds): a 16550 (interface type 0) at I/O port @port, as a
    Generic Address Structure, 115200 baud, 8N1, VT100."""
    body = bytearray(44)
    body[0] = 0                       # interface type: 16550
    body[4:8] = bytes([1, 8, 0, 1])   # GAS: system I/O, 8 bits, byte access
    body[8:16] = port.to_bytes(8, "little")
    body[22] = 7                      # baud rate: 115200
    body[26] = 0                      # terminal: VT100
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(bytes(body))


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
        write_spcr(os.path.join(build, "bad", "spcr-com2.dat"), 0x2f8)
    return [Test(t["name"], t["hvargs"], ncpu=t.get("ncpu", 2),
                 expect=[e(plat) if callable(e) else e for e in t["expect"]],
                 reject=t["reject"], cpus_on=t["cpus_on"],
                 modules=[(boot_module(build, t["module"]), "")]
                 if "module" in t else [],
                 cpu_minus=t.get("cpu_minus", ()),
                 qemu_args=[a.replace("{build}", os.path.abspath(build))
                            for a in t.get("qemu_args", ())],
                 platforms=t.get("platforms"))
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
            elif key == "restarts":
                if not val.isdigit():
                    raise ValueError(f"{path}: restarts must be a number, "
                                     f"not '{val}'")
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
                qemu_args=qemu_args, max_restarts=meta.get("restarts", 0))


# ------------------------------------------------------------ Linux
# The init script (tests/linux/init.sh) prints the TAP lines; these are
# the serial-console patterns on top of it (issue 5).
LINUX_HVARGS = "mem=512M on_exit=poweroff"
# Debian's vmlinux less what no loader reads (tests/linux/trim-elf.py):
# GRUB reads every byte of a module from the boot disk.
LINUX_KERNEL = "vmlinux.pvh"
LINUX_CMDLINE = ("console=ttyS0 earlyprintk=serial,ttyS0,115200 loglevel=7 "
                 "panic=-1")
LINUX_VCPUS = 2
# How x2hv names each reset Linux's reboot= methods end in (vmm/dev/
# reset.c, vmm/exit.c). Linux's default with a hardware-reduced FADT is
# EFI, which without EFI runtime services falls back to a jump to the
# BIOS reset vector, as bios does; the stub there resets through 0xcf9.
CF9 = "reset requested through port cf9"
REBOOT_METHODS = {"default": CF9, "acpi": CF9, "kbd":
                  "reset requested through the 8042", "pci": CF9,
                  "triple": "triple fault", "bios": CF9, "efi": CF9}
LINUX_EXPECT = [r"x2hv-linux: init started", r"RESULT: PASS",
                r"x2hv: tsc: \d+ kHz", r"x2hv-linux: tsc-khz \d+"]
LINUX_POWEROFF = r"x2hv: vm0: stopped: poweroff \(ACPI S5\)"
# Kernel trouble on the guest's console (lines the hypervisor forwards with
# a "[vm0] " prefix), so that hypervisor messages cannot match.
LINUX_REJECT = DEFAULT_REJECT + [
    r"\[vm\d+\] .*" + p for p in (r"Kernel panic", r"\bBUG:", r"\bOops\b",
                                   r"WARNING: (CPU: |at )", r"Call Trace",
                                   r"unchecked MSR access",
                                   r"\[Firmware Bug\]")]
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


def restarts_check(n):
    """Exactly n VM restarts (more already fail as a reset loop)."""
    def check(text):
        got = len(RESTARTED_RE.findall(text))
        return None if got == n else f"{got} VM restarts, {n} expected"
    return check


# Variants of the Linux test (issues 12, 13): "vcpus" (hypervisor and
# emulator CPUs, x2hv.cpus), "reboots" before the checks with Linux's
# reboot= "method", and what is added to the defaults: a later option on
# either command line overrides. "linux-6g": 6 GiB of guest RAM, 3 GiB
# below 4 GiB and 3 above, in a machine of 8 GiB whose RAM above 4 GiB is
# 5 GiB, so the guest's RAM comes in several host blocks; Linux must see
# it all and keep a 3200 MiB file in a tmpfs.
LINUX_VARIANTS = {
    "linux": {},
    "linux-smp4": {"vcpus": 4},
    "linux-reboot": {"reboots": 2, "method": "default"},
    "linux-6g": {"hvargs": "mem=6G", "qemu_args": ["-m", "8G"],
                 "cmdline": "x2hv.memmin=5800 x2hv.bigfile=3200",
                 "expect": [r"x2hv: vm0: RAM 3072 MiB below 4 GiB .* "
                            r"3072 MiB above",
                            r"x2hv-linux: MemTotal \d+ MiB",
                            r"x2hv-linux: bigfile read back"],
                 "timeout": 3000,
                 "platforms": ["qemu-svm", "qemu-svm-1t", "qemu-svm-efi",
                               "kvm"]},
    "linux-smp8": {"vcpus": 8,
                   "platforms": ["qemu-svm", "qemu-svm-efi", "kvm"]},
}
for _m in REBOOT_METHODS:
    if _m != "default":
        LINUX_VARIANTS["linux-reboot-" + _m] = {"reboots": 1, "method": _m}


# Debian's kernel flavours (tests/linux/fetch-kernel.sh); amd64 is the
# reference in build/linux, the others are in build/linux-<flavour>.
LINUX_FLAVOURS = ("amd64", "cloud-amd64", "rt-amd64")


def linux_test(build, plat, extra_cmdline="", extra_hvargs="",
               variant="linux", vcpus=None, flavour="amd64"):
    """One of LINUX_VARIANTS; vcpus overrides its vCPU count; flavour
    picks the kernel (the test is then named VARIANT-FLAVOUR)."""
    v = LINUX_VARIANTS[variant]
    vcpus = vcpus or v.get("vcpus", LINUX_VCPUS)
    reboots, method = v.get("reboots", 0), v.get("method")
    ldir = os.path.join(build, "linux")
    kdir = ldir if flavour == "amd64" else f"{ldir}-{flavour}"
    name = variant if flavour == "amd64" else f"{variant}-{flavour}"
    cmdline = [LINUX_CMDLINE, f"x2hv.cpus={vcpus}", v.get("cmdline", "")]
    # No xAPIC MMIO (from the accessed flag of the page, where the
    # platform keeps one), and a clean ACPI poweroff.
    expect = LINUX_EXPECT + [xapic_page_expect(plat), LINUX_POWEROFF] + \
        v.get("expect", [])
    if reboots:
        cmdline.append(f"x2hv.reboots={reboots}")
        if method != "default":
            cmdline.append(f"reboot={method}")
        expect += [r"x2hv: vm0: restarting: " + REBOOT_METHODS[method],
                   rf"x2hv-linux: boot {reboots + 1} of {reboots + 1}"]
    cmdline = " ".join(cmdline + [extra_cmdline]).split()
    hvargs = " ".join([f"vcpus={vcpus}", LINUX_HVARGS, v.get("hvargs", ""),
                       extra_hvargs]).split()
    return Test(name, " ".join(hvargs),
                modules=[(os.path.join(kdir, LINUX_KERNEL),
                          " ".join(cmdline)),
                         (os.path.join(ldir, "initramfs.cpio.gz"), "")],
                ncpu=vcpus, expect=expect, reject=LINUX_REJECT,
                timeout=max(plat.linux_timeout, v.get("timeout", 0)) *
                (reboots + 1),
                checks=[tsc_check, restarts_check(reboots)],
                timed_checks=[guest_clock], qemu_args=v.get("qemu_args", ()),
                platforms=v.get("platforms"), max_restarts=reboots)


# ------------------------------------------------------------ make iso
def image_test(build, plat):
    """Boot build/x2hv.iso as it is: an SMBIOS OEM string makes its
    grub.cfg pick the self-test entry (x2hv on every CPU, Linux's checks,
    power-off); the same checks as the Linux test."""
    t = Test("image", "", ncpu=2,
             expect=LINUX_EXPECT + [xapic_page_expect(plat), LINUX_POWEROFF,
                                    r"x2hv: command line: '.*console=auto"],
             reject=LINUX_REJECT, timeout=plat.linux_timeout,
             checks=[tsc_check],
             qemu_args=["-smbios", "type=11,value=x2hv:selftest"],
             platforms=["qemu-svm", "qemu-svm-efi", "kvm"])
    t.iso = os.path.abspath(os.path.join(build, "x2hv.iso"))
    return t
