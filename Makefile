# x2hv: one non-recursive Makefile. `make` builds build/x2hv.elf.
# Test tiers: test-unit, test-boot, test-guest, test-linux, fuzz, bench;
# `make test` runs every CI tier. See README.md.

# DEBUG=1: the debug image, with ASSERT() checked (include/debug.h), built
# into build/debug so it never mixes with the normal one.
DEBUG ?=
BUILD ?= $(if $(DEBUG),build/debug,build)
PLATFORM ?= qemu-svm
T ?= *
FUZZ_SECONDS ?= 10

CC ?= gcc
HOSTCC ?= gcc
CLANG ?= clang
LD := ld
OBJCOPY := objcopy

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
HV_WARN := -Wmissing-prototypes -Wshadow -Wundef
HV_CFLAGS := -std=gnu11 $(WARN) $(HV_WARN) -O2 -g -ffreestanding -fno-builtin-printf \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mcmodel=small \
	-mgeneral-regs-only -mno-sse -mno-mmx -mno-80387 \
	-fno-asynchronous-unwind-tables -nostdinc -isystem include \
	-isystem $(shell $(CC) -print-file-name=include) -I. \
	$(if $(DEBUG),-DX2HV_DEBUG -fno-omit-frame-pointer,-fomit-frame-pointer)
HV_ASFLAGS := -D__ASSEMBLY__ -I. -isystem include
HV_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 --no-warn-rwx-segments -z noexecstack -T $(BUILD)/linker.ld

# Hypervisor sources: every .c/.S under these directories.
HV_DIRS := boot arch/x86 arch/x86/vmx arch/x86/svm lib vmm vmm/dev loader vlapic
HV_SRCS := $(foreach d,$(HV_DIRS),$(wildcard $(d)/*.c) $(wildcard $(d)/*.S))
HV_OBJS := $(patsubst %,$(BUILD)/hv/%.o,$(HV_SRCS))

all: $(BUILD)/x2hv.elf

$(BUILD)/hv/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hv/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) $(HV_ASFLAGS) -MMD -MP -c $< -o $@

# The linker script, preprocessed for boot/boot.h's constants (its ASSERTs).
$(BUILD)/linker.ld: linker.ld.S boot/boot.h
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLY__ -I. $< -o $@

$(BUILD)/x2hv.elf: $(HV_OBJS) $(BUILD)/linker.ld
	$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS)

-include $(HV_OBJS:.o=.d)

# ---------------------------------------------------------------- host tests
# Fragments add to UNIT_TESTS (name list) and set UNIT_<name>_SRCS;
# FUZZERS and FUZZ_<name>_SRCS likewise. See tests/unit/README.md.
UNIT_TESTS :=
FUZZERS :=
GUEST_TESTS :=
include $(wildcard tests/unit/*.mk)
include $(wildcard tests/fuzz/*.mk)
include $(wildcard tests/guest/*.mk)
include $(wildcard tests/linux/*.mk)

UNIT_CFLAGS := -std=gnu11 $(WARN) -O1 -g -I. -DX2HV_HOST_TEST \
	-fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_BINS := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_TESTS))

define unit_rule
$(BUILD)/unit/test_$(1): $$(UNIT_$(1)_SRCS) $$(wildcard */*.h */*/*.h */*/*/*.h)
	@mkdir -p $$(dir $$@)
	$(HOSTCC) $(UNIT_CFLAGS) -o $$@ $$(UNIT_$(1)_SRCS) -lcmocka
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

FUZZ_CFLAGS := -std=gnu11 $(WARN) -O1 -g -I. -DX2HV_HOST_TEST \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZERS))

define fuzz_rule
$(BUILD)/fuzz/fuzz_$(1): $$(FUZZ_$(1)_SRCS) $$(wildcard */*.h */*/*.h)
	@mkdir -p $$(dir $$@)
	$(CLANG) $(FUZZ_CFLAGS) -o $$@ $$(FUZZ_$(1)_SRCS)
endef
$(foreach t,$(FUZZERS),$(eval $(call fuzz_rule,$(t))))

# ---------------------------------------------------------------- tiers
HARNESS := python3 tools/harness.py --build $(BUILD)

test-unit: $(UNIT_BINS)
	@python3 tools/run-unit.py $(UNIT_BINS)

test-boot: all $(BUILD)/guest/hello.elf
	@$(HARNESS) boot --platform $(PLATFORM)

test-guest: all $(GUEST_ELFS)
	@$(HARNESS) guest --platform $(PLATFORM) --tests '$(T)' \
		$(if $(HVARGS),--hvargs '$(HVARGS)') \
		$(if $(SPARE_CPUS),--spare-cpus $(SPARE_CPUS))

fuzz: $(FUZZ_BINS)
	@python3 tools/run-fuzz.py --seconds $(FUZZ_SECONDS) $(FUZZ_BINS)

# The Linux variants (LINUX_VARIANTS in tools/x2hv_harness/tests.py) that
# make test runs per platform; L picks others, e.g. L=linux-reboot-kbd.
LINUX_CI_qemu-svm := linux,linux-smp4,linux-reboot
L ?= $(or $(LINUX_CI_$(PLATFORM)),linux)
test-linux: all $(LINUX_ASSETS)
	@$(HARNESS) linux --platform $(PLATFORM) --variant '$(L)' \
		$(if $(SPARE_CPUS),--spare-cpus $(SPARE_CPUS))

# Optional tier: Debian's -cloud and -rt kernels, 2 and 4 vCPUs.
test-linux-flavours: all $(LINUX_INITRAMFS) $(LINUX_FLAVOUR_KERNELS)
	@$(HARNESS) linux --platform $(PLATFORM) --variant linux,linux-smp4 \
		--flavours cloud-amd64,rt-amd64

# Optional tier: every reboot= method Linux offers, one reboot each.
LINUX_REBOOT_TESTS := linux-reboot,linux-reboot-acpi,linux-reboot-kbd,\
linux-reboot-pci,linux-reboot-triple,linux-reboot-bios,linux-reboot-efi
test-linux-reboot: all $(LINUX_ASSETS)
	@$(HARNESS) linux --platform $(PLATFORM) --variant '$(LINUX_REBOOT_TESTS)'

# Boot Debian's kernel with 2 vCPUs (VCPUS=n for more) and an interactive
# serial console; `poweroff` in the guest's shell ends the emulator.
run: all $(LINUX_ASSETS)
	@$(HARNESS) run --platform $(PLATFORM) $(if $(VCPUS),--vcpus $(VCPUS))

# The bootable image for real machines (README, "A bootable image") and
# its test: booted as it is under SeaBIOS and OVMF.
$(BUILD)/x2hv.iso: $(BUILD)/x2hv.elf $(LINUX_ASSETS) tools/iso/grub.cfg
	@$(HARNESS) iso

iso: $(BUILD)/x2hv.iso

test-iso: $(BUILD)/x2hv.iso
	@$(HARNESS) image --platform qemu-svm,qemu-svm-efi

# Not in make test (minutes): the interrupt-accounting stress tests with
# 100,000 IPIs per ordered pair (make test: 100,000 in all), built apart.
test-stress:
	@$(MAKE) -s test-guest BUILD=$(BUILD)/stress PLATFORM=$(PLATFORM) \
		T='irq-accounting*' GUEST_DEFS=-DPAIR_QUOTA=100000

# Big guests (issue 13): 6 GiB of RAM, 8 vCPUs.
test-linux-big: all $(LINUX_ASSETS)
	@$(HARNESS) linux --platform $(PLATFORM) --variant linux-6g,linux-smp8 -j1

# Not in make test (many minutes): N Linux boots (default 10) with their
# TSC checked against the host's clock while another emulator, the same
# Linux test in a loop, loads the machine (issue 12, item 3).
clock-load: all $(LINUX_ASSETS)
	@tools/clock-load.sh $(or $(N),10) $(PLATFORM) $(BUILD)

bench: all $(GUEST_ELFS)
	@$(HARNESS) bench --platform $(PLATFORM)

# make test's look at the qemu-svm benchmark: its icount runs agree,
# every goal of tools/peers.json is met, and README.md's table is this
# run's (tools/bench-tables.py rewrites it after a change).
bench-check: all $(GUEST_ELFS)
	@if $(HARNESS) bench --platform qemu-svm && \
		python3 tools/bench-tables.py --build $(BUILD) --check qemu-svm; \
	then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; exit 1; fi

# Linux to /init booted directly by QEMU and under x2hv (docs/testing.md).
bench-boot: all $(LINUX_ASSETS)
	@$(HARNESS) bench-boot --platform $(PLATFORM)

# Every CI tier, one closing line for all of them (tools/run-tiers.py).
# docs/testing.md, "Platforms": bochs-vmx is Bochs 3.0 with posted
# interrupts; the x2APIC, hostile and interrupt-accounting tests run
# there once more with apicv=noposted (kicks instead of notifications,
# issue 15), and on bochs-svm once more with svm_inject=eventinj (the
# EVENTINJ fallback; x2hv's default there is V_IRQ). bochs-vmx also runs
# the timer tests and Linux with one CPU more than vCPUs: that CPU is
# x2hv's timer CPU (vmm/timer_cpu.c, docs/vmx.md). Both Bochs
# platforms run Bochs 3.0 with the fixes in tools/bochs-patches/.
CI_PLATFORMS := qemu-svm qemu-svm-efi qemu-svm-xapic bochs-vmx bochs-svm
CI_LINUX_PLATFORMS := qemu-svm qemu-svm-efi bochs-vmx bochs-svm
CI_NOPOSTED_TESTS := x2apic-*,hostile-*,irq-accounting*
CI_TIMER_CPU_TESTS := x2apic-timer*,hostile-timer*,irq-accounting*,hlt
# On qemu-svm-1t (single-threaded TCG) EVENTINJ interrupts came twice:
# 50366 received of 50000 sent with svm_inject=eventinj (docs/testing.md).
CI_1T_TESTS := irq-accounting*
test: all $(UNIT_BINS) $(FUZZ_BINS) $(GUEST_ELFS) $(LINUX_ASSETS)
	@python3 tools/run-tiers.py \
		'$(MAKE) -s format-check-tier' \
		'python3 tools/check-layers.py' \
		'python3 tools/check-size.py' \
		'$(HARNESS) selftest' \
		'$(MAKE) -s test-unit' \
		'$(MAKE) -s bench-check' \
		'$(MAKE) -s fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)' \
		$(foreach p,$(CI_PLATFORMS),'$(MAKE) -s test-boot PLATFORM=$(p)') \
		$(foreach p,$(CI_PLATFORMS),'$(MAKE) -s test-guest PLATFORM=$(p)') \
		'$(MAKE) -s test-guest PLATFORM=bochs-vmx T="$(CI_NOPOSTED_TESTS)" HVARGS=apicv=noposted' \
		'$(MAKE) -s test-guest PLATFORM=bochs-svm T="$(CI_NOPOSTED_TESTS)" HVARGS=svm_inject=eventinj' \
		'$(MAKE) -s test-guest PLATFORM=bochs-vmx T="$(CI_TIMER_CPU_TESTS)" SPARE_CPUS=1' \
		'$(MAKE) -s test-guest PLATFORM=qemu-svm-1t T="$(CI_1T_TESTS)"' \
		'$(MAKE) -s test-guest PLATFORM=qemu-svm DEBUG=1 BUILD=$(BUILD)/debug' \
		$(foreach p,$(CI_LINUX_PLATFORMS),'$(MAKE) -s test-linux PLATFORM=$(p)') \
		'$(MAKE) -s test-linux PLATFORM=bochs-vmx L=linux SPARE_CPUS=1' \
		'$(MAKE) -s test-iso'

test-linux-bochs: all $(LINUX_ASSETS)
	@$(HARNESS) linux --platform bochs-vmx

test-linux-bochs-svm: all $(LINUX_ASSETS)
	@$(HARNESS) linux --platform bochs-svm

format-check-tier:
	@if tools/format-check.sh; then echo "1 passed, 0 failed"; \
	else echo "0 passed, 1 failed"; exit 1; fi

format-check:
	@tools/format-check.sh

# The one-way #include arrows between the rooms (README, Architecture).
check-layers:
	@python3 tools/check-layers.py

# No hypervisor file over 500 lines, no function over 80.
check-size:
	@python3 tools/check-size.py

clean:
	rm -rf $(BUILD)

.PHONY: all test test-unit test-boot test-guest test-linux test-linux-bochs \
	test-linux-bochs-svm \
	test-linux-reboot test-linux-flavours run bench bench-check bench-boot \
	iso test-iso \
	test-linux-big clock-load test-stress \
	fuzz format-check format-check-tier check-layers check-size clean
