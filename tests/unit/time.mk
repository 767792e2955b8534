# Host unit tests of the TSC frequency decision (arch/x86/tsc_freq.c).
UNIT_TESTS += tsc_freq
UNIT_tsc_freq_SRCS := tests/unit/test_tsc_freq.c arch/x86/tsc_freq.c
