#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""x2hv emulator test harness: boot the hypervisor from a GRUB ISO on an
emulator, watch the serial log, decide pass/fail from its markers.

Subcommands (docs/testing.md has the whole story):
  boot      the hypervisor alone (x2hv_harness/tests.py, BOOT_TESTS)
  guest     tests/guest/<name>.c test kernels (metadata in "//! key: value")
  linux     Debian's stock kernel with the busybox initramfs (tests/linux)
  run       interactive: serial console on stdio
  bench     build/guest/bench.elf; peer figures from tools/peers.json
  selftest  the log judge and metadata parser on synthetic input

Platforms: x2hv_harness/platforms.py (--platform NAME, a comma list or
all). Output: one "PASS|FAIL|SKIP <platform> <test>..." line per test,
then "N passed, M failed" (", K skipped"); exit status 1 when anything
failed.

The code is the package tools/x2hv_harness:
  platforms.py  Platform objects: emulator command lines and properties
  iso.py        GRUB rescue ISOs
  judge.py      the serial protocol and the pure log judge
  tests.py      boot table, guest test metadata, the Linux test
  runner.py     running tests on platforms, -j at a time
  bench.py      the benchmark command and its peer figures
  selftest.py   the harness' own checks
  commands.py   subcommands and the command line
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from x2hv_harness.commands import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(__doc__.splitlines()[0]))
