# Host unit tests of the pure core/ parsers and builders (docs/boot.md).
UNIT_TESTS += cmdline bootinfo pvh acpi
UNIT_cmdline_SRCS := tests/unit/test_cmdline.c core/cmdline.c
UNIT_bootinfo_SRCS := tests/unit/test_bootinfo.c core/bootinfo.c
UNIT_pvh_SRCS := tests/unit/test_pvh.c core/pvh.c
UNIT_acpi_SRCS := tests/unit/test_acpi.c core/acpi.c
