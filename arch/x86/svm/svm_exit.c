// SPDX-License-Identifier: MIT
/*
 * SVM guest entry and exit (AMD APM vol. 2 15.5-15.7, 15.29): VMRUN, exit
 * decoding into struct vm_exit, event injection and re-injection, and the
 * AVIC glue around them. Every function runs on the vCPU's own CPU, but
 * svm_post_irq, which runs on the sender's.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/svm_avic.h"
#include "arch/x86/svm/svm_insn.h"
#include "arch/x86/svm/vmcb.h"
#include "lib/printk.h"
#include "vmm/vm.h"

#define NPF_PRESENT (1ull << 0)
#define NPF_WRITE (1ull << 1)
#define NPF_FETCH (1ull << 4)

/* A neutral reason and, for CPUs without NRIP, which instruction was
 * intercepted, to find its length from its bytes (svm_insn.c). */
struct svm_exit_kind {
	uint8_t reason;
	uint8_t insn; /* enum svm_insn */
};

/*
 * EXITCODE (APM vol. 2 appendix C) -> vendor-neutral reason. What is not
 * listed is EXIT_UNKNOWN, which stops the VM with a dump. Only the exits
 * with operands need code (svm_decode_operands).
 */
static const struct svm_exit_kind svm_exits[SVM_EXIT_CODES] = {
	[SVM_EXIT_CR4_WRITE] = { EXIT_CR_ACCESS, SVM_INSN_MOV_TO_CR },
	[SVM_EXIT_CR8_WRITE] = { EXIT_CR_ACCESS, SVM_INSN_MOV_TO_CR },
	[SVM_EXIT_EXC_BASE... SVM_EXIT_EXC_BASE + 31] = { EXIT_EXCEPTION, 0 },
	[SVM_EXIT_INTR] = { EXIT_INTR, 0 },
	[SVM_EXIT_NMI] = { EXIT_NMI, 0 },
	[SVM_EXIT_SMI] = { EXIT_SMI, 0 },
	[SVM_EXIT_INIT] = { EXIT_INIT, 0 },
	[SVM_EXIT_VINTR] = { EXIT_INTR_WINDOW, 0 },
	[SVM_EXIT_CPUID] = { EXIT_CPUID, SVM_INSN_CPUID },
	[SVM_EXIT_RSM] = { EXIT_VIRT_INSN, 0 }, /* #UD outside SMM */
	[SVM_EXIT_IRET] = { EXIT_IRET, 0 }, /* before it executes */
	[SVM_EXIT_INVD] = { EXIT_INVD, SVM_INSN_INVD },
	[SVM_EXIT_PAUSE] = { EXIT_PAUSE, SVM_INSN_PAUSE },
	[SVM_EXIT_HLT] = { EXIT_HLT, SVM_INSN_HLT },
	[SVM_EXIT_INVLPGA] = { EXIT_VIRT_INSN, 0 },
	[SVM_EXIT_IOIO] = { EXIT_IO, 0 }, /* length from EXITINFO2 */
	[SVM_EXIT_MSR] = { EXIT_RDMSR, SVM_INSN_RDMSR }, /* or EXIT_WRMSR */
	[SVM_EXIT_TASK_SWITCH] = { EXIT_TASK_SWITCH, 0 },
	[SVM_EXIT_SHUTDOWN] = { EXIT_SHUTDOWN, 0 },
	[SVM_EXIT_VMRUN] = { EXIT_VIRT_INSN, 0 },
	[SVM_EXIT_VMMCALL] = { EXIT_HYPERCALL, SVM_INSN_VMMCALL },
	[SVM_EXIT_VMLOAD] = { EXIT_VIRT_INSN, 0 },
	[SVM_EXIT_VMSAVE] = { EXIT_VIRT_INSN, 0 },
	[SVM_EXIT_STGI] = { EXIT_VIRT_INSN, 0 },
	[SVM_EXIT_CLGI] = { EXIT_VIRT_INSN, 0 },
	[SVM_EXIT_SKINIT] = { EXIT_VIRT_INSN, 0 },
	[SVM_EXIT_MONITOR] = { EXIT_VIRT_INSN, 0 },
	[SVM_EXIT_MWAIT] = { EXIT_VIRT_INSN, 0 },
	[SVM_EXIT_MWAIT_COND] = { EXIT_VIRT_INSN, 0 },
	[SVM_EXIT_XSETBV] = { EXIT_XSETBV, SVM_INSN_XSETBV },
	[SVM_EXIT_RDPRU] = { EXIT_VIRT_INSN, 0 },
	[SVM_EXIT_NPF] = { EXIT_NPF, 0 },
	[SVM_EXIT_AVIC_IPI] = { EXIT_AVIC_IPI, 0 },
	[SVM_EXIT_AVIC_NOACCEL] = { EXIT_AVIC_NOACCEL, 0 },
};

/* Vectors that push an error code (APM vol. 2, 8.2). */
static bool exc_has_err(uint8_t vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 ||
	       vector == 21 || vector == 29 || vector == 30;
}

/* The exits that carry operands in EXITINFO1/2. */
static void svm_decode_operands(struct vm_exit *e, struct vmcb *c)
{
	switch (e->reason) {
	case EXIT_RDMSR:
		if (c->exitinfo1)
			e->reason = EXIT_WRMSR;
		break;
	case EXIT_CR_ACCESS: /* MOV to CR4 or CR8: svm_cr.c */
		e->qual = c->exitinfo1;
		break;
	case EXIT_IO:
		e->io.port = c->exitinfo1 >> SVM_IO_PORT_SHIFT;
		/* SZ8/SZ16/SZ32 are one-hot bits 4-6: 1, 2, 4 bytes. */
		e->io.size = (c->exitinfo1 >> SVM_IO_SZ_SHIFT) & 7;
		e->io.in = c->exitinfo1 & SVM_IO_IN;
		e->io.string = c->exitinfo1 & SVM_IO_STR;
		e->io.rep = c->exitinfo1 & SVM_IO_REP;
		/* EXITINFO2 is the next RIP for IOIO (APM 15.10.2). */
		e->insn_len = c->exitinfo2 - c->rip;
		break;
	case EXIT_NPF:
		e->gpa = c->exitinfo2;
		e->npf.present = c->exitinfo1 & NPF_PRESENT;
		e->npf.write = c->exitinfo1 & NPF_WRITE;
		e->npf.fetch = c->exitinfo1 & NPF_FETCH;
		break;
	case EXIT_EXCEPTION:
		e->exc.vector = c->exitcode - SVM_EXIT_EXC_BASE;
		/* EXITINFO1: the error code where the vector has one;
		 * EXITINFO2: #PF's address (APM 15.12). */
		e->exc.has_err = exc_has_err(e->exc.vector);
		e->exc.err = (uint32_t)c->exitinfo1;
		e->exc.cr2 = c->exitinfo2;
		break;
	default:
		break;
	}
}

/* EXITINTINFO names the very exception whose intercept this exit is. */
static bool svm_exc_is_own_event(const struct vmcb *c)
{
	uint64_t vec = c->exitintinfo & SVM_EVT_VECTOR_MASK;

	return (c->exitintinfo & SVM_EVT_TYPE_MASK) == SVM_EVT_TYPE_EXC &&
	       c->exitcode == SVM_EXIT_EXC_BASE + vec;
}

/*
 * An event whose delivery the exit cut short goes in again at the next
 * entry (APM 15.7.2); not the intercepted exception itself, which Bochs
 * 3.0 also reports there, nor a virtual interrupt (svm_virq), which
 * svm_irq_settle put back in the IRR.
 */
static uint64_t svm_cut_event(const struct vmcb *c)
{
	if (!(c->exitintinfo & SVM_EVT_VALID) || svm_exc_is_own_event(c))
		return 0;
	if (svm_virq &&
	    (c->exitintinfo & SVM_EVT_TYPE_MASK) == SVM_EVT_TYPE_INTR)
		return 0;
	return c->exitintinfo;
}

static void svm_decode(struct vcpu *v, struct vmcb *c)
{
	struct svm_vcpu *s = v->arch;
	struct vm_exit *e = &v->exit;
	uint64_t code = c->exitcode;
	struct svm_exit_kind k = { EXIT_UNKNOWN, SVM_INSN_NONE };

	if (code < SVM_EXIT_CODES) {
		k = svm_exits[code];
		if (!k.reason)
			k.reason = EXIT_UNKNOWN;
		else if (code == SVM_EXIT_MSR && c->exitinfo1)
			k.insn = SVM_INSN_WRMSR; /* EXIT_WRMSR below */
	} else if (code == SVM_EXIT_INVALID ||
		   code == (uint32_t)SVM_EXIT_INVALID) {
		/* VMEXIT_INVALID is -1; QEMU's TCG stores it as 32 bits. */
		k.reason = EXIT_INVALID_STATE;
	}
	/* Only the fields of this exit's kind are written: no memset on
	 * the hot path. */
	e->reason = k.reason;
	e->hw_reason = code;
	e->qual = c->exitinfo1;
	e->info2 = c->exitinfo2;
	e->gpa = 0;
	e->insn_len = 0;
	e->delivering = (c->exitintinfo & SVM_EVT_VALID) &&
			!svm_exc_is_own_event(c);
	s->insn = k.insn;
	/* With NRIP the CPU gives the length; without it the cache of the
	 * last instructions found may, else svm_skip_insn finds it from
	 * the instruction's bytes (svm_insn.c). */
	if ((svm_features & SVM_F_NRIP) && c->nrip > c->rip)
		e->insn_len = c->nrip - c->rip;
	else if (k.insn != SVM_INSN_NONE)
		e->insn_len = svm_icache_len(s->icache, c);
	svm_decode_operands(e, c);
}

void svm_run(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = s->vmcb;
	struct svm_cpu *pc = this_cpu()->virt;
	enum svm_step_decode st;

	ASSERT(v->pcpu == this_cpu()->cpu);
	do {
		if (s->avic.entry)
			svm_avic_load(&s->avic);
		else
			svm_tpr_load(v);
		/* The hottest exits end inside (svm_fast.c). */
		if (svm_enter(v, c, (uint64_t)pc->host_vmcb) == SVM_FAST_DONE) {
			v->exit.reason = EXIT_HANDLED;
			return;
		}
		if (s->avic.entry)
			svm_avic_put(v, &s->avic);
		else if (s->virq >= 0) /* only V_IRQ offers (svm_virq) */
			svm_irq_settle(v, true);
		c->tlb_control = 0;
		c->eventinj = svm_cut_event(c);
		st = s->step.armed ? svm_step_decode(c, &s->step, &v->exit) :
				     SVM_STEP_NOT_MINE;
	} while (st == SVM_STEP_REENTER);
	if (st == SVM_STEP_DECODED) {
		v->exit.hw_reason = c->exitcode;
		v->exit.qual = c->exitinfo1;
		return;
	}
	svm_decode(v, c);
}

bool svm_single_step(struct vcpu *v, bool on)
{
	struct svm_vcpu *s = v->arch;

	svm_step_arm(vmcb_of(v), &s->step, on);
	return true;
}

void svm_flush_tlb(struct vcpu *v)
{
	/* This guest's ASID only where the CPU can (APM 15.16.1). */
	vmcb_of(v)->tlb_control = svm_features & SVM_F_FLUSH_ASID ?
					  SVM_TLB_FLUSH_ASID :
					  SVM_TLB_FLUSH_ALL;
}

/*
 * With x2AVIC the CPU takes interrupts from the backing page (the vlapic
 * page) at VMRUN and while the guest runs: nothing is injected through
 * EVENTINJ and the V_IRQ window is unused (avic_vintr). NMIs and
 * exceptions still go through EVENTINJ (vmm/vcpu.c).
 */
void svm_deliver_events(struct vcpu *v)
{
	svm_set_irq_window(v, false);
}

bool svm_post_irq(struct vcpu *v)
{
	return avic_post_irq(&((struct svm_vcpu *)v->arch)->avic);
}

/*
 * IsRunning is the hand-off with senders (APM 15.29, "Interrupt
 * Delivery"): a sender sets the IRR bit, then reads IsRunning; this CPU
 * sets IsRunning, then VMRUN scans the IRR. Both sides need a full
 * barrier between their store and their load, or an interrupt could be
 * left in the IRR with no doorbell and no kick: the sender's IRR update
 * is a locked RMW (vlapic_set_irq), the store here is a SEQ_CST store
 * (XCHG). Only the owner CPU writes its entry.
 */
void svm_avic_load(struct avic_vcpu *a)
{
	uint64_t e = __atomic_load_n(a->entry, __ATOMIC_RELAXED);

	__atomic_store_n(a->entry, avic_phys_set_running(e, true),
			 __ATOMIC_SEQ_CST);
}

void svm_avic_put(struct vcpu *v, struct avic_vcpu *a)
{
	uint64_t e = __atomic_load_n(a->entry, __ATOMIC_RELAXED);

	/* Cleared before anything reads the IRR (wake-up check, HLT):
	 * from here on senders kick instead of ringing the doorbell. */
	__atomic_store_n(a->entry, avic_phys_set_running(e, false),
			 __ATOMIC_SEQ_CST);
	/* The CPU changed TPR and ISR in the page; keep PPR in step for
	 * vlapic_pending() (vlapic.h: after hardware changed either). */
	vlapic_update_ppr(v->vlapic);
}

bool avic_post_irq(struct avic_vcpu *a)
{
	uint64_t e = __atomic_load_n(a->entry, __ATOMIC_SEQ_CST);

	if (!avic_phys_is_running(e))
		return false;
	/* If the target left guest mode meanwhile the doorbell is ignored
	 * and its next VMRUN (or the wake-up check) sees the IRR bit. */
	wrmsr(AVIC_MSR_DOORBELL, avic_phys_host_id(e));
	return true;
}

static bool avic_incomplete_ipi(struct vcpu *v)
{
	struct avic_ipi_exit x;
	uint32_t targets;

	avic_decode_ipi_exit(v->exit.qual, v->exit.info2, &x);
	switch (avic_ipi_action(x.cause)) {
	case AVIC_ACT_EMULATE:
		/* Trap-like: the WRMSR has retired. A value the vlapic
		 * refuses (reserved bits) can no longer #GP: dropped. */
		vlapic_wrmsr(v->vlapic, X2APIC_MSR(APIC_ICR), x.icr);
		return true;
	case AVIC_ACT_KICK:
		targets = avic_ipi_targets(x.icr, v->id, v->vm->nr_vcpus);
		for (unsigned int i = 0; i < v->vm->nr_vcpus; i++)
			if ((targets >> i) & 1 && i != v->id)
				vcpu_kick(v->vm->vcpus[i]);
		return true;
	case AVIC_ACT_FAIL:
		break;
	}
	pr_err("vm%u: vcpu%u: AVIC incomplete IPI, cause %u, ICR %lx",
	       v->vm->id, v->id, x.cause, x.icr);
	return false;
}

static bool avic_noaccel(struct vcpu *v)
{
	struct avic_noaccel_exit x;

	avic_decode_noaccel_exit(v->exit.qual, v->exit.info2, &x);
	/*
	 * With the MSR map above the only expected one is the EOI of a
	 * level-triggered interrupt (trap-like): the vlapic does the EOI
	 * (ISR, PPR, EOI broadcast). Any other register is intercepted, so
	 * reaching here means the policy and the hardware disagree.
	 */
	if (x.write && x.trap && x.offset == APIC_EOI) {
		vlapic_wrmsr(v->vlapic, X2APIC_MSR(APIC_EOI), 0);
		return true;
	}
	pr_err("vm%u: vcpu%u: AVIC unaccelerated %s of MSR %x (vector %u)",
	       v->vm->id, v->id, x.write ? "write" : "read", x.msr, x.vector);
	return false;
}

/* The AVIC exits (APM 15.29.9), mirror of vmx_apicv_exit. */
static enum exit_action svm_avic_exit(struct vcpu *v)
{
	bool ok;

	switch (v->exit.reason) {
	case EXIT_AVIC_IPI:
		ok = avic_incomplete_ipi(v);
		break;
	case EXIT_AVIC_NOACCEL:
		ok = avic_noaccel(v);
		break;
	default:
		ok = false;
		break;
	}
	return ok ? ACT_RESUME : ACT_STOP;
}

/* virt_ops.handle_exit: the exits only this backend understands. */
enum exit_action svm_handle_exit(struct vcpu *v)
{
	switch (v->exit.reason) {
	case EXIT_EXCEPTION:
		return svm_reflect_exception(v);
	case EXIT_IRET:
		return svm_iret_exit(v);
	case EXIT_CR_ACCESS:
		return svm_cr_access(v);
	case EXIT_AVIC_IPI:
	case EXIT_AVIC_NOACCEL:
		return svm_avic ? svm_avic_exit(v) : ACT_STOP;
	default:
		return ACT_STOP;
	}
}
