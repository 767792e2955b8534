// SPDX-License-Identifier: MIT
/* The XSETBV exit (guest XCR0 policy in vmm/xcr0.c). */
#include "arch/x86/cpu.h"
#include "arch/x86/extable.h"
#include "lib/printk.h"
#include "vmm/vm.h"
#include "vmm/xcr0.h"

#ifdef X2HV_HOST_TEST
bool host_osxsave(void); /* the fuzzer's */
#else
/* The host can run XSETBV (vmx.c/svm.c set CR4.OSXSAVE with XSAVE). */
static bool host_osxsave(void)
{
	return read_cr4() & CR4_OSXSAVE;
}
#endif

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

enum exit_action handle_xsetbv(struct vcpu *v)
{
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	struct cpuid_regs host = cpuid(CPUID_LEAF_XSAVE, 0);
	uint64_t allowed =
		xcr0_guest_allowed(host.eax | (uint64_t)host.edx << 32);
	unsigned int fault;

	if (!(virt.get_reg(v, VREG_CR4) & CR4_OSXSAVE) || !host_osxsave())
		return xsetbv_refused(v, ACT_INJECT_UD);
	if (virt.get_reg(v, VREG_CPL) != 0 || (uint32_t)v->regs.rcx != 0 ||
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
