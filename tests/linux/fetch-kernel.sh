#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Fetch Debian's stock kernel (the reference PVH guest) and extract the
# vmlinux ELF from its bzImage. No installation: `apt-get download` plus
# `dpkg-deb -x` into the build directory.
#
# Usage: tests/linux/fetch-kernel.sh [OUTDIR]   (default build/linux)
# Result: OUTDIR/vmlinux, an ELF carrying XEN_ELFNOTE_PHYS32_ENTRY (18).
#
# The bzImage is decompressed by locating the XZ stream magic
# (FD 37 7A 58 5A 00, xz file format spec 2.1.1.1) rather than by parsing
# the boot protocol's payload_offset (Documentation/x86/boot.rst, field
# 0x248): the magic scan also works if the setup header layout changes,
# and `xz -dc` stops at the end of the stream; trailing bytes (the
# 4-byte decompressed size that the kernel appends) are tolerated.
set -eu

OUT=${1:-build/linux}
META=${LINUX_META_PACKAGE:-linux-image-amd64}
XZ_MAGIC=fd377a585a00
# XEN_ELFNOTE_PHYS32_ENTRY, xen/include/public/elfnote.h
PHYS32_ENTRY_NOTE=0x00000012

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ -s "$OUT/vmlinux" ] && [ -s "$OUT/vmlinux.version" ]; then
	echo "fetch-kernel: cached $OUT/vmlinux ($(cat "$OUT/vmlinux.version"))"
	exit 0
fi

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

# Byte offset of the first XZ magic in the bzImage.
OFF=$(od -An -v -tx1 -w1 "$BZ" | tr -d ' ' | tr '\n' ' ' |
	grep -ob "$(echo "$XZ_MAGIC" | sed 's/../& /g')" | head -n1 | cut -d: -f1)
if [ -z "$OFF" ]; then
	echo "fetch-kernel: no XZ payload in $BZ" >&2
	exit 1
fi
# grep -ob counted characters of "xx " triplets.
OFF=$((OFF / 3))

tail -c +$((OFF + 1)) "$BZ" | xz -dc -q >"$OUT/vmlinux.tmp" 2>/dev/null || true
if ! head -c 4 "$OUT/vmlinux.tmp" | od -An -tx1 | grep -q '7f 45 4c 46'; then
	echo "fetch-kernel: payload at $OFF is not an ELF" >&2
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
