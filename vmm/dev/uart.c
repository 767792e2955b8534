// SPDX-License-Identifier: MIT
/*
 * The guest's COM1: a 16550 (PC16550D register map) with no interrupt
 * line, whose output is the guest console, and whose input comes from the
 * physical console.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/time.h"
#include "arch/x86/uart.h"
#include "lib/printk.h"
#include "vmm/dev/uart.h"
#include "vmm/vm.h"

#define UART_RBR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7
#define LCR_DLAB 0x80
#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO 0xc0
#define IER_RDI 0x01
#define IER_THRI 0x02
#define LSR_DR 0x01
#define LSR_THRE_TEMT 0x60
#define MCR_LOOP 0x10
#define MSR_NO_LOOP 0xb0 /* DCD, DSR, CTS: a cable with a terminal */
#define IER_MASK 0x0f
#define MCR_MASK 0x1f
#define PREFIX_MAX 16
#define PARTIAL_LINE_US 100000 /* a prompt shows after 0.1 s */

/*
 * Guest output goes to the physical console a line at a time with a
 * "[vmN] " prefix, so hypervisor and guest lines never mix. A partial line
 * (a shell prompt, an echoed keystroke) is written out when it has waited
 * long enough (guest_console_idle) and the line stays open: the rest
 * follows without a second prefix.
 */
static void uart_flush(struct vm *vm, bool newline)
{
	struct guest_uart *u = &vm->uart;
	char pre[PREFIX_MAX];

	if (!u->line_open) {
		int n = snprintf(pre, sizeof(pre), "[vm%u] ", vm->id);

		console_write(pre, n);
	}
	console_write(u->line, u->len);
	if (newline)
		console_write("\n", 1);
	u->line_open = !newline;
	u->len = 0;
}

void guest_console_putc(struct vm *vm, char c)
{
	struct guest_uart *u = &vm->uart;

	if (c == '\r')
		return;
	spin_lock(&vm->lock);
	if (c == '\n') {
		uart_flush(vm, true);
	} else {
		u->line[u->len++] = c;
		if (u->len == sizeof(u->line))
			uart_flush(vm, false);
	}
	u->last_output = rdtsc();
	spin_unlock(&vm->lock);
}

void guest_console_idle(struct vm *vm)
{
	struct guest_uart *u = &vm->uart;

	if (!u->len ||
	    rdtsc() - u->last_output < PARTIAL_LINE_US * tsc_khz / 1000)
		return;
	spin_lock(&vm->lock);
	if (u->len)
		uart_flush(vm, false);
	spin_unlock(&vm->lock);
}

void guest_console_poll(struct vm *vm)
{
	int c;

	/* Take no more than the guest's FIFO holds: the rest waits in the
	 * host UART (and the terminal behind it). */
	while (guest_console_room(vm) && (c = uart_getc()) >= 0)
		guest_console_input(vm, (char)c);
	guest_console_idle(vm);
}

uint32_t vuart_in(struct vcpu *v, uint16_t reg)
{
	struct vm *vm = v->vm;
	struct guest_uart *u = &vm->uart;
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR:
		if (dlab)
			return u->dll;
		if (u->rx_head == u->rx_tail)
			return 0;
		return (uint8_t)u->rx[u->rx_tail++ % sizeof(u->rx)];
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR: {
		/*
		 * Interrupt identification as a polling driver sees it (there
		 * is no interrupt line): received data first, then "THR
		 * empty", which reading IIR clears until the next write or
		 * until ETBEI is enabled again (16550 datasheet, table 4).
		 */
		uint32_t fifo = u->fcr & 1 ? IIR_FIFO : 0;

		if ((u->ier & IER_RDI) && u->rx_head != u->rx_tail)
			return IIR_RDI | fifo;
		if ((u->ier & IER_THRI) && u->thri) {
			u->thri = false;
			return IIR_THRI | fifo;
		}
		return IIR_NO_INT | fifo;
	}
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return LSR_THRE_TEMT | (u->rx_head != u->rx_tail ? LSR_DR : 0);
	case UART_MSR:
		if (u->mcr & MCR_LOOP)
			/* Loopback: modem outputs reflected (16550 MCR bit 4),
			 * which the Linux 8250 probe checks. */
			return ((u->mcr & 0x2) << 3) | ((u->mcr & 0x1) << 5) |
			       ((u->mcr & 0x4) << 4) | ((u->mcr & 0x8) << 4);
		return MSR_NO_LOOP;
	case UART_SCR:
		return u->scr;
	}
	return 0xff;
}

void vuart_out(struct vcpu *v, uint16_t reg, uint32_t val)
{
	struct vm *vm = v->vm;
	struct guest_uart *u = &vm->uart;
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR:
		if (dlab) {
			u->dll = val;
		} else {
			if (!(u->mcr & MCR_LOOP))
				guest_console_putc(vm, (char)val);
			u->thri = true; /* sent at once: THR empty again */
		}
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = val;
		} else {
			if ((val & IER_THRI) && !(u->ier & IER_THRI))
				u->thri = true;
			u->ier = val & IER_MASK;
		}
		break;
	case UART_IIR:
		u->fcr = val;
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & MCR_MASK;
		break;
	case UART_SCR:
		u->scr = val;
		break;
	}
}

bool guest_console_room(struct vm *vm)
{
	struct guest_uart *u = &vm->uart;

	return u->rx_head - u->rx_tail < sizeof(u->rx);
}

void guest_console_input(struct vm *vm, char c)
{
	struct guest_uart *u = &vm->uart;

	/* Owned by vCPU 0's CPU, the only one that polls the console. */
	if (u->rx_head - u->rx_tail < sizeof(u->rx))
		u->rx[u->rx_head++ % sizeof(u->rx)] = c;
}
