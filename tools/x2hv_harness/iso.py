# SPDX-License-Identifier: MIT
"""GRUB rescue ISOs: x2hv as the multiboot2 kernel, the guest kernel and
an optional initrd as modules."""

import os
import shutil
import subprocess

GRUB_CFG = """\
set timeout=0
set default=0
if [ "$grub_platform" = efi ]; then insmod efi_gop; fi
serial --unit=0 --speed=115200
terminal_output serial
menuentry "x2hv" {{
\tmultiboot2 /boot/x2hv.elf {hvargs}
{modules}\tboot
}}
"""


def grub_cfg(hvargs, modules):
    """grub.cfg for x2hv with hvargs and modules [(path, cmdline)]."""
    lines = ""
    for path, cmdline in modules:
        name = os.path.basename(path)
        # --nounzip: hand the initramfs to the guest as it is (GRUB would
        # otherwise gunzip it).
        lines += f"\tmodule2 --nounzip /boot/{name} {cmdline}".rstrip() + "\n"
    return GRUB_CFG.format(hvargs=hvargs, modules=lines)


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
    for path, _ in modules:
        if not os.path.exists(path):
            return None, f"{path} missing"
        # Hard link when possible: the Debian vmlinux is 66 MB.
        dst = os.path.join(stage, "boot", os.path.basename(path))
        try:
            os.link(path, dst)
        except OSError:
            shutil.copyfile(path, dst)
    with open(os.path.join(stage, "boot", "grub", "grub.cfg"), "w") as f:
        f.write(grub_cfg(hvargs, modules))
    try:
        os.unlink(iso)
    except FileNotFoundError:
        pass
    # No locales, fonts or themes: a smaller ISO that GRUB reads faster
    # under Bochs' emulated BIOS disk services.
    # -d: only the GRUB of the platform's firmware (BIOS or UEFI).
    proc = subprocess.run(["grub-mkrescue", "-d", plat.grub_dir(),
                           "-o", iso, "--locales=",
                           "--fonts=", "--themes=", stage],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    if proc.returncode != 0 or not os.path.exists(iso):
        tail = proc.stdout.decode("utf-8", "replace").strip().splitlines()
        return None, "grub-mkrescue failed: " + (tail[-1] if tail else "")
    shutil.rmtree(stage, ignore_errors=True)
    return iso, None
