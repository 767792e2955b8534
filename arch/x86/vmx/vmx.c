// SPDX-License-Identifier: MIT
/*
 * Intel VMX backend (SDM vol. 3C chapters 24-29): the capabilities and
 * controls, VMX operation on each CPU, EPT, and the ops table. The VMCS
 * is in vmcs.c; entry, exit decoding and events in vmx_exit.c.
 * EPT and unrestricted guest are required: a PVH guest starts with paging
 * off and APs start in real mode.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/nested_pt.h"
#include "arch/x86/percpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/vmx/vmx_intercepts.h"
#include "arch/x86/lapic.h"
#include "arch/x86/idt.h"
#include "arch/x86/vmx/vmx_apicv.h"
#include "lib/mm.h"
#include "vmm/msr_bitmap.h"
#include "lib/printk.h"
#include "vmm/vm.h"

/* Written on CPU 0 by vmx_probe before the APs start; read-only
 * afterwards. */
struct vmx_caps vmx_caps;
uint8_t *vmx_msr_bitmap;
static const struct virt_ops vmx_ops, vmx_apicv_ops;

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* Settings the capability MSR allows (SDM A.3.1): bits set in the low
 * half must be 1, bits clear in the high half must be 0. */
static void ctls_from_msr(uint32_t msr, uint32_t *must1, uint32_t *may1)
{
	uint64_t v = rdmsr(msr);

	*must1 = (uint32_t)v;
	*may1 = (uint32_t)(v >> 32);
}

/* @want | what must be 1, limited to what may be 1; -1 when a @required
 * bit is not available. */
static int adjust(const char *what, uint32_t want, uint32_t required,
		  uint32_t must1, uint32_t may1, uint32_t *out)
{
	uint32_t v = (want | must1) & may1;

	if ((v & required) != required) {
		pr_err("vmx: %s controls: %x required but only %x allowed",
		       what, required, may1);
		return -1;
	}
	*out = v;
	return 0;
}

static void read_caps(struct vmx_caps *c)
{
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	bool true_ctls = basic & VMX_BASIC_TRUE_CTLS;

	c->revision = basic & VMX_BASIC_REVISION_MASK;
	/* The TRUE_ MSRs may allow the "default1" bits to be 0 (A.2), e.g.
	 * CR3-load/store exiting, which EPT makes pointless. */
	ctls_from_msr(true_ctls ? MSR_VMX_TRUE_PINBASED_CTLS :
				  MSR_VMX_PINBASED_CTLS,
		      &c->pin0, &c->pin1);
	ctls_from_msr(true_ctls ? MSR_VMX_TRUE_PROCBASED_CTLS :
				  MSR_VMX_PROCBASED_CTLS,
		      &c->proc0, &c->proc1);
	ctls_from_msr(true_ctls ? MSR_VMX_TRUE_EXIT_CTLS : MSR_VMX_EXIT_CTLS,
		      &c->exit0, &c->exit1);
	ctls_from_msr(true_ctls ? MSR_VMX_TRUE_ENTRY_CTLS : MSR_VMX_ENTRY_CTLS,
		      &c->entry0, &c->entry1);
	/* Secondary, tertiary and EPT/VPID MSRs exist only when the level
	 * above allows them (A.3.3, A.3.4, A.10); reading them otherwise
	 * faults. */
	if (c->proc1 & PROC_SECONDARY)
		ctls_from_msr(MSR_VMX_PROCBASED_CTLS2, &c->proc2_0,
			      &c->proc2_1);
	if (c->proc1 & PROC_TERTIARY)
		c->proc3_1 = rdmsr(MSR_VMX_PROCBASED_CTLS3);
	if (c->proc2_1 & (PROC2_EPT | PROC2_VPID))
		c->ept_vpid = rdmsr(MSR_VMX_EPT_VPID_CAP);
	c->misc = rdmsr(MSR_VMX_MISC);
	c->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
}

static void print_caps(const struct vmx_caps *c)
{
	pr_info("vmx: revision %x, EPT %s, VPID %s, unrestricted guest %s, preemption timer %s, monitor trap flag %s",
		c->revision, yes_no(c->proc2_1 & PROC2_EPT),
		yes_no(c->proc2_1 & PROC2_VPID),
		yes_no(c->proc2_1 & PROC2_UNRESTRICTED),
		yes_no(c->pin1 & PIN_PREEMPT_TIMER),
		yes_no(c->proc1 & PROC_MTF));
	pr_info("vmx: virtualize x2APIC mode %s, APIC-register virtualization %s, virtual-interrupt delivery %s",
		yes_no(c->proc2_1 & PROC2_X2APIC_MODE),
		yes_no(c->proc2_1 & PROC2_APIC_REG_VIRT),
		yes_no(c->proc2_1 & PROC2_VIRT_INTR_DELIVERY));
	pr_info("vmx: posted interrupts %s, IPI virtualization %s, EPT 2M/1G pages %s/%s, INVEPT %s, INVVPID %s",
		yes_no(c->pin1 & PIN_POSTED_INTR),
		yes_no(c->proc3_1 & PROC3_IPI_VIRT),
		yes_no(c->ept_vpid & EPT_CAP_2M),
		yes_no(c->ept_vpid & EPT_CAP_1G),
		yes_no(c->ept_vpid & EPT_CAP_INVEPT),
		yes_no(c->ept_vpid & VPID_CAP_INVVPID));
	pr_debug("vmx: CR0 fixed %lx/%lx, CR4 fixed %lx/%lx, misc %lx",
		 c->cr0_fixed0, c->cr0_fixed1, c->cr4_fixed0, c->cr4_fixed1,
		 c->misc);
}

/* Choose the controls every VMCS uses (why: docs/vmx.md). */
static int choose_controls(struct vmx_caps *c)
{
	/* docs/security.md: each control and why. */
	uint32_t proc2 = VMX_PROC2_WANT;
	uint32_t proc = VMX_PROC_WANT;
	uint64_t ept_need = EPT_CAP_WALK_4 | EPT_CAP_WB | EPT_CAP_2M;

	if (!(c->proc2_1 & PROC2_EPT) || !(c->proc2_1 & PROC2_UNRESTRICTED)) {
		pr_err("vmx: EPT and unrestricted guest are required (PVH entry without paging, real-mode APs)");
		return -1;
	}
	if ((c->ept_vpid & ept_need) != ept_need) {
		pr_err("vmx: EPT needs 4-level walks, write-back and 2 MiB pages (EPT/VPID capabilities %lx)",
		       c->ept_vpid);
		return -1;
	}
	/* A VPID without INVVPID could not be flushed on INIT. */
	if (!(c->ept_vpid & VPID_CAP_INVVPID) ||
	    !(c->ept_vpid & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL)))
		proc2 &= ~PROC2_VPID;
	if (adjust("pin-based", VMX_PIN_WANT, VMX_PIN_REQUIRED, c->pin0,
		   c->pin1, &c->pin))
		return -1;
	/* CR3 accesses need not exit with EPT; with old-style controls they
	 * may be forced on, and vmx_cr.c emulates them then. */
	if (adjust("primary processor-based", proc, VMX_PROC_REQUIRED, c->proc0,
		   c->proc1, &c->proc))
		return -1;
	if (adjust("secondary processor-based", proc2, VMX_PROC2_REQUIRED,
		   c->proc2_0, c->proc2_1, &c->proc2))
		return -1;
	/* Interrupts stay pending in the host LAPIC (no acknowledge on exit):
	 * the core takes them through the host IDT after the exit. Posted
	 * interrupts turn acknowledge-on-exit back on (choose_apicv). */
	if (adjust("VM-exit",
		   EXIT_SAVE_DEBUG | EXIT_HOST_64 | EXIT_SAVE_PAT |
			   EXIT_LOAD_PAT | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
		   EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER, c->exit0,
		   c->exit1, &c->exit))
		return -1;
	c->exit &= ~EXIT_ACK_INTR;
	if (c->exit0 & EXIT_ACK_INTR) {
		pr_err("vmx: acknowledge-interrupt-on-exit cannot be turned off");
		return -1;
	}
	if (adjust("VM-entry",
		   ENTRY_LOAD_DEBUG | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER,
		   ENTRY_LOAD_EFER, c->entry0, c->entry1, &c->entry))
		return -1;
	c->entry &= ~ENTRY_IA32E_GUEST; /* follows the guest's EFER.LMA */
	return 0;
}

/*
 * APIC virtualization (SDM 31, docs/vmx.md): all of "use TPR shadow",
 * "virtualize x2APIC mode", "APIC-register virtualization" and
 * "virtual-interrupt delivery", or none (the core injects from the
 * vlapic as before). Virtual-interrupt delivery needs external-interrupt
 * exiting (27.2.1.1), which x2hv always sets; "virtualize APIC accesses"
 * stays 0 (the guest has no xAPIC MMIO page; 27.2.1.1 forbids it with
 * x2APIC virtualization). Posted interrupts, where present, also need
 * "acknowledge interrupt on exit" (27.2.1.1): choose_apicv sets both.
 */
#define VMX_APICV_PROC2                                                        \
	(PROC2_X2APIC_MODE | PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY)

static bool apicv_available(const struct vmx_caps *c)
{
	return (c->proc1 & PROC_TPR_SHADOW) &&
	       (c->proc2_1 & VMX_APICV_PROC2) == VMX_APICV_PROC2 &&
	       (c->pin & PIN_EXT_INTR) &&
	       !(c->proc2_0 & PROC2_VIRT_APIC_ACCESS);
}

static int enable_feature_control(unsigned int cpu)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	/* SDM 24.7: VMXON outside SMX needs bit 2; once the lock bit is set
	 * the MSR cannot change until reset. */
	if (!(fc & FEATURE_CONTROL_LOCK)) {
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCK |
			      FEATURE_CONTROL_VMX_OUTSIDE_SMX);
		return 0;
	}
	if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		pr_err("cpu%u: VMX is disabled by firmware (IA32_FEATURE_CONTROL)",
		       cpu);
		return -1;
	}
	return 0;
}

static struct pt_fmt ept_fmt; /* defined with the EPT entries below */

static const char *apicv_why(bool cpu_has)
{
	if (!cpu_has)
		return "";
	return virt_apicv == APICV_OFF	    ? " (apicv=off)" :
	       virt_apicv == APICV_NOPOSTED ? " (apicv=noposted)" :
					      "";
}

/* The APIC virtualization policy on top of the controls (docs/vmx.md),
 * as far as the CPU and apicv= allow; builds the MSR bitmap to match. */
static void choose_apicv(struct vmx_caps *c)
{
	bool has_apicv = apicv_available(c);
	/* Posted interrupts need "acknowledge interrupt on exit" (SDM
	 * 27.2.1.1); vmx_exit.c then dispatches the acknowledged vector. */
	bool has_posted = has_apicv && (c->pin1 & PIN_POSTED_INTR) &&
			  (c->exit1 & EXIT_ACK_INTR);

	vmx_msr_bitmap = page_alloc(VMX_MSR_BITMAP_SIZE, PAGE_SIZE);
	c->apicv = has_apicv && virt_apicv != APICV_OFF &&
		   vmx_apicv_msr_bitmap(vmx_msr_bitmap) == 0;
	c->posted = c->apicv && has_posted && virt_apicv == APICV_POSTED;
	if (c->apicv) {
		c->proc |= PROC_TPR_SHADOW;
		c->proc2 |= VMX_APICV_PROC2;
		vmx_apicv_cpu0_init();
	} else {
		msr_bitmap_vmx(vmx_msr_bitmap, msr_passthrough,
			       msr_passthrough_count);
	}
	if (c->posted) {
		c->pin |= PIN_POSTED_INTR;
		c->exit |= EXIT_ACK_INTR;
	}
	pr_info("vmx: APIC virtualization: %s%s%s",
		c->apicv ? "x2APIC+register+VID" : "none (injection)",
		c->posted ? "+posted" : "",
		apicv_why(c->apicv ? has_posted : has_apicv));
}

/*
 * On CPU 0, before the APs start: read the capabilities, choose the
 * controls every VMCS uses and the APIC virtualization policy, and return
 * the ops table that goes with them (vmm/virt.h).
 */
const struct virt_ops *vmx_probe(void)
{
	struct vmx_caps c;

	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX)) {
		pr_err("vmx: no VMX (CPUID.1:ECX.VMX)");
		return NULL;
	}
	memset(&c, 0, sizeof(c));
	read_caps(&c);
	print_caps(&c);
	if (choose_controls(&c))
		return NULL;
	ept_fmt.gib = !!(c.ept_vpid & EPT_CAP_1G);
	choose_apicv(&c);
	vmx_caps = c;
	return c.apicv ? &vmx_apicv_ops : &vmx_ops;
}

/* On every CPU: VMX operation with the CPU's own fixed bits (SDM 24.7,
 * 24.8); the controls are CPU 0's (vmx_probe), and the boot stops unless
 * every CPU is on. */
static int vmx_enable(void)
{
	struct percpu *p = this_cpu();
	struct vmx_caps c;
	struct vmx_cpu *vc;

	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX)) {
		pr_err("cpu%u: no VMX (CPUID.1:ECX.VMX)", p->cpu);
		return -1;
	}
	if (enable_feature_control(p->cpu))
		return -1;
	memset(&c, 0, sizeof(c));
	read_caps(&c);
	if (!(c.proc2_1 & PROC2_EPT) || !(c.proc2_1 & PROC2_UNRESTRICTED)) {
		pr_err("cpu%u: VMX without EPT or unrestricted guest", p->cpu);
		return -1;
	}
	/* SDM 24.8: CR0 and CR4 must honour the fixed bits in VMX operation;
	 * CR4.VMXE enables VMXON. */
	write_cr0((read_cr0() | c.cr0_fixed0) & c.cr0_fixed1);
	write_cr4((read_cr4() | c.cr4_fixed0 | CR4_VMXE) & c.cr4_fixed1);
	/* VMX does not switch XCR0: the guest owns it, and vmm/exit.c runs
	 * XSETBV in the host for the guest, which needs the host's
	 * CR4.OSXSAVE (SDM vol. 2D XSETBV: #UD otherwise). HOST_CR4 is read
	 * from CR4 when a VMCS is set up. */
	if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)
		write_cr4(read_cr4() | CR4_OSXSAVE);
	vc = obj_try_alloc(sizeof(*vc));
	if (!vc)
		panic("out of memory for cpu%u's VMX state", p->cpu);
	vc->vmxon = page_alloc(VMX_REGION_SIZE, PAGE_SIZE);
	*(uint32_t *)vc->vmxon = c.revision;
	if (!vmx_on((uint64_t)(uintptr_t)vc->vmxon)) {
		pr_err("cpu%u: VMXON failed", p->cpu);
		return -1;
	}
	/* Translations cached by EPT before this boot are stale (29.4.3). */
	if (c.ept_vpid & EPT_CAP_INVEPT_ALL)
		invept(INVEPT_ALL, 0);
	p->virt = vc;
	return 0;
}

/* EPT entries (SDM 29.3.2): R/W/X in bits 0-2; leaves carry the memory
 * type (write-back; the guest's PAT still applies since "ignore PAT" is
 * clear) and bit 7 for a 2 MiB or 1 GiB page. */
static uint64_t ept_table(uint64_t pa)
{
	return pa | EPT_R | EPT_W | EPT_X;
}

static uint64_t ept_leaf(uint64_t pa, unsigned int perm, int large)
{
	uint64_t e = pa | (EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT);

	if (perm & NPT_R)
		e |= EPT_R;
	if (perm & NPT_W)
		e |= EPT_W;
	if (perm & NPT_X)
		e |= EPT_X;
	if (large)
		e |= EPT_LARGE;
	return e;
}

/* .gib is set from CPU 0's capabilities (vmx_cpu_init). */
static struct pt_fmt ept_fmt = { ept_table, ept_leaf, 0 };

static int vmx_map(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size,
		   unsigned int perm)
{
	/* Write without read is an EPT misconfiguration (29.3.3.1). */
	if ((perm & NPT_W) && !(perm & NPT_R))
		return -1;
	return pt_map(vm->npt, &ept_fmt, gpa, hpa, size, perm);
}

/* RDTSCP and RDPID #UD unless "enable RDTSCP" is set (SDM vol. 3C
 * 26.3, table 26-7): CPUID must not offer them then. */
static bool vmx_guest_rdtscp(void)
{
	return vmx_caps.proc2 & PROC2_RDTSCP;
}

/* Posted interrupts (vmx_caps.posted): a notification is merged in guest
 * mode (SDM 30.6), so a spare CPU may keep the vCPUs' timers. */
static bool vmx_posts_in_guest(void)
{
	return vmx_caps.posted;
}

/* The two tables differ only in the APIC virtualization hooks. */
#define VMX_OPS_COMMON                                                         \
	.name = "VMX", .enable = vmx_enable, .map = vmx_map,                   \
	.vcpu_init = vmx_vcpu_init, .set_state = vmx_set_state,                \
	.get_state = vmx_get_state, .run = vmx_run,                            \
	.skip_insn = vmx_skip_insn, .inject_exception = vmx_inject_exception,  \
	.irq_injectable = vmx_irq_injectable, .inject_irq = vmx_inject_irq,    \
	.inject_nmi = vmx_inject_nmi, .set_irq_window = vmx_set_irq_window,    \
	.nmi_injectable = vmx_nmi_injectable,                                  \
	.set_nmi_window = vmx_set_nmi_window, .handle_exit = vmx_handle_exit,  \
	.get_reg = vmx_get_reg, .set_reg = vmx_set_reg,                        \
	.guest_rdtscp = vmx_guest_rdtscp, .single_step = vmx_single_step,      \
	.flush_tlb = vmx_flush_tlb

static const struct virt_ops vmx_apicv_ops = {
	VMX_OPS_COMMON,
	.deliver_events = vmx_deliver_events,
	.post_vector = vmx_post_vector,
	.sync_irr = vmx_sync_irr,
	.posts_in_guest = vmx_posts_in_guest,
	.apic_page_hw = true,
};

/* Without APICv: the core injects from the vlapic's IRR (vmm/vcpu.c). */
static const struct virt_ops vmx_ops = {
	VMX_OPS_COMMON,
};
