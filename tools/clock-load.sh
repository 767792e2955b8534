#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Issue 12, item 3's evidence: Linux booted N times in a row (default 10)
# on PLATFORM (default qemu-svm) while another emulator loads the
# machine, each boot's TSC frequency checked from outside the guest by
# the Linux test's clock check (tools/x2hv_harness/clock.py: the guest's
# printk time against the host's clock, 0.5% tolerance).
#
# The load is the same Linux test, in a loop, from a copy of the build
# in $(BUILD)/load (its own logs, so the two never share a file): a QEMU
# with 2 vCPUs under TCG, as busy as make test's Linux tiers. The measured
# boot and the load both stretch; the point is that x2hv's calibration
# stays right however much the host takes from it.
#
# Prints, per boot, the load average, the harness's verdict with the
# TSC figures, and x2hv's calibration line; a summary at the end. Exit 1
# if any boot failed. Not part of make test: it runs for many minutes
# and needs the machine to itself plus the load.
#
# usage: tools/clock-load.sh [N] [PLATFORM] [BUILD]
set -u

N=${1:-10}
PLAT=${2:-qemu-svm}
BUILD=${3:-build}
LOAD=$BUILD/load
HARNESS="python3 tools/harness.py"

mkdir -p "$LOAD/linux"
cp "$BUILD/x2hv.elf" "$LOAD/x2hv.elf"
cp "$BUILD"/linux/* "$LOAD/linux/"
LOADLOG=$LOAD/loader.out
: >"$LOADLOG"

# The loader: Linux boots back to back until the stop file appears.
STOP=$LOAD/stop
rm -f "$STOP"
(
	while [ ! -e "$STOP" ]; do
		$HARNESS --build "$LOAD" linux --platform "$PLAT" \
			--variant linux 2>&1 | grep -E '^(PASS|FAIL) ' >>"$LOADLOG"
	done
) &
LOADER=$!
stop_loader() {
	# No new boot, and the harness the loader runs now (its child) ends
	# its emulator on SIGTERM (tools/x2hv_harness/runner.py).
	touch "$STOP"
	pkill -TERM -P "$LOADER" 2>/dev/null
	wait "$LOADER" 2>/dev/null
}
trap stop_loader EXIT INT TERM

# Let the loader's first boot get going, and make sure it is one: a
# loader that fails at once would only spin.
sleep 20
if [ -s "$LOADLOG" ] || ! grep -q 'x2hv: ' "$LOAD/logs/$PLAT/linux.log" 2>/dev/null; then
	echo "clock-load: the loader is not booting:" >&2
	cat "$LOADLOG" >&2
	exit 1
fi
fails=0
i=1
while [ "$i" -le "$N" ]; do
	echo "boot $i of $N: $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
	out=$($HARNESS --build "$BUILD" linux --platform "$PLAT" --variant linux 2>&1)
	echo "$out" | grep -E '^(PASS|FAIL) '
	echo "$out" | grep -qE '^PASS ' || fails=$((fails + 1))
	grep -hE 'x2hv: tsc: ' "$BUILD/logs/$PLAT/linux.log" | sed 's/^/  /'
	i=$((i + 1))
done
echo "clock-load: $((N - fails)) of $N boots within tolerance, $fails failed"
echo "clock-load: meanwhile the loader finished $(grep -c . "$LOADLOG") boots:"
sed 's/^/  /' "$LOADLOG"
[ "$fails" -eq 0 ]
