#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Install what building, running and testing x2hv needs on Debian 12
# (as root, or with sudo); only the packages that are missing. Then the
# emulators Debian 12 does not ship, cached outside the clone
# (/var/cache/x2hv or ~/.cache/x2hv): Bochs 3 built from Debian 13's
# source package (build-bochs.sh) and QEMU 10 unpacked from
# bookworm-backports (fetch-qemu.sh). Used by .ci/run and the README's
# commands. No stdin or tty needed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
	build-essential make gcc g++ binutils patch
	clang libclang-rt-14-dev lld llvm clang-format
	libcmocka-dev
	qemu-system-x86
	bochs bochsbios vgabios
	grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools
	ovmf
	acpica-tools
	busybox-static cpio gzip xz-utils lz4 zstd
	python3
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	SUDO=
	if [ "$(id -u)" != 0 ]; then
		SUDO="sudo -n"
	fi
	$SUDO apt-get update -q
	$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

tools=$(dirname "$0")
"$tools/build-bochs.sh"
"$tools/fetch-qemu.sh"
