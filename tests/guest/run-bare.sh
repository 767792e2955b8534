#!/bin/sh
# Run one guest test on a bare emulator, without x2hv, to check that the
# test encodes architectural truth. Usage:
#   tests/guest/run-bare.sh qemu  build/guest/<name>.elf [cpus]
#   tests/guest/run-bare.sh bochs build/guest-mb/<name>.elf [cpus]
# QEMU TCG boots the PVH ELF directly (it has no x2APIC: x2APIC tests SKIP);
# Bochs (x2APIC, TSC-deadline) boots the multiboot variant through GRUB.
# Prints the serial log on stdout. TIMEOUT (seconds) overrides the default.
set -eu
emu=$1 elf=$2 cpus=${3:-2}
case $emu in
qemu)
	timeout "${TIMEOUT:-60}" qemu-system-x86_64 -accel tcg -cpu max -m 256 \
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
	echo c >"$dir/rc"
	timeout "${TIMEOUT:-300}" bochs -q -f "$dir/bochsrc" -rc "$dir/rc" \
		</dev/null >/dev/null 2>&1 || true
	cat "$dir/serial.log"
	;;
*)
	echo "usage: $0 qemu|bochs ELF [cpus]" >&2
	exit 2
	;;
esac
