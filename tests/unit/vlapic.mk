# Host unit tests of the x2APIC-only virtual LAPIC (docs/vlapic.md): one
# binary, six cmocka groups (registers, interrupts, timer, timer guards,
# IPI routing, posting).
UNIT_TESTS += vlapic
UNIT_vlapic_SRCS := tests/unit/test_vlapic.c tests/unit/test_vlapic_timer.c \
	tests/unit/test_vlapic_timer_guard.c \
	tests/unit/test_vlapic_irq.c tests/unit/test_vlapic_ipi.c \
	tests/unit/test_vlapic_posted.c vlapic/vlapic.c vlapic/vlapic_msr.c \
	vlapic/vlapic_timer.c vlapic/vlapic_ipi.c
