// SPDX-License-Identifier: MIT
/* Stopping the machine. */
#include "arch/x86/cpu.h"
#include "arch/x86/uart.h"
#include "lib/printk.h"
#include "arch/x86/system.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define QEMU_DEBUG_EXIT_OK 0x31 /* QEMU exits with (0x31 << 1) | 1 = 0x63 */
#define BOCHS_SHUTDOWN_PORT 0x8900

static volatile int halting;
static bool poweroff;

void system_set_poweroff(bool on)
{
	poweroff = on;
}

void system_halt(void)
{
	irq_disable();
	if (!__atomic_exchange_n(&halting, 1, __ATOMIC_ACQ_REL)) {
		printk(LOG_ERR, "system halted");
		uart_drain(); /* emulators drop what is still queued */
		if (poweroff) {
			/* Test emulators' exit devices; no-ops elsewhere. */
			for (const char *s = "Shutdown"; *s; s++)
				outb(BOCHS_SHUTDOWN_PORT, *s);
			outb(QEMU_DEBUG_EXIT_PORT, QEMU_DEBUG_EXIT_OK);
		}
	}
	for (;;)
		__asm__ volatile("cli; hlt");
}
