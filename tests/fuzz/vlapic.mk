# libFuzzer target for the vlapic MSR/interrupt/timer/IPI interface
# (docs/vlapic.md); seeds in tests/fuzz/corpus/vlapic/.
FUZZERS += vlapic
FUZZ_vlapic_SRCS := tests/fuzz/fuzz_vlapic.c vlapic/vlapic.c vlapic/vlapic_msr.c \
	vlapic/vlapic_timer.c vlapic/vlapic_ipi.c
