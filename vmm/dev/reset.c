// SPDX-License-Identifier: MIT
/* The reset paths of a PC (reset.h). */
#include <string.h>

#include "include/abi.h"
#include "vmm/dev/reset.h"
#include "vmm/vm.h"

/* 8042 commands 0xf0-0xff pulse the output-port lines whose bits are
 * clear in the low nibble; line 0 is the CPU reset (IBM PC/AT technical
 * reference, keyboard controller commands). */
#define KBC_CMD_PULSE 0xf0
#define KBC_PULSE_LINE_RESET 0x01

#define RST_CNT_KEPT (X2HV_RST_CNT_SYS_RST | X2HV_RST_CNT_FULL_RST)

const uint8_t reset_stub[RESET_STUB_SIZE] = {
	0xba,
	X2HV_PORT_RESET & 0xff,
	X2HV_PORT_RESET >> 8, /* mov dx, port */
	0xb0,
	X2HV_RESET_VALUE, /* mov al, value */
	0xee, /* out dx, al */
	0xfa, /* 1: cli */
	0xf4, /* hlt */
	0xeb,
	0xfc, /* jmp 1b */
	0x90,
	0x90,
	0x90,
	0x90,
	0x90,
	0x90, /* nop */
};

uint32_t rst_cnt_in(struct vcpu *v, uint16_t off)
{
	return v->vm->rst_cnt;
}

/*
 * Intel's RST_CNT (e.g. the 300-series PCH datasheet, "Reset Control
 * Register"): RST_CPU going from 0 to 1 starts a hard (SYS_RST = 1) or
 * soft reset. Both restart a VM, which has no firmware to tell them
 * apart. RST_CPU itself never reads back set: the write that sets it
 * is the last this machine sees before the reset clears the register.
 */
void rst_cnt_out(struct vcpu *v, uint16_t off, uint32_t val)
{
	struct vm *vm = v->vm;

	vm->rst_cnt = val & RST_CNT_KEPT;
	if (val & X2HV_RST_CNT_RST_CPU)
		vm_reset(vm, "reset requested through port cf9");
}

uint32_t kbc_status_in(struct vcpu *v, uint16_t off)
{
	return 0; /* input and output buffers empty */
}

void kbc_command_out(struct vcpu *v, uint16_t off, uint32_t val)
{
	val &= 0xff;
	if ((val & KBC_CMD_PULSE) == KBC_CMD_PULSE &&
	    !(val & KBC_PULSE_LINE_RESET))
		vm_reset(v->vm, "reset requested through the 8042 (port 64)");
	else
		v->vm->io_dropped++; /* no keyboard behind it */
}

void reset_devices_init(struct vm *vm)
{
	void *rom = gpa_to_hva(vm, X2HV_GPA_RESET_VECTOR, RESET_STUB_SIZE);

	if (rom)
		memcpy(rom, reset_stub, RESET_STUB_SIZE);
	vm->rst_cnt = 0;
}
