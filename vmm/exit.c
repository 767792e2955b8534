// SPDX-License-Identifier: MIT
/*
 * Vendor-neutral exit dispatch: one handler per exit reason, each
 * returning the action the backend applies. No instruction is ever
 * decoded: everything comes from the architectural exit information.
 */
#include "include/x86.h"
#include "lib/printk.h"
#include "vmm/vm.h"

static enum exit_action stop_with(struct vcpu *v, const char *why)
{
	pr_err("vm%u: stopped: %s", v->vm->id, why);
	vcpu_dump(v, why);
	return ACT_STOP;
}

static enum exit_action handle_hlt(struct vcpu *v)
{
	vcpu_set_state(v, VCPU_HALTED);
	return ACT_SKIP;
}

static enum exit_action handle_npf(struct vcpu *v)
{
	/* Below 4 GiB, RAM is mapped read-write and the empty bus read-only
	 * (vmm/empty_bus.h): a write there is dropped by a step. Anything
	 * else is an access beyond the VM's address space. */
	if (v->exit.npf.write && empty_bus_contains(v->vm, v->exit.gpa))
		return empty_bus_write(v);
	pr_err("vm%u: vcpu%u: guest-physical access at %lx outside the VM (%s)",
	       v->vm->id, v->id, v->exit.gpa,
	       v->exit.npf.write ? "write" :
	       v->exit.npf.fetch ? "fetch" :
				   "read");
	return stop_with(v, "access outside guest-physical space");
}

/*
 * A triple fault puts the CPU in shutdown (SDM vol. 3A 6.15, "Interrupt
 * 8"; APM vol. 2 8.2.9), which a PC's chipset turns into a reset (Linux
 * relies on it: reboot=triple, and the last resort of every reboot).
 * The first one in a VM's life is dumped; a guest in a reset loop would
 * repeat the same dump.
 */
static enum exit_action handle_shutdown(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (!vm->triple_faults++ || vm->cfg.reset_stops)
		vcpu_dump(v, "triple fault");
	vm_reset(vm, "triple fault");
	return ACT_RESUME;
}

static enum exit_action handle_backend_exit(struct vcpu *v);

/*
 * An exception x2hv intercepted on the guest's behalf (#DB and #AC
 * always, docs/security.md; every exception while a store to unbacked
 * space is single-stepped, vmm/empty_bus.h) goes to the guest as the CPU
 * would have delivered it: same vector and error code, and for #PF the
 * address in CR2, which an intercepted #PF leaves alone. #DB and #AC
 * need the backend (DR6, ICEBP, RF, an NMI's end on SVM).
 */
static enum exit_action handle_exception(struct vcpu *v)
{
	if (v->exit.exc.vector == VEC_DB || v->exit.exc.vector == VEC_AC)
		return handle_backend_exit(v);
	if (v->exit.exc.vector == VEC_PF)
		virt.set_reg(v, VREG_CR2, v->exit.exc.cr2);
	virt.inject_exception(v, v->exit.exc.vector, v->exit.exc.has_err,
			      v->exit.exc.err);
	return ACT_RESUME;
}

static enum exit_action handle_exit_unexpected(struct vcpu *v)
{
	return stop_with(v, "unexpected exit");
}

/* Exits only the backend understands, already counted by the run loop. */
static enum exit_action handle_backend_exit(struct vcpu *v)
{
	enum exit_action a = virt.handle_exit ? virt.handle_exit(v) : ACT_STOP;

	return a == ACT_STOP ? handle_exit_unexpected(v) : a;
}

enum exit_action vcpu_handle_exit(struct vcpu *v)
{
	switch (v->exit.reason) {
	case EXIT_CPUID:
		return handle_cpuid(v);
	case EXIT_RDMSR:
		return handle_rdmsr(v);
	case EXIT_WRMSR:
		return handle_wrmsr(v);
	case EXIT_IO:
		return handle_io(v);
	case EXIT_HLT:
		return handle_hlt(v);
	case EXIT_HYPERCALL:
		return handle_hypercall(v);
	case EXIT_NPF:
		return handle_npf(v);
	case EXIT_XSETBV:
		return handle_xsetbv(v);
	case EXIT_EXCEPTION:
		return handle_exception(v);
	case EXIT_INTR:
	case EXIT_NMI:
	case EXIT_INTR_WINDOW: /* the run loop injects what is pending */
	case EXIT_PREEMPT_TIMER:
	case EXIT_INIT:
		return ACT_RESUME;
	case EXIT_INVD:
		/* INVD would drop the host's dirty cache lines; the caches
		 * are coherent, so skipping it is all a guest can observe
		 * (KVM does the same). It is privileged: checked again here
		 * should an intercept come before the CPU's check (QEMU). */
		if (virt.get_reg(v, VREG_CPL) != 0) {
			vcpu_event(v, GEV_PRIV);
			return ACT_INJECT_GP;
		}
		return ACT_SKIP;
	case EXIT_PAUSE:
		return ACT_SKIP;
	case EXIT_SMI:
		/* SVM: a firmware SMI arrived in guest mode; it stays pending
		 * and is taken once the host sets GIF (APM 15.13.3). */
		return ACT_RESUME;
	case EXIT_TASK_SWITCH:
		return stop_with(v, "task switch (not supported: no decoder)");
	case EXIT_VIRT_INSN:
		vcpu_event(v, GEV_UD);
		return ACT_INJECT_UD;
	case EXIT_IRET:
	case EXIT_CR_ACCESS:
	case EXIT_APIC_WRITE:
	case EXIT_EOI_INDUCED:
	case EXIT_AVIC_IPI:
	case EXIT_AVIC_NOACCEL:
		return handle_backend_exit(v);
	case EXIT_SHUTDOWN:
		return handle_shutdown(v);
	case EXIT_INVALID_STATE:
		return stop_with(v, "VM entry failed: invalid guest state");
	default:
		return handle_exit_unexpected(v);
	}
}
