// SPDX-License-Identifier: MIT
/*
 * The VMCB (AMD APM vol. 2 15.5 and appendix B): intercepts and controls
 * at vCPU creation, guest state to and from struct vcpu_state, single
 * registers for the exit handlers.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/svm_avic.h"
#include "arch/x86/svm/svm_intercepts.h"
#include "arch/x86/svm/vmcb.h"
#include "lib/mm.h"
#include "lib/printk.h"
#include "vmm/vm.h"

#define GUEST_ASID 1
#define PAT_DEFAULT 0x0007040600070406ull

int svm_vcpu_init(struct vcpu *v)
{
	struct svm_vcpu *s = obj_try_alloc(sizeof(*s));
	struct vmcb *vmcb;

	if (!s)
		return -1;
	vmcb = page_try_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!vmcb)
		return -1;
	s->vmcb = vmcb;
	s->vmcb_pa = (uint64_t)vmcb;
	s->virq = -1;
	svm_icache_clear(s->icache);
	v->arch = s;

	/* docs/security.md: each intercept and why. */
	vmcb->intercept_exc = SVM_EXC_INTERCEPTS;
	vmcb->intercept_cr = SVM_CR_INTERCEPTS;
	vmcb->intercept_dr = SVM_DR_INTERCEPTS;
	vmcb->intercept1 = SVM_I1_INTERCEPTS;
	vmcb->intercept2 = SVM_I2_INTERCEPTS;
	vmcb->iopm_pa = (uint64_t)svm_iopm;
	vmcb->msrpm_pa = (uint64_t)svm_msrpm;
	vmcb->asid = GUEST_ASID;
	vmcb->tlb_control = SVM_TLB_FLUSH_ALL;
	/* Physical interrupts exit regardless of the guest's RFLAGS.IF. */
	vmcb->vintr = SVM_VINTR_MASKING;
	vmcb->np_ctl = 1;
	vmcb->n_cr3 = v->vm->npt_pa;
	vmcb->g_pat = PAT_DEFAULT;
	if (svm_avic)
		return vmcb_setup_avic(v, vmcb, &s->avic);
	return 0;
}

struct avic_vcpu *svm_avic_of(struct vcpu *v)
{
	return &((struct svm_vcpu *)v->arch)->avic;
}

static void svm_seg_write(struct vmcb_seg *d, const struct seg *s)
{
	d->sel = s->sel;
	d->attr = s->attr;
	d->limit = s->limit;
	d->base = s->base;
}

static void svm_seg_read(struct seg *d, const struct vmcb_seg *s)
{
	d->sel = s->sel;
	d->attr = s->attr;
	d->limit = s->limit;
	d->base = s->base;
}

void svm_set_state(struct vcpu *v, const struct vcpu_state *st)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = vmcb_of(v);

	c->rip = st->rip;
	c->rsp = st->rsp;
	c->rflags = st->rflags | RFLAGS_FIXED;
	c->cr0 = st->cr0;
	c->cr2 = st->cr2;
	c->cr3 = st->cr3;
	c->cr4 = st->cr4;
	/* VMRUN requires EFER.SVME in the guest state (APM 15.5.1); the
	 * guest never sees it (vmm/msr.c). */
	c->efer = st->efer | EFER_SVME;
	svm_seg_write(&c->cs, &st->cs);
	svm_seg_write(&c->ds, &st->ds);
	svm_seg_write(&c->es, &st->es);
	svm_seg_write(&c->fs, &st->fs);
	svm_seg_write(&c->gs, &st->gs);
	svm_seg_write(&c->ss, &st->ss);
	svm_seg_write(&c->tr, &st->tr);
	svm_seg_write(&c->ldtr, &st->ldtr);
	svm_seg_write(&c->gdtr, &st->gdtr);
	svm_seg_write(&c->idtr, &st->idtr);
	c->cpl = (st->cr0 & CR0_PE) ? (st->ss.attr >> 5) & 3 : 0;
	c->dr7 = 0x400;
	c->dr6 = 0xffff0ff0;
	c->eventinj = 0;
	c->int_state = 0;
	/* INIT and reset empty the vlapic: no offer stands (svm_event.c). */
	c->vintr &= ~SVM_VINTR_IRQ_FIELDS;
	s->virq = -1;
	c->intercept1 &= ~(SVM_I1_VINTR | SVM_I1_IRET);
	s->nmi_masked = false; /* INIT and reset unblock NMIs */
	s->nmi_singlestep = false;
	c->tlb_control = SVM_TLB_FLUSH_ALL;
}

void svm_get_state(struct vcpu *v, struct vcpu_state *st)
{
	struct vmcb *c = vmcb_of(v);

	st->rip = c->rip;
	st->rsp = c->rsp;
	st->rflags = c->rflags;
	st->cr0 = c->cr0;
	st->cr2 = c->cr2;
	st->cr3 = c->cr3;
	st->cr4 = c->cr4;
	st->efer = c->efer & ~EFER_SVME;
	svm_seg_read(&st->cs, &c->cs);
	svm_seg_read(&st->ds, &c->ds);
	svm_seg_read(&st->es, &c->es);
	svm_seg_read(&st->fs, &c->fs);
	svm_seg_read(&st->gs, &c->gs);
	svm_seg_read(&st->ss, &c->ss);
	svm_seg_read(&st->tr, &c->tr);
	svm_seg_read(&st->ldtr, &c->ldtr);
	svm_seg_read(&st->gdtr, &c->gdtr);
	svm_seg_read(&st->idtr, &c->idtr);
}

uint64_t svm_get_reg(struct vcpu *v, enum vreg r)
{
	struct vmcb *c = vmcb_of(v);

	switch (r) {
	case VREG_RIP:
		return c->rip;
	case VREG_RSP:
		return c->rsp;
	case VREG_RFLAGS:
		return c->rflags;
	case VREG_CR0:
		return c->cr0;
	case VREG_CR3:
		return c->cr3;
	case VREG_CR4:
		return c->cr4;
	case VREG_EFER:
		return c->efer & ~EFER_SVME;
	case VREG_PAT:
		return c->g_pat;
	case VREG_CPL:
		return c->cpl;
	case VREG_CS_L:
		return (c->cs.attr & SVM_SEG_ATTR_L) != 0;
	case VREG_TSC_OFFSET:
		return c->tsc_offset;
	case VREG_CR2:
		return c->cr2;
	}
	return 0;
}

void svm_set_reg(struct vcpu *v, enum vreg r, uint64_t val)
{
	struct vmcb *c = vmcb_of(v);

	switch (r) {
	case VREG_RIP:
		c->rip = val;
		break;
	case VREG_RSP:
		c->rsp = val;
		break;
	case VREG_RFLAGS:
		c->rflags = val | RFLAGS_FIXED;
		break;
	case VREG_CR0:
		c->cr0 = val;
		break;
	case VREG_CR3:
		c->cr3 = val;
		break;
	case VREG_CR4:
		c->cr4 = val;
		break;
	case VREG_EFER:
		/* LMA follows LME while paging is on (APM 14.6.2). */
		if ((c->cr0 & CR0_PG) && (val & EFER_LME))
			val |= EFER_LMA;
		c->efer = val | EFER_SVME;
		break;
	case VREG_PAT:
		c->g_pat = val;
		break;
	case VREG_CPL:
	case VREG_CS_L:
		break;
	case VREG_TSC_OFFSET:
		c->tsc_offset = val;
		break;
	case VREG_CR2:
		c->cr2 = val;
		break;
	}
}

int vmcb_setup_avic(struct vcpu *v, struct vmcb *vmcb, struct avic_vcpu *a)
{
	struct vm *vm = v->vm;
	uint32_t host_id = percpu[v->pcpu].apic_id;
	uint64_t entry, table;

	/* The CPU accepts and EOIs edge interrupts from the backing page
	 * without an exit: a parked periodic timer would never hear that
	 * its vector was taken. Keep the period floor only. */
	vlapic_timer_policy(v->vlapic, v->vlapic->timer_min_period, false);

	if (v->id == 0) {
		a->phys_table = page_try_alloc(PAGE_SIZE, PAGE_SIZE);
		a->logical_table = page_try_alloc(PAGE_SIZE, PAGE_SIZE);
		/* Zeroed: every entry invalid until its vCPU fills it. */
		if (!a->phys_table || !a->logical_table)
			return -1;
	} else {
		struct avic_vcpu *a0 = svm_avic_of(vm->vcpus[0]);

		a->phys_table = a0->phys_table;
		a->logical_table = a0->logical_table;
	}
	/* The guest physical APIC ID is the vCPU index (vmm/vm.h); memory
	 * is identity-mapped, so pointers are physical addresses. */
	entry = avic_phys_entry((uint64_t)vlapic_page(v->vlapic), host_id);
	table = avic_physical_table_field((uint64_t)a->phys_table,
					  vm->nr_vcpus - 1);
	if (!entry || !table || v->id >= vm->nr_vcpus) {
		pr_err("vm%u: vcpu%u: AVIC cannot describe host APIC ID %u",
		       vm->id, v->id, host_id);
		return -1;
	}
	a->entry = &a->phys_table[v->id];
	__atomic_store_n(a->entry, entry, __ATOMIC_SEQ_CST);

	vmcb->avic_apic_bar = avic_page_field(AVIC_GUEST_APIC_BAR);
	vmcb->avic_backing_pa = avic_page_field(avic_phys_backing(entry));
	vmcb->avic_logical_pa = avic_page_field((uint64_t)a->logical_table);
	vmcb->avic_physical_pa = table;
	vmcb->vintr = avic_vintr(vmcb->vintr, true);
	return 0;
}
