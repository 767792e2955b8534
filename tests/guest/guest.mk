# Guest test kernels: build/guest/<name>.elf from tests/guest/<name>.c and
# the runtime in tests/guest/lib. See docs/guest-tests.md.
GUEST_TESTS := hello cpuid msr io exceptions hlt triplefault badentry reboot-stop \
	reboot-acpi reboot-pci reboot-kbd reboot-triple reboot-bios msr-arch \
	cpuid-audit \
	x2apic-msr x2apic-lock x2apic-selfipi x2apic-tpr x2apic-timer x2apic-timer-halt \
	x2apic-ipi x2apic-initsipi x2apic-mmio \
	hostile-msr-reserved hostile-msr-gaps hostile-lvt-error hostile-timer \
	hostile-logical hostile-initsipi hostile-ipi-storm hostile-apicbase \
	hostile-mmio hostile-triplefault hostile-noncanonical \
	hostile-hypercall hostile-msr-unknown \
	hostile-hypercall-user hostile-log-flood hostile-xsetbv hostile-timer-floor \
	hostile-tf-exit empty-bus hostile-empty-bus hostile-empty-bus-loop \
	hostile-empty-bus-deliver hostile-dbstorm hostile-rsm hostile-smi \
	hostile-nmi hostile-prefix hostile-cr8 hostile-efer-cr \
	hostile-user-priv hostile-cli-spin hostile-exit-storm \
	irq-accounting irq-accounting-4 bench
GUEST_TESTS := $(foreach t,$(GUEST_TESTS),$(if $(wildcard tests/guest/$(t).c),$(t)))
GUEST_ELFS := $(patsubst %,$(BUILD)/guest/%.elf,$(GUEST_TESTS))

GUEST_CC ?= gcc
GUEST_CFLAGS := -std=gnu11 -m64 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -mno-red-zone -mgeneral-regs-only -nostdlib \
	-static -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fno-builtin-printf -fno-asynchronous-unwind-tables -nostdinc \
	-isystem include -isystem $(shell $(GUEST_CC) -print-file-name=include) -I. \
	$(GUEST_DEFS)
GUEST_LDFLAGS := -nostdlib -static -Wl,-z,max-page-size=0x1000 \
	-Wl,--build-id=none -Wl,--no-warn-rwx-segments -T tests/guest/guest.ld
GUEST_LIB_SRCS := $(wildcard tests/guest/lib/*.c tests/guest/lib/*.S)
GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/guest/lib/%.o,$(notdir $(GUEST_LIB_SRCS)))
# The string functions are the hypervisor's own (lib/string.c).
GUEST_LIB_OBJS += $(BUILD)/guest/lib/lib-string.c.o

$(BUILD)/guest/lib/lib-string.c.o: lib/string.c include/string.h
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guest/lib/%.c.o: tests/guest/lib/%.c tests/guest/lib/guest.h include/abi.h
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guest/lib/%.S.o: tests/guest/lib/%.S
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(BUILD)/guest/%.elf: tests/guest/%.c $(GUEST_LIB_OBJS) tests/guest/guest.ld tests/guest/lib/guest.h include/abi.h
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB_OBJS)


# Multiboot1 variants for GRUB on bare Bochs (tests/guest/run-bare.sh).
$(BUILD)/guest-mb/entry.S.o: tests/guest/lib/entry.S
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -DGUEST_MULTIBOOT -c $< -o $@

GUEST_MB_OBJS := $(filter-out %/entry.S.o,$(GUEST_LIB_OBJS)) $(BUILD)/guest-mb/entry.S.o

$(BUILD)/guest-mb/%.elf: tests/guest/%.c $(GUEST_MB_OBJS) tests/guest/guest.ld tests/guest/lib/guest.h include/abi.h
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_MB_OBJS)

guest: $(GUEST_ELFS)
.PHONY: guest
.SECONDARY: $(GUEST_LIB_OBJS) $(BUILD)/guest-mb/entry.S.o

# Variants that #include another test's source.
$(BUILD)/guest/irq-accounting-4.elf: tests/guest/irq-accounting.c
