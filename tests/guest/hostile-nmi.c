// SPDX-License-Identifier: MIT
//! vcpus: 2
//! reject: x2hv: vm0: stopped
/*
 * NMIs are not maskable by RFLAGS.IF (Intel SDM Vol. 3A, 6.7.1 and 6.8.1;
 * AMD APM Vol. 2, 8.2.2): an NMI sent while the guest runs with IF = 0,
 * or while it sleeps in CLI; HLT, is delivered at once. NMIs are blocked
 * from the delivery of one until the next IRET: a second NMI sent inside
 * the handler waits for the IRET and is then delivered, once. The
 * hypervisor must track that blocking (VMX: blocking by NMI / virtual
 * NMIs; SVM: IRET) instead of injecting into it.
 */
#include "tests/guest/lib/guest.h"

#define X86_NMI 2
#define WAIT 20000000ull
#define AP_ID 1

static volatile unsigned int nmis, nested, in_nmi, send_in_handler;
static volatile unsigned int ap_go, hlt_woke;

static void nmi_self(void)
{
	apic_icr(apic_id(), APIC_DM_NMI);
}

static void nmi_handler(struct regs *r)
{
	if (in_nmi)
		nested++;
	in_nmi = 1;
	nmis++;
	if (send_in_handler) {
		/* With IF = 1 too (mode 2): NMI blocking does not care. */
		if (send_in_handler == 2)
			sti();
		send_in_handler = 0;
		nmi_self();
		/* A second NMI now would nest: it must wait for IRET. */
		tsc_delay(WAIT);
		cli();
	}
	in_nmi = 0;
}

static void ap_fn(unsigned int cpu)
{
	while (!atomic_read(&ap_go))
		cpu_relax();
	tsc_delay(WAIT);
	apic_icr(0, APIC_DM_NMI);
	/* IF = 1: Bochs (2.7 and 3.0) does not exit on host interrupts
	 * while a VMX guest spins with IF = 0, so the VM could not stop. */
	sti();
	for (;;)
		cpu_relax();
}

static bool wait_nmis(unsigned int n)
{
	uint64_t t0 = rdtsc();

	while (atomic_read(&nmis) < n && rdtsc() - t0 < WAIT)
		cpu_relax();
	return atomic_read(&nmis) >= n;
}

void test_main(void)
{
	require_x2apic();
	set_handler(X86_NMI, nmi_handler);
	cli();
	nmi_self();
	ok(wait_nmis(1) && nmis == 1, "self NMI delivered with IF = 0 (%u)",
	   nmis);

	send_in_handler = 1;
	nmi_self();
	ok(wait_nmis(3),
	   "NMI sent inside the NMI handler arrives after IRET (%u)", nmis);
	ok(nested == 0, "no NMI nested inside the handler (%u)", nested);
	tsc_delay(WAIT);
	ok(nmis == 3, "and exactly once (%u)", nmis);

	send_in_handler = 2;
	nmi_self();
	ok(wait_nmis(5) && nested == 0,
	   "the same with IF = 1 inside the handler (%u, nested %u)", nmis,
	   nested);

	if (!ok(smp_start_ap(AP_ID, 1, ap_fn, NULL), "vCPU 1 started"))
		return;
	atomic_set(&ap_go, 1);
	asm volatile("cli; hlt" ::: "memory");
	hlt_woke = nmis;
	ok(hlt_woke == 6,
	   "CLI; HLT woken by an NMI from vCPU 1, delivered (%u)", hlt_woke);
}
