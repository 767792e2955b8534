/* SPDX-License-Identifier: MIT */
/*
 * The contract between the vendor-neutral core and a virtualization
 * backend (arch/x86/vmx, arch/x86/svm). The backend turns a hardware exit
 * into one struct vm_exit with a vendor-neutral reason; the core handles
 * it and returns an action that the backend applies on the next entry.
 * One image carries both backends; virt_select() picks one by CPUID.
 */
#ifndef X2HV_CORE_VIRT_H
#define X2HV_CORE_VIRT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/guest_regs.h"
#include "include/abi.h"

struct vm;
struct vcpu;

enum exit_reason {
	EXIT_NONE,
	EXIT_CPUID,
	EXIT_RDMSR,
	EXIT_WRMSR,
	EXIT_IO,
	EXIT_HLT,
	EXIT_HYPERCALL,
	EXIT_NPF, /* EPT violation / nested page fault */
	EXIT_EXCEPTION,
	EXIT_INTR, /* a host interrupt arrived */
	EXIT_INTR_WINDOW,
	EXIT_NMI,
	EXIT_SHUTDOWN, /* triple fault */
	EXIT_XSETBV,
	EXIT_INIT, /* INIT signal while running */
	EXIT_VIRT_INSN, /* VMX/SVM instruction in the guest: #UD */
	EXIT_INVALID_STATE, /* VM entry failed */
	EXIT_PAUSE,
	EXIT_PREEMPT_TIMER,
	EXIT_APIC_WRITE, /* VMX APIC-write (trap-like) */
	EXIT_EOI_INDUCED, /* VMX EOI-exit bitmap hit */
	EXIT_AVIC_IPI, /* SVM AVIC incomplete IPI */
	EXIT_AVIC_NOACCEL, /* SVM AVIC unaccelerated access */
	EXIT_CR_ACCESS, /* VMX MOV to/from CR the backend emulates */
	EXIT_STEP, /* the single-stepped instruction completed */
	EXIT_STEP_ABORT, /* SVM: an instruction the step must not run */
	EXIT_SMI, /* SVM: an SMI arrived; firmware takes it after the exit */
	EXIT_TASK_SWITCH, /* not emulated: the VM stops */
	EXIT_INVD,
	EXIT_IRET, /* SVM: the guest's IRET while an NMI is in service */
	EXIT_HANDLED, /* the backend handled it in its entry loop (SVM) */
	EXIT_UNKNOWN,
	NR_EXIT_REASONS
};

/* The numbers X2HV_HC_EXIT_COUNT takes are guest ABI (include/abi.h). */
_Static_assert(EXIT_CPUID == X2HV_EXIT_CPUID && EXIT_RDMSR == X2HV_EXIT_RDMSR &&
		       EXIT_WRMSR == X2HV_EXIT_WRMSR &&
		       EXIT_IO == X2HV_EXIT_IO && EXIT_HLT == X2HV_EXIT_HLT &&
		       EXIT_HYPERCALL == X2HV_EXIT_HYPERCALL &&
		       EXIT_EXCEPTION == X2HV_EXIT_EXCEPTION &&
		       EXIT_INTR == X2HV_EXIT_INTR &&
		       EXIT_NMI == X2HV_EXIT_NMI &&
		       EXIT_XSETBV == X2HV_EXIT_XSETBV &&
		       EXIT_SMI == X2HV_EXIT_SMI,
	       "exit reasons in include/abi.h");

extern const char *const exit_reason_names[NR_EXIT_REASONS];

struct vm_exit {
	enum exit_reason reason;
	uint64_t hw_reason; /* raw VMX basic reason / SVM EXITCODE */
	uint64_t qual; /* VMX exit qualification / SVM EXITINFO1 */
	uint64_t info2; /* SVM EXITINFO2 / VMX interruption info */
	uint64_t gpa; /* NPF: faulting guest-physical address */
	uint32_t insn_len; /* length of the exiting instruction, 0 unknown */
	bool delivering; /* during delivery of an interrupt or exception */
	union {
		struct {
			uint16_t port;
			uint8_t size; /* 1, 2 or 4 */
			bool in;
			bool string; /* INS/OUTS: not supported, #GP */
			bool rep;
		} io;
		struct {
			bool write, fetch, present;
		} npf;
		struct {
			uint8_t vector;
			bool has_err;
			uint32_t err;
			uint64_t cr2; /* #PF: the faulting linear address */
		} exc;
		struct {
			/* The guest's own debug exception (its TF, a data
			 * breakpoint) came with the step's: reflect a #DB. */
			bool guest_db;
		} step;
	};
};

enum exit_action {
	ACT_RESUME, /* re-enter at the same RIP */
	ACT_SKIP, /* advance RIP past the exiting instruction */
	ACT_INJECT_GP, /* inject #GP(0) */
	ACT_INJECT_UD, /* inject #UD */
	ACT_STOP, /* stop the VM (reason already printed) */
};

/* Segment register in AMD VMCB format: attr = type|S|DPL|P|AVL|L|DB|G. */
struct seg {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

#define SEG_ATTR_CODE32 0xc9b /* G, D, P, S, type 0xb (exec/read, accessed) */
#define SEG_ATTR_DATA32 0xc93 /* G, B, P, S, type 3 (read/write, accessed) */
#define SEG_ATTR_CODE16 0x09b
#define SEG_ATTR_DATA16 0x093
#define SEG_ATTR_TSS32_BUSY 0x08b
#define SEG_ATTR_LDT 0x082

/* Architectural state at vCPU (re)start and in VM-stop dumps. */
struct vcpu_state {
	uint64_t rip, rsp, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer;
	struct seg cs, ds, es, fs, gs, ss, tr, ldtr;
	struct seg gdtr, idtr; /* base and limit only */
};

#define NPT_R 1u
#define NPT_W 2u
#define NPT_X 4u
#define NPT_RWX (NPT_R | NPT_W | NPT_X)

enum vreg {
	VREG_RIP,
	VREG_RSP,
	VREG_RFLAGS,
	VREG_CR0,
	VREG_CR3,
	VREG_CR4,
	VREG_EFER, /* as the guest sees it */
	VREG_PAT,
	VREG_CPL, /* read-only: the current privilege level */
	VREG_CS_L, /* read-only: CS.L, 64-bit code */
	/* Added to the host's TSC for every guest TSC read (VMX "use TSC
	 * offsetting", SVM TSC_OFFSET); the core keeps it per vCPU. */
	VREG_TSC_OFFSET,
	VREG_CR2,
};

/*
 * How much APIC virtualization the backends may use (hypervisor command
 * line apicv=, docs/boot.md); boot/ sets it before virt_select(). A
 * backend uses no more than its CPU offers.
 */
enum apicv_mode {
	APICV_POSTED, /* all of it: posted interrupts (VMX), AVIC doorbells */
	APICV_NOPOSTED, /* APIC virtualization; other CPUs kick instead */
	APICV_OFF, /* none: x2hv injects every interrupt */
};
extern enum apicv_mode virt_apicv;
/* svm_inject=eventinj (docs/boot.md): SVM without AVIC injects external
 * interrupts through EVENTINJ instead of V_IRQ. Set by boot/ likewise. */
extern bool virt_svm_eventinj;

/*
 * What post_vector did with an interrupt for another CPU's vCPU; the core
 * (vmm/vcpu.c) acts on it and counts it.
 */
enum post_result {
	POST_PENDING, /* recorded; a notification or kick already on its
		       * way covers it */
	POST_NOTIFIED, /* recorded; a posted-interrupt notification sent */
	POST_WAKE, /* recorded; the vCPU is in the host and sees it before
		    * its next entry: wake it if it sleeps */
	POST_KICK, /* recorded; kick the vCPU out of guest mode */
};

struct virt_ops {
	const char *name;
	/* On every physical CPU: enter VMX operation / set EFER.SVME. */
	int (*enable)(void);
	/* Map [gpa, gpa+size) -> hpa; both 4 KiB aligned; large pages used
	 * where alignment allows. */
	int (*map)(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size,
		   unsigned int perm);
	/* Has the guest touched the page at @gpa since it was mapped?
	 * 1 yes, 0 no, -1 when the hardware keeps no accessed flags. */
	int (*gpa_accessed)(struct vm *vm, uint64_t gpa);
	int (*vcpu_init)(struct vcpu *v);
	void (*set_state)(struct vcpu *v, const struct vcpu_state *s);
	void (*get_state)(struct vcpu *v, struct vcpu_state *s);
	/* Enter the guest until the next exit; fills v->exit. Called with
	 * host interrupts disabled. */
	void (*run)(struct vcpu *v);
	/* Apply an action's side effects before the next run. */
	void (*skip_insn)(struct vcpu *v);
	void (*inject_exception)(struct vcpu *v, uint8_t vector, bool has_err,
				 uint32_t err);
	/* Can an external interrupt be injected now (IF=1, no shadow, no
	 * event pending)? */
	bool (*irq_injectable)(struct vcpu *v);
	void (*inject_irq)(struct vcpu *v, uint8_t vector);
	/*
	 * NMIs are blocked from the delivery of one until the guest's next
	 * IRET, whatever RFLAGS.IF says (SDM vol. 3A 7.7.1, APM vol. 2
	 * 8.2.2); the backend tracks that (VMX: virtual NMIs; SVM: the IRET
	 * intercept). Can an NMI be injected now (not blocked, no interrupt
	 * shadow, no event already going in)? If not, set_nmi_window(on)
	 * makes the guest exit as soon as one can.
	 */
	bool (*nmi_injectable)(struct vcpu *v);
	void (*inject_nmi)(struct vcpu *v);
	void (*set_nmi_window)(struct vcpu *v, bool on);
	void (*set_irq_window)(struct vcpu *v, bool on);
	/*
	 * Optional, for APIC virtualization (VMX APICv, SVM AVIC/x2AVIC):
	 * deliver_events replaces the core's IRR-to-injection step before
	 * each entry (the backend programs RVI or leaves the backing page to
	 * the hardware) and is called with the vCPU's interrupts pending in
	 * its vlapic page. post_irq is called on the sender's CPU after a
	 * fixed interrupt was set in another vCPU's vlapic page (backends
	 * without post_vector): return true when the hardware was notified
	 * (AVIC doorbell), false to have the core kick the vCPU out of guest
	 * mode. Only used with apicv=posted.
	 */
	void (*deliver_events)(struct vcpu *v);
	bool (*post_irq)(struct vcpu *v);
	/* Optional: true when an interrupt another CPU posts reaches the
	 * running guest without an exit (VMX posted interrupts); then the
	 * vCPUs' timers may live on a spare CPU (vmm/timer_cpu.c). */
	bool (*posts_in_guest)(void);
	/* The CPU itself sets and clears IRR and ISR bits in the vlapic
	 * page (VMX virtual-interrupt delivery and posted interrupts,
	 * AVIC): the vlapic must scan it (vlapic_set_hw_page). Not so for
	 * SVM's V_IRQ offer, where x2hv moves the vector itself. */
	bool apic_page_hw;
	/*
	 * The exits only the backend understands (EXIT_EXCEPTION, EXIT_IRET,
	 * EXIT_CR_ACCESS,
	 * EXIT_APIC_WRITE, EXIT_EOI_INDUCED, EXIT_AVIC_*): the core counts
	 * them under their own reason like every exit, then hands them back
	 * here; the backend returns the action to apply (ACT_STOP when it
	 * cannot handle one, which stops the VM with a report).
	 */
	enum exit_action (*handle_exit)(struct vcpu *v);
	/* Optional: false when RDTSCP and RDPID would #UD in the guest (VMX
	 * without "enable RDTSCP"), so CPUID hides them; NULL: they run. */
	bool (*guest_rdtscp)(void);
	/*
	 * Arm (on) or disarm the single-step of the guest's next instruction
	 * (vmm/empty_bus.c): VMX sets the monitor trap flag, whose exit is
	 * EXIT_STEP; SVM, and VMX without MTF, set RFLAGS.TF (IF clear) with
	 * #DB intercepted, the #DB being EXIT_STEP, and keep TF out of the
	 * guest's sight: the guest's own TF, IF and DR6 are kept, and on SVM
	 * POPF, IRET and INT n (and a PUSHF whose flags would not land in
	 * the page being stepped) end as EXIT_STEP_ABORT before they run.
	 * While armed, every exception but NMI is intercepted
	 * (EXIT_EXCEPTION; with MTF, #DB included). Arming returns false where the CPU
	 * cannot step the guest.
	 */
	bool (*single_step)(struct vcpu *v, bool on);
	/* Drop @v's cached guest-physical translations before its next
	 * entry (after a nested page-table change). */
	void (*flush_tlb)(struct vcpu *v);
	/*
	 * Optional, APIC virtualization whose virtual-APIC page other CPUs
	 * must not write while the vCPU runs (VMX): take fixed interrupt
	 * @vector for @v, sent from another CPU, into v's posted-interrupt
	 * requests (never its vlapic page) and say how v learns of it.
	 * sync_irr, on v's own CPU in the host, moves what was posted into
	 * the vlapic's IRR; the backend does the same before every entry.
	 */
	enum post_result (*post_vector)(struct vcpu *v, uint8_t vector);
	void (*sync_irr)(struct vcpu *v);
	/* Single registers for exit handlers (cheaper than get_state). */
	uint64_t (*get_reg)(struct vcpu *v, enum vreg r);
	void (*set_reg)(struct vcpu *v, enum vreg r, uint64_t val);
};

/*
 * The backend's ops, copied once from the table its probe returned
 * (virt_select, on CPU 0 before the APs start) and read-only afterwards.
 * virt.name is NULL until then, and when no backend is usable.
 */
extern struct virt_ops virt;

/*
 * Each backend's probe, on CPU 0 once its vendor's CPUID bit is seen:
 * read the capabilities, choose the controls and the APIC virtualization
 * policy, and return the one const ops table that goes with them; NULL
 * (with the reason printed) when the CPU lacks something required.
 */
const struct virt_ops *vmx_probe(void);
const struct virt_ops *svm_probe(void);

/* Pick and probe the backend for this CPU's vendor and copy its ops into
 * virt; false (with a message printed) when neither VMX nor SVM is
 * usable. */
bool virt_select(void);

#endif
