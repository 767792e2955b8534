/* SPDX-License-Identifier: MIT */
/*
 * VMs and vCPUs. A VM is a struct (memory, vCPUs, devices), never globals,
 * so several partitioned VMs can exist. Each vCPU is bound to one
 * physical CPU (static partitioning, no scheduler): vCPU i of the first
 * VM runs on CPU i.
 */
#ifndef X2HV_CORE_VM_H
#define X2HV_CORE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/lock.h"
#include "lib/ratelimit.h"
#include "loader/pvh.h"
#include "vmm/cr_policy.h"
#include "vmm/dev/uart.h"
#include "vmm/empty_bus.h"
#include "vmm/mtrr.h"
#include "vmm/virt.h"
#include "vlapic/vlapic.h"

/* A VM's vCPUs: the ACPI builder's limit (loader/acpi.h) and vcpus='s. */
#define VM_MAX_VCPUS 256
#define EXIT_RING 16 /* last exits kept for the VM-stop report */

enum vcpu_run_state {
	VCPU_WAIT_SIPI, /* after INIT (APs start here) */
	VCPU_RUNNING,
	VCPU_HALTED, /* HLT: sleeps until an interrupt is pending */
	VCPU_STOPPED,
};

/*
 * Things a guest did that x2hv refused or dropped, counted per vCPU and
 * summed in the VM-stop report (vmm/guest_event.c). Messages about them
 * are rate-limited per VM: a guest must not be able to keep the console,
 * which is written synchronously with interrupts off, busy.
 */
enum guest_event {
	GEV_STRING_IO, /* INS/OUTS: #GP */
	GEV_HYPERCALL_CPL, /* hypercall from CPL > 0: EPERM */
	GEV_MSR, /* RDMSR/WRMSR refused: #GP */
	GEV_CR, /* MOV to CR0/CR4/CR8 or EFER write refused: #GP */
	GEV_XSETBV, /* XSETBV refused: #GP or #UD */
	GEV_UD, /* an instruction the guest may not use: #UD */
	GEV_PRIV, /* a privileged instruction at CPL > 0: #GP */
	NR_GUEST_EVENTS
};

/* What may have changed since the last entry (vcpu.req, vcpu.c). */
#define VCPU_REQ_TIMER 1u /* the vlapic's deadline */
#define VCPU_REQ_EVENTS 2u /* IRR, PPR or NMI: evaluate the injection */
#define VCPU_REQ_LOOP 4u /* INIT or SIPI: through the run loop's checks */
#define VCPU_REQ_ALL (VCPU_REQ_TIMER | VCPU_REQ_EVENTS | VCPU_REQ_LOOP)

/* A CPUID result kept for a vCPU (vmm/cpuid.c). */
struct cpuid_entry {
	uint32_t leaf, sub;
	uint32_t eax, ebx, ecx, edx;
	uint32_t valid; /* 32 bits: 32-byte slots, indexed by a shift */
	uint32_t pad;
};

#define CPUID_CACHE 16

struct exit_record {
	uint64_t rip;
	uint64_t hw_reason;
	uint64_t qual;
	enum exit_reason reason;
};

/*
 * Who writes each field (bhyve-style legend). The owner is the physical
 * CPU the vCPU is bound to (pcpu, static partitioning); debug builds
 * ASSERT it where the rule matters (vcpu_set_state, the vlapic's
 * owner-only entry points, vmx_load/svm_run).
 *   (c) vcpu_create on CPU 0 before the vCPU first runs; read-only after
 *   (o) the owner CPU only (run loop, exit handlers, backend)
 *   (a) any CPU, a plain store to a volatile flag the owner consumes and
 *       clears, followed by a kick (vcpu_kick) so the owner looks
 */
/* A host interrupt's latency is far below this; a lost wake-up caught by
 * the sleep backstop (vcpu_sleep) is up to 10 ms late. */
#define VCPU_LATE_WAKE_US 5000

struct vcpu {
	struct guest_regs regs; /* (o) first: the entry stubs use offset 0 */
	struct vm *vm; /* (c) */
	unsigned int id; /* (c) index in the VM; also its x2APIC ID */
	unsigned int pcpu; /* (c) the owner */
	void *arch; /* (c) backend state: VMCS or VMCB and friends */
	struct vm_exit exit; /* (o) the last exit, filled by virt.run */
	struct vlapic *vlapic; /* (c) owner-only but vlapic_set_irq/route */
	volatile enum vcpu_run_state state; /* (o) vcpu_set_state; others
					     * read it (vl_sipi) */
	volatile bool init_pending; /* (a) set by an INIT IPI, (o) clears */
	volatile int sipi_vector; /* (a) STARTUP IPI, (o) takes; -1: none */
	volatile bool nmi_pending; /* (a) NMI IPI, (o) clears when injected */
	uint64_t timer_deadline; /* (o) vlapic's ops->set_timer */
	/* (a) the deadline the timer CPU keeps for this vCPU, 0: none; (o)
	 * whether it has one (vmm/timer_cpu.c) */
	uint64_t timer_slot;
	bool timer_remote;
	/* timer interrupts the timer CPU posted (written there only) */
	uint64_t timer_posts;
	uint64_t kvmclock_msr; /* (o) MSR_KVM_SYSTEM_TIME_NEW */
	int64_t tsc_offset; /* (o) guest TSC - host TSC (VREG_TSC_OFFSET) */
	uint64_t tsc_adjust; /* (o) IA32_TSC_ADJUST */
	struct vmtrr mtrr; /* (o) vmm/mtrr.h */
	uint64_t exits[NR_EXIT_REASONS]; /* (o) vcpu_record_exit, fastpath */
	uint64_t exits_total; /* (o) */
	/* (a) VCPU_REQ_*: __atomic_fetch_or from any CPU, the owner takes
	 * them (vcpu_prepare_entry) */
	unsigned int req;
	uint64_t console_poll_at; /* (o) exits_total of the next poll */
	struct cpuid_entry cpuid_cache[CPUID_CACHE]; /* (o) handle_cpuid */
	struct exit_record ring[EXIT_RING]; /* (o) */
	unsigned int ring_head; /* (o) */
	uint64_t events[NR_GUEST_EVENTS]; /* (o) vcpu_event: enum guest_event */
	/* (o) Sent from this vCPU's CPU (VM-stop report): fixed interrupts
	 * for other vCPUs, posted-interrupt notifications, kicks. */
	uint64_t irqs_sent, notifications, kicks;
	/* (o) wake-ups that found the timer more than VCPU_LATE_WAKE_US
	 * overdue (vcpu_sleep) */
	uint64_t late_wakeups;
	struct cr_policy cr_policy; /* (o) vcpu_cr_policy(), once */
	bool cr_policy_ready; /* (o) */
	struct bus_step bus; /* (o) a store to unbacked space being stepped */
};
_Static_assert(offsetof(struct vcpu, regs) == 0, "regs must come first");

/*
 * What boot/ hands over to build a VM: the guest kernel and optional
 * initrd (host memory that stays reserved, since a guest reset loads them
 * again), their command lines (file names already skipped) and the
 * options of the hypervisor's command line that concern the VM.
 */
struct vm_config {
	const void *kernel;
	uint64_t kernel_size;
	const char *kernel_cmdline;
	const void *initrd; /* NULL: none */
	uint64_t initrd_size;
	const char *initrd_cmdline;
	uint64_t mem; /* guest RAM in bytes */
	unsigned int vcpus; /* 0: one per physical CPU */
	bool reset_stops; /* reboot=stop: a guest reset stops the VM */
	bool bad_entry; /* testfault=badentry: vCPU 0 cannot enter */
	uint64_t entry_tsc; /* host TSC when x2hv started */
};

enum vm_stop_kind {
	VM_STOP_NONE,
	VM_STOP_POWEROFF,
	VM_STOP_RESET,
	VM_STOP_TEST_EXIT,
	VM_STOP_ERROR,
};

/* A piece of guest RAM above 4 GiB and the host block that backs it. */
struct vm_ram_chunk {
	uint64_t gpa, size;
	uint8_t *hva;
};

#define VM_MAX_RAM_CHUNKS 64

/*
 * Who writes each field (bhyve-style legend):
 *   (c) vm_boot on CPU 0 before any vCPU runs; read-only after
 *   (r) the last vCPU to stop (vcpu_stopped), while every other vCPU of
 *       the VM is parked waiting for generation to change
 *   (a) any vCPU's CPU, atomically (__atomic_*)
 *   (l) under lock
 *   (v) the CPU of the vCPU whose exit it is, unlocked: a counter or a
 *       value only a guest racing itself could confuse
 */
struct vm {
	unsigned int id; /* (c) */
	struct vm_config cfg; /* (c) */
	uint64_t ram_size; /* (c) bytes of guest RAM in all */
	uint8_t *ram; /* (c) host mapping of guest-physical 0 (contiguous) */
	uint64_t low_size; /* (c) RAM below 4 GiB: [0, low_size) at ram */
	/* (c) the rest from X2HV_GPA_ABOVE_4G up, in as few host blocks as
	 * the host's free memory allows (vmm/vm_mem.c) */
	struct vm_ram_chunk high[VM_MAX_RAM_CHUNKS];
	unsigned int n_high; /* (c) */
	void *npt; /* (c) EPT/NPT root (virtual = physical); virt.map */
	uint64_t npt_pa; /* (c) */
	uint8_t *empty_bus; /* (c) 2 MiB of 0xff: unbacked space, read-only */
	spinlock_t bus_lock; /* empty-bus page-table changes (vmm/empty_bus.c) */
	unsigned int bus_gen; /* (a) bumped when a step's mapping is undone */
	uint64_t bus_dropped; /* (a) stores to unbacked space dropped */
	bool xapic_written; /* (v) a store to the xAPIC page was dropped */
	unsigned int nr_vcpus; /* (c) */
	struct vcpu *vcpus[VM_MAX_VCPUS]; /* (c) */
	struct vlapic *vlapics[VM_MAX_VCPUS]; /* (c) */
	volatile enum vm_stop_kind stop; /* (a) CAS from NONE; (r) resets */
	volatile unsigned int vcpus_stopped; /* (a) add; (r) resets */
	spinlock_t lock; /* guards uart's line buffer (guest_console_*) */
	/* (l) line, len, line_open, last_output; (v) the 16550 registers;
	 * rx[] ring: vCPU 0's CPU fills (rx_head), RBR reads drain */
	struct guest_uart uart;
	uint64_t test_status; /* (v) TEST_EXIT hypercall, before the stop */
	uint64_t tsc_start; /* (c) host TSC at VM start: kvmclock's zero */
	uint32_t entry; /* (c)(r) PVH entry point of the loaded kernel */
	uint64_t start_info; /* (c)(r) GPA of hvm_start_info */
	bool ram_zero; /* (c)(r) RAM all zero: allocated, nothing loaded yet */
	volatile unsigned int generation; /* (r) release; bumped by restart */
	uint64_t io_dropped; /* (v) writes to unclaimed ports */
	struct ratelimit msg_limit; /* (a) its own lock: guest messages */
	/* (v) set by the guest's reset request, read by the last vCPU to
	 * stop: a guest reset prints its restart report (else it is one of
	 * the rate-limited messages that was dropped). */
	bool restart_loud;
	uint8_t rst_cnt; /* port 0xcf9 (vmm/dev/reset.h) */
	unsigned int triple_faults; /* since the VM was built */
};

/* Create VM 0 from @cfg and start its vCPUs (never returns). */
__attribute__((noreturn)) void vm_boot(const struct vm_config *cfg);
/* Print what the VM did to the platform (at VM stop). */
void vm_report(struct vm *vm);
/* Count @e for @v (its own CPU only). */
static inline void vcpu_event(struct vcpu *v, enum guest_event e)
{
	v->events[e]++;
}
/* May a message the guest caused print now? Says first how many were
 * dropped since the last one. Any CPU. */
bool guest_msg_ok(struct vm *vm);
/* Print the VM's event counts and dropped messages (vm_report). */
void guest_events_report(struct vm *vm);
/* Reload the kernel and rebuild the boot tables (VM start and reset). */
void vm_reload(struct vm *vm);
/* Put vCPU 0 in the PVH entry state of vm->entry / vm->start_info. */
void vcpu_boot_state(struct vcpu *v);
/* Guest-physical range -> host pointer, NULL unless all of it is RAM
 * backed by one host block (a range across two blocks above 4 GiB gets
 * NULL too: blocks are at least 2 MiB and aligned to it). */
void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len);
/* Back @mem bytes of guest RAM (vmm/vm_mem.c): 0, or -1 with *err. */
int vm_mem_alloc(struct vm *vm, uint64_t mem, const char **err);
/* An idle CPU's share of zeroing a new VM's RAM (vm_mem.c). */
void vm_mem_help_zero(void);
/* Map the RAM into the VM's EPT/NPT; 0 or -1 (out of memory). */
int vm_mem_map(struct vm *vm);
/* Stop the VM: every vCPU leaves guest mode and reports. Any CPU.
 * False when another stop request came first (that one wins). */
bool vm_request_stop(struct vm *vm, enum vm_stop_kind kind);
/* A platform reset (reset control register, 8042, triple fault): the VM
 * restarts, or stops with reboot=stop. Prints "vmN: restarting: @why"
 * or "vmN: stopped: @why". */
void vm_reset(struct vm *vm, const char *why);
/* Owner CPU only: the state machine of enum vcpu_run_state, checked by
 * ASSERT in debug builds (include/debug.h). */
void vcpu_set_state(struct vcpu *v, enum vcpu_run_state s);
/* The run loop of the vCPU bound to this CPU (never returns). */
__attribute__((noreturn)) void vcpu_run(struct vcpu *v);
/* The vlapic side effects of a vCPU (vcpu.c), given to vlapic_init(). */
extern const struct vlapic_ops vcpu_vlapic_ops;
/* Register the host timer's handler (once, before the first vCPU runs). */
void vcpu_irq_init(void);
/* APs wait here for a vCPU to be bound to them. */
__attribute__((noreturn)) void vcpu_idle_loop(void);
/* Make the CPU running @v look at it (exit guest mode / wake up). */
void vcpu_kick(struct vcpu *v);
/* CR8 is the vlapic's TPR[7:4] in 64-bit mode (SDM 10.8.6.1, APM vol. 2
 * 16.6.1): MOV to CR8 with bits 63:4 set is #GP (ACT_INJECT_GP), else
 * ACT_SKIP; the read gives TPR[7:4]. */
#define CR8_TPR_SHIFT 4
#define CR8_VALID_MASK 0xfull
enum exit_action vcpu_write_cr8(struct vcpu *v, uint64_t val);
/* Inline: the SVM backend reads it before every VMRUN (svm_tpr_load). */
static inline uint64_t vcpu_read_cr8(struct vcpu *v)
{
	return (vlapic_tpr(v->vlapic) >> CR8_TPR_SHIFT) & CR8_VALID_MASK;
}
/* On @v's CPU: if the vlapic's deadline is due, deliver it (once). */
void vcpu_handle_timer(struct vcpu *v);

/*
 * The timer CPU (vmm/timer_cpu.c): a CPU without a vCPU that keeps the
 * vCPUs' TSC-deadline timers when interrupts can be posted. Setup picks
 * it for @vm, if there is one; publish hands it @v's deadline (0: none);
 * service is its idle loop's work, a no-op on every other CPU.
 */
void timer_cpu_setup(struct vm *vm);
extern int timer_cpu;
static inline bool timer_cpu_active(void)
{
	return __atomic_load_n(&timer_cpu, __ATOMIC_ACQUIRE) >= 0;
}
void timer_cpu_publish(struct vcpu *v, uint64_t deadline);
void timer_cpu_service(void);
/* Print the VM-stop report for @v: reason, registers, counters, ring. */
void vcpu_dump(struct vcpu *v, const char *why);
/* Handle the exit just taken if it is one of the hottest (vmm/
 * vcpu_fast.c); true when the guest may be re-entered at once. Host
 * interrupts off. */
bool vcpu_fastpath(struct vcpu *v);
/* The entry work for @req and the requests raised meanwhile (vcpu.c);
 * host interrupts off. */
void vcpu_prepare_entry(struct vcpu *v, unsigned int req);
/* Print @v's exit counters, one line (vmm/vcpu_dump.c). */
void vcpu_print_counters(struct vcpu *v);

/* The vCPU's TSC: the host's plus its offset (vmm/msr.c). */
uint64_t vcpu_guest_tsc(struct vcpu *v);

/*
 * The vlapic keeps time in host TSC ticks (its APIC timer must not jump
 * when the guest writes its TSC); IA32_TSC_DEADLINE is in the vCPU's TSC.
 * 0 disarms; a deadline the conversion would wrap saturates, and one
 * already past stays armed (1) so that it fires at once. Inline: every
 * deadline write of a tickless guest comes through here.
 */
static inline uint64_t vcpu_deadline_to_host(const struct vcpu *v,
					     uint64_t guest)
{
	uint64_t host = guest - (uint64_t)v->tsc_offset;

	if (!guest)
		return 0;
	if (v->tsc_offset < 0 && host < guest)
		return UINT64_MAX;
	if (v->tsc_offset > 0 && host > guest)
		return 1;
	return host ? host : 1;
}
/* The MSR state a reset restores (TSC offset and TSC_ADJUST 0, MTRRs as
 * firmware leaves them); @on_its_cpu: also the backend's TSC offset,
 * which only the vCPU's own CPU may write. */
void vcpu_msrs_reset(struct vcpu *v, bool on_its_cpu);

/* Exit handling (vmm/exit.c). */
enum exit_action vcpu_handle_exit(struct vcpu *v);
/* Per-policy handlers. */
enum exit_action handle_cpuid(struct vcpu *v);
enum exit_action handle_rdmsr(struct vcpu *v);
enum exit_action handle_wrmsr(struct vcpu *v);
enum exit_action handle_io(struct vcpu *v);
enum exit_action handle_hypercall(struct vcpu *v);
enum exit_action handle_xsetbv(struct vcpu *v);
/* What this vCPU may write to CR0/CR4/EFER (its CPUID view). */
const struct cr_policy *vcpu_cr_policy(struct vcpu *v);
/* The register state the CR/EFER checks need, from the backend. */
void vcpu_cr_state(struct vcpu *v, struct cr_state *s);

#endif
