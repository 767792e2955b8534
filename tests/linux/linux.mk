# Linux boot test assets (issue 5). Included by the top-level Makefile.
#   $(LINUX_ASSETS): the guest kernel and initramfs that `harness.py linux`
#   boots; a test-linux target depends on them.
# build/linux/vmlinux comes from Debian's archive (apt-get download), so it
# is rebuilt only when missing, never because a script changed.

LINUX_DIR := $(BUILD)/linux
LINUX_VMLINUX := $(LINUX_DIR)/vmlinux
# What the tests boot: the same kernel without the zeros and section
# headers no loader reads, 33 MB instead of 62 (tests/linux/trim-elf.py).
LINUX_PVH := $(LINUX_DIR)/vmlinux.pvh
LINUX_INITRAMFS := $(LINUX_DIR)/initramfs.cpio.gz
LINUX_ASSETS := $(LINUX_PVH) $(LINUX_INITRAMFS)

$(LINUX_VMLINUX):
	tests/linux/fetch-kernel.sh $(LINUX_DIR)

%/vmlinux.pvh: %/vmlinux tests/linux/trim-elf.py
	tests/linux/trim-elf.py $< $@

# The downloaded kernels stay when make made them on the way.
.PRECIOUS: $(LINUX_DIR)-%/vmlinux

$(LINUX_INITRAMFS): tests/linux/init.sh tests/linux/mkinitramfs.sh
	tests/linux/mkinitramfs.sh $@

linux-assets: $(LINUX_ASSETS)

# Debian's other kernel flavours, for the optional tier test-linux-flavours
# (cloud-amd64 is LZ4-compressed, rt-amd64 XZ like amd64).
LINUX_FLAVOURS := cloud-amd64 rt-amd64
LINUX_FLAVOUR_KERNELS := $(foreach f,$(LINUX_FLAVOURS),$(LINUX_DIR)-$(f)/vmlinux.pvh)

$(LINUX_DIR)-%/vmlinux:
	tests/linux/fetch-kernel.sh $(LINUX_DIR)-$* $*

.PHONY: linux-assets
