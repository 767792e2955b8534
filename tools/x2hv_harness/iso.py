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
    # The platform's own options first: a test's later one overrides.
    hvargs = " ".join(a for a in (plat.hvargs, hvargs) if a)
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


# ------------------------------------------------------------ make iso
IMAGE_CFG = os.path.join("tools", "iso", "grub.cfg")
IMAGE_GRUBS = ("/usr/lib/grub/i386-pc", "/usr/lib/grub/x86_64-efi")


def image_path(build):
    return os.path.join(build, "x2hv.iso")


def build_image(build):
    """build/x2hv.iso for a USB stick or a BMC's virtual CD: BIOS and
    UEFI GRUB (grub-mkrescue makes the ISO hybrid: El Torito for both,
    and an MBR/GPT so that it also boots written to a disk), x2hv,
    Debian's kernel (gzipped: GRUB unpacks it), the initramfs and
    tools/iso/grub.cfg. Returns (path, err)."""
    for d in IMAGE_GRUBS:
        if not os.path.isdir(d):
            return None, f"{d} missing (grub-pc-bin, grub-efi-amd64-bin)"
    files = {"x2hv.elf": os.path.join(build, "x2hv.elf"),
             "vmlinux": os.path.join(build, "linux", "vmlinux"),
             "initramfs.cpio.gz": os.path.join(build, "linux",
                                               "initramfs.cpio.gz")}
    for src in files.values():
        if not os.path.exists(src):
            return None, f"{src} missing (make all linux-assets)"
    stage = os.path.join(build, "image")
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(os.path.join(stage, "boot", "grub"))
    shutil.copyfile(files["x2hv.elf"], os.path.join(stage, "boot",
                                                    "x2hv.elf"))
    shutil.copyfile(files["initramfs.cpio.gz"],
                    os.path.join(stage, "boot", "initramfs.cpio.gz"))
    with open(os.path.join(stage, "boot", "vmlinux.gz"), "wb") as out:
        subprocess.run(["gzip", "-6", "-n", "-c", files["vmlinux"]],
                       stdout=out, check=True)
    shutil.copyfile(IMAGE_CFG, os.path.join(stage, "boot", "grub",
                                            "grub.cfg"))
    iso = image_path(build)
    proc = subprocess.run(["grub-mkrescue", "-o", iso, "--locales=",
                           "--fonts=", "--themes=", stage],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    if proc.returncode != 0 or not os.path.exists(iso):
        tail = proc.stdout.decode("utf-8", "replace").strip().splitlines()
        return None, "grub-mkrescue failed: " + (tail[-1] if tail else "")
    shutil.rmtree(stage, ignore_errors=True)
    return iso, None
