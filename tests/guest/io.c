// SPDX-License-Identifier: MIT
/*
 * Port I/O: an unclaimed port reads all-ones at every width and swallows
 * writes (an empty ISA bus floats high); the emulated 16550's scratch
 * register (offset 7) keeps what is written to it.
 */
#include "tests/guest/lib/guest.h"

#define PORT_UNCLAIMED 0x2f0
#define UART_SCR (X2HV_PORT_COM1 + 7)
#define UART_LSR (X2HV_PORT_COM1 + 5)
#define UART_LSR_THRE 0x20
#define LSR_POLLS 1000000

void test_main(void)
{
	static const uint8_t patterns[] = { 0x00, 0x5a, 0xa5, 0xff };
	bool scratch_ok = true;

	ok(inb(PORT_UNCLAIMED) == 0xff, "inb 0x%x = 0xff", PORT_UNCLAIMED);
	ok(inw(PORT_UNCLAIMED) == 0xffff, "inw 0x%x = 0xffff", PORT_UNCLAIMED);
	ok(inl(PORT_UNCLAIMED) == 0xffffffffu, "inl 0x%x = 0xffffffff",
	   PORT_UNCLAIMED);
	outb(PORT_UNCLAIMED, 0x12);
	outw(PORT_UNCLAIMED, 0x1234);
	outl(PORT_UNCLAIMED, 0x12345678);
	ok(inb(PORT_UNCLAIMED) == 0xff && inl(PORT_UNCLAIMED) == 0xffffffffu,
	   "writes to 0x%x are dropped", PORT_UNCLAIMED);

	for (unsigned int i = 0; i < sizeof(patterns); i++) {
		outb(UART_SCR, patterns[i]);
		if (inb(UART_SCR) != patterns[i])
			scratch_ok = false;
	}
	ok(scratch_ok, "16550 scratch register round-trips");
	/* The transmitter drains at its baud rate: THRE comes back. */
	for (int i = 0; i < LSR_POLLS && !(inb(UART_LSR) & UART_LSR_THRE); i++)
		cpu_relax();
	ok(inb(UART_LSR) & UART_LSR_THRE, "16550 LSR THRE set");
}
