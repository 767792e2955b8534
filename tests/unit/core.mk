# Host unit tests of the pure boot/ and loader/ parsers and builders (docs/boot.md).
UNIT_TESTS += cmdline bootinfo pvh acpi
UNIT_cmdline_SRCS := tests/unit/test_cmdline.c boot/cmdline.c
UNIT_bootinfo_SRCS := tests/unit/test_bootinfo.c boot/bootinfo.c
UNIT_pvh_SRCS := tests/unit/test_pvh.c loader/pvh.c
UNIT_acpi_SRCS := tests/unit/test_acpi.c loader/acpi.c
UNIT_TESTS += nested_pt
UNIT_nested_pt_SRCS := tests/unit/test_nested_pt.c arch/x86/nested_pt.c
# The guest-physical layout and its boot tables (loader/layout.c).
UNIT_TESTS += layout
UNIT_layout_SRCS := tests/unit/test_layout.c loader/layout.c loader/acpi.c \
	loader/pvh.c
