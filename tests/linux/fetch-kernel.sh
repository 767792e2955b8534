#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Fetch Debian's stock kernel (the reference PVH guest) and extract the
# vmlinux ELF from its bzImage. No installation: `apt-get download` plus
# `dpkg-deb -x` into the build directory.
#
# Usage: tests/linux/fetch-kernel.sh [OUTDIR] [FLAVOUR]
#   OUTDIR   default build/linux
#   FLAVOUR  amd64 (default), cloud-amd64, rt-amd64: the kernel that
#            linux-image-FLAVOUR depends on (LINUX_META_PACKAGE overrides)
# Result: OUTDIR/vmlinux, an ELF carrying XEN_ELFNOTE_PHYS32_ENTRY (18),
# and OUTDIR/config.
#
# The payload is found through the boot protocol's setup header
# (Documentation/x86/boot.rst): "HdrS" at 0x202, setup_sects at 0x1f1,
# payload_offset at 0x248 and payload_length at 0x24c, counted from the
# protected-mode code after the (setup_sects + 1) 512-byte sectors. The
# payload is one of the compressions the kernel can be built with
# (CONFIG_KERNEL_*; Debian uses XZ for amd64 and rt-amd64 and LZ4 for
# cloud-amd64), told apart by its magic; its last 4 bytes are the
# decompressed size, which the build appends and which is checked here.
set -eu

OUT=${1:-build/linux}
FLAVOUR=${2:-amd64}
META=${LINUX_META_PACKAGE:-linux-image-$FLAVOUR}
# XEN_ELFNOTE_PHYS32_ENTRY, xen/include/public/elfnote.h
PHYS32_ENTRY_NOTE=0x00000012

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ -s "$OUT/vmlinux" ] && [ -s "$OUT/vmlinux.version" ]; then
	echo "fetch-kernel: cached $OUT/vmlinux ($(cat "$OUT/vmlinux.version"))"
	exit 0
fi

# Little-endian unsigned integer of $3 bytes at offset $2 of file $1.
le() {
	od -An -tu"$3" -j "$2" -N "$3" --endian=little "$1" | tr -d ' '
}
# Hex bytes at offset $2, $3 of them, of file $1.
hexat() {
	od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'
}

# The decompressor for a payload starting with these bytes (magic
# numbers: gzip RFC 1952, bzip2 "BZh", LZMA alone properties 0x5d,
# xz file format 2.1.1.1, lzop, LZ4 legacy frame, zstd RFC 8878).
decompressor() {
	case "$1" in
	1f8b*) echo "gzip -dc" ;;
	425a68*) echo "bzip2 -dc" ;;
	5d0000*) echo "xz --format=lzma -dc" ;;
	fd377a585a00*) echo "xz -dc" ;;
	894c5a4f*) echo "lzop -dc" ;;
	02214c18*) echo "lz4 -dc" ;;
	28b52ffd*) echo "zstd -dc" ;;
	*) return 1 ;;
	esac
}

# Decompress bzImage $1 into $2.
extract() {
	bz=$1
	if [ "$(hexat "$bz" 514 4)" != 48647253 ]; then # "HdrS"
		echo "fetch-kernel: $bz has no boot protocol header" >&2
		return 1
	fi
	sects=$(le "$bz" 497 1)
	[ "$sects" -ne 0 ] || sects=4
	off=$(((sects + 1) * 512 + $(le "$bz" 584 4)))
	len=$(le "$bz" 588 4)
	size=$(le "$bz" $((off + len - 4)) 4)
	magic=$(hexat "$bz" "$off" 6)
	if ! cmd=$(decompressor "$magic"); then
		echo "fetch-kernel: unknown compression (magic $magic) in $bz" >&2
		return 1
	fi
	tool=${cmd%% *}
	if ! command -v "$tool" >/dev/null; then
		echo "fetch-kernel: $tool is needed for $bz (tools/install-deps.sh)" >&2
		return 1
	fi
	echo "fetch-kernel: $(basename "$bz"): $tool payload, $len bytes at $off"
	tail -c +$((off + 1)) "$bz" | head -c $((len - 4)) | $cmd >"$2"
	if [ "$(stat -c %s "$2")" -ne "$size" ]; then
		echo "fetch-kernel: decompressed $(stat -c %s "$2") bytes, the image says $size" >&2
		return 1
	fi
}

# The meta package depends on exactly one versioned image package.
PKG=$(apt-cache depends "$META" 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
if [ -z "$PKG" ]; then
	echo "fetch-kernel: cannot resolve $META (run apt-get update?)" >&2
	exit 1
fi

WORK=$OUT/pkg
rm -rf "$WORK"
mkdir -p "$WORK"
(cd "$WORK" && apt-get download "$PKG" >/dev/null)
DEB=$(ls "$WORK"/*.deb | head -n1)
dpkg-deb -x "$DEB" "$WORK/root"

BZ=$(ls "$WORK"/root/boot/vmlinuz-* | head -n1)
CONFIG=$(ls "$WORK"/root/boot/config-* | head -n1)
cp "$CONFIG" "$OUT/config"

extract "$BZ" "$OUT/vmlinux.tmp"
if ! head -c 4 "$OUT/vmlinux.tmp" | od -An -tx1 | grep -q '7f 45 4c 46'; then
	echo "fetch-kernel: the payload of $BZ is not an ELF" >&2
	exit 1
fi
if ! readelf -n "$OUT/vmlinux.tmp" |
	grep -qiE "PHYS32_ENTRY|Unknown note type: \($PHYS32_ENTRY_NOTE\)"; then
	echo "fetch-kernel: vmlinux lacks the Xen PHYS32_ENTRY (PVH) note" >&2
	exit 1
fi
mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
echo "$PKG $(basename "$BZ")" >"$OUT/vmlinux.version"
rm -rf "$WORK"
echo "fetch-kernel: $OUT/vmlinux from $PKG"
