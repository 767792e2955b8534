#!/bin/sh
# SPDX-License-Identifier: MIT
#
# /init of the Linux boot test initramfs (busybox). Checks that Debian's
# stock kernel runs correctly as an x2hv guest and reports TAP-like lines on
# the serial console, the protocol of docs/testing.md:
#   "ok N - desc" / "not ok N - desc # detail", then "RESULT: PASS|FAIL".
# Then it powers off (ACPI S5 through the FADT's sleep control register).
#
# Kernel command line knobs (read from /proc/cmdline; dotted names are
# ignored by the kernel for modules that do not exist):
#   x2hv.cpus=N     CPUs expected online (default 2); "all": every CPU the
#                   firmware tables list (/sys/devices/system/cpu/present)
#   x2hv.memmin=M   the kernel must see at least M MiB of RAM (MemTotal)
#   x2hv.bigfile=M  write an M MiB file of a known pattern to a tmpfs and
#                   read it back (RAM above 4 GiB in use, issue 13)
#   x2hv.shell=1    then a shell on ttyS0 under busybox init instead of
#                   powering off (interactive runs: `poweroff` and `reboot`
#                   typed there work)
#   x2hv.reboots=N  reboot (reboot -f: the kernel's restart, the method
#                   its reboot= option picks) N times before the checks;
#                   boots are counted in reserved low RAM that the reset
#                   keeps (BOOT_COUNT below)

/bin/busybox --install -s /bin
export PATH=/bin

mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

# x2hv.bootbench=1 (make bench-boot): the measured boot ends here. The
# line goes through the kernel's log, which reaches the console before
# the poweroff; what a tty holds might not.
if grep -q "x2hv.bootbench=1" /proc/cmdline; then
	echo "<3>x2hv-linux: init started" >/dev/kmsg
	poweroff -f
fi
echo "x2hv-linux: init started"
# Wait until the console tty has sent what we wrote: stty applies a
# setting with TCSADRAIN (TCSETSW), which first waits for the tty's buffer
# and the UART to empty (tty_wait_until_sent); "opost" is already set, so
# it only waits. Kernel lines (printk) are written to the UART at once and
# would otherwise cut into our lines still in that buffer, which drains at
# 115200 baud (slow on Bochs, which emulates the baud rate).
drain_console() {
	stty -F /dev/console opost 2>/dev/null || sleep 2
}
# Guest time in centiseconds (awk: no octal trouble with "0.08").
uptime_cs() {
	awk '{ printf "%d", $1 * 100 }' /proc/uptime
}
INIT_CS=$(uptime_cs)

CMDLINE=$(cat /proc/cmdline)
arg() {
	# arg NAME DEFAULT: value of NAME=... on the kernel command line
	v=$(echo " $CMDLINE " | sed -n "s/.* $1=\([^ ]*\) .*/\1/p")
	echo "${v:-$2}"
}
NCPUS=$(arg x2hv.cpus 2)
if [ "$NCPUS" = all ]; then
	# "0-7" or "0": the last number plus one.
	NCPUS=$(($(sed 's/.*[-,]//' /sys/devices/system/cpu/present) + 1))
fi
MEMMIN=$(arg x2hv.memmin 0)
BIGFILE=$(arg x2hv.bigfile 0)
SHELL_AFTER=$(arg x2hv.shell 0)
REBOOTS=$(arg x2hv.reboots 0)

# A boot counter that survives a platform reset: one word at 0xf0000, in
# the reserved BIOS area below 1 MiB (x2hv has no BIOS there; Linux's
# /dev/mem allows that range even with STRICT_DEVMEM, unlike RAM, and
# x2hv rewrites only its tables at 0xe0000 and the reset vector stub at
# 0xffff0 on a reset). The high half is a tag, "x2".
BOOT_COUNT=0xf0000
BOOT_TAG=0x7832
if [ "$REBOOTS" -gt 0 ]; then
	word=$(devmem $BOOT_COUNT 32)
	boot=1
	[ $((word >> 16)) -eq $((BOOT_TAG)) ] && boot=$(((word & 0xffff) + 1))
	devmem $BOOT_COUNT 32 $(((BOOT_TAG << 16) | boot))
	echo "x2hv-linux: boot $boot of $((REBOOTS + 1))"
	if [ "$boot" -le "$REBOOTS" ]; then
		sync
		drain_console # reboot -f does not wait for the tty
		reboot -f
	fi
	devmem $BOOT_COUNT 32 0
fi

N=0
FAILED=0
ok() {
	N=$((N + 1))
	echo "ok $N - $1"
}
not_ok() {
	N=$((N + 1))
	FAILED=$((FAILED + 1))
	echo "not ok $N - $1${2:+ # $2}"
}
check() {
	# check DESC DETAIL COMMAND...: ok when COMMAND succeeds
	desc=$1
	detail=$2
	shift 2
	if "$@"; then ok "$desc"; else not_ok "$desc" "$detail"; fi
}

# Cross-CPU traffic so that rescheduling and function-call IPIs happen even
# on an otherwise idle system: a pipe between processes pinned to different
# CPUs wakes the reader on the other CPU (a reschedule IPI when that CPU is
# halted in idle); dropping caches and changing the mm of tasks that ran on
# several CPUs makes the kernel flush remote TLBs and call functions on other
# CPUs (smp_call_function, CAL).
ipi_workload() {
	last=$((NCPUS - 1))
	[ "$last" -ge 1 ] || return 0
	for _ in 1 2 3 4; do
		seq 1 200 | taskset -c "$last" cat | taskset -c 0 wc -l >/dev/null
		taskset -c "$last" sh -c 'echo 3 >/proc/sys/vm/drop_caches'
		sync
	done
}

# /proc/interrupts row NAME: every CPU column must be non-zero.
irq_row_all_nonzero() {
	awk -v name="$1:" -v n="$NCPUS" '
		$1 == name { for (i = 2; i <= n + 1; i++) if ($i + 0 == 0) exit 1; found = 1 }
		END { exit found ? 0 : 1 }' /proc/interrupts
}
# /proc/interrupts row NAME: the sum over CPUs must be non-zero.
irq_row_total_nonzero() {
	awk -v name="$1:" -v n="$NCPUS" '
		$1 == name { for (i = 2; i <= n + 1; i++) s += $i; found = 1 }
		END { exit (found && s > 0) ? 0 : 1 }' /proc/interrupts
}

ipi_workload
# Let a few timer ticks happen on every CPU after the workload.
sleep 1

DMESG=/tmp/dmesg
dmesg >"$DMESG"

echo "1..$((9 + (MEMMIN > 0) + (BIGFILE > 0) * 2))"

# 1. SMP: every CPU came up through INIT/SIPI.
if [ "$NCPUS" -gt 1 ]; then want="0-$((NCPUS - 1))"; else want=0; fi
online=$(cat /sys/devices/system/cpu/online)
check "cpus online = $want" "online is $online" [ "$online" = "$want" ]

# 2-3. x2APIC mode: the kernel found the APIC already in x2APIC mode (x2hv's
#    reset state, arch/x86/kernel/apic/apic.c check_x2apic) or enabled it,
#    and routes through an x2apic driver (cluster or physical).
check "x2apic mode entered" "no 'x2apic enabled' line in dmesg" \
	grep -qE 'x2apic: enabled by BIOS, switching to x2apic ops|x2apic enabled' "$DMESG"
route=$(grep -oE 'Switched APIC routing (from [a-z0-9 ]+ )?to [a-z0-9 ]+' "$DMESG" | tail -n1)
x2apic_route() {
	case "$route" in
	*"to cluster x2apic" | *"to physical x2apic") return 0 ;;
	*) return 1 ;;
	esac
}
check "apic driver is x2apic" "${route:-no APIC routing line}" x2apic_route

# 4. TSC frequency: print Linux's value so the harness can compare it with
#    the hypervisor's "x2hv: tsc: <khz> kHz".
mhz=$(sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' "$DMESG" | tail -n1)
[ -n "$mhz" ] || mhz=$(sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' "$DMESG" | tail -n1)
if [ -n "$mhz" ]; then
	khz=$(echo "$mhz" | awk '{ printf "%d", $1 * 1000 + 0.5 }')
	echo "x2hv-linux: tsc-khz $khz"
	ok "tsc frequency detected ($mhz MHz)"
else
	not_ok "tsc frequency detected" "no 'tsc: Detected' line"
fi

# 5. The TSC is the clocksource (stable, invariant TSC exposed correctly).
cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
check "clocksource is tsc" "clocksource is $cs" [ "$cs" = tsc ]

# 6-8. Interrupt delivery through the virtual x2APIC.
grep -E '^ *(LOC|RES|CAL|TLB|SPU|ERR):' /proc/interrupts | sed 's/^/x2hv-linux: irq /'
check "local timer interrupts on every cpu" "LOC row has a zero" irq_row_all_nonzero LOC
check "rescheduling interrupts counted" "RES total is 0" irq_row_total_nonzero RES
check "function call interrupts counted" "CAL total is 0" irq_row_total_nonzero CAL

# 9. A clean kernel log. A WARN() splat reads "WARNING: CPU: n PID: n at
#    ..." (kernel/panic.c __warn); a bare "WARNING:" is also used by
#    mitigation notices ("RETBleed: WARNING: Spectre v2 mitigation leaves
#    CPU vulnerable", printed for Bochs' Skylake model), which are about
#    the emulated CPU model, not about a bug. An MSR the platform does not
#    answer ("unchecked MSR access error") or answers unlike the CPU
#    ("[Firmware Bug]: ...", e.g. HWCR without TscFreqSel on AMD) is
#    x2hv's fault here: there is no firmware.
bad=$(grep -E 'WARNING: CPU: |WARNING: at |BUG:|Oops|Kernel panic|Call Trace|unchecked MSR access|\[Firmware Bug\]' "$DMESG" | head -n1)
check "no warnings or oopses in dmesg" "$bad" [ -z "$bad" ]

# 10. All the RAM the hypervisor gave (E820 / hvm_start_info memory map).
if [ "$MEMMIN" -gt 0 ]; then
	total=$(awk '$1 == "MemTotal:" { printf "%d", $2 / 1024 }' /proc/meminfo)
	echo "x2hv-linux: MemTotal $total MiB"
	check "at least $MEMMIN MiB of RAM" "MemTotal $total MiB" [ "$total" -ge "$MEMMIN" ]
fi

# 11-12. Use it: a file larger than the RAM below 4 GiB, in a tmpfs,
#    hashed as it is written and hashed again when read back. Its MiBs
#    come from 37 distinct 1 MiB blocks, each 4 KiB page of them distinct
#    too ("b007 p0042 x2hv\n" lines), repeated in turn: a period of 37 MiB
#    is no multiple of any page size, so two guest pages that alias one
#    host page would show. (Making every MiB unique is too slow under
#    full emulation: the shell tools write a few MB/s.)
BLOCKS=37
bigfile_blocks() {
	# One 4 KiB page is 256 copies of its own 16-byte line, built by
	# doubling: a few thousand awk statements, not millions.
	mkdir -p /tmp/blk
	awk -v n="$BLOCKS" 'BEGIN { for (b = 0; b < n; b++) {
		f = sprintf("/tmp/blk/%02d", b)
		for (p = 0; p < 256; p++) {
			s = sprintf("b%03d p%04d x2hv\n", b, p)
			while (length(s) < 4096) s = s s
			printf "%s", s > f
		}
		close(f) } }'
}
bigfile_gen() {
	i=0
	while [ "$i" -lt "$BIGFILE" ]; do
		cat /tmp/blk/$(printf %02d $((i % BLOCKS)))
		i=$((i + 1))
		[ $((i % 512)) -ne 0 ] || echo "x2hv-linux: bigfile $i MiB" >&2
	done
}
bigfile_check() {
	mkdir -p /big && mount -t tmpfs -o size=$((BIGFILE + 64))m tmpfs /big || return 1
	bigfile_blocks || return 1
	BIGSUM=$(bigfile_gen | tee /big/f | md5sum | cut -d' ' -f1)
	size=$(($(stat -c %s /big/f) / 1048576))
	echo "x2hv-linux: bigfile $size MiB written, md5 $BIGSUM"
	[ "$size" -eq "$BIGFILE" ]
}
bigfile_verify() {
	sum=$(md5sum /big/f | cut -d' ' -f1)
	echo "x2hv-linux: bigfile read back, md5 $sum"
	[ "$sum" = "$BIGSUM" ]
}
if [ "$BIGFILE" -gt 0 ]; then
	check "wrote a $BIGFILE MiB file to tmpfs" "short write" bigfile_check
	check "read the $BIGFILE MiB file back intact" "content differs" bigfile_verify
fi

if [ "$FAILED" -eq 0 ]; then echo "RESULT: PASS"; else echo "RESULT: FAIL"; fi

if [ "$SHELL_AFTER" = 1 ]; then
	# busybox poweroff, reboot and halt (without -f) signal PID 1
	# (SIGUSR2, SIGTERM, SIGUSR1): let busybox init be PID 1 and run the
	# shell on the serial console, so they shut down cleanly.
	mkdir -p /etc
	cat >/etc/inittab <<-EOF
		ttyS0::respawn:-/bin/sh
		::shutdown:/bin/sync
	EOF
	echo "x2hv-linux: shell on ttyS0; poweroff or reboot end it"
	exec /bin/init
fi
sync
# The harness compares the printk timestamps (guest time) of kernel lines
# with when they reach the host (tools/x2hv_harness/clock.py), so the end
# of the run writes a few through /dev/kmsg ("clock marks"), at least
# CLOCK_SPAN_CS of guest time after init started: Linux marks sched_clock
# stable (a late initcall) before init runs, so the kernel lines the
# harness can use then span that much however fast the boot was.
#
# Nothing is written to the tty once it has drained, so neither the marks
# nor poweroff -f (which does not wait for the tty) can cut RESULT.
CLOCK_SPAN_CS=800
drain_console
i=1
while [ "$i" -le 10 ] || [ $(($(uptime_cs) - INIT_CS)) -lt "$CLOCK_SPAN_CS" ]; do
	echo "x2hv-linux: clock mark $i" >/dev/kmsg
	sleep 0.2
	i=$((i + 1))
done
poweroff -f
