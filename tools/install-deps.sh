#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Install what building, running and testing x2hv needs on Debian 12
# (as root, or with sudo); only the packages that are missing. Used by
# .ci/run and the README's commands. No stdin or tty needed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
	build-essential make gcc binutils
	clang libclang-rt-14-dev lld llvm clang-format
	libcmocka-dev
	qemu-system-x86
	bochs bochsbios vgabios bochs-term
	grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools
	ovmf
	acpica-tools
	busybox-static cpio gzip xz-utils
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
