# Guest test kernels: build/guest/<name>.elf from tests/guest/<name>.c and
# the runtime in tests/guest/lib. See docs/guest-tests.md.
# Every tests/guest/<name>.c is a test: the harness runs them all, so all
# are built (a list kept by hand once left a new test without its ELF).
GUEST_TESTS := $(sort $(patsubst tests/guest/%.c,%,$(wildcard tests/guest/*.c)))
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
