/* SPDX-License-Identifier: MIT */
/*
 * The empty bus: guest-physical space below 4 GiB where the VM has neither
 * RAM nor a device (DESIGN.md principle 5). Every read returns all-ones
 * and every write vanishes, as on a real bus, without an instruction
 * decoder:
 *
 *  - the space is mapped read-only (and executable) to one per-VM block
 *    of 0xff bytes, so reads never exit;
 *  - a write exits (EPT violation / nested page fault). The 4 KiB page is
 *    mapped writable to a scratch page of the vCPU, refilled with 0xff,
 *    and the vCPU runs that one instruction under single-step (VMX
 *    monitor trap flag; SVM RFLAGS.TF with #DB intercepted). At the step's
 *    end the read-only mapping is back and the write is gone. Another page
 *    the same instruction writes (a store straddling two pages, a REP
 *    iteration) joins the step.
 *
 * While a step is armed the core injects no events, every exception is
 * intercepted (and reflected once the step is undone), and on SVM the
 * backend keeps TF out of the guest's sight (vmm/virt.h single_step). An
 * instruction that faults on unbacked space BUS_FAULT_LIMIT times without
 * completing stops the VM, as does a store during the delivery of an
 * interrupt or exception (its frame would be lost; hardware would crash
 * the guest a little later).
 *
 * The mapping is per VM: during one vCPU's step, another vCPU of the same
 * VM touching that page can see the bytes being written, until its next
 * pass through the run loop (SVM's fast exits stay in svm_enter's loop,
 * arch/x86/svm/svm_fast.c). Only the VM's own stores can be seen that way.
 */
#ifndef X2HV_VMM_EMPTY_BUS_H
#define X2HV_VMM_EMPTY_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/virt.h"

struct vm;
struct vcpu;

#define BUS_STEP_PAGES 4 /* unbacked pages one instruction may store to */
#define BUS_FAULT_LIMIT 16 /* write faults at one instruction */

/* A vCPU's step over a store to unbacked space. */
struct bus_step {
	bool active;
	unsigned int n; /* pages made writable */
	uint64_t gpa[BUS_STEP_PAGES];
	uint8_t *scratch[BUS_STEP_PAGES]; /* made on first use (step_add) */
	uint64_t rip; /* the instruction being stepped */
	unsigned int tries; /* write faults at rip since it last completed */
	unsigned int gen; /* vm->bus_gen this vCPU's TLB has seen */
};

/* Map [ram_size, 4 GiB) read-only to the VM's 0xff block: 0 or -1. */
int empty_bus_map(struct vm *vm);
/* Is @gpa unbacked space below 4 GiB? */
bool empty_bus_contains(const struct vm *vm, uint64_t gpa);
/* A write fault on unbacked space (EXIT_NPF, write): start or extend the
 * step. */
enum exit_action empty_bus_write(struct vcpu *v);
/* Handle an exit (the run loop): while a step is armed, the step's own
 * exits here; the rest, the step undone first unless the exit leaves it
 * armed, by vcpu_handle_exit (vmm/exit.c). */
enum exit_action empty_bus_handle_exit(struct vcpu *v);
/* The VM stops: undo a step that is still armed. */
void empty_bus_cancel(struct vcpu *v);
/* Before each entry: drop translations another vCPU's step left stale. */
void empty_bus_before_entry(struct vcpu *v);

#endif
