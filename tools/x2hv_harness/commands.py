# SPDX-License-Identifier: MIT
"""The harness' subcommands and its command line (tools/harness.py)."""

import argparse
import fnmatch
import glob
import os
import signal
import subprocess
import sys

from . import platforms
from .bench import cmd_bench
from .bench_boot import cmd_bench_boot
from .iso import build_image, build_iso
from .runner import run_all
from .selftest import cmd_selftest
from .tests import (LINUX_FLAVOURS, LINUX_VARIANTS, Test, boot_tests,
                    guest_test, image_test, linux_test)


# x2hv's poweroff writes 0x31 to QEMU's isa-debug-exit port (docs/
# testing.md), which exits with status (0x31 << 1) | 1.
QEMU_POWEROFF_STATUS = (0x31 << 1) | 1


def platforms_of(args):
    try:
        return platforms.select(args.platform)
    except KeyError as e:
        sys.exit(f"harness: unknown platform '{e.args[0]}' "
                 f"(one of {', '.join(platforms.PLATFORMS)}, all)")


def guest_sources(pattern):
    srcs = sorted(glob.glob(os.path.join("tests", "guest", "*.c")))
    pats = pattern.split(",")
    return [s for s in srcs
            if any(fnmatch.fnmatch(os.path.basename(s)[:-2], p) for p in pats)]


def cmd_boot(args):
    plats = platforms_of(args)
    jobs = []
    for i, p in enumerate(plats):
        jobs += [(p, t) for t in boot_tests(args.build, p, make_bad=i == 0)]
    return run_all(args, jobs)


def cmd_guest(args):
    jobs = []
    for p in platforms_of(args):
        for src in guest_sources(args.tests):
            t = guest_test(args.build, src, args.hvargs)
            # CPUs beyond the vCPUs: x2hv's timer CPU (vmm/timer_cpu.c).
            t.ncpu += args.spare_cpus
            jobs.append((p, t))
    return run_all(args, jobs)


def cmd_linux(args):
    # Lists may come with blanks after the commas (a Makefile variable
    # continued with a backslash gets one): "a, b" is "a,b".
    variants = [v.strip() for v in args.variant.split(",")]
    for v in variants:
        if v not in LINUX_VARIANTS:
            sys.exit(f"harness: unknown Linux variant '{v}' "
                     f"(one of {', '.join(LINUX_VARIANTS)})")
    jobs = [(p, linux_test(args.build, p, args.append, args.hvargs, v,
                           vcpus=args.vcpus, flavour=f))
            for p in platforms_of(args) for v in variants
            for f in (f.strip() for f in args.flavours.split(","))]
    for _, t in jobs:
        t.ncpu += args.spare_cpus
    return run_all(args, jobs)


def cmd_iso(args):
    """make iso: build/x2hv.iso."""
    iso, err = build_image(args.build)
    if err:
        print(f"harness: {err}", file=sys.stderr)
        return 1
    print(f"iso: {iso} ({os.path.getsize(iso) >> 20} MiB)")
    return 0


def cmd_image(args):
    """Boot build/x2hv.iso on each platform (built first if missing)."""
    if not os.path.exists(os.path.join(args.build, "x2hv.iso")) and \
            cmd_iso(args):
        return 1
    return run_all(args, [(p, image_test(args.build, p))
                          for p in platforms_of(args)])


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
        # on_exit=poweroff stays: `poweroff` in the guest's shell ends
        # the emulator too.
        t = linux_test(args.build, plat, "x2hv.shell=1 " + args.append,
                       args.hvargs, vcpus=args.vcpus)
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
    argv = plat.command(os.path.abspath(iso), None, workdir, t,
                        interactive=True)
    print("harness: " + " ".join(argv), file=sys.stderr)
    print("harness: QEMU: Ctrl-A X quits; Bochs: Ctrl-C", file=sys.stderr)
    rc = subprocess.call(argv, cwd=workdir)
    if plat.emu.name == "QEMU" and rc == QEMU_POWEROFF_STATUS:
        print("harness: x2hv powered the machine off", file=sys.stderr)
        return 0
    return rc


COMMANDS = (("boot", cmd_boot), ("guest", cmd_guest), ("linux", cmd_linux),
            ("iso", cmd_iso), ("image", cmd_image),
            ("run", cmd_run),
            ("bench", lambda a: cmd_bench(a, platforms_of(a))),
            ("bench-boot", lambda a: cmd_bench_boot(a, platforms_of(a))),
            ("selftest", cmd_selftest))


def main(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--build", default="build")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, fn in COMMANDS:
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
        if name in ("guest", "linux"):
            p.add_argument("--spare-cpus", type=int, default=0,
                           help="emulated CPUs beyond the guest's vCPUs "
                           "(x2hv makes the last one the timer CPU)")
        if name == "guest":
            p.add_argument("--tests", default="*",
                           help="glob(s) over tests/guest/<name>.c")
        if name in ("linux", "run"):
            p.add_argument("--append", default="",
                           help="extra Linux command-line arguments")
            p.add_argument("--vcpus", type=int, default=None,
                           help="guest vCPUs (and emulated CPUs) for "
                           "Linux; default: the variant's own (2)")
        if name == "linux":
            p.add_argument("--variant", default="linux",
                           help="comma list of: " + ", ".join(LINUX_VARIANTS))
            p.add_argument("--flavours", default="amd64",
                           help="comma list of Debian kernel flavours: " +
                           ", ".join(LINUX_FLAVOURS))
        if name == "run":
            p.add_argument("--guest", default="linux",
                           help="linux, none, or a tests/guest name")
    args = ap.parse_args()
    # SIGTERM unwinds like Ctrl-C, so the runner ends its emulators.
    signal.signal(signal.SIGTERM, _terminate)
    return args.fn(args)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)
