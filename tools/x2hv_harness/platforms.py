# SPDX-License-Identifier: MIT
"""Test platforms: an emulator, its CPU model and what that CPU offers.

Everything that differs between platforms is an attribute or a method of
a Platform object; tests and commands ask those, never the name:

  mode            "VMX" or "SVM": what "x2hv: cpu<N>: <mode> on" says
                  (None where only the host decides, see KvmPlatform)
  host_x2apic     whether the host LAPIC can run in x2APIC mode, so x2hv
                  prints "host LAPIC: x2APIC mode" (None: unknown)
  accessed_flags  whether the nested page tables keep accessed flags, so
                  x2hv reports the xAPIC page as "never accessed" rather
                  than "access not tracked" (None: unknown)
  icount          QEMU's -icount: guest TSC deltas count instructions,
                  so the benchmark's numbers repeat exactly
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

GRUB_TOOLS = ("grub-mkrescue", "xorriso", "mformat")
# GRUB's modules per firmware (grub-pc-bin, grub-efi-amd64-bin).
GRUB_DIRS = {"bios": "/usr/lib/grub/i386-pc",
             "efi": "/usr/lib/grub/x86_64-efi"}
# OVMF from Debian's ovmf package: code and variables in one image, for
# QEMU's -bios (nothing is stored across runs).
OVMF = "/usr/share/ovmf/OVMF.fd"


class Platform:
    """Base class: GRUB's tools are needed on every platform."""

    emulator = "?"
    mode = None
    host_x2apic = None
    accessed_flags = None
    icount = False
    tsc_reference = None
    test_timeout = 60
    linux_timeout = 600
    firmware = "bios"
    memory_mb = 2048

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
        return None

    def timeout(self, override=None):
        return override if override else self.test_timeout

    def command(self, iso, log, ncpu, workdir, extra_qemu=(),
                interactive=False):
        raise NotImplementedError


# ------------------------------------------------------------ QEMU
class QemuPlatform(Platform):
    """QEMU with the given accelerator and -cpu model. extra_qemu are the
    test's own QEMU options (they come last, so e.g. a second -cpu
    wins)."""

    emulator = "QEMU"
    binary = "qemu-system-x86_64"
    package = "qemu-system-x86"
    accel = "tcg"
    cpu = "max"
    icount = True

    def missing(self):
        if not shutil.which(self.binary):
            return f"{self.binary} not installed ({self.package})"
        if self.firmware == "efi" and not os.path.exists(OVMF):
            return f"{OVMF} missing (ovmf)"
        return None

    def firmware_args(self):
        """OVMF instead of SeaBIOS, with a display adapter: UEFI GRUB
        can only hand x2hv a graphics mode (GOP), never EGA text, and
        says "error: no suitable video mode found" without one."""
        if self.firmware == "efi":
            return ["-bios", OVMF, "-vga", "std"]
        return []

    def command(self, iso, log, ncpu, workdir, extra_qemu=(),
                interactive=False):
        serial = ["-serial", "mon:stdio"] if interactive \
            else ["-serial", f"file:{log}", "-monitor", "none"]
        return ([self.binary, "-accel", self.accel, "-cpu", self.cpu] +
                ["-smp", str(ncpu), "-m", str(self.memory_mb), "-M", "pc",
                 "-nodefaults", "-display", "none", "-no-reboot"] +
                self.firmware_args() + ["-cdrom", iso] + serial +
                ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"] +
                list(extra_qemu))


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
    """QEMU on KVM with the host's CPU: VMX or SVM is whatever the host
    nests, found when the platform is first asked whether it can run."""

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
class BochsBuild:
    """One Bochs binary and how it must be started."""

    def __init__(self, version, paths, install, debugger, display):
        self.version, self.paths, self.install = version, paths, install
        self.debugger = debugger  # needs "-rc FILE" with "c" to run
        self.display = display    # display_library line

    def binary(self):
        for pat in self.paths:
            for path in sorted(glob.glob(os.path.expanduser(pat))):
                if os.access(path, os.X_OK):
                    return path
        return None


# Debian 12's Bochs: built with the internal debugger (it stops at its
# prompt unless told to continue) and without "nogui": rfb with
# timeout=0 runs headless (it binds the first free TCP port from 5900,
# so runs can be parallel).
BOCHS_27 = BochsBuild("2.7", ["/usr/bin/bochs"],
                      "bochs, bochsbios, vgabios", debugger=True,
                      display='rfb, options="timeout=0"')

# ROMs from Debian 12's bochsbios and vgabios packages.
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

    emulator = "Bochs"
    build = BOCHS_27
    cpu_model = None
    host_x2apic = True
    # Bochs' TSC counts emulated instructions at its ips rate.
    tsc_reference = BOCHS_IPS // 1000
    test_timeout = 300
    linux_timeout = 3600
    bios = BOCHS_BIOS
    vgabios = BOCHS_VGABIOS

    def missing(self):
        if not self.build.binary():
            return f"Bochs {self.build.version} not installed " \
                f"({self.build.install})"
        if not os.path.exists(self.bios):
            return f"{self.bios} missing (bochsbios)"
        return None

    def command(self, iso, log, ncpu, workdir, extra_qemu=(),
                interactive=False):
        conf = os.path.join(workdir, "bochsrc")
        com1 = "mode=term, dev=/dev/tty" if interactive \
            else f"mode=file, dev={log}"
        with open(conf, "w") as f:
            f.write(f"""\
romimage: file={self.bios}
vgaromimage: file={self.vgabios}
cpu: model={self.cpu_model}, count={ncpu}, ips={BOCHS_IPS}, reset_on_triple_fault=0
memory: guest={BOCHS_MEGS}, host={BOCHS_MEGS}
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
com1: enabled=1, {com1}
display_library: {self.build.display}
speaker: enabled=0
clock: sync=none, time0=local
log: {os.path.join(workdir, "bochs.log")}
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
""")
        argv = [self.build.binary(), "-q", "-f", conf]
        if self.build.debugger:
            rc = os.path.join(workdir, "bochs.rc")
            with open(rc, "w") as f:
                f.write("c\n")
            argv += ["-rc", rc]
        return argv


# ------------------------------------------------------------ the table
PLATFORMS = {p.name: p for p in (
    # QEMU 7.2 TCG: an AMD CPU with SVM and NPT, no host x2APIC.
    QemuPlatform("qemu-svm", mode="SVM", host_x2apic=False,
                 accessed_flags=True),
    # The same CPU booted through UEFI: OVMF, GRUB x86_64-efi, the
    # memory map and RSDP from multiboot2 tags (issue 13).
    QemuPlatform("qemu-svm-efi", mode="SVM", host_x2apic=False,
                 accessed_flags=True, firmware="efi"),
    # Bochs 2.7 models with VMX (EPT, unrestricted guest, x2APIC; no EPT
    # accessed flags) or SVM.
    BochsPlatform("bochs-vmx", mode="VMX", cpu_model="corei7_skylake_x",
                  accessed_flags=False),
    BochsPlatform("bochs-svm", mode="SVM", cpu_model="ryzen"),
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
