/* SPDX-License-Identifier: MIT */
/*
 * Internal interface of the SVM backend, the mirror image of vmx.h:
 * svm.c (probe, enable, NPT, ops), vmcb.c (VMCB set-up, guest state),
 * svm_exit.c (VMRUN, exit decoding, events), svm_avic.c (pure AVIC
 * helpers), svm_entry.S.
 *
 * A VMCB is only touched on its vCPU's own CPU (vmm/vcpu.c), except the
 * AVIC physical-table entry, which senders read (svm_post_irq).
 */
#ifndef X2HV_ARCH_X86_SVM_SVM_H
#define X2HV_ARCH_X86_SVM_SVM_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/percpu.h"
#include "arch/x86/svm/svm_avic.h"
#include "arch/x86/svm/svm_insn.h"
#include "arch/x86/svm/svm_step.h"
#include "arch/x86/svm/vmcb.h"
#include "include/debug.h"
#include "vmm/vm.h"

struct vcpu;

/* CPUID Fn8000_000A_EDX (APM vol. 3 appendix E.4.9). */
#define SVM_F_NPT (1u << 0)
#define SVM_F_NRIP (1u << 3)
#define SVM_F_VMCB_CLEAN (1u << 5)
#define SVM_F_FLUSH_ASID (1u << 6)
#define SVM_F_DECODE (1u << 7)
#define SVM_F_PAUSE_FILTER (1u << 10)
#define SVM_F_AVIC (1u << 13)
#define SVM_F_VGIF (1u << 16)
#define SVM_F_X2AVIC (1u << 18)

/* Per-vCPU AVIC state, embedded in struct svm_vcpu. */
struct avic_vcpu {
	uint64_t *entry; /* this vCPU's physical-table entry; NULL: off */
	uint64_t *phys_table; /* the VM's table (shared by its vCPUs) */
	void *logical_table; /* the VM's zeroed logical table */
};

struct svm_vcpu {
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	struct avic_vcpu avic; /* avic.entry NULL: AVIC not in use */
	struct svm_step step; /* single-step of one instruction */
	/* NMI blocking (svm_event.c): an injected NMI is in service until
	 * the guest's next IRET has completed, which x2hv sees as the
	 * single-step #DB it arms at the IRET intercept. */
	bool nmi_masked;
	bool nmi_singlestep; /* TF set by x2hv on that IRET */
	uint64_t ss_rflags; /* the guest's TF and RF before */
	uint64_t ss_dr6; /* the guest's DR6 before */
	uint8_t insn; /* enum svm_insn of the current exit (no NRIP) */
	/* the last ones found, by address (svm_insn.c) */
	struct svm_insn_cache icache[SVM_INSN_CACHE];
	/* The vector offered through V_IRQ, in the vlapic's ISR until
	 * svm_irq_settle; -1: none (svm_event.c). */
	int16_t virq;
};

struct svm_cpu {
	void *hsave;
	struct vmcb *host_vmcb;
};

/* CPUID Fn8000_000A_EDX of CPU 0, and the policy chosen from it. */
extern uint32_t svm_features;
extern uint8_t *svm_iopm, *svm_msrpm; /* shared by every VMCB */
/* x2AVIC in use for every vCPU (set once on CPU 0, docs/avic.md). */
extern bool svm_avic;
/* Without AVIC, interrupts go in through V_IRQ (svm_event.c) unless
 * svm_inject=eventinj; set once on CPU 0. */
extern bool svm_virq;

/* What svm_fast_exit made of an exit (svm_fast.c). */
enum svm_fast {
	SVM_FAST_NO, /* not one of its exits: svm_run decodes it */
	SVM_FAST_DONE, /* handled; the run loop has requests to serve */
	SVM_FAST_AGAIN, /* handled; svm_enter enters the guest again */
};

/* svm_entry.S: enter @v until svm_fast_exit says other than AGAIN. */
enum svm_fast svm_enter(struct vcpu *v, struct vmcb *vmcb, uint64_t host_pa);
/* svm_fast.c, called by svm_enter after each exit with GIF still clear. */
enum svm_fast svm_fast_exit(struct vcpu *v);
/* The instruction after its VMRUN (idt_ignore_db_at). */
extern const char svm_vmrun_return[];

/*
 * Set up AVIC for @v (vCPU 0 allocates the VM's tables, the others find
 * them through vCPU 0, which vm.c creates first, on CPU 0): fill the
 * vCPU's physical-table entry and the VMCB fields. 0 or -1 (out of memory,
 * host APIC ID too wide, too many vCPUs).
 */
int vmcb_setup_avic(struct vcpu *v, struct vmcb *vmcb, struct avic_vcpu *a);
/* Right before VMRUN / right after #VMEXIT, host interrupts off. */
void svm_avic_load(struct avic_vcpu *a);
void svm_avic_put(struct vcpu *v, struct avic_vcpu *a);
/* virt_ops.post_irq: ring the doorbell if @a's vCPU is in guest mode. */
bool avic_post_irq(struct avic_vcpu *a);
/* svm.c: the AVIC state of any vCPU of the VM (its struct svm_vcpu). */
struct avic_vcpu *svm_avic_of(struct vcpu *v);

/* @v's VMCB, which only @v's CPU touches once @v runs (debug builds
 * ASSERT it). */
static inline struct vmcb *vmcb_of(struct vcpu *v)
{
	ASSERT(v->pcpu == this_cpu()->cpu);
	return ((struct svm_vcpu *)v->arch)->vmcb;
}

/* vmcb.c */
int svm_vcpu_init(struct vcpu *v);
void svm_set_state(struct vcpu *v, const struct vcpu_state *s);
void svm_get_state(struct vcpu *v, struct vcpu_state *s);
uint64_t svm_get_reg(struct vcpu *v, enum vreg r);
void svm_set_reg(struct vcpu *v, enum vreg r, uint64_t val);

/* svm_exit.c */
void svm_run(struct vcpu *v);
void svm_skip_insn(struct vcpu *v);
void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_err,
			  uint32_t err);
bool svm_irq_injectable(struct vcpu *v);
void svm_inject_irq(struct vcpu *v, uint8_t vector);
void svm_inject_nmi(struct vcpu *v);
void svm_set_irq_window(struct vcpu *v, bool on);
/* svm_event.c: without AVIC, virt_ops.deliver_events (V_IRQ), and after
 * each #VMEXIT (@ran) or to withdraw it, whether the guest took it. */
void svm_offer_irq(struct vcpu *v);
void svm_irq_unoffer(struct vcpu *v, bool ran);

/* svm_offer_irq with nothing offered (s->virq < 0): the vlapic's
 * highest deliverable vector, if any, in service and in V_IRQ. */
static inline void svm_offer_pending(struct vcpu *v, struct svm_vcpu *s,
				     struct vmcb *c)
{
	int vec = vlapic_take_pending(v->vlapic);

	if (vec < 0)
		return;
	s->virq = (int16_t)vec;
	c->vintr |= SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR |
		    ((uint64_t)(vec >> 4) << SVM_VINTR_PRIO_SHIFT) |
		    ((uint64_t)vec << SVM_VINTR_VECTOR_SHIFT);
}

/*
 * After an exit that cut no event short: the CPU clears V_IRQ when it
 * takes the virtual interrupt, and then the offer is only forgotten (the
 * exit after every interrupt, its EOI, comes here); else it goes back to
 * the IRR. Inline for that common case.
 */
static inline void svm_irq_settle_ran(struct vcpu *v, struct svm_vcpu *s,
				      struct vmcb *c)
{
	if (s->virq < 0)
		return;
	if (c->vintr & SVM_VINTR_V_IRQ) {
		svm_irq_unoffer(v, true);
		return;
	}
	s->virq = -1;
	c->vintr &= ~SVM_VINTR_IRQ_FIELDS;
}

/*
 * After #VMEXIT (@ran), or to withdraw an offer before VMRUN. If the exit
 * cut its delivery short, EXITINTINFO holds it (type INTR, APM 15.7.2):
 * not taken either, so it goes back to the IRR to be offered again rather
 * than re-injected (svm_run).
 */
static inline void svm_irq_settle(struct vcpu *v, bool ran)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = s->vmcb;
	bool cut = (c->exitintinfo & SVM_EVT_VALID) &&
		   (c->exitintinfo & SVM_EVT_TYPE_MASK) == SVM_EVT_TYPE_INTR;

	if (ran && !cut)
		svm_irq_settle_ran(v, s, c);
	else if (s->virq >= 0)
		svm_irq_unoffer(v, ran);
}

/* svm_event.c: give an intercepted #DB or #AC to the guest. */
enum exit_action svm_reflect_exception(struct vcpu *v);
bool svm_nmi_injectable(struct vcpu *v);
void svm_set_nmi_window(struct vcpu *v, bool on);
enum exit_action svm_iret_exit(struct vcpu *v);
/* svm_cr.c: MOV to CR4 and CR8. */
enum exit_action svm_cr_access(struct vcpu *v);

/*
 * MOV from CR8 reads V_TPR (V_INTR_MASKING, APM vol. 2 15.21.1): the
 * vlapic's TPR, loaded before each VMRUN. Writes to CR8 are intercepted
 * (svm_cr.c), so V_TPR changes only here: rewritten only when the TPR
 * moved. x2AVIC keeps it in the backing page instead.
 */
static inline void svm_tpr_load(struct vcpu *v)
{
	struct vmcb *c = ((struct svm_vcpu *)v->arch)->vmcb;
	uint8_t tpr = vcpu_read_cr8(v) & SVM_VINTR_TPR_MASK;

	if ((c->vintr & SVM_VINTR_TPR_MASK) == tpr)
		return;
	c->vintr = (c->vintr & ~SVM_VINTR_TPR_MASK) | tpr;
}

enum exit_action svm_handle_exit(struct vcpu *v);
/* virt_ops.single_step and flush_tlb (svm_step.h, vmm/empty_bus.h). */
bool svm_single_step(struct vcpu *v, bool on);
void svm_flush_tlb(struct vcpu *v);
/* x2AVIC (svm_avic): virt_ops.deliver_events and post_irq. */
void svm_deliver_events(struct vcpu *v);
bool svm_post_irq(struct vcpu *v);

#endif
