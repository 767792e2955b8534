# Unit tests of the host-testable pieces of lib/, vmm/ and boot/.
UNIT_TESTS += msr_bitmap mm pvclock
UNIT_msr_bitmap_SRCS := tests/unit/test_msr_bitmap.c vmm/msr_bitmap.c
UNIT_mm_SRCS := tests/unit/test_mm.c lib/mm.c
UNIT_pvclock_SRCS := tests/unit/test_pvclock.c vmm/pvclock_scale.c
UNIT_TESTS += madt
UNIT_madt_SRCS := tests/unit/test_madt.c boot/madt.c loader/acpi.c
UNIT_TESTS += ratelimit
UNIT_ratelimit_SRCS := tests/unit/test_ratelimit.c lib/ratelimit.c
UNIT_TESTS += xcr0
UNIT_xcr0_SRCS := tests/unit/test_xcr0.c vmm/xcr0.c
