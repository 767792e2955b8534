// SPDX-License-Identifier: MIT
/*
 * The vCPU run loop and the glue between the vlapic and the CPU it runs
 * on: host timer, kicks, INIT/SIPI, interrupt injection.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/extable.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/time.h"
#include "include/debug.h"
#include "lib/printk.h"
#include "arch/x86/system.h"
#include "vmm/vm.h"
#include "vmm/xcr0.h"

/* Interrupts other CPUs posted for @v into its vlapic (own CPU, host). */
static void vcpu_sync_irr(struct vcpu *v)
{
	if (virt.sync_irr)
		virt.sync_irr(v);
}

/* Which state may follow which (vcpu_set_state). */
static const uint8_t vcpu_next_states[] = {
	[VCPU_WAIT_SIPI] = 1u << VCPU_WAIT_SIPI | 1u << VCPU_RUNNING |
			   1u << VCPU_STOPPED,
	[VCPU_RUNNING] = 1u << VCPU_HALTED | 1u << VCPU_WAIT_SIPI |
			 1u << VCPU_STOPPED,
	[VCPU_HALTED] = 1u << VCPU_RUNNING | 1u << VCPU_WAIT_SIPI |
			1u << VCPU_STOPPED,
	[VCPU_STOPPED] = 1u << VCPU_RUNNING | 1u << VCPU_WAIT_SIPI,
};

void vcpu_set_state(struct vcpu *v, enum vcpu_run_state s)
{
	ASSERT(v->pcpu == this_cpu()->cpu);
	ASSERT(vcpu_next_states[v->state] & (1u << s));
	v->state = s;
}

static void host_timer_irq(void)
{
	this_cpu()->softirq |= SOFTIRQ_TIMER;
}

void vcpu_irq_init(void)
{
	irq_register(VEC_TIMER, host_timer_irq);
}

/* Real mode at CS:IP = (vector << 8):0 (SDM 9.4.4.1, "wait-for-SIPI"). */
static void vcpu_start_sipi(struct vcpu *v, uint8_t vector)
{
	struct vcpu_state s;

	memset(&s, 0, sizeof(s));
	s.rflags = RFLAGS_FIXED;
	s.cr0 = CR0_ET | CR0_CD | CR0_NW;
	s.cs.sel = (uint16_t)vector << 8;
	s.cs.base = (uint64_t)vector << 12;
	s.cs.limit = 0xffff;
	s.cs.attr = SEG_ATTR_CODE16;
	s.ds.limit = s.es.limit = s.fs.limit = s.gs.limit = s.ss.limit = 0xffff;
	s.ds.attr = s.es.attr = s.fs.attr = s.gs.attr = s.ss.attr =
		SEG_ATTR_DATA16;
	s.tr.limit = 0xffff;
	s.tr.attr = SEG_ATTR_TSS32_BUSY;
	s.ldtr.limit = 0xffff;
	s.ldtr.attr = SEG_ATTR_LDT;
	s.gdtr.limit = s.idtr.limit = 0xffff;
	memset(&v->regs, 0, sizeof(v->regs));
	virt.set_state(v, &s);
	vcpu_set_state(v, VCPU_RUNNING);
	if (log_level >= LOG_DEBUG && guest_msg_ok(v->vm))
		pr_debug("vm%u: vcpu%u: started by SIPI at %05x", v->vm->id,
			 v->id, vector << 12);
}

/*
 * The vlapic's deadline is due: raise it, unless the timer CPU had it and
 * delivered it already (vmm/timer_cpu.c: whoever empties the slot).
 */
void vcpu_handle_timer(struct vcpu *v)
{
	if (!v->timer_deadline || rdtsc() < v->timer_deadline)
		return;
	v->timer_deadline = 0;
	if (v->timer_remote) {
		v->timer_remote = false;
		if (!__atomic_exchange_n(&v->timer_slot, 0, __ATOMIC_ACQ_REL)) {
			vlapic_timer_taken(v->vlapic);
			return;
		}
	}
	vlapic_timer_expired(v->vlapic);
}

/* INIT, reset, stop: no deadline here nor on the timer CPU. */
static void vcpu_timer_clear(struct vcpu *v)
{
	v->timer_deadline = 0;
	if (v->timer_remote) {
		v->timer_remote = false;
		timer_cpu_publish(v, 0);
	}
}

/*
 * The host timer follows the vlapic's deadline, but only towards sooner:
 * a deadline that moved later (or was cancelled, 0) keeps the earlier one
 * armed, which then fires early, costs one exit and is armed again, like a
 * deadline further away than the LAPIC counter reaches. A guest that
 * pushes its deadline forward at every timer tick (Linux's tickless idle,
 * the bench's tsc_deadline_far) does not reprogram the LAPIC over MMIO or
 * MSR each time.
 */
static void vcpu_arm_host_timer(struct vcpu *v)
{
	struct percpu *p = this_cpu();
	/* A deadline the timer CPU keeps needs none here. */
	uint64_t want = v->timer_remote ? 0 : v->timer_deadline, armed;

	if (p->softirq & SOFTIRQ_TIMER) {
		p->softirq &= ~SOFTIRQ_TIMER;
		p->lapic_deadline = 0;
	}
	armed = p->lapic_deadline;
	if (armed == want || (armed && (!want || want > armed)))
		return;
	p->lapic_deadline = want;
	lapic_timer_arm(want);
}

static void vcpu_inject_events(struct vcpu *v)
{
	int vec;

	if (v->bus.active) /* nothing goes into a step (vmm/empty_bus.h) */
		return;
	if (v->nmi_pending && virt.nmi_injectable(v)) {
		v->nmi_pending = false;
		virt.inject_nmi(v);
	}
	virt.set_nmi_window(v, v->nmi_pending);
	if (virt.deliver_events) {
		virt.deliver_events(v);
		return;
	}
	vec = vlapic_pending(v->vlapic);
	if (vec < 0) {
		virt.set_irq_window(v, false);
		return;
	}
	if (virt.irq_injectable(v)) {
		virt.inject_irq(v, (uint8_t)vec);
		vlapic_ack(v->vlapic, (uint8_t)vec);
		virt.set_irq_window(v, false);
	} else {
		virt.set_irq_window(v, true);
	}
}

static bool vcpu_wakeup_pending(struct vcpu *v)
{
	/* An NMI wakes HLT unless NMIs are blocked (HLT in an NMI handler). */
	if ((v->nmi_pending && virt.nmi_injectable(v)) || v->init_pending)
		return true;
	vcpu_sync_irr(v);
	/* HLT resumes on an interrupt the guest would accept (SDM vol. 2A
	 * HLT): with RFLAGS.IF clear it keeps sleeping. */
	return vlapic_pending(v->vlapic) >= 0 &&
	       (virt.get_reg(v, VREG_RFLAGS) & RFLAGS_IF);
}

/*
 * A sleeping vCPU's CPU wakes at least this often. vCPU 0 polls the
 * physical console then. For every vCPU it is also a backstop: a lost
 * wake-up was seen on bochs-vmx-nopi (1 Linux boot in about 10: vCPU 1
 * asleep with its timer due, "rcu_preempt kthread timer wakeup didn't
 * happen", once a boot that never went on), its cause not found. vCPU 0
 * never showed it, as its console poll re-checked timers and interrupts.
 * Now every vCPU does, and a timer found overdue by more than
 * VCPU_LATE_WAKE_US at a wake-up is counted (VM-stop report), so the bug
 * stays visible instead of hanging the guest.
 */
#define SLEEP_MAX_US 10000

#define CONSOLE_POLL_EXITS 256

/* vCPU 0 polls the physical console for the guest UART's input: when it
 * sleeps, and every CONSOLE_POLL_EXITS exits while it runs. */
static void vcpu_poll_console(struct vcpu *v)
{
	if (v->id == 0)
		guest_console_poll(v->vm);
}

static void vcpu_sleep(struct vcpu *v)
{
	uint64_t now = rdtsc(), due = now + SLEEP_MAX_US * tsc_khz / 1000;

	/* Armed afresh at every sleep, whatever vcpu_arm_host_timer last
	 * kept: the sooner of the vlapic deadline and the backstop. The
	 * softirq flag makes the next entry arm the deadline again. */
	if (v->timer_deadline && v->timer_deadline < due)
		due = v->timer_deadline;
	lapic_timer_arm(due);
	this_cpu()->softirq |= SOFTIRQ_TIMER;
	safe_halt();
	/* Disarmed until the next entry arms the vlapic deadline (if any)
	 * again: a backstop firing in guest mode is an exit for nothing,
	 * and on qemu-svm (QEMU 10 TCG) a host timer interrupt during a
	 * guest's #DB storm made QEMU abort (bql_lock_impl assertion,
	 * hostile-dbstorm 5 of 6 runs). */
	lapic_timer_arm(0);
	now = rdtsc();
	if (v->timer_deadline &&
	    now > v->timer_deadline + VCPU_LATE_WAKE_US * tsc_khz / 1000)
		v->late_wakeups++;
	vcpu_handle_timer(v);
	vcpu_poll_console(v);
}

/* Slow-path exits only: the fast path counts its exits (vcpu_fastpath)
 * but keeps them out of the ring the VM-stop report prints. */
static void vcpu_record_exit(struct vcpu *v)
{
	struct exit_record *r = &v->ring[v->ring_head++ % EXIT_RING];

	v->exits[v->exit.reason]++;
	v->exits_total++;
	r->reason = v->exit.reason;
	r->hw_reason = v->exit.hw_reason;
	r->qual = v->exit.qual;
	r->rip = virt.get_reg(v, VREG_RIP);
}

static void vcpu_apply(struct vcpu *v, enum exit_action a)
{
	switch (a) {
	case ACT_RESUME:
		break;
	case ACT_SKIP:
		virt.skip_insn(v);
		break;
	case ACT_INJECT_GP:
		virt.inject_exception(v, VEC_GP, true, 0);
		break;
	case ACT_INJECT_UD:
		virt.inject_exception(v, VEC_UD, false, 0);
		break;
	case ACT_STOP:
		vm_request_stop(v->vm, VM_STOP_ERROR);
		break;
	}
}

static void vcpu_stopped(struct vcpu *v);

/*
 * Before an entry, what the requests say may have changed (everything
 * after a slow exit): the vlapic's timer, its pending interrupts, the
 * host timer. A step can raise new requests (an expiry sets an IRR bit;
 * an acknowledged vector unparks the timer), so it repeats while a timer
 * request is left: an unarmed deadline would wait for the next exit. An
 * interrupt another CPU sets meanwhile comes with its kick (vl_notify).
 */
void vcpu_prepare_entry(struct vcpu *v, unsigned int req)
{
	do {
		req |= __atomic_exchange_n(&v->req, 0, __ATOMIC_ACQUIRE);
		if (req & VCPU_REQ_TIMER)
			vcpu_handle_timer(v);
		req |= __atomic_exchange_n(&v->req, 0, __ATOMIC_ACQUIRE);
		if (req & VCPU_REQ_EVENTS)
			vcpu_inject_events(v);
		if (req & VCPU_REQ_TIMER)
			vcpu_arm_host_timer(v);
		req = 0;
	} while (__atomic_load_n(&v->req, __ATOMIC_RELAXED) & VCPU_REQ_TIMER);
}

/* Another vCPU's step over unbacked space left translations stale
 * (vmm/empty_bus.h): checked before every entry of this loop, the fast
 * ones too (SVM's own loop leaves it to here: svm_fast.c). */
static inline void vcpu_bus_before_entry(struct vcpu *v)
{
	if (__atomic_load_n(&v->vm->bus_gen, __ATOMIC_ACQUIRE) != v->bus.gen)
		empty_bus_before_entry(v);
}

void vcpu_run(struct vcpu *v)
{
	for (;;) {
		irq_disable();
		if (v->vm->stop != VM_STOP_NONE)
			vcpu_stopped(v);
		if (v->init_pending) {
			v->init_pending = false;
			/* What was posted before INIT goes with the IRR. */
			vcpu_sync_irr(v);
			vlapic_reset(v->vlapic);
			vcpu_timer_clear(v);
			vcpu_set_state(v, VCPU_WAIT_SIPI);
		}
		if (v->state == VCPU_WAIT_SIPI) {
			int vec = v->sipi_vector;

			if (vec >= 0) {
				v->sipi_vector = -1;
				vcpu_start_sipi(v, (uint8_t)vec);
			} else {
				vcpu_sleep(v);
				continue;
			}
		}
		/* A timer that expired while halted is taken by vcpu_sleep;
		 * before each entry by vcpu_prepare_entry. */
		if (v->state == VCPU_HALTED) {
			if (!vcpu_wakeup_pending(v)) {
				vcpu_sleep(v);
				continue;
			}
			vcpu_set_state(v, VCPU_RUNNING);
			/* A sender that saw this vCPU halted kicked it: the
			 * kick taken here costs no exit in guest mode. What it
			 * may have brought besides (a stop, INIT) the loop's
			 * checks see, from the top. */
			irq_window();
			continue;
		}
		if (v->exits_total >= v->console_poll_at) {
			v->console_poll_at =
				v->exits_total + CONSOLE_POLL_EXITS;
			vcpu_poll_console(v);
		}
		vcpu_prepare_entry(v, VCPU_REQ_ALL);
		for (;;) {
			vcpu_bus_before_entry(v);
			virt.run(v);
			if (!vcpu_fastpath(v)) {
				irq_window();
				vcpu_record_exit(v);
				vcpu_apply(v, empty_bus_handle_exit(v));
				break;
			}
			/* INIT or SIPI for this vCPU: the loop's checks. */
			if (v->req & VCPU_REQ_LOOP)
				break;
			if (v->req)
				vcpu_prepare_entry(v, 0);
		}
	}
}

void vcpu_idle_loop(void)
{
	struct percpu *p = this_cpu();

	for (;;) {
		struct vcpu *v = __atomic_load_n(&p->vcpu, __ATOMIC_ACQUIRE);

		if (v)
			vcpu_run(v);
		vm_mem_help_zero();
		timer_cpu_service();
		safe_halt();
	}
}

/* After a reset, on the vCPU's own CPU (the VMCS lives there). */
static void vcpu_restart(struct vcpu *v)
{
	memset(v->exits, 0, sizeof(v->exits));
	memset(v->events, 0, sizeof(v->events));
	/* XCR0 is 1 after reset (SDM Vol. 3A, table 10-1); the guest owns
	 * this CPU's XCR0 and may have left more enabled. */
	if (read_cr4() & CR4_OSXSAVE)
		xsetbv_safe(0, XCR0_X87);
	v->exits_total = 0;
	v->console_poll_at = 0;
	v->ring_head = 0;
	memset(v->cpuid_cache, 0, sizeof(v->cpuid_cache));
	vcpu_timer_clear(v);
	v->timer_posts = 0;
	v->init_pending = false;
	v->nmi_pending = false;
	v->sipi_vector = -1;
	v->irqs_sent = v->notifications = v->kicks = 0;
	v->late_wakeups = 0;
	vcpu_sync_irr(v);
	vlapic_reset(v->vlapic);
	vcpu_msrs_reset(v, true);
	if (v->id == 0) {
		vcpu_boot_state(v);
		vcpu_set_state(v, VCPU_RUNNING);
	} else {
		vcpu_set_state(v, VCPU_WAIT_SIPI);
	}
}

/*
 * This vCPU saw the stop request: report and park. The last one to stop
 * halts the machine, or for a guest reset with reboot=restart reloads the
 * VM and releases every vCPU into its reset state.
 */
static void vcpu_stopped(struct vcpu *v)
{
	struct vm *vm = v->vm;
	unsigned int gen = vm->generation;
	bool restart = vm->stop == VM_STOP_RESET && !vm->cfg.reset_stops;
	bool loud = !restart || vm->restart_loud;

	empty_bus_cancel(v);
	vcpu_set_state(v, VCPU_STOPPED);
	vcpu_timer_clear(v);
	lapic_timer_arm(0);
	this_cpu()->softirq |= SOFTIRQ_TIMER; /* re-arm after a restart */
	if (loud)
		vcpu_print_counters(v);
	if (__atomic_add_fetch(&vm->vcpus_stopped, 1, __ATOMIC_ACQ_REL) ==
	    vm->nr_vcpus) {
		if (loud) {
			vm_report(vm);
			pr_info("vm%u: all %u vCPUs stopped", vm->id,
				vm->nr_vcpus);
		}
		if (!restart)
			system_halt();
		vm_reload(vm);
		if (loud)
			pr_info("vm%u: restarting after a guest reset", vm->id);
		vm->vcpus_stopped = 0;
		vm->stop = VM_STOP_NONE;
		__atomic_add_fetch(&vm->generation, 1, __ATOMIC_RELEASE);
		for (unsigned int i = 0; i < vm->nr_vcpus; i++)
			vcpu_kick(vm->vcpus[i]);
	} else {
		while (__atomic_load_n(&vm->generation, __ATOMIC_ACQUIRE) ==
		       gen) {
			if (restart)
				safe_halt();
			else
				__asm__ volatile("cli; hlt");
		}
	}
	vcpu_restart(v);
}
