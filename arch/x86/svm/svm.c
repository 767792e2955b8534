// SPDX-License-Identifier: MIT
/*
 * AMD SVM backend (AMD APM vol. 2 ch. 15): the features, SVM on each
 * CPU, NPT, and the ops table. NPT is required. The VMCB is in vmcb.c;
 * VMRUN, exit decoding and events in svm_exit.c.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/nested_pt.h"
#include "arch/x86/percpu.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/svm_avic.h"
#include "arch/x86/svm/vmcb.h"
#include "lib/mm.h"
#include "lib/printk.h"
#include "vmm/msr_bitmap.h"
#include "vmm/vm.h"

#define NPT_TABLE (1ull | 2ull | 4ull) /* P | RW | US (APM 15.25.5) */
#define NPT_LEAF_LARGE (1ull << 7)

/* Written on CPU 0 by svm_probe before the APs start; read-only
 * afterwards. */
uint32_t svm_features;
uint8_t *svm_iopm, *svm_msrpm;
bool svm_avic, svm_virq;
static const struct virt_ops svm_virq_ops, svm_eventinj_ops, svm_avic_ops;

static struct pt_fmt npt_fmt; /* .gib set by svm_probe, below */

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/*
 * On CPU 0, before the APs start: read the features, build the I/O and
 * MSR permission maps every VMCB uses, choose the APIC virtualization
 * policy, and return the ops table that goes with it (vmm/virt.h).
 */
const struct virt_ops *svm_probe(void)
{
	uint32_t f = cpuid(CPUID_LEAF_SVM, 0).edx;

	idt_ignore_db_at((uint64_t)(uintptr_t)svm_vmrun_return);
	pr_info("svm: NPT %s, NRIP %s, decode assists %s, vGIF %s",
		yes_no(f & SVM_F_NPT), yes_no(f & SVM_F_NRIP),
		yes_no(f & SVM_F_DECODE), yes_no(f & SVM_F_VGIF));
	pr_info("svm: AVIC %s, x2AVIC %s, VMCB clean bits %s, pause filter %s",
		yes_no(f & SVM_F_AVIC), yes_no(f & SVM_F_X2AVIC),
		yes_no(f & SVM_F_VMCB_CLEAN), yes_no(f & SVM_F_PAUSE_FILTER));
	if (!(f & SVM_F_NPT)) {
		pr_err("svm: nested paging (NPT) is required");
		return NULL;
	}
	/* NPT takes 1 GiB pages where the host's paging does (APM vol. 2
	 * 15.25.1; CPUID 8000_0001h EDX[26], Page1GB). */
	npt_fmt.gib = cpuid_has(CPUID_LEAF_EXT_FEATURES, CPUID_REG_EDX,
				CPUID_80000001_EDX_PAGE1GB);
	pr_info("svm: NPT 1G pages %s", npt_fmt.gib ? "yes" : "no");
	svm_features = f;
	svm_iopm = page_alloc(SVM_IOPM_SIZE, PAGE_SIZE);
	memset(svm_iopm, 0xff, SVM_IOPM_SIZE);
	svm_msrpm = page_alloc(SVM_MSRPM_SIZE, PAGE_SIZE);
	/* AVIC only with x2AVIC: guests are x2APIC-only; apicv=off turns
	 * it off, apicv=noposted keeps it but kicks instead of ringing the
	 * doorbell (vmm/vcpu.c). */
	svm_avic = virt_apicv != APICV_OFF && avic_supported(f) &&
		   avic_msr_bitmap(svm_msrpm) == 0;
	if (!svm_avic)
		msr_bitmap_svm(svm_msrpm, msr_passthrough,
			       msr_passthrough_count);
	svm_virq = !svm_avic && !virt_svm_eventinj;
	pr_info("svm: APIC virtualization: %s",
		svm_avic ? "x2AVIC" :
		svm_virq ? "none (interrupts through V_IRQ)" :
			   "none (interrupts through EVENTINJ)");
	if (svm_avic)
		return &svm_avic_ops;
	return svm_virq ? &svm_virq_ops : &svm_eventinj_ops;
}

/* On every CPU: EFER.SVME and the host save area (APM 15.4, 15.30.4). */
static int svm_enable(void)
{
	struct percpu *p = this_cpu();
	struct svm_cpu *c;

	if (rdmsr(MSR_AMD_VM_CR) & VM_CR_SVMDIS) {
		pr_err("cpu%u: SVM is disabled by firmware (VM_CR.SVMDIS)",
		       p->cpu);
		return -1;
	}
	c = obj_try_alloc(sizeof(*c));
	if (!c)
		panic("out of memory for cpu%u's SVM state", p->cpu);
	c->hsave = page_alloc(PAGE_SIZE, PAGE_SIZE);
	c->host_vmcb = page_alloc(PAGE_SIZE, PAGE_SIZE);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	/* VMRUN does not switch XCR0 either: the guest owns it, and
	 * vmm/exit.c runs XSETBV for the guest, which needs the host's
	 * CR4.OSXSAVE (APM Vol. 3 XSETBV: #UD otherwise). */
	if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)
		write_cr4(read_cr4() | CR4_OSXSAVE);
	wrmsr(MSR_AMD_VM_HSAVE_PA, (uint64_t)c->hsave);
	/* The host's FS, GS, TR, LDTR and syscall MSRs, final since
	 * percpu_setup: saved once, loaded after every exit (svm_entry.S). */
	__asm__ volatile("vmsave %%rax" ::"a"((uint64_t)c->host_vmcb)
			 : "memory");
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

/* The two tables differ only in the APIC virtualization hooks. */
#define SVM_OPS_COMMON                                                         \
	.name = "SVM", .enable = svm_enable, .map = svm_map,                   \
	.gpa_accessed = svm_gpa_accessed, .vcpu_init = svm_vcpu_init,          \
	.set_state = svm_set_state, .get_state = svm_get_state,                \
	.run = svm_run, .skip_insn = svm_skip_insn,                            \
	.inject_exception = svm_inject_exception,                              \
	.inject_nmi = svm_inject_nmi, .set_irq_window = svm_set_irq_window,    \
	.nmi_injectable = svm_nmi_injectable,                                  \
	.set_nmi_window = svm_set_nmi_window, .handle_exit = svm_handle_exit,  \
	.get_reg = svm_get_reg, .set_reg = svm_set_reg,                        \
	.single_step = svm_single_step, .flush_tlb = svm_flush_tlb

static const struct virt_ops svm_avic_ops = {
	SVM_OPS_COMMON,
	.deliver_events = svm_deliver_events,
	.post_irq = svm_post_irq,
	.apic_page_hw = true,
};

/* Without AVIC: the vlapic's IRR goes in through V_IRQ (svm_event.c)... */
static const struct virt_ops svm_virq_ops = {
	SVM_OPS_COMMON,
	.deliver_events = svm_offer_irq,
};

/* ...or, with svm_inject=eventinj, the core injects (vmm/vcpu.c). */
static const struct virt_ops svm_eventinj_ops = {
	SVM_OPS_COMMON,
	.irq_injectable = svm_irq_injectable,
	.inject_irq = svm_inject_irq,
};
