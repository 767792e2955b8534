// SPDX-License-Identifier: MIT
/*
 * The VMCS (SDM vol. 3C chapter 25): controls and host state written on
 * the vCPU's own CPU at first use, guest state to and from struct
 * vcpu_state, single registers for the exit handlers.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/vmx/vmx_intercepts.h"
#include "include/debug.h"
#include "lib/mm.h"
#include "lib/printk.h"
#include "vmm/vm.h"

#define MAX_WRITE_ERRORS 8 /* VMWRITE failures reported before going quiet */
#define SEG_ATTR_P 0x80u
#define SEG_ATTR_S 0x10u

static unsigned int vmx_write_errors; /* racy count: only limits output */

static uint64_t vmx_eptp(struct vm *vm)
{
	return vm->npt_pa | EPT_MEMTYPE_WB | EPTP_WALK_4;
}

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/*
 * x2hv owns the CR0 bits VMX fixes to 1 (CR0.NE; unrestricted guest
 * exempts PE and PG, 27.3.1.1) and the cache-control bits CD and NW,
 * which VM entry and exit do not load (27.3.2.1, 28.5.1): the CPU keeps
 * one value for host and guest, so the guest's own setting lives in the
 * shadow only (as in KVM) and memory stays write-back through EPT.
 */
uint64_t vmx_cr0_mask(void)
{
	return (vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG)) | CR0_CD | CR0_NW;
}

/*
 * x2hv owns every CR4 bit the guest may not set (reserved, or a feature
 * its CPUID does not show: vmm/cr_policy.c) besides the ones VMX fixes:
 * a MOV to CR4 that would set one exits, and vmx_cr.c gives it #GP
 * (SDM 25.6.6: a bit in the mask whose new value differs from the
 * shadow's exits). The others the guest writes without an exit.
 */
uint64_t vmx_cr4_mask(struct vcpu *v)
{
	return ((struct vmx_vcpu *)v->arch)->cr4_mask;
}

/*
 * Bits outside CRx_FIXED1 are not filtered: a state that the CPU would
 * refuse must fail VM entry and stop the VM (tests/guest/badentry.c), not
 * run silently changed. MOV to CR0/CR4 checks them before (vmx_cr.c).
 */
uint64_t vmx_real_cr0(uint64_t guest)
{
	uint64_t must1 = vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG);

	return (guest | must1) & ~(CR0_CD | CR0_NW);
}

uint64_t vmx_real_cr4(uint64_t guest)
{
	return guest | vmx_caps.cr4_fixed0 | CR4_VMXE;
}

void vmcs_write(uint32_t field, uint64_t val)
{
	if (vmcs_write_raw(field, val))
		return;
	if (vmx_write_errors++ < MAX_WRITE_ERRORS)
		pr_err("vmx: VMWRITE %x <- %lx failed (VM-instruction error %lu)",
		       field, val, vmcs_read(VMCS_INSN_ERROR));
}

/* Host state for VM exits on this CPU (SDM 25.5, 28.5). */
static void vmcs_setup_host(void)
{
	struct percpu *p = this_cpu();
	struct gdt_ptr gdtr, idtr;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SEL, SEL_CODE);
	vmcs_write(VMCS_HOST_SS_SEL, SEL_DATA);
	vmcs_write(VMCS_HOST_DS_SEL, SEL_DATA);
	vmcs_write(VMCS_HOST_ES_SEL, SEL_DATA);
	vmcs_write(VMCS_HOST_FS_SEL, SEL_DATA);
	vmcs_write(VMCS_HOST_GS_SEL, SEL_DATA);
	vmcs_write(VMCS_HOST_TR_SEL, SEL_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, 0);
	vmcs_write(VMCS_HOST_GS_BASE, (uint64_t)(uintptr_t)p);
	vmcs_write(VMCS_HOST_TR_BASE, (uint64_t)(uintptr_t)&p->tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_write(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
	vmcs_write(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
	vmcs_write(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	if (vmx_caps.exit & EXIT_LOAD_PAT)
		vmcs_write(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	/* HOST_RSP is written by vmx_enter on every entry. */
	vmcs_write(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_entry);
}

static void vmcs_setup(struct vcpu *v)
{
	const struct vmx_caps *c = &vmx_caps;
	struct vmx_vcpu *s = v->arch;

	vmcs_write(VMCS_PIN_CTLS, c->pin);
	vmcs_write(VMCS_PROC_CTLS, c->proc);
	vmcs_write(VMCS_PROC_CTLS2, c->proc2);
	vmcs_write(VMCS_EXIT_CTLS, c->exit);
	vmcs_write(VMCS_ENTRY_CTLS, c->entry);
	/* The core moves the guest's TSC (VREG_TSC_OFFSET, vmm/msr.c). */
	vmcs_write(VMCS_TSC_OFFSET, 0);
	s->proc = c->proc;
	if (c->proc2 & PROC2_VPID)
		vmcs_write(VMCS_VPID, v->pcpu + 1); /* 0 is the host's */
	vmcs_write(VMCS_EXCEPTION_BITMAP, VMX_EXC_BITMAP);
	/* With bit 14 of the bitmap set, every #PF exits (SDM 25.6.3). */
	vmcs_write(VMCS_PF_ERROR_MASK, 0);
	vmcs_write(VMCS_PF_ERROR_MATCH, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write(VMCS_MSR_BITMAP, (uint64_t)(uintptr_t)vmx_msr_bitmap);
	vmcs_write(VMCS_EPT_POINTER, vmx_eptp(v->vm));
	/* The guest owns CR0/CR4 except the bits in the masks (see
	 * vmx_cr0_mask); it reads its own values of those in the shadows. */
	vmcs_write(VMCS_CR0_MASK, vmx_cr0_mask());
	s->cr4_mask = ~vcpu_cr_policy(v)->cr4_allowed | c->cr4_fixed0 |
		      CR4_VMXE;
	vmcs_write(VMCS_CR4_MASK, vmx_cr4_mask(v));
	vmcs_write(VMCS_LINK_POINTER, VMCS_LINK_NONE);
	if (c->apicv)
		vmx_apicv_vmcs_setup(v);
	vmcs_setup_host();
	if (c->ept_vpid & EPT_CAP_INVEPT_SINGLE)
		invept(INVEPT_SINGLE, vmx_eptp(v->vm));
	else if (c->ept_vpid & EPT_CAP_INVEPT_ALL)
		invept(INVEPT_ALL, 0);
}

void vmx_load(struct vcpu *v)
{
	struct vmx_cpu *vc = this_cpu()->virt;
	struct vmx_vcpu *s = v->arch;

	/* A VMCS is current on its vCPU's CPU only (vmx.h). */
	ASSERT(v->pcpu == this_cpu()->cpu);
	if (vc->current != s) {
		if (!vmcs_load(s->vmcs_pa))
			panic("vmx: VMPTRLD of vcpu%u's VMCS failed on cpu%u",
			      v->id, this_cpu()->cpu);
		vc->current = s;
	}
	if (!s->setup) {
		vmcs_setup(v);
		s->setup = true;
	}
}

int vmx_vcpu_init(struct vcpu *v)
{
	struct vmx_vcpu *s = page_try_alloc(PAGE_SIZE, PAGE_SIZE);

	if (!s)
		return -1;
	s->vmcs = page_try_alloc(VMX_REGION_SIZE, PAGE_SIZE);
	if (!s->vmcs)
		return -1;
	s->vmcs_pa = (uint64_t)(uintptr_t)s->vmcs;
	*(uint32_t *)s->vmcs = vmx_caps.revision;
	/* VMCLEAR initialises the VMCS and puts it in the clear state; any
	 * CPU may VMPTRLD it afterwards (25.11.3). Fields are written on the
	 * owner CPU by vmx_load. */
	if (!vmcs_clear(s->vmcs_pa))
		return -1;
	v->arch = s;
	if (vmx_caps.apicv)
		vmx_apicv_vcpu_init(v);
	return 0;
}

/* struct seg attr (AMD layout: type,S,DPL,P in 0-7, AVL,L,DB,G in 8-11)
 * to VMX access rights (same bits at 0-7 and 12-15, bit 16 unusable;
 * SDM 25.4.1). A data segment or LDTR that is not present is "unusable":
 * the null selectors of protected and long mode. CS and TR always are
 * usable (27.3.1.2). Code and data segments must have the accessed bit. */
static uint32_t attr_to_ar(uint16_t attr, bool may_be_unusable)
{
	uint32_t ar = (attr & AR_LOW_MASK) |
		      (((uint32_t)attr << AR_HIGH_SHIFT) & AR_HIGH_MASK);

	if (may_be_unusable && !(attr & SEG_ATTR_P))
		return AR_UNUSABLE;
	if (attr & SEG_ATTR_S)
		ar |= AR_TYPE_ACCESSED;
	return ar;
}

static uint16_t ar_to_attr(uint32_t ar)
{
	if (ar & AR_UNUSABLE)
		return 0;
	return (ar & AR_LOW_MASK) | ((ar & AR_HIGH_MASK) >> AR_HIGH_SHIFT);
}

static void vmx_seg_write(unsigned int i, const struct seg *s,
			  bool may_unusable)
{
	unsigned int o = i * VMCS_SEG_STRIDE;

	vmcs_write(VMCS_GUEST_ES_SEL + o, s->sel);
	vmcs_write(VMCS_GUEST_ES_LIMIT + o, s->limit);
	vmcs_write(VMCS_GUEST_ES_BASE + o, s->base);
	vmcs_write(VMCS_GUEST_ES_AR + o, attr_to_ar(s->attr, may_unusable));
}

static void vmx_seg_read(unsigned int i, struct seg *s)
{
	unsigned int o = i * VMCS_SEG_STRIDE;

	s->sel = vmcs_read(VMCS_GUEST_ES_SEL + o);
	s->limit = vmcs_read(VMCS_GUEST_ES_LIMIT + o);
	s->base = vmcs_read(VMCS_GUEST_ES_BASE + o);
	s->attr = ar_to_attr(vmcs_read(VMCS_GUEST_ES_AR + o));
}

void vmx_set_state(struct vcpu *v, const struct vcpu_state *st)
{
	vmx_load(v);
	vmcs_write(VMCS_GUEST_RIP, st->rip);
	vmcs_write(VMCS_GUEST_RSP, st->rsp);
	vmcs_write(VMCS_GUEST_RFLAGS, st->rflags | RFLAGS_FIXED);
	vmx_guest_write_cr0(st->cr0);
	vmx_guest_write_cr4(st->cr4);
	vmcs_write(VMCS_GUEST_CR3, st->cr3);
	vmx_guest_write_efer(st->efer, st->cr0);
	/* CR2 is not in the VMCS: the guest owns the CPU's CR2, which the
	 * host never uses (no host page faults). */
	write_cr2(st->cr2);
	vmx_seg_write(VSEG_ES, &st->es, true);
	vmx_seg_write(VSEG_CS, &st->cs, false);
	vmx_seg_write(VSEG_SS, &st->ss, true);
	vmx_seg_write(VSEG_DS, &st->ds, true);
	vmx_seg_write(VSEG_FS, &st->fs, true);
	vmx_seg_write(VSEG_GS, &st->gs, true);
	vmx_seg_write(VSEG_LDTR, &st->ldtr, true);
	vmx_seg_write(VSEG_TR, &st->tr, false);
	vmcs_write(VMCS_GUEST_GDTR_BASE, st->gdtr.base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, st->gdtr.limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, st->idtr.base);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, st->idtr.limit);
	/* Reset values (SDM 9.1.1) for what struct vcpu_state leaves out. */
	vmcs_write(VMCS_GUEST_DR7, DR7_INIT);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	if (vmx_caps.entry & ENTRY_LOAD_PAT)
		vmcs_write(VMCS_GUEST_PAT, PAT_POWER_ON);
	vmcs_write(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	vmx_set_irq_window(v, false);
	vmx_set_nmi_window(v, false);
	/* INIT flushes the TLBs (SDM 9.1); tagged translations too. */
	vmx_flush_vpid(v);
}

void vmx_get_state(struct vcpu *v, struct vcpu_state *st)
{
	vmx_load(v);
	st->rip = vmcs_read(VMCS_GUEST_RIP);
	st->rsp = vmcs_read(VMCS_GUEST_RSP);
	st->rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	st->cr0 =
		vmx_visible_cr(VMCS_GUEST_CR0, VMCS_CR0_SHADOW, vmx_cr0_mask());
	st->cr2 = read_cr2();
	st->cr3 = vmcs_read(VMCS_GUEST_CR3);
	st->cr4 = vmx_visible_cr(VMCS_GUEST_CR4, VMCS_CR4_SHADOW,
				 vmx_cr4_mask(v));
	st->efer = vmcs_read(VMCS_GUEST_EFER);
	vmx_seg_read(VSEG_ES, &st->es);
	vmx_seg_read(VSEG_CS, &st->cs);
	vmx_seg_read(VSEG_SS, &st->ss);
	vmx_seg_read(VSEG_DS, &st->ds);
	vmx_seg_read(VSEG_FS, &st->fs);
	vmx_seg_read(VSEG_GS, &st->gs);
	vmx_seg_read(VSEG_LDTR, &st->ldtr);
	vmx_seg_read(VSEG_TR, &st->tr);
	st->gdtr.base = vmcs_read(VMCS_GUEST_GDTR_BASE);
	st->gdtr.limit = vmcs_read(VMCS_GUEST_GDTR_LIMIT);
	st->idtr.base = vmcs_read(VMCS_GUEST_IDTR_BASE);
	st->idtr.limit = vmcs_read(VMCS_GUEST_IDTR_LIMIT);
}

/* Drop the EPT-derived translations of @v's VM (SDM 29.4.3.1). */
void vmx_flush_tlb(struct vcpu *v)
{
	vmx_load(v);
	if (vmx_caps.ept_vpid & EPT_CAP_INVEPT_SINGLE)
		invept(INVEPT_SINGLE, vmx_eptp(v->vm));
	else if (vmx_caps.ept_vpid & EPT_CAP_INVEPT_ALL)
		invept(INVEPT_ALL, 0);
}

uint64_t vmx_get_reg(struct vcpu *v, enum vreg r)
{
	ASSERT(vmx_is_current(v));
	switch (r) {
	case VREG_RIP:
		return vmcs_read(VMCS_GUEST_RIP);
	case VREG_RSP:
		return vmcs_read(VMCS_GUEST_RSP);
	case VREG_RFLAGS:
		return vmcs_read(VMCS_GUEST_RFLAGS);
	case VREG_CR0:
		return vmx_visible_cr(VMCS_GUEST_CR0, VMCS_CR0_SHADOW,
				      vmx_cr0_mask());
	case VREG_CR3:
		return vmcs_read(VMCS_GUEST_CR3);
	case VREG_CR4:
		return vmx_visible_cr(VMCS_GUEST_CR4, VMCS_CR4_SHADOW,
				      vmx_cr4_mask(v));
	case VREG_EFER:
		return vmcs_read(VMCS_GUEST_EFER);
	case VREG_PAT:
		return vmcs_read(VMCS_GUEST_PAT);
	case VREG_CPL:
		/* SS.DPL is the CPL (SDM 27.3.1.2: and 0 in real mode). */
		return (vmcs_read(VMCS_GUEST_ES_AR +
				  VSEG_SS * VMCS_SEG_STRIDE) >>
			AR_DPL_SHIFT) &
		       AR_DPL_MASK;
	case VREG_CS_L:
		return (vmcs_read(VMCS_GUEST_ES_AR +
				  VSEG_CS * VMCS_SEG_STRIDE) &
			AR_L) != 0;
	case VREG_TSC_OFFSET:
		return vmcs_read(VMCS_TSC_OFFSET);
	case VREG_CR2:
		return read_cr2();
	}
	return 0;
}

void vmx_set_reg(struct vcpu *v, enum vreg r, uint64_t val)
{
	ASSERT(vmx_is_current(v));
	switch (r) {
	case VREG_RIP:
		vmcs_write(VMCS_GUEST_RIP, val);
		break;
	case VREG_RSP:
		vmcs_write(VMCS_GUEST_RSP, val);
		break;
	case VREG_RFLAGS:
		vmcs_write(VMCS_GUEST_RFLAGS, val | RFLAGS_FIXED);
		break;
	case VREG_CR0:
		vmx_guest_write_cr0(val);
		vmx_guest_write_efer(vmcs_read(VMCS_GUEST_EFER), val);
		break;
	case VREG_CR3:
		vmcs_write(VMCS_GUEST_CR3, val);
		break;
	case VREG_CR4:
		vmx_guest_write_cr4(val);
		break;
	case VREG_EFER:
		vmx_guest_write_efer(val, vmx_get_reg(v, VREG_CR0));
		break;
	case VREG_PAT:
		vmcs_write(VMCS_GUEST_PAT, val);
		break;
	case VREG_CPL:
	case VREG_CS_L:
		break;
	case VREG_TSC_OFFSET:
		vmcs_write(VMCS_TSC_OFFSET, val);
		break;
	case VREG_CR2:
		/* The guest owns the CPU's CR2 (vmx_set_state). */
		write_cr2(val);
		break;
	}
}
