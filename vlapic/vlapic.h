/* SPDX-License-Identifier: MIT */
/*
 * The x2APIC-only virtual local APIC: pure C, no arch calls, freestanding.
 * docs/vlapic.md describes the model; this header states the contracts.
 *
 * State is the architectural 4 KiB register page (regs[], SDM table 11-1
 * layout: the register of MSR 0x800 + n lives at page offset n << 4) plus
 * a few fields outside it (timer, ESR latch, APIC base), so the page can be
 * the VMX virtual-APIC page (SDM vol. 3C 30.1) and the AMD AVIC backing page
 * (APM vol. 2 15.29). The x2APIC ICR is kept as one 64-bit value at 0x300
 * (the VMX layout for MSR 0x830); its destination is mirrored into 0x310 as
 * AVIC expects.
 *
 * Threading: every function belongs to the vCPU that owns @vl (its "owner")
 * except vlapic_set_irq() and vlapic_route_ipi(), which any CPU may call at
 * any time (see vlapic_set_irq()). The ops are called from the calling CPU
 * and must not call back into the same vlapic except as documented.
 */
#ifndef X2HV_VLAPIC_H
#define X2HV_VLAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vlapic/vlapic_regs.h"

#define VLAPIC_PAGE_SIZE 4096

struct vlapic;

/* A decoded interprocessor interrupt (the x2APIC ICR, SDM figure 11-28). */
struct vlapic_ipi {
	uint32_t dest; /* x2APIC ID, logical cluster|bitmap, or broadcast */
	uint8_t vector;
	uint8_t mode; /* APIC_DM_* */
	uint8_t shorthand; /* APIC_SH_* */
	bool logical; /* destination mode */
	bool level; /* trigger mode: level */
	bool assert; /* level: assert (1) or de-assert (0) */
};

/*
 * Side effects. Every hook may be NULL (then it is a no-op and now() reads
 * as 0). They run on the calling CPU.
 */
struct vlapic_ops {
	/* Guest TSC now. */
	uint64_t (*now)(struct vlapic *vl);
	/*
	 * Arm the host timer so that vlapic_timer_expired(vl) is called once
	 * the guest TSC reaches @deadline (at once if it already has); 0
	 * cancels. A new call replaces the previous deadline.
	 */
	void (*set_timer)(struct vlapic *vl, uint64_t deadline);
	/*
	 * @vl has a new pending interrupt; @vl may belong to another CPU
	 * (kick it). Called after the IRR bit is visible.
	 */
	void (*notify)(struct vlapic *vl);
	/*
	 * Optional. A fixed interrupt for @vl was accepted (its TMR bit is
	 * already updated), maybe on a CPU that does not own @vl. Return
	 * true when the backend took @vector into its posting channel (a
	 * VMX posted-interrupt descriptor) and saw to it that the owner
	 * notices: the vlapic then leaves the IRR alone and does not call
	 * notify; the owner moves the vector into the IRR later with
	 * vlapic_accept_posted(). Return false to have the vlapic set the
	 * IRR bit and call notify.
	 *
	 * Why: while the owner runs its guest with VMX virtual-interrupt
	 * delivery, the CPU updates the IRR in the page with plain
	 * read-modify-writes (SDM vol. 3C 30.2.2, 30.1.3), so another CPU's
	 * write into it can be lost or bring back a vector just delivered;
	 * the PIR is the channel the SDM makes safe for other agents
	 * (30.6).
	 */
	bool (*post)(struct vlapic *vl, uint8_t vector);
	/*
	 * The owner of @src wrote the ICR. The VM routes the IPI, normally
	 * with vlapic_route_ipi() over its vlapics.
	 */
	void (*send_ipi)(struct vlapic *src, const struct vlapic_ipi *ipi);
	/*
	 * INIT, STARTUP and NMI delivered to @target (maybe another CPU's).
	 * INIT: the target's owner must call vlapic_reset() on itself and
	 * wait for SIPI; STARTUP: start in real mode at CS:IP =
	 * (vector << 8):0, i.e. at physical vector << 12 (SDM 8.4.4.1).
	 */
	void (*init)(struct vlapic *target);
	void (*sipi)(struct vlapic *target, uint8_t vector);
	void (*nmi)(struct vlapic *target);
	/*
	 * EOI of a level-triggered interrupt (its TMR bit was set): the EOI
	 * broadcast to I/O APICs (SDM 11.8.5). Optional.
	 */
	void (*eoi_level)(struct vlapic *vl, uint8_t vector);
	/*
	 * Is the calling CPU @vl's owner? Debug builds ASSERT it at every
	 * owner-only entry point (include/debug.h). Optional.
	 */
	bool (*on_owner)(struct vlapic *vl);
	/*
	 * Optional. Before the owner reads IA32_TSC_DEADLINE: take an expiry
	 * that another CPU delivered (vlapic_timer_raise_remote) into the
	 * timer's state, so that the MSR reads 0 as SDM 11.5.4.1 says.
	 */
	void (*sync_timer)(struct vlapic *vl);
};

struct vlapic {
	/* The register page; must stay first (page-aligned). */
	uint8_t regs[VLAPIC_PAGE_SIZE]
		__attribute__((aligned(VLAPIC_PAGE_SIZE)));

	const struct vlapic_ops *ops;
	void *opaque;
	uint64_t apic_base; /* IA32_APIC_BASE, locked (vlapic_wrmsr) */
	uint32_t tsc_per_bus_tick; /* APIC bus clock = TSC / this (>= 1) */
	/* Errors detected since the last ESR write; atomic (any CPU). */
	uint32_t esr_pending;
	/* Timer: guest-TSC deadline of the next expiry, 0 when disarmed. */
	uint64_t timer_deadline;
	uint64_t timer_period; /* TSC ticks of one count-down, saturated */
	uint64_t timer_start; /* guest TSC when the count was timer_count0 */
	uint32_t timer_count0;
	uint64_t tsc_deadline; /* IA32_TSC_DEADLINE as the guest sees it */
	/* Periodic mode: shortest time between interrupts (TSC ticks). */
	uint64_t timer_min_period;
	/* Park a periodic timer whose vector is still pending (vlapic_timer_policy). */
	bool timer_park;
	/* Parked: timer_deadline is the logical next expiry, no host timer. */
	bool timer_parked;
	/*
	 * Summaries of the IRR and ISR, one bit per 32-bit word of the page
	 * (bit i: vectors 32i..32i+31), so that "anything pending?", PPR and
	 * EOI need not scan eight words. irr_words may over-state (a set bit
	 * over an empty word: only the owner clears bits, after looking) but
	 * never under-states: accept_fixed sets the IRR bit, then its
	 * summary bit. isr_words is exact; only the owner changes the ISR.
	 * Not used with hw_page (vlapic_set_hw_page).
	 */
	uint32_t irr_words;
	uint32_t isr_words;
	/* The CPU changes IRR and ISR in the page too: scan them. */
	bool hw_page;
};

/*
 * Set up @vl with x2APIC ID @x2apic_id (LDR derived from it), IA32_APIC_BASE
 * = 0xFEE00000 | EN | EXTD (| BSP when @bsp), and reset the registers.
 * @tsc_per_bus_tick 0 is taken as 1. @ops must outlive @vl; it may be NULL.
 */
void vlapic_init(struct vlapic *vl, uint32_t x2apic_id, bool bsp,
		 uint32_t tsc_per_bus_tick, const struct vlapic_ops *ops,
		 void *opaque);

/*
 * INIT (SDM 11.4.7.3): every register to its reset value except the ID,
 * LDR and IA32_APIC_BASE (EN|EXTD stay set: x2APIC is locked); the timer
 * is disarmed (ops->set_timer(0) if it was armed).
 */
void vlapic_reset(struct vlapic *vl);

/* True for IA32_APIC_BASE (0x1B), IA32_TSC_DEADLINE (0x6E0), 0x800-0x8FF. */
bool vlapic_handles_msr(uint32_t msr);

/*
 * RDMSR/WRMSR of an MSR of vlapic_handles_msr(). Return 0, or -1 when the
 * instruction must raise #GP(0) (nothing changed then). docs/vlapic.md
 * lists the rules.
 */
int vlapic_rdmsr(struct vlapic *vl, uint32_t msr, uint64_t *val);
int vlapic_wrmsr(struct vlapic *vl, uint32_t msr, uint64_t val);
/* The hottest writes of vlapic_wrmsr, one entry each for the fast exit
 * paths: the same rules and returns (IA32_TSC_DEADLINE has no #GP). */
int vlapic_write_tpr(struct vlapic *vl, uint64_t val);
int vlapic_write_eoi(struct vlapic *vl, uint64_t val);
int vlapic_write_self_ipi(struct vlapic *vl, uint64_t val);
void vlapic_write_tsc_deadline(struct vlapic *vl, uint64_t val);

/*
 * Accept a fixed interrupt: set IRR (and TMR when @level, clear it when
 * edge), then ops->notify(vl). Dropped while the APIC is software-disabled
 * (SDM 11.4.7.2). Vectors 0-15 are refused with the "receive illegal
 * vector" error (SDM 11.5.3).
 *
 * May be called from any CPU concurrently with the owner: IRR/TMR/ESR
 * updates are __atomic read-modify-writes and only the owner clears IRR
 * bits (vlapic_ack). Nothing else in the page is written. With ops->post
 * the vector goes to the backend instead of the IRR.
 */
void vlapic_set_irq(struct vlapic *vl, uint8_t vector, bool level);

/*
 * Owner only: move the interrupts other CPUs posted for @vl (ops->post)
 * into the IRR. @req is a 256-bit request bitmap in the PIR layout of SDM
 * vol. 3C 30.6: vector v is bit v % 64 of req[v / 64]. Vectors 0-15 are
 * ignored (accept_fixed never posts them). The request is edge or level
 * as its TMR bit already says. Returns the highest vector merged, or -1.
 */
#define VLAPIC_REQ_WORDS 4
int vlapic_accept_posted(struct vlapic *vl,
			 const uint64_t req[VLAPIC_REQ_WORDS]);

/*
 * Highest IRR vector whose priority class is above the PPR's (SDM 11.8.3),
 * else -1. Owner only, as vlapic_ack().
 */
int vlapic_pending(struct vlapic *vl);

/* False when vlapic_pending() would say -1 from the summary alone:
 * inline, for the paths where nothing is pending most of the time. */
static inline bool vlapic_may_be_pending(struct vlapic *vl)
{
	return vl->hw_page || __atomic_load_n(&vl->irr_words, __ATOMIC_ACQUIRE);
}

/*
 * The CPU accepted @vector (the core injected it): move it from IRR to ISR
 * and raise PPR. Ignored when @vector is not in the IRR.
 */
void vlapic_ack(struct vlapic *vl, uint8_t vector);

/*
 * vlapic_ack(vlapic_pending()) in one, for a backend that offers the
 * interrupt as soon as it is pending (SVM's V_IRQ): the vector now in
 * service, or -1 when none is pending. Owner only.
 */
int vlapic_take_pending(struct vlapic *vl);

/*
 * Undo vlapic_ack(@vector): the CPU was offered it but did not take it
 * (SVM's V_IRQ). Back from ISR to IRR, where a copy that arrived
 * meanwhile merges with it as on hardware; PPR follows. Ignored when
 * @vector is not in the ISR. Owner only.
 */
void vlapic_unack(struct vlapic *vl, uint8_t vector);

/*
 * The host timer armed through ops->set_timer fired. Raises the LVT timer
 * interrupt once (unless masked) and rearms a periodic timer, coalescing
 * missed periods; a one-shot or TSC-deadline timer disarms. A call with no
 * timer armed does nothing; one before the deadline re-arms it.
 */
void vlapic_timer_expired(struct vlapic *vl);

/*
 * Another CPU keeps the deadline of this TSC-deadline timer (vmm's timer
 * CPU, vmm/timer_cpu.c). vlapic_timer_remote_ok: may it, i.e. is the
 * timer in TSC-deadline mode (owner). vlapic_timer_raise_remote: any CPU,
 * at the deadline: the LVT timer interrupt as vlapic_timer_expired raises
 * it (unless masked), from a read of the LVT entry that a concurrent
 * write leaves old or new, as on hardware. vlapic_timer_taken: the
 * owner's side of it: the expiry was delivered elsewhere, so the timer
 * disarms and IA32_TSC_DEADLINE reads 0, with nothing raised again.
 */
bool vlapic_timer_remote_ok(struct vlapic *vl);
void vlapic_timer_raise_remote(struct vlapic *vl);
void vlapic_timer_taken(struct vlapic *vl);

/*
 * Raise the local interrupt of LVT entry at page offset @lvt (APIC_LVT_*):
 * for device models (LINT0/1, PMU, thermal, CMCI). Fixed goes through
 * vlapic_set_irq(), NMI to ops->nmi; masked entries and other delivery
 * modes are ignored. Owner only.
 */
void vlapic_raise_lvt(struct vlapic *vl, uint32_t lvt);

/*
 * Deliver @ipi from @src (may be NULL for a device) to the vlapics of
 * lapics[0..n) it selects (SDM 11.6.2, 11.12.10): physical ID, logical
 * cluster/bitmap, broadcast 0xFFFFFFFF, shorthands self/all/all-but-self.
 * NULL entries are skipped and nothing outside lapics[] is touched (self
 * means "src, if it is in lapics[]"). Fixed: vlapic_set_irq() on each
 * target; lowest priority: exactly one software-enabled target, lowest PPR
 * first, ties split by vector; NMI/INIT/STARTUP: target->ops->nmi/init/
 * sipi. A level-triggered de-assert message (e.g. INIT de-assert) is
 * ignored (SDM table 11-3 note 2). Returns the number of targets.
 */
int vlapic_route_ipi(struct vlapic *const *lapics, size_t n, struct vlapic *src,
		     const struct vlapic_ipi *ipi);

/* Decode an x2APIC ICR value (no checks: vlapic_wrmsr does them). */
void vlapic_icr_decode(uint64_t icr, struct vlapic_ipi *ipi);

/*
 * @on: the CPU writes IRR and ISR in the page itself (VMX virtual-
 * interrupt delivery and posted interrupts, AVIC), behind the summaries of
 * struct vlapic: every look at them scans the page instead. Owner only,
 * before the vCPU first runs; the default is off (software injection).
 */
void vlapic_set_hw_page(struct vlapic *vl, bool on);

/* Accessors for the VMX/SVM backends. */
static inline void *vlapic_page(struct vlapic *vl)
{
	return vl->regs;
}

/* The TPR as the guest last wrote it (owner only): the SVM backend keeps
 * V_TPR in step with it before every entry, so without a call. */
static inline uint32_t vlapic_tpr(const struct vlapic *vl)
{
	return __atomic_load_n(
		(const uint32_t *)(const void *)&vl->regs[APIC_TPR],
		__ATOMIC_RELAXED);
}

static inline void *vlapic_opaque(const struct vlapic *vl)
{
	return vl->opaque;
}

uint32_t vlapic_id(const struct vlapic *vl);
/* Highest in-service vector, or -1. */
int vlapic_highest_isr(struct vlapic *vl);
/* Highest requested vector regardless of PPR, or -1. */
int vlapic_highest_irr(struct vlapic *vl);
/* Is @vector's TMR bit set (a level-triggered interrupt)? */
bool vlapic_vector_is_level(struct vlapic *vl, uint8_t vector);
/* Recompute PPR from TPR and ISR (after hardware changed either). */
void vlapic_update_ppr(struct vlapic *vl);
/* Guest-TSC deadline of the armed timer, 0 when disarmed. */
uint64_t vlapic_timer_deadline(const struct vlapic *vl);

/*
 * Guard the owner's CPU against a guest's periodic timer (both default
 * off). A periodic timer interrupts at most once per @min_period TSC
 * ticks, however small its count (KVM clamps to 200 us likewise). With
 * @park, a periodic expiry that finds the timer's vector still pending in
 * the IRR (it would only coalesce) arms no host timer: the timer is
 * "parked" until the vector is accepted, which vlapic_ack() notices; a
 * backend that accepts interrupts in hardware calls vlapic_timer_unpark()
 * on the EOI of vlapic_timer_parked_vector() (VMX: EOI-exit bitmap).
 */
void vlapic_timer_policy(struct vlapic *vl, uint64_t min_period, bool park);
/* The vector a parked timer waits on, or -1. */
int vlapic_timer_parked_vector(struct vlapic *vl);
/* Re-arm a parked timer if its vector left the IRR (no-op otherwise). */
void vlapic_timer_unpark(struct vlapic *vl);
/* SVR bit 8. */
bool vlapic_sw_enabled(struct vlapic *vl);

#endif
