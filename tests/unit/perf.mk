# Host unit tests of the pieces the performance work made less simple.
UNIT_TESTS += string
# test_string.c includes lib/string.c under other names.
UNIT_string_SRCS := tests/unit/test_string.c
$(BUILD)/unit/test_string: lib/string.c
UNIT_TESTS += mm_zero
UNIT_mm_zero_SRCS := tests/unit/test_mm_zero.c lib/mm.c
