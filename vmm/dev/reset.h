/* SPDX-License-Identifier: MIT */
/*
 * The ways a PC resets itself, as the guest finds them: the chipset's
 * reset control register at port 0xcf9 (also the FADT's RESET_REG), the
 * 8042 keyboard controller's reset line at port 0x64, and a "BIOS" at the
 * real-mode reset vector F000:FFF0 that resets through port 0xcf9. Each
 * ends in vm_reset(), which reboot=restart turns into a restarted VM and
 * reboot=stop into a stopped one (a triple fault too: vmm/exit.c).
 */
#ifndef X2HV_VMM_DEV_RESET_H
#define X2HV_VMM_DEV_RESET_H

#include <stdint.h>

struct vm;
struct vcpu;

/* RST_CNT (include/abi.h): reads the SYS_RST and FULL_RST bits last
 * written; a write with RST_CPU set resets. */
uint32_t rst_cnt_in(struct vcpu *v, uint16_t off);
void rst_cnt_out(struct vcpu *v, uint16_t off, uint32_t val);
/* The 8042's status (reads 0) and command (pulse reset) port. */
uint32_t kbc_status_in(struct vcpu *v, uint16_t off);
void kbc_command_out(struct vcpu *v, uint16_t off, uint32_t val);

#define RESET_STUB_SIZE 16
/* The code at the reset vector, 16-bit real mode: "mov dx, 0xcf9;
 * mov al, X2HV_RESET_VALUE; out dx, al; 1: cli; hlt; jmp 1b". */
extern const uint8_t reset_stub[RESET_STUB_SIZE];

/* Put reset_stub at X2HV_GPA_RESET_VECTOR and clear RST_CNT: at VM start
 * and after each reset, as firmware would be there again. */
void reset_devices_init(struct vm *vm);

#endif
