// SPDX-License-Identifier: MIT
/*
 * The vlapic's ops for a vCPU (vlapic/vlapic.h struct vlapic_ops): time,
 * the host timer, and how an interrupt, INIT, SIPI or NMI reaches the
 * vCPU's CPU: a kick (VEC_KICK), or the backend's posting channel
 * (virt_ops.post_vector, vmm/virt.h) with its notification.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/time.h"
#include "vmm/vm.h"

static struct vcpu *vcpu_of(struct vlapic *vl)
{
	return vlapic_opaque(vl);
}

void vcpu_kick(struct vcpu *v)
{
	struct percpu *p = this_cpu();

	if (v->pcpu == p->cpu)
		return;
	lapic_send_ipi(percpu[v->pcpu].apic_id, VEC_KICK);
	if (p->vcpu)
		p->vcpu->kicks++;
}

enum exit_action vcpu_write_cr8(struct vcpu *v, uint64_t val)
{
	if (val & ~CR8_VALID_MASK) {
		vcpu_event(v, GEV_CR);
		return ACT_INJECT_GP;
	}
	vlapic_wrmsr(v->vlapic, X2APIC_MSR(APIC_TPR), val << CR8_TPR_SHIFT);
	return ACT_SKIP;
}

static uint64_t vl_now(struct vlapic *vl)
{
	return rdtsc();
}

/*
 * Would vcpu_arm_host_timer (vcpu.c) keep the armed host timer for
 * @deadline? Yes when one is armed, has not fired, and @deadline is no
 * sooner (or 0): then a deadline write needs no entry work. Should
 * @deadline be past already, so is the armed one: its interrupt makes the
 * next entry exit at once, and the slow path fires the vlapic timer.
 */
static inline bool host_timer_covers(uint64_t deadline)
{
	struct percpu *p = this_cpu();
	uint64_t armed = p->lapic_deadline;

	return armed && !(p->softirq & SOFTIRQ_TIMER) &&
	       (!deadline || deadline >= armed);
}

/* A deadline pushed later (Linux's tickless idle at every tick) keeps
 * the host timer as it is: no entry work. */
static inline void set_timer_local(struct vcpu *v, uint64_t deadline)
{
	if (!host_timer_covers(deadline))
		__atomic_fetch_or(&v->req, VCPU_REQ_TIMER, __ATOMIC_RELAXED);
}

/* With a timer CPU, or a deadline there to take back. */
static __attribute__((noinline)) void set_timer_remote(struct vlapic *vl,
						       uint64_t deadline)
{
	struct vcpu *v = vcpu_of(vl);
	bool remote = deadline && timer_cpu_active() &&
		      vlapic_timer_remote_ok(vl) && deadline > rdtsc();

	if (remote || v->timer_remote) {
		v->timer_remote = remote;
		timer_cpu_publish(v, remote ? deadline : 0);
		if (remote)
			return;
	}
	set_timer_local(v, deadline);
}

/*
 * A future TSC deadline goes to the timer CPU when there is one
 * (vmm/timer_cpu.c); anything else, and every deadline without it, to
 * this CPU's host timer.
 */
static void vl_set_timer(struct vlapic *vl, uint64_t deadline)
{
	struct vcpu *v = vcpu_of(vl);

	v->timer_deadline = deadline;
	if (timer_cpu_active() || v->timer_remote)
		set_timer_remote(vl, deadline);
	else
		set_timer_local(v, deadline);
}

/* vl_notify for another CPU's vCPU: counted, posted or kicked. */
static __attribute__((noinline)) void notify_remote(struct vcpu *v,
						    struct percpu *p)
{
	if (p->vcpu)
		p->vcpu->irqs_sent++;
	__atomic_fetch_or(&v->req, VCPU_REQ_EVENTS, __ATOMIC_RELEASE);
	if (virt_apicv == APICV_POSTED && virt.post_irq && virt.post_irq(v))
		return;
	vcpu_kick(v);
}

static void vl_notify(struct vlapic *vl)
{
	struct vcpu *v = vcpu_of(vl);
	struct percpu *p = this_cpu();

	/* Its own CPU (a SELF IPI, a timer, an IPI to itself): in the
	 * host now, it sees the request before its next entry. */
	if (v->pcpu == p->cpu)
		__atomic_fetch_or(&v->req, VCPU_REQ_EVENTS, __ATOMIC_RELAXED);
	else
		notify_remote(v, p);
}

/*
 * vlapic ops->post: a fixed interrupt for @vl. Its owner's CPU, which is
 * in the host right now, writes the vlapic page itself; another CPU hands
 * the vector to the backend's posting channel (virt_ops.post_vector) and
 * then notifies, kicks or wakes as the backend says. A vCPU halted in the
 * hypervisor has no guest mode to be notified in: it is woken by a kick.
 * The state is read after the backend's locked update of the request
 * bits, and the owner writes VCPU_HALTED before it looks at them
 * (vcpu_wakeup_pending), so one of the two sees the other.
 */
static bool vl_post(struct vlapic *vl, uint8_t vector)
{
	struct vcpu *v = vcpu_of(vl);
	struct percpu *p = this_cpu();

	if (!virt.post_vector || v->pcpu == p->cpu)
		return false;
	if (p->vcpu)
		p->vcpu->irqs_sent++;
	switch (virt.post_vector(v, vector)) {
	case POST_NOTIFIED:
		if (p->vcpu)
			p->vcpu->notifications++;
		break;
	case POST_KICK:
		vcpu_kick(v);
		break;
	case POST_WAKE:
		if (v->state == VCPU_HALTED)
			vcpu_kick(v);
		break;
	case POST_PENDING:
		break;
	}
	return true;
}

static void vl_send_ipi(struct vlapic *src, const struct vlapic_ipi *ipi)
{
	struct vm *vm = vcpu_of(src)->vm;

	vlapic_route_ipi(vm->vlapics, vm->nr_vcpus, src, ipi);
}

static void vl_init(struct vlapic *vl)
{
	struct vcpu *v = vcpu_of(vl);

	v->init_pending = true;
	__atomic_fetch_or(&v->req, VCPU_REQ_LOOP, __ATOMIC_RELEASE);
	vcpu_kick(v);
}

static void vl_sipi(struct vlapic *vl, uint8_t vector)
{
	struct vcpu *v = vcpu_of(vl);

	/* A STARTUP IPI only matters to a CPU waiting for one (SDM 9.4.4). */
	if (v->state == VCPU_WAIT_SIPI || v->init_pending) {
		v->sipi_vector = vector;
		__atomic_fetch_or(&v->req, VCPU_REQ_LOOP, __ATOMIC_RELEASE);
		vcpu_kick(v);
	}
}

static void vl_nmi(struct vlapic *vl)
{
	struct vcpu *v = vcpu_of(vl);

	v->nmi_pending = true;
	__atomic_fetch_or(&v->req, VCPU_REQ_EVENTS, __ATOMIC_RELEASE);
	vcpu_kick(v);
}

/* Before a read of IA32_TSC_DEADLINE: an expiry the timer CPU delivered. */
static void vl_sync_timer(struct vlapic *vl)
{
	struct vcpu *v = vcpu_of(vl);

	if (v->timer_remote)
		vcpu_handle_timer(v);
}

static bool vl_on_owner(struct vlapic *vl)
{
	return vcpu_of(vl)->pcpu == this_cpu()->cpu;
}

const struct vlapic_ops vcpu_vlapic_ops = {
	.now = vl_now,
	.set_timer = vl_set_timer,
	.notify = vl_notify,
	.post = vl_post,
	.send_ipi = vl_send_ipi,
	.init = vl_init,
	.sipi = vl_sipi,
	.nmi = vl_nmi,
	.on_owner = vl_on_owner,
	.sync_timer = vl_sync_timer,
};
