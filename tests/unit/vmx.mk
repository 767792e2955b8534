# Host unit tests of the pure half of VMX APIC virtualization
# (arch/x86/vmx/vmx_apicv.c, docs/vmx.md): the x2APIC MSR bitmap, guest
# interrupt status and EOI-exit bitmaps. The
# vlapic is linked to check that passed-through reads match its page.
UNIT_TESTS += vmx_apicv
UNIT_vmx_apicv_SRCS := tests/unit/test_vmx_apicv.c arch/x86/vmx/vmx_apicv.c \
	vmm/msr_bitmap.c vlapic/vlapic.c vlapic/vlapic_msr.c vlapic/vlapic_timer.c \
	vlapic/vlapic_ipi.c
# The posted-interrupt descriptor and protocol (arch/x86/vmx/vmx_pi.c).
UNIT_TESTS += vmx_pi
UNIT_vmx_pi_SRCS := tests/unit/test_vmx_pi.c arch/x86/vmx/vmx_pi.c
