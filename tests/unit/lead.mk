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
UNIT_TESTS += insn_len
UNIT_insn_len_SRCS := tests/unit/test_insn_len.c arch/x86/insn_len.c
UNIT_TESTS += guest_walk
UNIT_guest_walk_SRCS := tests/unit/test_guest_walk.c vmm/guest_walk.c
UNIT_TESTS += cr_policy
UNIT_cr_policy_SRCS := tests/unit/test_cr_policy.c vmm/cr_policy.c
UNIT_TESTS += cpuid
UNIT_cpuid_SRCS := tests/unit/test_cpuid.c vmm/cpuid_policy.c
UNIT_TESTS += msr
UNIT_msr_SRCS := tests/unit/test_msr.c vmm/msr_policy.c vmm/mtrr.c \
	vmm/msr_bitmap.c
UNIT_TESTS += intercepts
UNIT_intercepts_SRCS := tests/unit/test_intercepts.c
