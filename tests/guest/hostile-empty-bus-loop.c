// SPDX-License-Identifier: MIT
//! hvargs: mem=64M
//! expect: x2hv: vm0: vcpu0: a store to unbacked space at [0-9a-f]+ did not complete after [0-9]+ tries
//! expect: x2hv: vm0: stopped: .*did not complete
//! reject: RESULT: PASS
/*
 * A store that can never complete must not hang its vCPU in the empty
 * bus's step (DESIGN.md principle 5). An 8-byte store at 0xfffffffc has
 * its first half in unbacked space (x2hv steps it) and its second half
 * at 4 GiB, which the runtime's page tables leave unmapped: #PF, which
 * this handler answers by retrying the store, for ever. x2hv gives up
 * after a bounded number of tries at one instruction and stops the VM
 * with a diagnostic. Without x2hv (or if x2hv never gives up) the
 * handler gives up after many more tries and the test fails.
 */
#include "tests/guest/lib/guest.h"

#define STORE_ADDR 0xfffffffcull
#define GIVE_UP 1000

static volatile unsigned int pf_count;
extern char loop_store[], loop_done[];

static void pf_handler(struct regs *r)
{
	if (++pf_count >= GIVE_UP)
		r->rip = (uint64_t)loop_done;
}

void test_main(void)
{
	set_handler(X86_PF, pf_handler);
	asm volatile(".globl loop_store\nloop_store:\n"
		     "movq %1, (%0)\n"
		     ".globl loop_done\nloop_done:\n"
		     :
		     : "r"(STORE_ADDR), "r"(0x0123456789abcdefull)
		     : "memory");
	set_handler(X86_PF, NULL);
	fail("the store was retried %u times: nothing stopped it", pf_count);
}
