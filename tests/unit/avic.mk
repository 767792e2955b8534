# Host unit tests of the SVM AVIC/x2AVIC encodings (docs/avic.md): table
# entries, VMCB fields, the x2APIC MSR map, AVIC exit decoding. The vlapic
# is linked to check that accelerated reads match its register page.
UNIT_TESTS += avic
UNIT_avic_SRCS := tests/unit/test_avic.c arch/x86/svm/svm_avic.c \
	vmm/msr_bitmap.c vlapic/vlapic.c vlapic/vlapic_msr.c vlapic/vlapic_timer.c \
	vlapic/vlapic_ipi.c
