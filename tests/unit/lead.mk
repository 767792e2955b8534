# Unit tests of the core's host-testable pieces owned with the hypervisor.
UNIT_TESTS += msr_bitmap mm pvclock
UNIT_msr_bitmap_SRCS := tests/unit/test_msr_bitmap.c core/msr_bitmap.c
UNIT_mm_SRCS := tests/unit/test_mm.c core/mm.c
UNIT_pvclock_SRCS := tests/unit/test_pvclock.c core/pvclock_scale.c
UNIT_TESTS += madt
UNIT_madt_SRCS := tests/unit/test_madt.c core/madt.c core/acpi.c
