// SPDX-License-Identifier: MIT
/*
 * VMX APIC virtualization at run time (docs/vmx.md, "APIC virtualization"
 * and "Posted interrupts"; Intel SDM vol. 3C of 2023 and later, chapter
 * 30): the virtual-APIC page is the vCPU's vlapic page, and the CPU
 * delivers its interrupts and virtualizes EOI, TPR and SELF IPI. Other
 * CPUs never write that page while the vCPU may be in guest mode: they
 * post into its descriptor (vmx_pi.h). Everything here runs on the
 * vCPU's own CPU with host interrupts off, except vmx_post_vector, which
 * runs on the sender's.
 */
#include <string.h>

#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "vmm/vm.h"

static uint64_t pi_host_irqs(void)
{
	return ((struct vmx_cpu *)this_cpu()->virt)->pi_host_irqs;
}

/* A notification that found its CPU outside guest mode (sleeping in HLT,
 * or with interrupts open between exits): the interrupt itself is all
 * the news; the owner's next take sees it landed (vmx_pi_take). */
static void pi_host_irq(void)
{
	((struct vmx_cpu *)this_cpu()->virt)->pi_host_irqs++;
}

void vmx_apicv_cpu0_init(void)
{
	irq_register(VEC_POSTED, pi_host_irq);
}

/* At vCPU creation, before any CPU can post to it: SN set. NDST is the
 * target CPU's x2APIC ID, or its xAPIC ID in bits 15:8 (SDM 30.6). */
void vmx_apicv_vcpu_init(struct vcpu *v)
{
	struct vmx_vcpu *s = v->arch;
	uint32_t id = percpu[v->pcpu].apic_id;

	_Static_assert(offsetof(struct vmx_vcpu, pi) == 0,
		       "the descriptor starts the page (Bochs 3.0)");
	vmx_pi_init(&s->pi, &s->pio, VEC_POSTED,
		    lapic_is_x2apic() ? id : id << 8, vmx_caps.posted);
}

/* The vlapic's register page is the virtual-APIC page (SDM 25.6.8,
 * vlapic/vlapic.h); nothing exits on EOI until a vector is level-
 * triggered (vmx_apicv_before_entry keeps the EOI-exit bitmaps). */
void vmx_apicv_vmcs_setup(struct vcpu *v)
{
	struct vmx_vcpu *s = v->arch;

	vmcs_write(VMCS_VIRT_APIC_ADDR,
		   (uint64_t)(uintptr_t)vlapic_page(v->vlapic));
	vmcs_write(VMCS_TPR_THRESHOLD, 0);
	for (unsigned int i = 0; i < VMX_EOI_EXIT_WORDS; i++) {
		s->eoi_exit[i] = 0;
		vmcs_write(VMCS_EOI_EXIT_BITMAP0 + i * VMCS_EOI_EXIT_STRIDE, 0);
	}
	vmcs_write(VMCS_GUEST_INTR_STATUS, 0);
	if (vmx_caps.posted) {
		vmcs_write(VMCS_POSTED_INTR_NV, VEC_POSTED);
		vmcs_write(VMCS_POSTED_INTR_DESC, (uint64_t)(uintptr_t)&s->pi);
	}
}

/*
 * virt_ops.post_vector, on the sender's CPU. The target's vlapic already
 * chose it (routing, logical and broadcast destinations included) and set
 * the TMR bit. A committed signal is the notification vector with posted
 * interrupts (the CPU merges the PIR in guest mode, no exit), else a kick
 * (the target exits and takes the PIR before it enters again).
 */
enum post_result vmx_post_vector(struct vcpu *v, uint8_t vector)
{
	struct vmx_vcpu *s = v->arch;

	switch (vmx_pi_post(&s->pi, vector)) {
	case VMX_PI_OUTSIDE:
		return POST_WAKE;
	case VMX_PI_COVERED:
		return POST_PENDING;
	case VMX_PI_SIGNAL:
		break;
	}
	if (!vmx_caps.posted)
		return POST_KICK;
	lapic_send_ipi(percpu[v->pcpu].apic_id, VEC_POSTED);
	return POST_NOTIFIED;
}

/* Owner in the host: the PIR into the vlapic's IRR, unless a notification
 * on its way will do it in guest mode. */
static bool pi_fold(struct vcpu *v)
{
	struct vmx_vcpu *s = v->arch;
	uint64_t pir[VMX_PI_PIR_WORDS];

	if (!vmx_pi_take(&s->pi, &s->pio, pi_host_irqs(), pir))
		return false;
	if (pir[0] | pir[1] | pir[2] | pir[3])
		vlapic_accept_posted(v->vlapic, pir);
	return true;
}

/* virt_ops.sync_irr: before a wake-up decision (HLT) and INIT. */
void vmx_sync_irr(struct vcpu *v)
{
	pi_fold(v);
}

/* Right after every VM exit: posts stop signalling (SN). */
void vmx_apicv_after_exit(struct vcpu *v)
{
	struct vmx_vcpu *s = v->arch;

	vmx_pi_exit(&s->pi, &s->pio, pi_host_irqs());
}

/*
 * Right before every VM entry (SDM 27.3.2.5: entry evaluates pending
 * virtual interrupts from RVI): take what was posted while the vCPU was
 * in the host and clear SN, so that anything posted from now on is
 * notified and merged by the CPU; then RVI/SVI from the page, and the
 * EOI-exit bitmaps from the TMR, so that only EOIs of level-triggered
 * vectors exit (and a parked periodic timer's, vlapic.h).
 */
void vmx_apicv_before_entry(struct vcpu *v)
{
	struct vmx_vcpu *s = v->arch;
	struct vlapic *vl = v->vlapic;
	uint64_t eoi[VMX_EOI_EXIT_WORDS];
	int parked;

	do
		pi_fold(v);
	while (!vmx_pi_enter(&s->pi, &s->pio));
	vmx_eoi_exit_bitmap(vlapic_page(vl), eoi);
	parked = vlapic_timer_parked_vector(vl);
	if (parked >= 0)
		eoi[parked / 64] |= 1ull << (parked % 64);
	for (unsigned int i = 0; i < VMX_EOI_EXIT_WORDS; i++) {
		if (eoi[i] == s->eoi_exit[i])
			continue;
		s->eoi_exit[i] = eoi[i];
		vmcs_write(VMCS_EOI_EXIT_BITMAP0 + i * VMCS_EOI_EXIT_STRIDE,
			   eoi[i]);
	}
	vmcs_write(VMCS_GUEST_INTR_STATUS,
		   vmx_guest_intr_status(vlapic_highest_irr(vl),
					 vlapic_highest_isr(vl)));
}

/*
 * virt_ops.deliver_events (SDM 30.2): the CPU delivers fixed interrupts
 * from the page itself (vmx_apicv_before_entry programs RVI right before
 * the entry), so nothing goes through the entry interruption field here
 * (NMIs have their own window, vmx_set_nmi_window).
 */
void vmx_deliver_events(struct vcpu *v)
{
}
