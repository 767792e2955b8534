#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Where one VM exit's instructions go (issue 14): QEMU (qemu-svm's CPU,
# -icount, one vCPU) runs tests/guest/bench.elf under x2hv with its gdb
# stub; gdb stops at the exit stub's return (svm_vmrun_return) on the
# Nth exit of the given SVM exit code that matches COND, then single-steps
# to the next return there: x2hv's part, the VMRUN, the guest's part. It
# prints the host instructions per function in execution order and in
# all. Needs `make` and `make -C . build/guest/bench.elf` done, and gdb.
#
#   tools/exit-trace.sh EXITCODE [SKIP] [COND]
#   tools/exit-trace.sh 0x72 100                 # CPUID
#   tools/exit-trace.sh 0x7c 50 '$rcx==0x6e0'    # WRMSR IA32_TSC_DEADLINE
#
# COND is a gdb expression over the guest's registers as they are at the
# exit (RAX excepted: it holds the VMCB address there). With PCS=FILE the
# host instructions are also listed there, one disassembled line each.
set -euo pipefail
code=${1:?usage: exit-trace.sh EXITCODE [SKIP] [COND]}
skip=${2:-100}
cond=${3:-1}
build=${BUILD:-build}
work=$(mktemp -d)
trap 'kill "$qpid" 2>/dev/null; rm -rf "$work"' EXIT
qemu=$(python3 -c 'import sys; sys.path.insert(0, "tools")
from x2hv_harness import platforms
print(platforms.PLATFORMS["qemu-svm"].emu.binary())')
roms=$(python3 -c 'import sys; sys.path.insert(0, "tools")
from x2hv_harness import platforms
print(" ".join("-L " + d for d in platforms.PLATFORMS["qemu-svm"].emu.firmware_dirs()))')
port=$((20000 + RANDOM % 20000))
# shellcheck disable=SC2086
"$qemu" $roms -icount shift=0,sleep=off -accel tcg -cpu max,-x2apic \
	-smp 1 -m 1024 -M pc -nodefaults -display none -no-reboot \
	-monitor none -kernel "$build/x2hv.elf" \
	-append "vcpus=1 on_exit=poweroff" -initrd "$build/guest/bench.elf" \
	-serial "file:$work/serial.log" -gdb "tcp:127.0.0.1:$port" -S &
qpid=$!
cat > "$work/trace.py" <<EOF
import gdb
gdb.execute("set pagination off")
gdb.execute("set architecture i386:x86-64")
gdb.execute("target remote 127.0.0.1:$port")
ret = int(gdb.parse_and_eval("(long)&svm_vmrun_return"))
# At svm_vmrun_return RAX is the VMCB's address; EXITCODE is at 0x70.
gdb.execute("break *%d if *(long*)(\$rax+0x70) == $code && ($cond)" % ret)
for _ in range($skip):
    gdb.execute("continue", to_string=True)
gdb.execute("delete")
guest, n = False, 0
with open("$work/pcs", "w") as out:
    while True:
        pc = int(gdb.parse_and_eval("\$pc"))
        if pc == ret and n:
            break
        if not guest:
            insn = gdb.execute("x/i \$pc", to_string=True)
            if insn.split(":", 1)[-1].split()[:1] == ["vmrun"]:
                guest = True
        out.write("%x %d\n" % (pc, guest))
        gdb.execute("stepi", to_string=True)
        n += 1
gdb.execute("kill")
EOF
sleep 0.5
timeout 600 gdb -q -batch -ex "file $build/x2hv.elf" -x "$work/trace.py" \
	>"$work/gdb.log" 2>&1 || { tail -5 "$work/gdb.log"; exit 1; }
python3 - "$work/pcs" "$build/x2hv.elf" ${PCS:+"$PCS"} <<'EOF'
import collections, subprocess, sys
rows = [line.split() for line in open(sys.argv[1])]
host = [int(p, 16) for p, g in rows if g == "0"]
addrs = sorted(set(host))
names = subprocess.run(["addr2line", "-f", "-e", sys.argv[2]] +
                       ["%x" % a for a in addrs], capture_output=True,
                       text=True).stdout.split("\n")
fn = {a: names[2 * i] for i, a in enumerate(addrs)}
runs = []
for a in host:
    if not runs or runs[-1][0] != fn[a]:
        runs.append([fn[a], 0])
    runs[-1][1] += 1
for name, k in runs:
    print(f"  {name:34} {k}")
print("per function:", ", ".join(f"{f} {k}" for f, k in
                                 collections.Counter(fn[a] for a in host)
                                 .most_common()))
if len(sys.argv) > 3:
    dis = {}
    for line in subprocess.run(["objdump", "-d", "--no-show-raw-insn",
                                sys.argv[2]], capture_output=True,
                               text=True).stdout.split("\n"):
        head, _, rest = line.partition(":")
        if rest and head.strip() and all(c in "0123456789abcdef"
                                         for c in head.strip()):
            dis[int(head, 16)] = rest.strip()
    with open(sys.argv[3], "w") as out:
        for a in host:
            out.write(f"{fn[a]:24} {a:x} {dis.get(a, '?')}\n")
print(f"host {len(host)}, guest until the next exit {len(rows) - len(host)},"
      f" in all {len(rows)} instructions")
EOF
