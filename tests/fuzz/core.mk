# libFuzzer targets for the pure boot/ and loader/ parsers (docs/boot.md).
FUZZERS += cmdline
FUZZ_cmdline_SRCS := tests/fuzz/fuzz_cmdline.c boot/cmdline.c
FUZZERS += mb2
FUZZ_mb2_SRCS := tests/fuzz/fuzz_mb2.c boot/bootinfo.c
FUZZERS += pvh
FUZZ_pvh_SRCS := tests/fuzz/fuzz_pvh.c loader/pvh.c
# The exit handlers that take raw guest values, on a fake backend.
FUZZERS += exits
FUZZ_exits_SRCS := tests/fuzz/fuzz_exits.c vmm/msr.c vmm/io.c vmm/xsetbv.c \
	vmm/cpuid.c vmm/cpuid_policy.c vmm/msr_policy.c vmm/mtrr.c \
	vmm/dev/reset.c vmm/cr_policy.c vmm/xcr0.c vmm/kvmclock.c \
	vmm/pvclock_scale.c vmm/guest_event.c vmm/dev/uart.c \
	vmm/dev/acpi_pm.c lib/ratelimit.c lib/printk.c vlapic/vlapic.c vlapic/vlapic_msr.c \
	vlapic/vlapic_timer.c vlapic/vlapic_ipi.c
