# SPDX-License-Identifier: MIT
"""Test platforms: an emulator, its CPU model and what that CPU offers.

Everything that differs between platforms is an attribute or a method of
a Platform object; tests and commands ask those, never the name:

  mode            "VMX" or "SVM": what "x2hv: cpu<N>: <mode> on" says
                  (None where only the host decides, see KvmPlatform)
  host_x2apic     whether the host LAPIC can run in x2APIC mode, so x2hv
                  prints "host LAPIC: x2APIC mode" (None: unknown)
  accessed_flags  whether x2hv reads accessed flags from the nested page
                  tables here (NPT always has them; x2hv does not enable
                  EPT's optional A/D flags), so it reports the xAPIC page
                  "never accessed" rather than "access not tracked"
                  (None: unknown)
  icount          QEMU's -icount: guest TSC deltas count instructions,
                  so the benchmark's numbers repeat exactly
  icount_cpu_minus  CPU features the icount runs take off the model
                  (QEMU 10.0's TCG aborts with "Bad icount read" when
                  x2hv's host LAPIC runs in x2APIC mode under -icount)
  cpu_removable   whether a test may take features off the CPU model
                  (Test.cpu_minus; QEMU's "-cpu max,-svm")
  emu             the Emulator: binary, version, ROMs, how to start it
  tsc_reference   what the guest's TSC rate is checked against (clock.py):
                  None, the host's clock (the emulated TSC is the host's
                  TSC), or a rate in kHz that the emulator defines
  test_timeout, linux_timeout   seconds for a small test / a Linux boot
  firmware        "bios" (SeaBIOS, Bochs' BIOS) or "efi" (OVMF): which
                  GRUB the ISO carries (grub_dir) and what QEMU boots
  memory_mb       the machine's RAM in MiB
  unavailable()   None when the platform can run here, else why not
  command()       the emulator's argv for one run
"""

import glob
import os
import shutil
import subprocess
import time

GRUB_TOOLS = ("grub-mkrescue", "xorriso", "mformat")
# GRUB's modules per firmware (grub-pc-bin, grub-efi-amd64-bin).
GRUB_DIRS = {"bios": "/usr/lib/grub/i386-pc",
             "efi": "/usr/lib/grub/x86_64-efi"}
# OVMF from Debian's ovmf package: code and variables in one image, for
# QEMU's -bios (nothing is stored across runs).
OVMF = "/usr/share/ovmf/OVMF.fd"


class Platform:
    """Base class: GRUB's tools are needed on every platform."""

    emu = None
    mode = None
    host_x2apic = None
    accessed_flags = None
    icount = False
    tsc_reference = None
    icount_cpu_minus = ()
    cpu_removable = False
    test_timeout = 60
    linux_timeout = 600
    firmware = "bios"
    memory_mb = 2048
    hvargs = ""  # hypervisor options this platform always needs

    def __init__(self, name, **props):
        self.name = name
        for key, val in props.items():
            if not hasattr(self, key):
                raise TypeError(f"platform {name}: unknown property {key}")
            setattr(self, key, val)

    def unavailable(self):
        """None when usable, else the reason to SKIP."""
        why = self.missing()
        if why:
            return why
        for tool in GRUB_TOOLS:
            if not shutil.which(tool):
                return f"{tool} not installed (grub-pc-bin, xorriso, mtools)"
        if not os.path.isdir(self.grub_dir()):
            return f"GRUB modules missing: {self.grub_dir()} " \
                "(grub-pc-bin, grub-efi-amd64-bin)"
        return None

    def grub_dir(self):
        """The GRUB build for this platform's firmware."""
        return GRUB_DIRS[self.firmware]

    def missing(self):
        if not self.emu.binary():
            return f"{self.emu} not found ({self.emu.install})"
        return None

    def timeout(self, override=None):
        return override if override else self.test_timeout

    def command(self, iso, log, workdir, test, interactive=False):
        """argv to boot iso for test, serial console to log (or stdio)."""
        raise NotImplementedError


# ------------------------------------------------------------ emulators
def cache_paths(rel):
    """rel under the cache of tools/build-bochs.sh and fetch-qemu.sh:
    $X2HV_CACHE, /var/cache/x2hv, ~/.cache/x2hv."""
    roots = [os.environ.get("X2HV_CACHE", ""), "/var/cache/x2hv",
             os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"),
                          "x2hv")]
    return [os.path.join(r, rel) for r in roots if r]


class Emulator:
    """One emulator binary: where it may be, how to get it, how it must
    be started."""

    def __init__(self, name, version, paths, install, firmware=(),
                 debugger=False, display=None):
        self.name, self.version = name, version
        self.paths, self.install = paths, install
        self.firmware = firmware  # ROM directories, relative to the binary
        self.debugger = debugger  # Bochs: needs "-rc FILE" with "c" to run
        self.display = display    # Bochs: the display_library line
        self._found = None

    def __str__(self):
        return f"{self.name} {self.version}"

    def binary(self):
        # Tests run in threads: compute, then publish in one assignment.
        if self._found is None:
            found = ""
            for pat in filter(None, self.paths):
                hits = sorted(glob.glob(os.path.expanduser(pat)))
                hits = [h for h in hits if os.access(h, os.X_OK)]
                if hits:
                    found = hits[0]
                    break
            self._found = found
        return self._found or None

    def firmware_dirs(self):
        here = os.path.dirname(self.binary())
        return [os.path.normpath(os.path.join(here, d))
                for d in self.firmware]

    def version_line(self):
        """The binary's own first version line, for the record."""
        try:
            out = subprocess.run([self.binary(), "--version"],
                                 capture_output=True, text=True, timeout=10)
            return out.stdout.splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "?"


# Debian 12's QEMU: the KVM platform's, and the old TCG reference.
QEMU_72 = Emulator("QEMU", "7.2", ["/usr/bin/qemu-system-x86_64"],
                   "apt-get install qemu-system-x86")
# QEMU 10 from bookworm-backports, unpacked by tools/fetch-qemu.sh
# (X2HV_QEMU names another binary), with its own ROMs and SeaBIOS.
QEMU_10 = Emulator("QEMU", "10.0", [os.environ.get("X2HV_QEMU", "")] +
                   cache_paths("qemu/current/usr/bin/qemu-system-x86_64"),
                   "tools/install-deps.sh fetches it",
                   firmware=("../share/seabios", "../share/qemu"))
# Debian 12's Bochs: built with the internal debugger (it stops at its
# prompt unless told to continue) and without "nogui": rfb with
# timeout=0 runs headless (it binds the first free TCP port from 5900,
# so runs can be parallel).
BOCHS_27 = Emulator("Bochs", "2.7", ["/usr/bin/bochs"],
                    "apt-get install bochs", debugger=True,
                    display='rfb, options="timeout=0"')
# Bochs 3 from Debian 13's source package, built by tools/build-bochs.sh
# (X2HV_BOCHS names another binary): no debugger, so no -rc; nogui.
BOCHS_3 = Emulator("Bochs", "3.0", [os.environ.get("X2HV_BOCHS", "")] +
                   cache_paths("bochs/current/bin/bochs"),
                   "tools/install-deps.sh builds it", display="nogui")


# ------------------------------------------------------------ QEMU
class QemuPlatform(Platform):
    """QEMU with an accelerator and a -cpu model. A test's cpu_minus
    features come off the model; its qemu_args come last."""

    emu = QEMU_10
    accel = "tcg"
    cpu = "max"
    icount = True
    cpu_removable = True

    def missing(self):
        why = super().missing()
        if not why and self.firmware == "efi" and not os.path.exists(OVMF):
            why = f"{OVMF} missing (ovmf)"
        return why

    def firmware_args(self):
        """OVMF instead of SeaBIOS, with a display adapter: UEFI GRUB
        can only hand x2hv a graphics mode (GOP), never EGA text, and
        says "error: no suitable video mode found" without one."""
        if self.firmware == "efi":
            return ["-bios", OVMF, "-vga", "std"]
        return []

    @staticmethod
    def cdrom_args(iso):
        """The ISO as a CD on an AHCI controller. SeaBIOS and OVMF read it
        with DMA there; on the IDE CD of -cdrom SeaBIOS moves every word
        with an emulated port read, which made GRUB's reading of the
        Linux kernel the largest part of a Linux boot (issue 14)."""
        return ["-device", "ahci,id=ahci",
                "-drive", f"if=none,id=cd,file={iso},media=cdrom,"
                "readonly=on",
                "-device", "ide-cd,bus=ahci.0,drive=cd,bootindex=0"]

    def command(self, iso, log, workdir, test, interactive=False):
        serial = ["-serial", "mon:stdio"] if interactive \
            else ["-serial", f"file:{log}", "-monitor", "none"]
        roms = [a for d in self.emu.firmware_dirs() for a in ("-L", d)]
        cpu = self.cpu + "".join(",-" + f for f in test.cpu_minus)
        return ([self.emu.binary()] + roms +
                ["-accel", self.accel, "-cpu", cpu] +
                ["-smp", str(test.ncpu), "-m", str(self.memory_mb),
                 "-M", "pc", "-nodefaults", "-display", "none",
                 "-no-reboot"] + self.firmware_args() +
                self.cdrom_args(iso) + serial +
                ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"] +
                list(test.qemu_args))


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


class KvmPlatform(QemuPlatform):
    """Debian's QEMU on KVM with the host's CPU: VMX or SVM is whatever
    the host nests, found when the platform is first asked whether it can
    run."""

    emu = QEMU_72
    accel = "kvm"
    cpu = "host"
    icount = False
    linux_timeout = 120

    def missing(self):
        why = super().missing()
        if why:
            return why
        mode, why = kvm_nested_mode()
        if why:
            return why
        self.mode = mode
        return None


# ------------------------------------------------------------ Bochs
# ROMs from Debian 12's bochsbios and vgabios packages (Bochs 3.0's dfsg
# source has neither; they work with it).
BOCHS_BIOS = "/usr/share/bochs/BIOS-bochs-latest"
BOCHS_VGABIOS = "/usr/share/vgabios/vgabios.bin"
# Emulated instructions per emulated second (and so the TSC rate). With
# clock sync=none virtual time depends on instructions only: runs repeat.
BOCHS_IPS = int(os.environ.get("BOCHS_IPS", "50000000"))
BOCHS_MEGS = 2048


class BochsPlatform(Platform):
    """Bochs with a generated bochsrc. reset_on_triple_fault=0 turns a
    triple fault into a panic that ends the run instead of rebooting into
    GRUB."""

    emu = BOCHS_3
    cpu_model = None
    # Bochs' TSC counts emulated instructions at its ips rate.
    tsc_reference = BOCHS_IPS // 1000
    test_timeout = 300
    # A Linux boot takes 35-60 s alone and about 2 minutes under load; a
    # hung one should not hold CI for an hour.
    linux_timeout = 900
    bios = BOCHS_BIOS
    vgabios = BOCHS_VGABIOS

    def missing(self):
        why = super().missing()
        if not why and not os.path.exists(self.bios):
            why = f"{self.bios} missing (bochsbios)"
        return why

    def command(self, iso, log, workdir, test, interactive=False):
        conf = os.path.join(workdir, "bochsrc")
        # time0: the RTC's start, written as a number (not "local") so
        # that a failed run's kept bochsrc replays it with the same clock.
        com1 = "mode=term, dev=/dev/tty" if interactive \
            else f"mode=file, dev={log}"
        with open(conf, "w") as f:
            f.write(f"""\
romimage: file={self.bios}
vgaromimage: file={self.vgabios}
cpu: model={self.cpu_model}, count={test.ncpu}, ips={BOCHS_IPS}, reset_on_triple_fault=0
memory: guest={BOCHS_MEGS}, host={BOCHS_MEGS}
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
com1: enabled=1, {com1}
display_library: {self.emu.display}
speaker: enabled=0
clock: sync=none, time0={int(time.time())}
log: {os.path.join(workdir, "bochs.log")}
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
""")
        argv = [self.emu.binary(), "-q", "-f", conf]
        if self.emu.debugger:
            rc = os.path.join(workdir, "bochs.rc")
            with open(rc, "w") as f:
                f.write("c\n")
            argv += ["-rc", rc]
        return argv


# ------------------------------------------------------------ the table
# docs/testing.md says which runs in CI and why.
PLATFORMS = {p.name: p for p in (
    # QEMU 10 TCG -cpu max: an AMD CPU with SVM, NPT and an x2APIC.
    QemuPlatform("qemu-svm", mode="SVM", host_x2apic=True,
                 accessed_flags=True, icount_cpu_minus=("x2apic",)),
    # The same CPU booted through UEFI: OVMF, GRUB x86_64-efi, the
    # memory map and RSDP from multiboot2 tags (issue 13).
    QemuPlatform("qemu-svm-efi", mode="SVM", host_x2apic=True,
                 accessed_flags=True, firmware="efi",
                 icount_cpu_minus=("x2apic",)),
    # The same CPU with single-threaded TCG: QEMU switches between its
    # CPUs with bare exits from its CPU loop, which delivered an
    # EVENTINJ interrupt a second time (docs/testing.md, "bochs-svm");
    # the interrupt-accounting tests there guard x2hv's V_IRQ path.
    QemuPlatform("qemu-svm-1t", mode="SVM", accel="tcg,thread=single",
                 host_x2apic=True, accessed_flags=True,
                 icount_cpu_minus=("x2apic",)),
    # The same without the x2APIC: x2hv drives its LAPIC through MMIO.
    QemuPlatform("qemu-svm-xapic", mode="SVM", cpu="max,-x2apic",
                 host_x2apic=False, accessed_flags=True),
    # Debian 12's QEMU 7.2: no host x2APIC at all.
    QemuPlatform("qemu72-svm", emu=QEMU_72, mode="SVM", host_x2apic=False,
                 accessed_flags=True),
    # Bochs 3.0, Intel Skylake-X: VMX with EPT, unrestricted guest, APIC
    # virtualization and posted interrupts.
    BochsPlatform("bochs-vmx", mode="VMX", cpu_model="corei7_skylake_x",
                  host_x2apic=True, accessed_flags=False),
    # Bochs 3.0, Intel Haswell: the same APIC virtualization (x2APIC
    # mode, register virtualization, virtual-interrupt delivery) without
    # posted interrupts.
    BochsPlatform("bochs-vmx-nopi", mode="VMX",
                  cpu_model="corei7_haswell_4770", host_x2apic=True,
                  accessed_flags=False),
    # Bochs 3.0, AMD Ryzen: SVM with NPT; no x2APIC on the host side.
    # Built with tools/bochs-patches/, without which it takes a V_IRQ
    # only at the guest's next IF change (docs/testing.md, "bochs-svm").
    BochsPlatform("bochs-svm", mode="SVM", cpu_model="ryzen",
                  host_x2apic=False, accessed_flags=True),
    # Debian 12's Bochs 2.7, for comparison.
    BochsPlatform("bochs27-vmx", emu=BOCHS_27, mode="VMX",
                  cpu_model="corei7_skylake_x", host_x2apic=True,
                  accessed_flags=False),
    BochsPlatform("bochs27-svm", emu=BOCHS_27, mode="SVM",
                  cpu_model="ryzen", host_x2apic=False, accessed_flags=True),
    KvmPlatform("kvm"),
)}


def select(spec):
    """Platforms named by a comma list ("all": every one); raises
    KeyError with the unknown name."""
    plats = []
    for name in spec.split(","):
        if name == "all":
            plats += PLATFORMS.values()
        elif name in PLATFORMS:
            plats.append(PLATFORMS[name])
        else:
            raise KeyError(name)
    return plats
