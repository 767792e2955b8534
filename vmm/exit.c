// SPDX-License-Identifier: MIT
/*
 * Vendor-neutral exit dispatch: one handler per exit reason, each
 * returning the action the backend applies. No instruction is ever
 * decoded: everything comes from the architectural exit information.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/extable.h"
#include "lib/printk.h"
#include "vmm/vm.h"
#include "vmm/xcr0.h"

#define CPUID_XSAVE_LEAF 0xd

static enum exit_action stop_with(struct vcpu *v, const char *why)
{
	pr_err("vm%u: stopped: %s", v->vm->id, why);
	vcpu_dump(v, why);
	return ACT_STOP;
}

static enum exit_action handle_hlt(struct vcpu *v)
{
	v->state = VCPU_HALTED;
	return ACT_SKIP;
}

static enum exit_action handle_npf(struct vcpu *v)
{
	/* All guest-physical space below 4 GiB is mapped (RAM or the empty
	 * bus), so a fault is an access beyond the VM's address space. */
	pr_err("vm%u: vcpu%u: guest-physical access at %lx outside the VM (%s)",
	       v->vm->id, v->id, v->exit.gpa,
	       v->exit.npf.write ? "write" :
	       v->exit.npf.fetch ? "fetch" :
				   "read");
	return stop_with(v, "access outside guest-physical space");
}

/*
 * XSETBV (SDM Vol. 2D XSETBV, Vol. 1 13.3; APM Vol. 3): #UD unless the
 * guest's CR4.OSXSAVE is set, #GP(0) at CPL > 0, for any XCR but XCR0
 * and for a value the rules refuse (vmm/xcr0.c). The guest owns this
 * CPU's XCR0 (the host never uses extended state), so a valid value is
 * loaded for real, under an exception fixup: should the CPU refuse what
 * the policy let through, the guest gets #GP, not the host a panic.
 */
static enum exit_action xsetbv_refused(struct vcpu *v, enum exit_action a)
{
	vcpu_event(v, GEV_XSETBV);
	return a;
}

static enum exit_action handle_xsetbv(struct vcpu *v)
{
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	struct cpuid_regs host = cpuid(CPUID_XSAVE_LEAF, 0);
	uint64_t allowed =
		xcr0_guest_allowed(host.eax | (uint64_t)host.edx << 32);
	unsigned int fault;

	if (!(virt->get_reg(v, VREG_CR4) & CR4_OSXSAVE) ||
	    !(read_cr4() & CR4_OSXSAVE))
		return xsetbv_refused(v, ACT_INJECT_UD);
	if (virt->get_reg(v, VREG_CPL) != 0 || (uint32_t)v->regs.rcx != 0 ||
	    !xcr0_valid(val, allowed))
		return xsetbv_refused(v, ACT_INJECT_GP);
	fault = xsetbv_safe(0, val);
	if (fault) {
		if (guest_msg_ok(v->vm))
			pr_warn("vm%u: vcpu%u: XSETBV %lx refused by the CPU (vector %u)",
				v->vm->id, v->id, val, fault & 0xff);
		return xsetbv_refused(v, ACT_INJECT_GP);
	}
	return ACT_SKIP;
}

static enum exit_action handle_exit_unexpected(struct vcpu *v)
{
	return stop_with(v, "unexpected exit");
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
	case EXIT_INTR:
	case EXIT_NMI:
	case EXIT_INTR_WINDOW: /* the run loop injects what is pending */
	case EXIT_EOI_INDUCED: /* done by the backend; the loop re-arms */
	case EXIT_PREEMPT_TIMER:
	case EXIT_INIT:
		return ACT_RESUME;
	case EXIT_PAUSE:
		return ACT_SKIP;
	case EXIT_VIRT_INSN:
		vcpu_event(v, GEV_UD);
		return ACT_INJECT_UD;
	case EXIT_SHUTDOWN:
		return stop_with(v, "triple fault");
	case EXIT_INVALID_STATE:
		return stop_with(v, "VM entry failed: invalid guest state");
	default:
		return handle_exit_unexpected(v);
	}
}
