// SPDX-License-Identifier: MIT
/* Unit tests of boot/cmdline.c: every option, every error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "boot/cmdline.h"

struct result {
	int rc;
	const char *tok;
	size_t tok_len;
	const char *msg;
	struct hv_config cfg;
};

static struct result parse(const char *s)
{
	struct result r;

	cmdline_defaults(&r.cfg);
	r.tok = NULL;
	r.tok_len = 0;
	r.msg = NULL;
	r.rc = cmdline_parse(s, &r.cfg, &r.tok, &r.tok_len, &r.msg);
	return r;
}

/*
 * Parse @s, expect failure with @msg on the blank-delimited token that
 * starts with @tok (the first place @tok occurs in @s).
 */
static void expect_error(const char *s, const char *tok, const char *msg)
{
	struct result r = parse(s);
	const char *want = strstr(s, tok);

	assert_non_null(want);
	assert_int_equal(r.rc, -1);
	assert_non_null(r.tok);
	assert_ptr_equal(r.tok, want);
	assert_int_equal(r.tok_len, strcspn(want, " \t\r\n"));
	assert_string_equal(r.msg, msg);
}

static void test_defaults(void **state)
{
	struct result r = parse("");

	assert_int_equal(r.rc, 0);
	assert_int_equal(r.cfg.console_port, 0x3f8);
	assert_int_equal(r.cfg.loglvl, HV_LOG_INFO);
	assert_int_equal(r.cfg.vcpus, 0);
	assert_int_equal(r.cfg.mem, 256ull << 20);
	assert_false(r.cfg.noguest);
	assert_int_equal(r.cfg.on_exit, HV_ON_EXIT_HALT);
	assert_int_equal(r.cfg.reboot, HV_REBOOT_RESTART);
	assert_int_equal(r.cfg.testfault, HV_TESTFAULT_NONE);
	assert_int_equal(r.cfg.apicv, HV_APICV_POSTED);
	assert_null(r.tok);
}

static void test_null_and_blank(void **state)
{
	struct hv_config a, b;

	/* Compared bytewise below: clear the padding first. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	cmdline_defaults(&a);
	cmdline_defaults(&b);
	assert_int_equal(cmdline_parse(NULL, &a, NULL, NULL, NULL), 0);
	assert_int_equal(cmdline_parse(" \t\r\n  ", &a, NULL, NULL, NULL), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_console(void **state)
{
	assert_int_equal(parse("console=com1").cfg.console_port, 0x3f8);
	assert_int_equal(parse("console=com2").cfg.console_port, 0x2f8);
	assert_int_equal(parse("console=none").cfg.console_port, 0);
	assert_int_equal(parse("console=com3").cfg.console_port, 0x3e8);
	assert_int_equal(parse("console=com4").cfg.console_port, 0x2e8);
	assert_int_equal(parse("console=auto").cfg.console_port,
			 HV_CONSOLE_AUTO);
	assert_int_equal(parse("console=0x2e8").cfg.console_port, 0x2e8);
	assert_int_equal(parse("console=0X3E8").cfg.console_port, 0x3e8);
	assert_int_equal(parse("console=0xfff8").cfg.console_port, 0xfff8);
	assert_int_equal(parse("console=0x1").cfg.console_port, 1);
}

static void test_console_errors(void **state)
{
	expect_error("console=com5", "console=com5", "unknown value");
	expect_error("console=0xffff", "console=0xffff", "value out of range");
	expect_error("console=", "console=", "unknown value");
	expect_error("console=1016", "console=1016", "unknown value");
	expect_error("console=COM1", "console=COM1", "unknown value");
	expect_error("console=0x", "console=0x", "malformed number");
	expect_error("console=0x3fg", "console=0x3fg", "malformed number");
	expect_error("console=0x0", "console=0x0", "value out of range");
	expect_error("console=0xfff9", "console=0xfff9", "value out of range");
	expect_error("console=0x10000", "console=0x10000",
		     "value out of range");
	expect_error("console=0x100000000000000000", "console=0x1000",
		     "value out of range");
}

static void test_loglvl(void **state)
{
	assert_int_equal(parse("loglvl=err").cfg.loglvl, HV_LOG_ERR);
	assert_int_equal(parse("loglvl=warn").cfg.loglvl, HV_LOG_WARN);
	assert_int_equal(parse("loglvl=info").cfg.loglvl, HV_LOG_INFO);
	assert_int_equal(parse("loglvl=debug").cfg.loglvl, HV_LOG_DEBUG);
	expect_error("loglvl=verbose", "loglvl=verbose", "unknown value");
	expect_error("loglvl=", "loglvl=", "unknown value");
	expect_error("loglvl=errr", "loglvl=errr", "unknown value");
	expect_error("loglvl=er", "loglvl=er", "unknown value");
}

static void test_vcpus(void **state)
{
	assert_int_equal(parse("vcpus=0").cfg.vcpus, 0);
	assert_int_equal(parse("vcpus=1").cfg.vcpus, 1);
	assert_int_equal(parse("vcpus=4").cfg.vcpus, 4);
	assert_int_equal(parse("vcpus=0x10").cfg.vcpus, 16);
	assert_int_equal(parse("vcpus=256").cfg.vcpus, HV_CONFIG_MAX_VCPUS);
}

static void test_vcpus_errors(void **state)
{
	expect_error("vcpus=", "vcpus=", "malformed number");
	expect_error("vcpus=two", "vcpus=two", "malformed number");
	expect_error("vcpus=2x", "vcpus=2x", "malformed number");
	expect_error("vcpus=-1", "vcpus=-1", "malformed number");
	expect_error("vcpus=4M", "vcpus=4M", "malformed number");
	expect_error("vcpus=257", "vcpus=257", "value out of range");
	expect_error("vcpus=99999999999999999999999", "vcpus=9999",
		     "value out of range");
}

static void test_mem(void **state)
{
	assert_int_equal(parse("mem=512M").cfg.mem, 512ull << 20);
	assert_int_equal(parse("mem=512m").cfg.mem, 512ull << 20);
	assert_int_equal(parse("mem=2G").cfg.mem, 2ull << 30);
	assert_int_equal(parse("mem=2g").cfg.mem, 2ull << 30);
	assert_int_equal(parse("mem=65536K").cfg.mem, 64ull << 20);
	assert_int_equal(parse("mem=65536k").cfg.mem, 64ull << 20);
	assert_int_equal(parse("mem=16777216").cfg.mem, 16ull << 20);
	assert_int_equal(parse("mem=0x20000000").cfg.mem, 512ull << 20);
	assert_int_equal(parse("mem=0x100M").cfg.mem, 256ull << 20);
	assert_int_equal(parse("mem=1024G").cfg.mem, 1ull << 40);
	assert_int_equal(parse("mem=16M").cfg.mem, HV_MEM_MIN);
}

static void test_mem_errors(void **state)
{
	expect_error("mem=", "mem=", "malformed number");
	expect_error("mem=M", "mem=M", "malformed number");
	expect_error("mem=512T", "mem=512T", "malformed number");
	expect_error("mem=512MB", "mem=512MB", "malformed number");
	expect_error("mem=1.5G", "mem=1.5G", "malformed number");
	expect_error("mem=15M", "mem=15M", "value out of range");
	expect_error("mem=1025G", "mem=1025G", "value out of range");
	expect_error("mem=0", "mem=0", "value out of range");
	/* 2^34 G = 2^64: the shift overflows. */
	expect_error("mem=17179869184G", "mem=17179869184G", "size overflow");
	expect_error("mem=18446744073709551616", "mem=1844", "size overflow");
	expect_error("mem=0xffffffffffffffffK", "mem=0xf", "size overflow");
	expect_error("mem=16777217", "mem=16777217",
		     "size not a multiple of 4 KiB");
	/* Largest shift that still fits must not be called an overflow. */
	expect_error("mem=17179869183G", "mem=17179869183G",
		     "value out of range");
}

static void test_noguest(void **state)
{
	assert_true(parse("noguest").cfg.noguest);
	assert_true(parse("  noguest  ").cfg.noguest);
	expect_error("noguest=1", "noguest=1", "option takes no value");
	expect_error("noguest=", "noguest=", "option takes no value");
	expect_error("noguests", "noguests", "unknown option");
}

static void test_on_exit_reboot_testfault(void **state)
{
	assert_int_equal(parse("on_exit=halt").cfg.on_exit, HV_ON_EXIT_HALT);
	assert_int_equal(parse("on_exit=poweroff").cfg.on_exit,
			 HV_ON_EXIT_POWEROFF);
	assert_int_equal(parse("reboot=restart").cfg.reboot, HV_REBOOT_RESTART);
	assert_int_equal(parse("reboot=stop").cfg.reboot, HV_REBOOT_STOP);
	assert_int_equal(parse("testfault=ud").cfg.testfault, HV_TESTFAULT_UD);
	assert_int_equal(parse("testfault=pf").cfg.testfault, HV_TESTFAULT_PF);
	assert_int_equal(parse("testfault=smi").cfg.testfault,
			 HV_TESTFAULT_SMI);
	assert_int_equal(parse("testfault=badentry").cfg.testfault,
			 HV_TESTFAULT_BADENTRY);
	assert_int_equal(parse("testfault=pf testfault=none").cfg.testfault,
			 HV_TESTFAULT_NONE);
	expect_error("on_exit=reboot", "on_exit=reboot", "unknown value");
	expect_error("reboot=halt", "reboot=halt", "unknown value");
	expect_error("testfault=gp", "testfault=gp", "unknown value");
	expect_error("testfault", "testfault", "unknown option");
}

static void test_apicv(void **state)
{
	assert_int_equal(parse("apicv=posted").cfg.apicv, HV_APICV_POSTED);
	assert_int_equal(parse("apicv=noposted").cfg.apicv, HV_APICV_NOPOSTED);
	assert_int_equal(parse("apicv=off").cfg.apicv, HV_APICV_OFF);
	assert_int_equal(parse("apicv=off apicv=posted").cfg.apicv,
			 HV_APICV_POSTED);
	expect_error("apicv=on", "apicv=on", "unknown value");
	expect_error("apicv=Posted", "apicv=Posted", "unknown value");
	expect_error("apicv=", "apicv=", "unknown value");
	expect_error("apicv", "apicv", "unknown option");
	assert_int_equal(parse("").cfg.svm_inject, HV_SVM_INJECT_VIRQ);
	assert_int_equal(parse("svm_inject=eventinj").cfg.svm_inject,
			 HV_SVM_INJECT_EVENTINJ);
	assert_int_equal(
		parse("svm_inject=eventinj svm_inject=virq").cfg.svm_inject,
		HV_SVM_INJECT_VIRQ);
	expect_error("svm_inject=vintr", "svm_inject=vintr", "unknown value");
	expect_error("vcpus=2 apicv=nopost mem=64M", "apicv=nopost",
		     "unknown value");
}

static void test_unknown_options(void **state)
{
	expect_error("foo=bar", "foo=bar", "unknown option");
	expect_error("console", "console", "unknown option");
	expect_error("=com1", "=com1", "unknown option");
	expect_error("Console=com1", "Console=com1", "unknown option");
	expect_error("mem", "mem", "unknown option");
	/* Linux-style options are not ours: the error names them. */
	expect_error("loglvl=debug quiet", "quiet", "unknown option");
}

static void test_combined(void **state)
{
	struct result r = parse("\tconsole=com2  loglvl=debug vcpus=2\n"
				"mem=1G noguest on_exit=poweroff reboot=stop "
				"testfault=ud apicv=noposted\r\n");

	assert_int_equal(r.rc, 0);
	assert_int_equal(r.cfg.console_port, 0x2f8);
	assert_int_equal(r.cfg.loglvl, HV_LOG_DEBUG);
	assert_int_equal(r.cfg.vcpus, 2);
	assert_int_equal(r.cfg.mem, 1ull << 30);
	assert_true(r.cfg.noguest);
	assert_int_equal(r.cfg.on_exit, HV_ON_EXIT_POWEROFF);
	assert_int_equal(r.cfg.reboot, HV_REBOOT_STOP);
	assert_int_equal(r.cfg.testfault, HV_TESTFAULT_UD);
	assert_int_equal(r.cfg.apicv, HV_APICV_NOPOSTED);
}

static void test_last_wins_and_error_position(void **state)
{
	const char *s = "vcpus=2 vcpus=3 mem=64M bogus vcpus=7";
	struct result r = parse(s);

	assert_int_equal(r.rc, -1);
	assert_ptr_equal(r.tok, s + 24);
	assert_int_equal(r.tok_len, 5);
	/* Options before the bad token were applied, later ones not. */
	assert_int_equal(r.cfg.vcpus, 3);
	assert_int_equal(r.cfg.mem, 64ull << 20);
}

static void test_null_err_pointers(void **state)
{
	struct hv_config cfg;

	cmdline_defaults(&cfg);
	assert_int_equal(cmdline_parse("bad", &cfg, NULL, NULL, NULL), -1);
}

static void test_skip_filename(void **state)
{
	assert_string_equal(cmdline_skip_filename("/boot/x2hv.elf vcpus=2"),
			    "vcpus=2");
	assert_string_equal(
		cmdline_skip_filename("  /initrd.img  console=ttyS0"),
		"console=ttyS0");
	assert_string_equal(cmdline_skip_filename("(hd0,1)/vmlinuz root=/x"),
			    "root=/x");
	assert_string_equal(cmdline_skip_filename("/boot/vmlinuz"), "");
	/* A first token with '=' is an option even if it holds a '/'. */
	assert_string_equal(cmdline_skip_filename("root=/dev/sda ro"),
			    "root=/dev/sda ro");
	/* No '/': not a path, leading blanks are still skipped. */
	assert_string_equal(cmdline_skip_filename("  noguest vcpus=1"),
			    "noguest vcpus=1");
	assert_string_equal(cmdline_skip_filename(""), "");
	assert_string_equal(cmdline_skip_filename(NULL), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_null_and_blank),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_console_errors),
		cmocka_unit_test(test_loglvl),
		cmocka_unit_test(test_vcpus),
		cmocka_unit_test(test_vcpus_errors),
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_mem_errors),
		cmocka_unit_test(test_noguest),
		cmocka_unit_test(test_on_exit_reboot_testfault),
		cmocka_unit_test(test_apicv),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_combined),
		cmocka_unit_test(test_last_wins_and_error_position),
		cmocka_unit_test(test_null_err_pointers),
		cmocka_unit_test(test_skip_filename),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
