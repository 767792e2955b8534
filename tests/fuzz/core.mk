# libFuzzer targets for the pure core/ parsers (docs/boot.md).
FUZZERS += cmdline
FUZZ_cmdline_SRCS := tests/fuzz/fuzz_cmdline.c core/cmdline.c
FUZZERS += mb2
FUZZ_mb2_SRCS := tests/fuzz/fuzz_mb2.c core/bootinfo.c
FUZZERS += pvh
FUZZ_pvh_SRCS := tests/fuzz/fuzz_pvh.c core/pvh.c
