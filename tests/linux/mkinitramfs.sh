#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build the busybox initramfs of the Linux boot test.
# Usage: tests/linux/mkinitramfs.sh OUTPUT.cpio.gz
# The archive holds /bin/busybox (static, Debian's busybox-static) and
# /init = tests/linux/init.sh; applet links are made by init at run time.
# Format: "newc" cpio (Documentation/driver-api/early-userspace), gzip.
set -eu

OUT=${1:-build/linux/initramfs.cpio.gz}
HERE=$(cd "$(dirname "$0")" && pwd)
BUSYBOX=${BUSYBOX:-/bin/busybox}

if [ ! -x "$BUSYBOX" ] || readelf -l "$BUSYBOX" 2>/dev/null | grep -q INTERP; then
	# Debian's busybox-static installs /bin/busybox; refuse a dynamic one:
	# the initramfs has no libc.
	echo "mkinitramfs: $BUSYBOX is not static (apt-get install busybox-static)" >&2
	exit 1
fi

mkdir -p "$(dirname "$OUT")"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/bin" "$STAGE/dev" "$STAGE/proc" "$STAGE/sys" "$STAGE/tmp"
cp "$BUSYBOX" "$STAGE/bin/busybox"
ln -s busybox "$STAGE/bin/sh"
cp "$HERE/init.sh" "$STAGE/init"
chmod 0755 "$STAGE/init" "$STAGE/bin/busybox"

(cd "$STAGE" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -9n >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "mkinitramfs: $OUT"
