// SPDX-License-Identifier: MIT
/*
 * AMD SVM backend (AMD APM vol. 2 ch. 15): VMCB set-up, VMRUN, exit
 * decoding into struct vm_exit, event injection. NPT is required.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/nested_pt.h"
#include "arch/x86/percpu.h"
#include "arch/x86/svm/avic.h"
#include "arch/x86/svm/vmcb.h"
#include "lib/mm.h"
#include "vmm/msr_bitmap.h"
#include "lib/printk.h"
#include "vmm/vm.h"

#define MSR_VM_CR 0xc0010114
#define CPUID1_ECX_XSAVE (1u << 26)
#define SEG_ATTR_L_BIT 0x200u /* VMCB attr: L is bit 9 */
#define MSR_VM_HSAVE_PA 0xc0010117
#define VM_CR_SVMDIS (1ull << 4)
#define CPUID_SVM_FEATURES 0x8000000a
#define SVM_F_NPT (1u << 0)
#define SVM_F_NRIP (1u << 3)
#define SVM_F_VMCB_CLEAN (1u << 5)
#define SVM_F_FLUSH_ASID (1u << 6)
#define SVM_F_DECODE (1u << 7)
#define SVM_F_PAUSE_FILTER (1u << 10)
#define SVM_F_AVIC (1u << 13)
#define SVM_F_VGIF (1u << 16)
#define SVM_F_X2AVIC (1u << 18)
#define TLB_FLUSH_ALL 1
#define GUEST_ASID 1
#define PAT_DEFAULT 0x0007040600070406ull
#define NPT_TABLE (1ull | 2ull | 4ull) /* P | RW | US (APM 15.25.5) */
#define NPT_LEAF_LARGE (1ull << 7)
#define INSN_LEN_CPUID 2
#define INSN_LEN_MSR 2
#define INSN_LEN_VMMCALL 3
#define INSN_LEN_HLT 1
#define INSN_LEN_XSETBV 3
#define INSN_LEN_PAUSE 2
#define NPF_PRESENT (1ull << 0)
#define NPF_WRITE (1ull << 1)
#define NPF_FETCH (1ull << 4)
#define RFLAGS_IF_ (1ull << 9)

struct svm_vcpu {
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	struct avic_vcpu avic; /* avic.entry NULL: AVIC not in use */
};

struct svm_cpu {
	void *hsave;
	struct vmcb *host_vmcb;
};

static uint32_t svm_features;
static uint8_t *svm_iopm, *svm_msrpm;
/* x2AVIC in use for every vCPU (set once on CPU 0, docs/avic.md). */
static bool svm_avic;
static const struct virt_ops svm_avic_ops;

extern void svm_enter(struct guest_regs *regs, uint64_t vmcb_pa,
		      uint64_t host_pa);

static struct pt_fmt npt_fmt; /* .gib set on CPU 0, below */

static int svm_cpu_init(void)
{
	struct percpu *p = this_cpu();
	struct svm_cpu *c;

	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		pr_err("cpu%u: SVM is disabled by firmware (VM_CR.SVMDIS)",
		       p->cpu);
		return -1;
	}
	if (p->cpu == 0) {
		svm_features = cpuid(CPUID_SVM_FEATURES, 0).edx;
		pr_info("svm: NPT %s, NRIP %s, decode assists %s, vGIF %s",
			svm_features & SVM_F_NPT ? "yes" : "no",
			svm_features & SVM_F_NRIP ? "yes" : "no",
			svm_features & SVM_F_DECODE ? "yes" : "no",
			svm_features & SVM_F_VGIF ? "yes" : "no");
		pr_info("svm: AVIC %s, x2AVIC %s, VMCB clean bits %s, pause filter %s",
			svm_features & SVM_F_AVIC ? "yes" : "no",
			svm_features & SVM_F_X2AVIC ? "yes" : "no",
			svm_features & SVM_F_VMCB_CLEAN ? "yes" : "no",
			svm_features & SVM_F_PAUSE_FILTER ? "yes" : "no");
		if (!(svm_features & SVM_F_NPT)) {
			pr_err("svm: nested paging (NPT) is required");
			return -1;
		}
		/* NPT takes 1 GiB pages where the host's paging does (APM
		 * vol. 2 15.25.1; CPUID 8000_0001h EDX[26], Page1GB). */
		npt_fmt.gib = cpu_has(CPUID_EXT_FEATURES, CPUID_REG_EDX,
				      CPUID_EXT_EDX_PAGE1GB);
		pr_info("svm: NPT 1G pages %s", npt_fmt.gib ? "yes" : "no");
		svm_iopm = page_alloc(SVM_IOPM_SIZE, PAGE_SIZE);
		memset(svm_iopm, 0xff, SVM_IOPM_SIZE);
		svm_msrpm = page_alloc(SVM_MSRPM_SIZE, PAGE_SIZE);
		/* AVIC only with x2AVIC: guests are x2APIC-only. */
		svm_avic = avic_supported(svm_features) &&
			   avic_msr_bitmap(svm_msrpm) == 0;
		if (!svm_avic)
			msr_bitmap_svm(svm_msrpm, msr_passthrough,
				       msr_passthrough_count);
		pr_info("svm: APIC virtualization: %s",
			svm_avic ? "x2AVIC" : "none (injection)");
		/*
		 * The AVIC variant of the ops differs only in the two APIC
		 * virtualization hooks (vmm/virt.h). Without AVIC nothing
		 * changes: svm_ops, which has neither, stays selected.
		 */
		if (svm_avic)
			virt = &svm_avic_ops;
	}
	c = page_alloc(PAGE_SIZE, PAGE_SIZE);
	c->hsave = page_alloc(PAGE_SIZE, PAGE_SIZE);
	c->host_vmcb = page_alloc(PAGE_SIZE, PAGE_SIZE);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	/* VMRUN does not switch XCR0 either: the guest owns it, and
	 * vmm/exit.c runs XSETBV for the guest, which needs the host's
	 * CR4.OSXSAVE (APM Vol. 3 XSETBV: #UD otherwise). */
	if (cpuid(1, 0).ecx & CPUID1_ECX_XSAVE)
		write_cr4(read_cr4() | CR4_OSXSAVE);
	wrmsr(MSR_VM_HSAVE_PA, (uint64_t)c->hsave);
	p->virt = c;
	return 0;
}

static uint64_t npt_table(uint64_t pa)
{
	return pa | NPT_TABLE;
}

static uint64_t npt_leaf(uint64_t pa, unsigned int perm, int large)
{
	/* NPT has no execute-only or write-only pages; NX would need the
	 * host's EFER.NXE, so permissions are P / P|RW. */
	uint64_t e = pa | 1 | 4;

	if (perm & NPT_W)
		e |= 2;
	if (large)
		e |= NPT_LEAF_LARGE;
	return e;
}

static struct pt_fmt npt_fmt = { npt_table, npt_leaf, 0 };

static int svm_vm_init(struct vm *vm)
{
	vm->npt = page_try_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!vm->npt)
		return -1;
	vm->npt_pa = (uint64_t)vm->npt;
	return 0;
}

static int svm_map(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size,
		   unsigned int perm)
{
	return pt_map(vm->npt, &npt_fmt, gpa, hpa, size, perm);
}

/* NPT entries carry the x86 accessed flag, set by the nested walk
 * (APM vol. 2 15.25.5). */
#define NPT_ACCESSED (1ull << 5)

static int svm_gpa_accessed(struct vm *vm, uint64_t gpa)
{
	uint64_t *e = pt_leaf(vm->npt, gpa);

	return e && (*e & NPT_ACCESSED);
}

static struct vmcb *vmcb_of(struct vcpu *v)
{
	return ((struct svm_vcpu *)v->arch)->vmcb;
}

static int svm_vcpu_init(struct vcpu *v)
{
	struct svm_vcpu *s = page_try_alloc(PAGE_SIZE, PAGE_SIZE);
	struct vmcb *vmcb;

	if (!s)
		return -1;
	vmcb = page_try_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!vmcb)
		return -1;
	s->vmcb = vmcb;
	s->vmcb_pa = (uint64_t)vmcb;
	v->arch = s;

	vmcb->intercept_exc = 0;
	vmcb->intercept1 = SVM_I1_INTR | SVM_I1_NMI | SVM_I1_SMI | SVM_I1_INIT |
			   SVM_I1_CPUID | SVM_I1_RSM | SVM_I1_INVD |
			   SVM_I1_HLT | SVM_I1_INVLPGA | SVM_I1_IOIO |
			   SVM_I1_MSR | SVM_I1_TASK_SWITCH | SVM_I1_SHUTDOWN;
	vmcb->intercept2 = SVM_I2_VMRUN | SVM_I2_VMMCALL | SVM_I2_VMLOAD |
			   SVM_I2_VMSAVE | SVM_I2_STGI | SVM_I2_CLGI |
			   SVM_I2_SKINIT | SVM_I2_MONITOR | SVM_I2_MWAIT |
			   SVM_I2_MWAIT_COND | SVM_I2_XSETBV | SVM_I2_RDPRU;
	vmcb->iopm_pa = (uint64_t)svm_iopm;
	vmcb->msrpm_pa = (uint64_t)svm_msrpm;
	vmcb->asid = GUEST_ASID;
	vmcb->tlb_control = TLB_FLUSH_ALL;
	/* Physical interrupts exit regardless of the guest's RFLAGS.IF. */
	vmcb->vintr = SVM_VINTR_MASKING;
	vmcb->np_ctl = 1;
	vmcb->n_cr3 = v->vm->npt_pa;
	vmcb->g_pat = PAT_DEFAULT;
	if (svm_avic)
		return avic_vcpu_init(v, vmcb, &s->avic);
	return 0;
}

struct avic_vcpu *svm_avic_of(struct vcpu *v)
{
	return &((struct svm_vcpu *)v->arch)->avic;
}

static void seg_to_vmcb(struct vmcb_seg *d, const struct seg *s)
{
	d->sel = s->sel;
	d->attr = s->attr;
	d->limit = s->limit;
	d->base = s->base;
}

static void seg_from_vmcb(struct seg *d, const struct vmcb_seg *s)
{
	d->sel = s->sel;
	d->attr = s->attr;
	d->limit = s->limit;
	d->base = s->base;
}

static void svm_set_state(struct vcpu *v, const struct vcpu_state *st)
{
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
	seg_to_vmcb(&c->cs, &st->cs);
	seg_to_vmcb(&c->ds, &st->ds);
	seg_to_vmcb(&c->es, &st->es);
	seg_to_vmcb(&c->fs, &st->fs);
	seg_to_vmcb(&c->gs, &st->gs);
	seg_to_vmcb(&c->ss, &st->ss);
	seg_to_vmcb(&c->tr, &st->tr);
	seg_to_vmcb(&c->ldtr, &st->ldtr);
	seg_to_vmcb(&c->gdtr, &st->gdtr);
	seg_to_vmcb(&c->idtr, &st->idtr);
	c->cpl = (st->cr0 & CR0_PE) ? (st->ss.attr >> 5) & 3 : 0;
	c->dr7 = 0x400;
	c->dr6 = 0xffff0ff0;
	c->eventinj = 0;
	c->int_state = 0;
	c->vintr &= ~SVM_VINTR_V_IRQ;
	c->intercept1 &= ~SVM_I1_VINTR;
	c->tlb_control = TLB_FLUSH_ALL;
}

static void svm_get_state(struct vcpu *v, struct vcpu_state *st)
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
	seg_from_vmcb(&st->cs, &c->cs);
	seg_from_vmcb(&st->ds, &c->ds);
	seg_from_vmcb(&st->es, &c->es);
	seg_from_vmcb(&st->fs, &c->fs);
	seg_from_vmcb(&st->gs, &c->gs);
	seg_from_vmcb(&st->ss, &c->ss);
	seg_from_vmcb(&st->tr, &c->tr);
	seg_from_vmcb(&st->ldtr, &c->ldtr);
	seg_from_vmcb(&st->gdtr, &c->gdtr);
	seg_from_vmcb(&st->idtr, &c->idtr);
}

static void svm_decode(struct vcpu *v, struct vmcb *c)
{
	struct vm_exit *e = &v->exit;
	uint64_t code = c->exitcode;
	bool nrip = svm_features & SVM_F_NRIP;

	/* Only the fields of this exit's kind are written: no memset on
	 * the hot path. */
	e->hw_reason = code;
	e->qual = c->exitinfo1;
	e->info2 = c->exitinfo2;
	e->gpa = 0;
	e->insn_len = 0;
	if (nrip && c->nrip > c->rip)
		e->insn_len = c->nrip - c->rip;

	switch (code) {
	case SVM_EXIT_CPUID:
		e->reason = EXIT_CPUID;
		if (!nrip)
			e->insn_len = INSN_LEN_CPUID;
		break;
	case SVM_EXIT_MSR:
		e->reason = c->exitinfo1 ? EXIT_WRMSR : EXIT_RDMSR;
		if (!nrip)
			e->insn_len = INSN_LEN_MSR;
		break;
	case SVM_EXIT_IOIO:
		e->reason = EXIT_IO;
		e->io.port = c->exitinfo1 >> SVM_IO_PORT_SHIFT;
		/* SZ8/SZ16/SZ32 are one-hot bits 4-6: 1, 2, 4 bytes. */
		e->io.size = (c->exitinfo1 >> SVM_IO_SZ_SHIFT) & 7;
		e->io.in = c->exitinfo1 & SVM_IO_IN;
		e->io.string = c->exitinfo1 & SVM_IO_STR;
		e->io.rep = c->exitinfo1 & SVM_IO_REP;
		/* EXITINFO2 is the next RIP for IOIO (APM 15.10.2). */
		e->insn_len = c->exitinfo2 - c->rip;
		break;
	case SVM_EXIT_HLT:
		e->reason = EXIT_HLT;
		if (!nrip)
			e->insn_len = INSN_LEN_HLT;
		break;
	case SVM_EXIT_VMMCALL:
		e->reason = EXIT_HYPERCALL;
		if (!nrip)
			e->insn_len = INSN_LEN_VMMCALL;
		break;
	case SVM_EXIT_NPF:
		e->reason = EXIT_NPF;
		e->gpa = c->exitinfo2;
		e->npf.present = c->exitinfo1 & NPF_PRESENT;
		e->npf.write = c->exitinfo1 & NPF_WRITE;
		e->npf.fetch = c->exitinfo1 & NPF_FETCH;
		break;
	case SVM_EXIT_INTR:
		e->reason = EXIT_INTR;
		break;
	case SVM_EXIT_NMI:
		e->reason = EXIT_NMI;
		break;
	case SVM_EXIT_VINTR:
		e->reason = EXIT_INTR_WINDOW;
		break;
	case SVM_EXIT_SHUTDOWN:
		e->reason = EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_XSETBV:
		e->reason = EXIT_XSETBV;
		if (!nrip)
			e->insn_len = INSN_LEN_XSETBV;
		break;
	case SVM_EXIT_INIT:
		e->reason = EXIT_INIT;
		break;
	case SVM_EXIT_PAUSE:
		e->reason = EXIT_PAUSE;
		if (!nrip)
			e->insn_len = INSN_LEN_PAUSE;
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
	case SVM_EXIT_RDPRU:
	case SVM_EXIT_INVD:
		e->reason = EXIT_VIRT_INSN;
		break;
	case SVM_EXIT_AVIC_IPI:
		e->reason = EXIT_AVIC_IPI;
		break;
	case SVM_EXIT_AVIC_NOACCEL:
		e->reason = EXIT_AVIC_NOACCEL;
		break;
	default:
		/* VMEXIT_INVALID is -1; QEMU's TCG stores it as 32 bits. */
		if (code == SVM_EXIT_INVALID ||
		    code == (uint32_t)SVM_EXIT_INVALID) {
			e->reason = EXIT_INVALID_STATE;
			break;
		}
		if (code >= SVM_EXIT_EXC_BASE &&
		    code < SVM_EXIT_EXC_BASE + 32) {
			e->reason = EXIT_EXCEPTION;
			e->exc.vector = code - SVM_EXIT_EXC_BASE;
		} else {
			e->reason = EXIT_UNKNOWN;
		}
		break;
	}
}

static void svm_run(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = s->vmcb;
	struct svm_cpu *pc = this_cpu()->virt;

	c->rax = v->regs.rax;
	if (s->avic.entry)
		avic_vcpu_enter(&s->avic);
	svm_enter(&v->regs, s->vmcb_pa, (uint64_t)pc->host_vmcb);
	if (s->avic.entry)
		avic_vcpu_exit(v, &s->avic);
	v->regs.rax = c->rax;
	c->tlb_control = 0;
	/* An event whose delivery was cut short by the exit is re-injected
	 * on the next entry (APM 15.7.2). */
	if (c->exitintinfo & SVM_EVT_VALID)
		c->eventinj = c->exitintinfo;
	else
		c->eventinj = 0;
	svm_decode(v, c);
	/*
	 * AVIC exits are handled here; the core resumes the guest through
	 * the run loop, as after an interrupt window (hw_reason keeps
	 * 0x401/0x402 in the exit ring). One the backend cannot handle is
	 * left to the core, which stops the VM with a report.
	 */
	if ((v->exit.reason == EXIT_AVIC_IPI ||
	     v->exit.reason == EXIT_AVIC_NOACCEL) &&
	    s->avic.entry && avic_handle_exit(v))
		v->exit.reason = EXIT_INTR_WINDOW;
}

static void svm_skip_insn(struct vcpu *v)
{
	struct vmcb *c = vmcb_of(v);

	c->rip += v->exit.insn_len;
	c->int_state &= ~1ull; /* the interrupt shadow ends */
	/* Single-stepping the guest (TF) is not virtualized. */
}

static void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_err,
				 uint32_t err)
{
	struct vmcb *c = vmcb_of(v);

	c->eventinj = SVM_EVT_VALID | SVM_EVT_TYPE_EXC | vector |
		      (has_err ? SVM_EVT_ERR | ((uint64_t)err << 32) : 0);
}

static bool svm_irq_injectable(struct vcpu *v)
{
	struct vmcb *c = vmcb_of(v);

	return (c->rflags & RFLAGS_IF_) && !(c->int_state & 1) &&
	       !(c->eventinj & SVM_EVT_VALID);
}

static void svm_inject_irq(struct vcpu *v, uint8_t vector)
{
	vmcb_of(v)->eventinj = SVM_EVT_VALID | SVM_EVT_TYPE_INTR | vector;
}

static void svm_inject_nmi(struct vcpu *v)
{
	vmcb_of(v)->eventinj = SVM_EVT_VALID | SVM_EVT_TYPE_NMI | 2;
}

static void svm_set_irq_window(struct vcpu *v, bool on)
{
	struct vmcb *c = vmcb_of(v);

	/* A virtual interrupt that ignores TPR exits with VINTR as soon as
	 * the guest could take it (APM 15.21.4). */
	if (on) {
		c->vintr |= SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR |
			    (0xfull << SVM_VINTR_PRIO_SHIFT);
		c->intercept1 |= SVM_I1_VINTR;
	} else {
		c->vintr &= ~(SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR |
			      (0xfull << SVM_VINTR_PRIO_SHIFT));
		c->intercept1 &= ~SVM_I1_VINTR;
	}
}

static uint64_t svm_get_reg(struct vcpu *v, enum vreg r)
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
		return (c->cs.attr & SEG_ATTR_L_BIT) != 0;
	}
	return 0;
}

static void svm_set_reg(struct vcpu *v, enum vreg r, uint64_t val)
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
	}
}

/*
 * With x2AVIC the CPU takes interrupts from the backing page (the vlapic
 * page) at VMRUN and while the guest runs: nothing is injected through
 * EVENTINJ and the V_IRQ window is unused (avic_vintr). NMIs and
 * exceptions still go through EVENTINJ (vmm/vcpu.c).
 */
static void svm_avic_deliver_events(struct vcpu *v)
{
	svm_set_irq_window(v, false);
}

static bool svm_avic_post_irq(struct vcpu *v)
{
	return avic_post_irq(&((struct svm_vcpu *)v->arch)->avic);
}

/* The two tables differ only in the APIC virtualization hooks. */
#define SVM_OPS_COMMON                                                         \
	.name = "SVM", .cpu_init = svm_cpu_init, .vm_init = svm_vm_init,       \
	.map = svm_map, .gpa_accessed = svm_gpa_accessed,                      \
	.vcpu_init = svm_vcpu_init, .set_state = svm_set_state,                \
	.get_state = svm_get_state, .run = svm_run,                            \
	.skip_insn = svm_skip_insn, .inject_exception = svm_inject_exception,  \
	.irq_injectable = svm_irq_injectable, .inject_irq = svm_inject_irq,    \
	.inject_nmi = svm_inject_nmi, .set_irq_window = svm_set_irq_window,    \
	.get_reg = svm_get_reg, .set_reg = svm_set_reg

static const struct virt_ops svm_avic_ops = {
	SVM_OPS_COMMON,
	.deliver_events = svm_avic_deliver_events,
	.post_irq = svm_avic_post_irq,
};

/* Without AVIC: the core injects from the vlapic's IRR (vmm/vcpu.c). */
const struct virt_ops svm_ops = {
	SVM_OPS_COMMON,
};
