// SPDX-License-Identifier: MIT
/* The empty bus: reads all-ones, writes dropped by a step (empty_bus.h). */
#include <string.h>

#include "include/abi.h"
#include "lib/mm.h"
#include "lib/printk.h"
#include "vmm/empty_bus.h"
#include "vmm/vm.h"

#define GPA_4G (1ull << 32)
#define LARGE_PAGE (2ull << 20)
#define BUS_PERM (NPT_R | NPT_X)
#define VEC_DB 1

int empty_bus_map(struct vm *vm)
{
	memset(vm->empty_bus, 0xff, LARGE_PAGE);
	for (uint64_t gpa = vm->low_size; gpa < GPA_4G; gpa += LARGE_PAGE)
		if (virt.map(vm, gpa, (uint64_t)vm->empty_bus, LARGE_PAGE,
			     BUS_PERM))
			return -1;
	/* The xAPIC page gets a 4 KiB entry of its own, so its accessed
	 * flag tells whether the guest ever touched it (vm_report()). */
	return virt.map(vm, X2HV_GPA_LAPIC, (uint64_t)vm->empty_bus, PAGE_SIZE,
			BUS_PERM);
}

bool empty_bus_contains(const struct vm *vm, uint64_t gpa)
{
	return gpa >= vm->low_size && gpa < GPA_4G;
}

static enum exit_action bus_stop(struct vcpu *v, const char *why)
{
	pr_err("vm%u: stopped: %s", v->vm->id, why);
	vcpu_dump(v, why);
	return ACT_STOP;
}

/* The 0xff frame behind @page (the block repeats every 2 MiB). */
static uint64_t ff_frame(const struct vm *vm, uint64_t page)
{
	return (uint64_t)vm->empty_bus + (page & (LARGE_PAGE - 1));
}

/* Put the read-only mappings back and forget the step. */
static void step_undo(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct bus_step *s = &v->bus;

	spin_lock(&vm->bus_lock);
	/* Remapping a page that is already split allocates nothing. */
	for (unsigned int i = 0; i < s->n; i++)
		(void)virt.map(vm, s->gpa[i], ff_frame(vm, s->gpa[i]),
			       PAGE_SIZE, BUS_PERM);
	spin_unlock(&vm->bus_lock);
	/* Other vCPUs that touched these pages meanwhile flush before
	 * their next entry (empty_bus_before_entry). */
	s->gen = __atomic_add_fetch(&vm->bus_gen, 1, __ATOMIC_ACQ_REL);
	virt.flush_tlb(v);
	for (unsigned int i = 0; i < s->n; i++)
		memset(s->scratch[i], 0xff, PAGE_SIZE);
	s->n = 0;
	s->active = false;
	virt.single_step(v, false);
}

/* The index of @page in the step, or -1. */
static int step_find(const struct bus_step *s, uint64_t page)
{
	for (unsigned int i = 0; i < s->n; i++)
		if (s->gpa[i] == page)
			return (int)i;
	return -1;
}

/* Map the step's page @i writable to its scratch page: 0 or -1. */
static int step_map(struct vcpu *v, unsigned int i)
{
	struct bus_step *s = &v->bus;
	int rc;

	spin_lock(&v->vm->bus_lock);
	rc = virt.map(v->vm, s->gpa[i], (uint64_t)s->scratch[i], PAGE_SIZE,
		      NPT_RWX);
	spin_unlock(&v->vm->bus_lock);
	return rc;
}

/* Map @page writable to the next scratch page: 0 or -1. */
static int step_add(struct vcpu *v, uint64_t page)
{
	struct bus_step *s = &v->bus;
	int rc;

	if (s->n == BUS_STEP_PAGES)
		return -1;
	/* Scratch pages come with a vCPU's first store to unbacked space:
	 * Linux never makes one, and 4 pages were half of a vCPU's memory
	 * (issue 14). Kept once made. */
	if (!s->scratch[s->n])
		s->scratch[s->n] = page_try_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!s->scratch[s->n])
		return -1;
	memset(s->scratch[s->n], 0xff, PAGE_SIZE);
	s->gpa[s->n] = page;
	rc = step_map(v, s->n);
	if (rc)
		return -1;
	s->n++;
	/* Its remapping at the step's end forgets the accessed flag. */
	if (page == X2HV_GPA_LAPIC)
		v->vm->xapic_written = true;
	return 0;
}

enum exit_action empty_bus_write(struct vcpu *v)
{
	struct bus_step *s = &v->bus;
	uint64_t page = v->exit.gpa & ~(PAGE_SIZE - 1);
	uint64_t rip = virt.get_reg(v, VREG_RIP);
	char why[96];
	int i;

	if (v->exit.delivering)
		return bus_stop(v, "an interrupt or exception frame written to "
				   "unbacked space");
	if (!s->active && rip != s->rip) {
		s->rip = rip;
		s->tries = 0;
	}
	i = step_find(s, page);
	if (i >= 0) {
		/* The page is in this step but faulted again: another
		 * vCPU's step over the same page ended meanwhile and put the
		 * read-only mapping back (the mapping is per VM). Map this
		 * vCPU's scratch page again. Not counted as a try: the
		 * instruction made no mistake, and each round is an exit
		 * the host takes as usual. */
		if (step_map(v, (unsigned int)i))
			return bus_stop(v, "out of memory splitting the "
					   "empty bus");
		virt.flush_tlb(v);
		return ACT_RESUME;
	}
	if (++s->tries > BUS_FAULT_LIMIT) {
		snprintf(why, sizeof(why),
			 "a store to unbacked space at %lx did not complete "
			 "after %u tries",
			 rip, BUS_FAULT_LIMIT);
		return bus_stop(v, why);
	}
	if (step_add(v, page))
		return bus_stop(
			v, s->n == BUS_STEP_PAGES ?
				   "one instruction stores to too many "
				   "unbacked pages" :
				   "out of memory splitting the empty bus");
	virt.flush_tlb(v);
	if (!s->active) {
		if (!virt.single_step(v, true)) {
			s->active = true; /* for step_undo */
			step_undo(v);
			return bus_stop(v,
					"a store to unbacked space, and this "
					"CPU cannot single-step the guest");
		}
		s->active = true;
		/* Nothing is delivered into the step (vcpu_run), so no
		 * window may stay open: its exit would come before the
		 * instruction again and again. */
		virt.set_irq_window(v, false);
		virt.set_nmi_window(v, false);
	}
	return ACT_RESUME;
}

/* The instruction completed: its stores to unbacked space are gone. */
static void step_done(struct vcpu *v)
{
	step_undo(v);
	v->bus.tries = 0;
	__atomic_add_fetch(&v->vm->bus_dropped, 1, __ATOMIC_RELAXED);
}

static bool step_exit(struct vcpu *v, enum exit_action *act)
{
	struct vm_exit *e = &v->exit;

	switch (e->reason) {
	case EXIT_NPF:
		if (!e->npf.write || !empty_bus_contains(v->vm, e->gpa))
			break;
		*act = empty_bus_write(v);
		return true;
	case EXIT_INTR:
	case EXIT_NMI:
	case EXIT_INTR_WINDOW:
		/* Host business before the instruction ran: the step stays
		 * armed for the next entry. Past the instruction (a CPU that
		 * did not deliver the step's exit) the step is over. */
		if (virt.get_reg(v, VREG_RIP) == v->bus.rip)
			return false;
		step_done(v);
		return false;
	case EXIT_STEP:
		step_done(v);
		*act = ACT_RESUME;
		if (e->step.guest_db)
			virt.inject_exception(v, VEC_DB, false, 0);
		return true;
	case EXIT_EXCEPTION:
		/* Intercepted for the step: undone, the core reflects it
		 * (vmm/exit.c). A #DB is a trap after the instruction. */
		if (e->exc.vector == VEC_DB)
			step_done(v);
		else
			step_undo(v);
		return false;
	default:
		break;
	}
	step_undo(v);
	/* EXIT_STEP_ABORT: the instruction runs again without the step. */
	if (e->reason == EXIT_STEP_ABORT) {
		*act = ACT_RESUME;
		return true;
	}
	return false;
}

enum exit_action empty_bus_handle_exit(struct vcpu *v)
{
	enum exit_action act;

	if (v->bus.active && step_exit(v, &act))
		return act;
	return vcpu_handle_exit(v);
}

void empty_bus_cancel(struct vcpu *v)
{
	if (v->bus.active)
		step_undo(v);
}

void empty_bus_before_entry(struct vcpu *v)
{
	unsigned int gen = __atomic_load_n(&v->vm->bus_gen, __ATOMIC_ACQUIRE);

	if (gen != v->bus.gen) {
		v->bus.gen = gen;
		virt.flush_tlb(v);
	}
}
