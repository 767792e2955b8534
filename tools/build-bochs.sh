#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Build Bochs 3.x from Debian 13's (trixie) source package `bochs` for the
# bochs-vmx and bochs-svm platforms: Debian 12 ships only Bochs 2.7, and
# trixie's binary package needs a newer libc. Called by install-deps.sh.
#
# The source comes through apt with a private sources list (deb-src
# trixie) that reuses the mirror this machine's apt already uses, read
# from /etc/apt; no host name is written here. The build is cached outside
# the clone, in $X2HV_CACHE/bochs/<version>-<flags hash>/ (X2HV_CACHE
# defaults to /var/cache/x2hv, or ~/.cache/x2hv where that is not
# writable), with a link `current` to it that the harness follows. A second
# run reuses it and rebuilds only when trixie's version, the configure
# flags or the patches in tools/bochs-patches/ change. Without network
# access a cached build is kept.
#
# The dfsg tarball lacks the Bochs BIOS and LGPL VGA BIOS images (Debian
# builds them in bochsbios): the harness uses Debian 12's bochsbios and
# vgabios packages with Bochs 3.0.
set -euo pipefail

# x86-64, SMP, VMX level 2 (EPT, unrestricted guest, APIC virtualization,
# posted interrupts), SVM, AVX and EVEX (the corei7_skylake_x model needs
# AVX-512). No internal debugger: it slows emulation, and without it Bochs
# needs no `-rc` file to start running. nogui: the harness runs headless.
FLAGS=(--enable-x86-64 --enable-smp --enable-cpu-level=6 --enable-vmx=2
	--enable-svm --enable-avx --enable-evex --enable-all-optimizations
	--enable-pci --enable-cdrom --disable-plugins --disable-docbook
	--with-nogui --without-x11 --without-wx --without-sdl2 --without-sdl)

. "$(dirname "$0")/apt-private.sh"
CACHE=$(x2hv_cache_root)
APT=$CACHE/apt-trixie-src
CURRENT=$CACHE/bochs/current
mkdir -p "$CACHE/bochs"

if ! x2hv_apt_setup "$APT" deb-src trixie; then
	if [ -x "$CURRENT/bin/bochs" ]; then
		echo "build-bochs: apt update failed (see $APT/update.log);" \
			"keeping $(readlink -f "$CURRENT")"
		exit 0
	fi
	cat "$APT/update.log" >&2
	exit 1
fi
version=$(apt-cache "${APTOPT[@]}" showsrc bochs |
	awk '/^Version:/ { print $2; exit }')
case "$version" in
3.* | [4-9].*) ;;
*)
	echo "build-bochs: trixie has bochs '$version', want 3.x" >&2
	exit 1
	;;
esac
# Fixes for Bochs bugs that x2hv's tests hit (each patch says which), applied
# in name order; they are part of the cache key, so editing one rebuilds.
PATCHES=("$(cd "$(dirname "$0")" && pwd)"/bochs-patches/*.patch)
hash=$( (printf '%s\n' "${FLAGS[@]}" && cat "${PATCHES[@]}") | sha256sum | cut -c1-8)
key=$version-$hash
PREFIX=$CACHE/bochs/$key
if [ -x "$PREFIX/bin/bochs" ]; then
	ln -sfn "$key" "$CURRENT"
	echo "build-bochs: Bochs $version cached in $PREFIX"
	exit 0
fi

WORK=$CACHE/bochs/build-$key
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
# The mirror may serve the tarballs but not the .dsc: apt then fails after
# downloading them, so check the tarballs against the checksums of the
# signed Sources index instead of apt's exit status.
apt-get -q "${APTOPT[@]}" source --download-only "bochs=$version" \
	>download.log 2>&1 || true
apt-cache "${APTOPT[@]}" showsrc bochs | awk -v v="$version" '
	/^Version:/ { ours = ($2 == v) }
	ours && /^Checksums-Sha256:/ { on = 1; next }
	/^[^ ]/ { on = 0 }
	on && $3 ~ /\.tar\./ { print $1 "  " $3 }' | sort -u >SHA256SUMS
if [ ! -s SHA256SUMS ] || ! sha256sum -c --quiet SHA256SUMS; then
	cat download.log >&2
	echo "build-bochs: bochs $version source missing or corrupt" >&2
	exit 1
fi
orig=$(awk '/orig\.tar/ { print $2 }' SHA256SUMS)
tar xf "$orig"
cd bochs-*/
for p in "${PATCHES[@]}"; do
	patch -p1 --quiet <"$p" || { echo "build-bochs: $p does not apply" >&2; exit 1; }
done

start=$(date +%s)
echo "build-bochs: building Bochs $version into $PREFIX ($(nproc) jobs)"
./configure --prefix="$PREFIX" "${FLAGS[@]}" >configure.log 2>&1 ||
	{ tail -30 configure.log >&2; exit 1; }
make -j"$(nproc)" >make.log 2>&1 || { tail -30 make.log >&2; exit 1; }
make install >install.log 2>&1 || { tail -30 install.log >&2; exit 1; }
"$PREFIX/bin/bochs" --help cpu >/dev/null 2>&1 || true
ln -sfn "$key" "$CURRENT"
cd /
rm -rf "$WORK"
echo "build-bochs: built in $(($(date +%s) - start)) s: $PREFIX/bin/bochs"
