/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's command line (docs/boot.md):
 *
 *   console=com1..com4|auto|none|0x<port>  loglvl=err|warn|info|debug
 *   vcpus=<n>  mem=<size>[K|M|G]  noguest  on_exit=halt|poweroff
 *   reboot=restart|stop  testfault=ud|pf|badentry|smi|none
 *   apicv=posted|noposted|off  svm_inject=virq|eventinj
 *
 * Options are separated by blanks (space, tab, CR, LF); a later option
 * overrides an earlier one. The parser is pure: no global state, no
 * printing. On error it names the whole offending token and returns a
 * static message.
 */
#ifndef X2HV_CORE_CMDLINE_H
#define X2HV_CORE_CMDLINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define HV_COM1_PORT 0x3f8
#define HV_COM2_PORT 0x2f8
#define HV_COM3_PORT 0x3e8
#define HV_COM4_PORT 0x2e8
/* console=auto: the port the ACPI SPCR table names (boot/madt.c), found
 * once ACPI can be read; no UART decodes 0xffff + 7. */
#define HV_CONSOLE_AUTO 0xffff
/* A 16550 UART decodes 8 consecutive ports: base + 7 must be a port. */
#define HV_CONSOLE_PORT_MAX 0xfff8

/* vcpus=0 means one vCPU per physical CPU. */
#define HV_CONFIG_MAX_VCPUS 256u

#define HV_MEM_DEFAULT (256ull << 20)
#define HV_MEM_MIN (16ull << 20) /* room for a PVH kernel and initrd */
#define HV_MEM_MAX (1ull << 40) /* 1 TiB: far beyond any test machine */
#define HV_MEM_ALIGN 0x1000ull /* guest RAM is mapped in 4 KiB pages */

enum hv_loglvl {
	HV_LOG_ERR = 0,
	HV_LOG_WARN = 1,
	HV_LOG_INFO = 2,
	HV_LOG_DEBUG = 3,
};

/* What the hypervisor does after the last VM stopped. */
enum hv_on_exit {
	HV_ON_EXIT_HALT = 0,
	HV_ON_EXIT_POWEROFF = 1,
};

/* What a guest reset request (RESET_REG write) does. */
enum hv_reboot {
	HV_REBOOT_RESTART = 0, /* reload and restart the VM */
	HV_REBOOT_STOP = 1, /* stop the VM as if it powered off */
};

/* Deliberate host faults for testing the exception path. */
enum hv_testfault {
	HV_TESTFAULT_NONE = 0,
	HV_TESTFAULT_UD = 1,
	HV_TESTFAULT_PF = 2,
	/* Start vCPU 0 with an architecturally invalid CR0 (bit 32 set), so
	 * that VM entry fails and the failure report can be tested. */
	HV_TESTFAULT_BADENTRY = 3,
	/* CPU 1 hosts no vCPU but sends CPU 0 an SMI every 10 ms, so that
	 * SVM's SMI intercept can be tested (use with vcpus=1). */
	HV_TESTFAULT_SMI = 4,
};

/*
 * How much of the CPU's APIC virtualization to use (docs/boot.md): all of
 * it, posted interrupts included (VMX; AVIC doorbells on SVM); the same
 * without posting (interrupts for another vCPU's CPU go by kick); or none
 * (every interrupt injected by x2hv). What the CPU lacks is never used.
 */
enum hv_apicv {
	HV_APICV_POSTED = 0,
	HV_APICV_NOPOSTED = 1,
	HV_APICV_OFF = 2,
};

/*
 * How an external interrupt enters an SVM guest when there is no AVIC
 * (arch/x86/svm/svm_event.c): as a virtual interrupt (V_IRQ), or through
 * EVENTINJ with an interrupt-window exit (for Bochs 3.0, docs/testing.md).
 */
enum hv_svm_inject {
	HV_SVM_INJECT_VIRQ = 0,
	HV_SVM_INJECT_EVENTINJ = 1,
};

struct hv_config {
	uint16_t console_port; /* 0: no console */
	enum hv_loglvl loglvl;
	unsigned int vcpus; /* 0: one per physical CPU */
	uint64_t mem; /* guest RAM in bytes, multiple of HV_MEM_ALIGN */
	bool noguest;
	enum hv_on_exit on_exit;
	enum hv_reboot reboot;
	enum hv_testfault testfault;
	enum hv_apicv apicv;
	enum hv_svm_inject svm_inject;
};

/* Fill @cfg with the defaults (COM1, info, vcpus 0, 256 MiB, ...). */
void cmdline_defaults(struct hv_config *cfg);

/*
 * Parse @s (NUL-terminated, may be NULL or empty) into @cfg, which the
 * caller has filled with defaults (or earlier settings). Returns 0, or -1
 * with *err_token and *err_token_len naming the offending token inside @s and
 * *err_msg a static message. Any of the err_ pointers may be NULL. On error
 * @cfg may hold the options before the bad token.
 */
int cmdline_parse(const char *s, struct hv_config *cfg, const char **err_token,
		  size_t *err_token_len, const char **err_msg);

/*
 * Skip a leading file name in a loader-supplied command line: GRUB puts
 * the path first in a module's string (and multiboot1 loaders in the
 * kernel's), much as Xen's cmdline_cook() copes with. The first token is
 * taken to be a file name if it has no '=' and contains a '/' (GRUB paths
 * such as "/boot/initrd" or "(hd0,1)/x"). Returns a pointer into @s past
 * that token and the blanks after it, or past leading blanks only. NULL
 * gives "".
 */
const char *cmdline_skip_filename(const char *s);

#endif
