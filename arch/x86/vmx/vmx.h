/* SPDX-License-Identifier: MIT */
/*
 * Internal interface of the VMX backend, the mirror image of svm.h:
 * vmx.c (probe, enable, EPT, ops), vmcs.c (VMCS set-up, guest state),
 * vmx_exit.c (entry, exit decoding, events), vmx_apicv.c (pure APIC
 * virtualization helpers), vmx_apicv_run.c (APIC virtualization and
 * posted interrupts at run time), vmx_pi.c (the posted-interrupt
 * descriptor protocol, pure), vmx_entry.S; and vmx_cr.c, the control
 * register accesses only VMX intercepts.
 *
 * Ownership of a VMCS (SDM 25.1, 25.11.1): a VMCS may be active on one
 * CPU only. vcpu_init runs on the BSP for every vCPU and only allocates
 * and VMCLEARs; the first operation on the vCPU's own CPU makes it
 * current (vmx_load) and fills every control and host field there. All
 * later operations on a vCPU happen on its own CPU (vmm/vcpu.c).
 */
#ifndef X2HV_ARCH_X86_VMX_VMX_H
#define X2HV_ARCH_X86_VMX_VMX_H

#include "arch/x86/vmx/vmx_apicv.h"
#include "arch/x86/vmx/vmx_pi.h"

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/percpu.h"
#include "include/debug.h"
#include "vmm/vm.h"

struct vcpu;

/* What the capability MSRs allow, read once on CPU 0. */
struct vmx_caps {
	uint32_t revision;
	uint32_t pin0, pin1; /* allowed-0 (must be 1) and allowed-1 settings */
	uint32_t proc0, proc1;
	uint32_t proc2_0, proc2_1;
	uint32_t exit0, exit1;
	uint32_t entry0, entry1;
	uint64_t proc3_1;
	uint64_t ept_vpid;
	uint64_t misc;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	/* The controls every VMCS starts with (after adjustment). */
	uint32_t pin, proc, proc2, exit, entry;
	/* TPR shadow + virtualize x2APIC mode + APIC-register
	 * virtualization + virtual-interrupt delivery in use (docs/vmx.md);
	 * chosen once on CPU 0 like the rest. */
	bool apicv;
	/* Posted interrupts on top of apicv (pin control 7, which needs
	 * "acknowledge interrupt on exit"): on the CPU and not turned off
	 * with apicv=noposted. */
	bool posted;
};

extern struct vmx_caps vmx_caps;

/* The MSR bitmap every VMCS uses (vmx.c builds it on CPU 0). */
extern uint8_t *vmx_msr_bitmap;
#define VMX_REGION_SIZE 4096 /* VMXON region and VMCS (SDM 25.2) */

struct vmx_cpu {
	void *vmxon; /* the VMXON region (SDM 25.11.5) */
	struct vmx_vcpu *current; /* VMCS loaded on this CPU, or NULL */
	/* Notification vectors the host handler took on this CPU: ones that
	 * found it outside guest mode (vmx_pi.h, struct vmx_pi_owner). */
	volatile uint64_t pi_host_irqs;
};

struct vmx_vcpu {
	/*
	 * Posted-interrupt descriptor (SDM 30.6), first in this page-aligned
	 * struct: the SDM wants 64-byte alignment, Bochs 3.0 refuses VM
	 * entry unless it is 4 KiB-aligned (docs/vmx.md). With APICv but no
	 * posted interrupts it is only the mailbox of vmx_pi.h.
	 */
	struct vmx_pi_desc pi;
	struct vmx_pi_owner pio;
	void *vmcs;
	uint64_t vmcs_pa;
	bool setup; /* control and host fields written (on the owner CPU) */
	bool launched; /* VMLAUNCH done since the last VMCLEAR */
	uint32_t proc; /* cached primary controls (interrupt window) */
	uint64_t cr0_shadow, cr4_shadow; /* what the guest sees */
	uint64_t cr4_mask; /* CR4 guest/host mask (vmx_cr4_mask) */
	uint64_t eoi_exit[4]; /* EOI-exit bitmaps last written (APICv) */
	bool step; /* a single-step armed (vmx_step.c) */
	bool step_guest_tf, step_guest_if; /* TF step: the guest's flags */
	uint32_t exc_bitmap; /* the exception bitmap outside a step */
};

/* Is @v's VMCS the current one of this CPU? Every VMREAD/VMWRITE for @v
 * needs it (debug builds ASSERT it). */
static inline bool vmx_is_current(struct vcpu *v)
{
	return ((struct vmx_cpu *)this_cpu()->virt)->current == v->arch;
}

/* Make @v's VMCS current on this CPU, setting it up on first use. */
void vmx_load(struct vcpu *v);
/* VMWRITE that reports a failure (field, VM-instruction error) once. */
void vmcs_write(uint32_t field, uint64_t val);

/* CR0/CR4 bits x2hv owns (guest/host masks, SDM 25.6.6): the guest sees
 * its own values of them in the read shadows. */
uint64_t vmx_cr0_mask(void);
uint64_t vmx_cr4_mask(struct vcpu *v);
/* Real CR0/CR4 for a guest-visible value (fixed bits applied). */
uint64_t vmx_real_cr0(uint64_t guest);
uint64_t vmx_real_cr4(uint64_t guest);

/* vmx_cr.c: guest control registers and CR-access exits. */
/* The guest's view: the shadow for the bits in @mask, else the real one. */
uint64_t vmx_visible_cr(uint32_t real_field, uint32_t shadow_field,
			uint64_t mask);
void vmx_guest_write_cr0(uint64_t val);
void vmx_guest_write_cr4(uint64_t val);
/* EFER with LMA = LME && @cr0.PG, and the IA-32e entry control to match. */
void vmx_guest_write_efer(uint64_t efer, uint64_t cr0);
/* Drop @v's VPID-tagged translations (INIT, MOV to CR3). */
void vmx_flush_vpid(struct vcpu *v);
/* Emulate a CR-access exit: the action for the core to apply, ACT_STOP
 * if it is not an access x2hv asked for. */
enum exit_action vmx_cr_access(struct vcpu *v, uint64_t qual);

/* vmcs.c */
int vmx_vcpu_init(struct vcpu *v);
void vmx_set_state(struct vcpu *v, const struct vcpu_state *s);
void vmx_get_state(struct vcpu *v, struct vcpu_state *s);
void vmx_run(struct vcpu *v);
void vmx_skip_insn(struct vcpu *v);
void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_err,
			  uint32_t err);
bool vmx_irq_injectable(struct vcpu *v);
void vmx_inject_irq(struct vcpu *v, uint8_t vector);
void vmx_inject_nmi(struct vcpu *v);
void vmx_set_irq_window(struct vcpu *v, bool on);
bool vmx_nmi_injectable(struct vcpu *v);
void vmx_set_nmi_window(struct vcpu *v, bool on);
/* vmx_event.c: give an intercepted #DB or #AC to the guest. */
enum exit_action vmx_reflect_exception(struct vcpu *v);
enum exit_action vmx_handle_exit(struct vcpu *v);
/* vmx_apicv_run.c, APICv (vmx_caps.apicv): the virt_ops entries
 * deliver_events, post_vector and sync_irr; the steps around each entry
 * (SN, the PIR, RVI/SVI, EOI-exit bitmaps) and the APICv exits. */
void vmx_deliver_events(struct vcpu *v);
enum post_result vmx_post_vector(struct vcpu *v, uint8_t vector);
void vmx_sync_irr(struct vcpu *v);
void vmx_apicv_vcpu_init(struct vcpu *v);
void vmx_apicv_vmcs_setup(struct vcpu *v);
void vmx_apicv_cpu0_init(void);
void vmx_apicv_before_entry(struct vcpu *v);
void vmx_apicv_after_exit(struct vcpu *v);
uint64_t vmx_get_reg(struct vcpu *v, enum vreg r);
void vmx_set_reg(struct vcpu *v, enum vreg r, uint64_t val);
/* vmx_step.c: virt_ops.single_step, and the step's #DB exit without the
 * monitor trap flag as EXIT_STEP; vmcs.c: virt_ops.flush_tlb. */
bool vmx_single_step(struct vcpu *v, bool on);
void vmx_step_decode(struct vcpu *v);
void vmx_flush_tlb(struct vcpu *v);

/* What vmx_enter and vmx_fast_exit (vmx_fast.c) made of an entry. */
enum vmx_fast {
	VMX_FAST_NO, /* a VM exit that is not one of its: vmx_run decodes it */
	VMX_FAST_FAILED, /* VMLAUNCH/VMRESUME failed */
	VMX_FAST_DONE, /* handled; the run loop has requests to serve */
	VMX_FAST_AGAIN, /* handled; vmx_enter resumes the guest */
};

/* vmx_entry.S: enter @v (VMLAUNCH unless @launched) until
 * vmx_fast_exit says other than AGAIN. */
enum vmx_fast vmx_enter(struct vcpu *v, bool launched);
/* vmx_fast.c, called by vmx_enter after each exit. */
enum vmx_fast vmx_fast_exit(struct vcpu *v);

/* vmx_event.c: past the exiting instruction of @len bytes, in the
 * current VMCS: RIP, and the STI / MOV SS shadow, which ends with it. */
void vmx_skip(uint64_t len);

/* The host RIP of every VMCS. */
void vmx_exit_entry(void);

#endif
