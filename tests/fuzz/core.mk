# libFuzzer targets for the pure boot/ and loader/ parsers (docs/boot.md).
FUZZERS += cmdline
FUZZ_cmdline_SRCS := tests/fuzz/fuzz_cmdline.c boot/cmdline.c
FUZZERS += mb2
FUZZ_mb2_SRCS := tests/fuzz/fuzz_mb2.c boot/bootinfo.c
FUZZERS += pvh
FUZZ_pvh_SRCS := tests/fuzz/fuzz_pvh.c loader/pvh.c
