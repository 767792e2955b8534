#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Fetch QEMU 10 from Debian 12's official backports (bookworm-backports)
# for the qemu-svm platforms, next to Debian's QEMU 7.2 rather than in
# its place: the packages are unpacked (dpkg-deb -x), not installed, into
# $X2HV_CACHE/qemu/<version>/, with a link `current` that the harness
# follows (X2HV_CACHE as in apt-private.sh). qemu-system-x86 (the
# binary), qemu-system-data (its ROMs) and seabios (the BIOS it needs,
# newer than bookworm's); the shared libraries are bookworm's, which
# install-deps.sh brings with Debian's qemu-system-x86. Fetched again only
# when the backports version changes; offline, a cached copy is kept.
set -euo pipefail

. "$(dirname "$0")/apt-private.sh"
CACHE=$(x2hv_cache_root)
APT=$CACHE/apt-bookworm-backports
CURRENT=$CACHE/qemu/current
PKGS=(qemu-system-x86 qemu-system-data seabios)
mkdir -p "$CACHE/qemu"

if ! x2hv_apt_setup "$APT" deb bookworm-backports; then
	if [ -x "$CURRENT/usr/bin/qemu-system-x86_64" ]; then
		echo "fetch-qemu: apt update failed (see $APT/update.log);" \
			"keeping $(readlink -f "$CURRENT")"
		exit 0
	fi
	cat "$APT/update.log" >&2
	exit 1
fi
version=$(apt-cache "${APTOPT[@]}" madison qemu-system-x86 |
	awk -F'|' '/bookworm-backports/ { gsub(/ /, "", $2); print $2; exit }')
case "$version" in
*:1[0-9].*) ;;
*)
	echo "fetch-qemu: bookworm-backports has qemu '$version', want 10+" >&2
	exit 1
	;;
esac
key=${version#*:}
ROOT=$CACHE/qemu/$key
if [ -x "$ROOT/usr/bin/qemu-system-x86_64" ]; then
	ln -sfn "$key" "$CURRENT"
	echo "fetch-qemu: QEMU $version cached in $ROOT"
	exit 0
fi

DL=$APT/download
rm -rf "$DL" "$ROOT.tmp"
mkdir -p "$DL" "$ROOT.tmp"
(cd "$DL" && apt-get -q "${APTOPT[@]}" download \
	"${PKGS[@]/%//bookworm-backports}" >download.log 2>&1) ||
	{ cat "$DL/download.log" >&2; exit 1; }
for deb in "$DL"/*.deb; do
	dpkg-deb -x "$deb" "$ROOT.tmp"
done
missing=$(ldd "$ROOT.tmp/usr/bin/qemu-system-x86_64" | grep 'not found' || true)
if [ -n "$missing" ]; then
	echo "fetch-qemu: QEMU $version needs libraries this machine lacks" \
		"(install Debian's qemu-system-x86):" >&2
	echo "$missing" >&2
	exit 1
fi
rm -rf "$ROOT" "$DL"
mv "$ROOT.tmp" "$ROOT"
ln -sfn "$key" "$CURRENT"
echo "fetch-qemu: QEMU $version in $ROOT"
