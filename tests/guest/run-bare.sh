#!/bin/sh
# Run one guest test on a bare emulator, without x2hv, to check that the
# test encodes architectural truth. Usage:
#   tests/guest/run-bare.sh qemu  build/guest/<name>.elf [cpus]
#   tests/guest/run-bare.sh bochs build/guest-mb/<name>.elf [cpus]
# The emulators are the harness's: QEMU 10 and Bochs 3.0 from the cache of
# tools/fetch-qemu.sh and tools/build-bochs.sh (X2HV_QEMU / X2HV_BOCHS name
# other binaries), else Debian's qemu-system-x86_64 (7.2) and bochs (2.7).
# QEMU TCG boots the PVH ELF directly; Bochs boots the multiboot variant
# through GRUB. Prints the serial log on stdout. TIMEOUT (seconds)
# overrides the default.
set -eu
emu=$1 elf=$2 cpus=${3:-2}

# The first of the harness's cache roots that holds @1.
cached() {
	for root in ${X2HV_CACHE:-} /var/cache/x2hv "${XDG_CACHE_HOME:-$HOME/.cache}/x2hv"; do
		[ -x "$root/$1" ] && { echo "$root/$1"; return; }
	done
}

case $emu in
qemu)
	qemu=${X2HV_QEMU:-$(cached qemu/current/usr/bin/qemu-system-x86_64)}
	rom=
	if [ -n "$qemu" ]; then
		d=$(dirname "$qemu")/../share
		rom="-L $d/seabios -L $d/qemu"
	fi
	# shellcheck disable=SC2086 # $rom is two options or none
	timeout "${TIMEOUT:-60}" "${qemu:-qemu-system-x86_64}" $rom \
		-accel tcg -cpu max -m 256 \
		-smp "$cpus" -kernel "$elf" -nographic -no-reboot \
		-serial stdio -display none -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=4 || true
	;;
bochs)
	dir=$(mktemp -d)
	trap '[ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
	mkdir -p "$dir/iso/boot/grub"
	cp "$elf" "$dir/iso/t.elf"
	cat >"$dir/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
menuentry t { multiboot /t.elf
boot }
CFG
	grub-mkrescue -o "$dir/t.iso" "$dir/iso" >/dev/null 2>&1
	cat >"$dir/bochsrc" <<RC
megs: 256
cpu: model=${BOCHS_MODEL:-corei7_skylake_x}, count=$cpus, ips=100000000, ignore_bad_msrs=0
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$dir/t.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$dir/serial.log
display_library: rfb, options="timeout=0"
speaker: enabled=0
log: $dir/bochs.log
RC
	bochs=${X2HV_BOCHS:-$(cached bochs/current/bin/bochs)}
	if [ -n "$bochs" ]; then
		# Bochs 3.0 as built by tools/build-bochs.sh: no GUI, no debugger.
		sed -i 's/^display_library:.*/display_library: nogui/' "$dir/bochsrc"
		set -- -q -f "$dir/bochsrc"
	else
		# Debian's Bochs 2.7 stops at its debugger prompt: continue.
		echo c >"$dir/rc"
		set -- -q -f "$dir/bochsrc" -rc "$dir/rc"
	fi
	timeout "${TIMEOUT:-300}" "${bochs:-bochs}" "$@" \
		</dev/null >/dev/null 2>&1 || true
	cat "$dir/serial.log"
	;;
*)
	echo "usage: $0 qemu|bochs ELF [cpus]" >&2
	exit 2
	;;
esac
