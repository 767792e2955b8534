// SPDX-License-Identifier: MIT
/*
 * The timer CPU: with posted interrupts, a CPU that runs no vCPU keeps the
 * TSC-deadline timers of the vCPUs and posts their interrupts, so that a
 * guest's timer reaches it in guest mode without an exit on its own CPU
 * (the idea of KVM's pi_inject_timer, where the timers run on housekeeping
 * CPUs). Without a spare CPU, or without posted interrupts, each vCPU's
 * timer rides its own CPU's LAPIC timer (vmm/vcpu.c), and each expiry is
 * an external-interrupt exit there.
 *
 * Protocol (docs/vmx.md, "The timer CPU"). Each vCPU publishes its
 * deadline in v->timer_slot (0: none) and keeps its own copy. Whoever
 * swaps a due slot to 0 delivers that expiry: the timer CPU with a
 * compare-exchange and vlapic_timer_raise_remote(); the owner, finding its
 * copy due, with an exchange (vcpu.c), then raising it itself or, if the
 * slot was already 0, only moving its vlapic on (vlapic_timer_taken).
 * A new deadline is published by an exchange, so an expiry is delivered
 * once or, when replaced before it was due, never, as on hardware.
 *
 * Waking the timer CPU: it stores the deadline it arms in tc_armed and
 * then scans the slots again; a vCPU stores its slot and then reads
 * tc_armed, and sends VEC_KICK when its deadline is sooner. Both are
 * sequentially consistent, so either the scan sees the new slot or the
 * vCPU sees the armed deadline and kicks.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "lib/printk.h"
#include "vmm/vm.h"

#define NO_DEADLINE UINT64_MAX

int timer_cpu = -1; /* (r) release by setup: the timer CPU; -1: none */
static struct vm *tc_vm;
static uint64_t tc_armed = NO_DEADLINE; /* what its LAPIC timer waits for */

void timer_cpu_setup(struct vm *vm)
{
	unsigned int cpu = nr_cpus - 1;

	if (!virt.posts_in_guest || !virt.posts_in_guest() ||
	    vm->nr_vcpus >= nr_cpus)
		return;
	tc_vm = vm;
	__atomic_store_n(&timer_cpu, (int)cpu, __ATOMIC_RELEASE);
	pr_info("vm%u: CPU %u keeps the vCPUs' TSC-deadline timers and posts their interrupts",
		vm->id, cpu);
}

void timer_cpu_publish(struct vcpu *v, uint64_t deadline)
{
	__atomic_exchange_n(&v->timer_slot, deadline, __ATOMIC_SEQ_CST);
	if (deadline && deadline < __atomic_load_n(&tc_armed, __ATOMIC_SEQ_CST))
		lapic_send_ipi(percpu[timer_cpu].apic_id, VEC_KICK);
}

/* Deliver the slots that are due; the soonest deadline left. */
static uint64_t fire_due(struct vm *vm, bool fire)
{
	uint64_t next = NO_DEADLINE, now = rdtsc();

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		uint64_t d = __atomic_load_n(&v->timer_slot, __ATOMIC_ACQUIRE);

		if (!d)
			continue;
		if (d > now || !fire) {
			next = d < next ? d : next;
			continue;
		}
		if (__atomic_compare_exchange_n(&v->timer_slot, &d, 0, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			vlapic_timer_raise_remote(v->vlapic);
			v->timer_posts++;
		} else if (d) {
			next = d < next ? d : next; /* replaced meanwhile */
		}
	}
	return next;
}

/* The idle loop of the timer CPU, interrupts off: fire, arm, then halt. */
void timer_cpu_service(void)
{
	struct vm *vm = tc_vm;
	uint64_t next;

	if (__atomic_load_n(&timer_cpu, __ATOMIC_ACQUIRE) !=
	    (int)this_cpu()->cpu)
		return;
	for (;;) {
		next = fire_due(vm, true);
		__atomic_store_n(&tc_armed, next, __ATOMIC_SEQ_CST);
		/* A slot published before the store, after its scan. */
		if (fire_due(vm, false) >= next)
			break;
	}
	lapic_timer_arm(next == NO_DEADLINE ? 0 : next);
}
