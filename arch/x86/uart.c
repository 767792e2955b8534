// SPDX-License-Identifier: MIT
/* Polled 16550 driver, 115200 8N1 (PC16550D datasheet register map). */
#include "arch/x86/uart.h"
#include "arch/x86/cpu.h"

#define UART_THR 0
#define UART_RBR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define SCR_PROBE1 0x5a
#define SCR_PROBE2 0xa5
#define LSR_FLOATING 0xff /* nothing decodes the port: the bus floats */
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS 0x03
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define UART_CLOCK 115200
#define UART_BAUD 115200
#define UART_SPIN_LIMIT 100000

static uint16_t uart_port;

void uart_init(uint16_t port)
{
	uint16_t div = UART_CLOCK / UART_BAUD;

	uart_port = port;
	if (!port)
		return;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, div & 0xff);
	outb(port + UART_DLM, div >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, MCR_DTR_RTS);
}

void uart_putc(char c)
{
	int spin;

	if (!uart_port)
		return;
	/* Bounded wait: a missing UART must not hang the hypervisor. */
	for (spin = 0; spin < UART_SPIN_LIMIT; spin++)
		if (inb(uart_port + UART_LSR) & LSR_THRE)
			break;
	outb(uart_port + UART_THR, (uint8_t)c);
}

#define LSR_TEMT 0x40

void uart_drain(void)
{
	/* Bounded: a missing UART must not hang the halt path. */
	for (int spin = 0; uart_port && spin < UART_SPIN_LIMIT; spin++)
		if (inb(uart_port + UART_LSR) & LSR_TEMT)
			break;
}

int uart_getc(void)
{
	if (!uart_port || !(inb(uart_port + UART_LSR) & LSR_DR))
		return -1;
	return inb(uart_port + UART_RBR);
}

bool uart_present(uint16_t port)
{
	/* The scratch register holds what was written (PC16550D datasheet,
	 * 8.10), and a floating bus reads all-ones. */
	if (inb(port + UART_LSR) == LSR_FLOATING)
		return false;
	outb(port + UART_SCR, SCR_PROBE1);
	if (inb(port + UART_SCR) != SCR_PROBE1)
		return false;
	outb(port + UART_SCR, SCR_PROBE2);
	return inb(port + UART_SCR) == SCR_PROBE2;
}
