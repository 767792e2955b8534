// SPDX-License-Identifier: MIT
//! reject: string I/O to port 20[2-9a-f][0-9a-f]
//! reject: string I/O to port 21[0-9a-f][0-9a-f]
//! expect: RESULT: PASS
//! expect: x2hv: vm0: refused: .*string-io=600
/*
 * A guest cannot flood the hypervisor console: each refused string I/O
 * instruction (INS/OUTS get #GP, README "Known gaps") would otherwise
 * print a warning synchronously on the serial port, with interrupts off.
 * Messages a guest can trigger are rate-limited; the events are counted
 * and the counts appear in the VM-stop report. 300 OUTSB and 300 INSB to
 * ports 0x2000 + i: the harness rejects the message for the 33rd port.
 */
#include "tests/guest/lib/guest.h"

#define N 300
#define PORT_BASE 0x2000

static uint8_t buf[4];

void test_main(void)
{
	struct percpu *pc = this_cpu();
	unsigned int gp = 0;

	for (unsigned int i = 0; i < N; i++) {
		uint16_t port = (uint16_t)(PORT_BASE + i);

		pc->fault = 0;
		asm volatile("1: outsb\n2:\n" EXTABLE(1b, 2b)::"S"(buf),
			     "d"(port)
			     : "memory");
		gp += pc->fault == FAULT_GP;
		pc->fault = 0;
		asm volatile("1: insb\n2:\n" EXTABLE(1b, 2b)::"D"(buf),
			     "d"(port)
			     : "memory");
		gp += pc->fault == FAULT_GP;
	}
	ok(gp == 2 * N, "%u string I/O instructions: #GP each (%u)", 2 * N, gp);
}
