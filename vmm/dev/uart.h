/* SPDX-License-Identifier: MIT */
/*
 * The guest's COM1, a 16550 without an interrupt line (the DSDT says so,
 * and Linux polls it), and the guest console behind it: guest output goes
 * to the physical console a line at a time, prefixed "[vmN] ".
 */
#ifndef X2HV_VMM_DEV_UART_H
#define X2HV_VMM_DEV_UART_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu;

#define VUART_PORTS 8 /* registers at COM1 + 0..7 */

struct guest_uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	char line[128];
	unsigned int len;
	bool line_open; /* part of this line is already on the console */
	uint64_t last_output; /* TSC of the last byte the guest wrote */
	bool thri; /* "THR empty" interrupt pending (polled through IIR) */
	char rx[16]; /* input from the physical console */
	unsigned int rx_head, rx_tail;
};

/* One-byte register access at COM1 + @reg (the I/O bus, vmm/io.c). */
uint32_t vuart_in(struct vcpu *v, uint16_t reg);
void vuart_out(struct vcpu *v, uint16_t reg, uint32_t val);

/* Guest console output (UART and hypercall), line-buffered. */
void guest_console_putc(struct vm *vm, char c);
void guest_console_input(struct vm *vm, char c);
/* Can the guest UART take another input byte? */
bool guest_console_room(struct vm *vm);
/* Write out a partial line that has waited long enough (vCPU 0). */
void guest_console_idle(struct vm *vm);
/* vCPU 0: take the physical console's input, then guest_console_idle. */
void guest_console_poll(struct vm *vm);

#endif
