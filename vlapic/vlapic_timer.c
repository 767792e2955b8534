// SPDX-License-Identifier: MIT
/*
 * The local APIC timer (SDM 11.5.4): one-shot, periodic and TSC-deadline
 * (11.5.4.1). The timer clock is the guest TSC divided by tsc_per_bus_tick
 * (the bus clock) and then by the divide configuration. Time is kept as an
 * absolute guest-TSC deadline (vl->timer_deadline, 0 = disarmed) and the
 * length of one count-down (vl->timer_period), both saturated at
 * UINT64_MAX, plus the count at a start time, from which the current count
 * is derived exactly on demand (ops->now()): nothing ticks.
 */
#include "vlapic/vlapic_internal.h"

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

uint64_t vlapic_timer_now(struct vlapic *vl)
{
	return vl->ops && vl->ops->now ? vl->ops->now(vl) : 0;
}

static void set_timer(struct vlapic *vl, uint64_t deadline)
{
	vl->timer_parked = false;
	vl->timer_deadline = deadline;
	if (vl->ops && vl->ops->set_timer)
		vl->ops->set_timer(vl, deadline);
}

void vlapic_timer_disarm(struct vlapic *vl)
{
	if (vl->timer_deadline)
		set_timer(vl, 0);
}

void vlapic_timer_policy(struct vlapic *vl, uint64_t min_period, bool park)
{
	vl->timer_min_period = min_period;
	vl->timer_park = park;
}

/* Time between periodic interrupts: the count-down, at least the floor. */
static uint64_t periodic_interval(struct vlapic *vl)
{
	return vl->timer_period < vl->timer_min_period ? vl->timer_min_period :
							 vl->timer_period;
}

/* The first expiry on the grid deadline + k * @interval after @now. */
static uint64_t next_expiry(uint64_t deadline, uint64_t interval, uint64_t now)
{
	if (deadline > now)
		return deadline;
	return sat_add(deadline,
		       sat_mul((now - deadline) / interval + 1, interval));
}

/* The timer's vector is requested and not yet accepted. */
static bool timer_vector_pending(struct vlapic *vl)
{
	uint8_t vec = vlapic_get(vl, APIC_LVT_TIMER) & APIC_LVT_VECTOR;

	return vlapic_get(vl, vlapic_vec_off(APIC_IRR, vec)) &
	       vlapic_vec_bit(vec);
}

int vlapic_timer_parked_vector(struct vlapic *vl)
{
	if (!vl->timer_parked)
		return -1;
	return vlapic_get(vl, APIC_LVT_TIMER) & APIC_LVT_VECTOR;
}

void vlapic_timer_unpark(struct vlapic *vl)
{
	if (!vl->timer_parked || timer_vector_pending(vl))
		return;
	/* Accepted now: the next expiry after now raises it again (the ones
	 * in between would have found it pending and coalesced). */
	set_timer(vl, next_expiry(vl->timer_deadline, periodic_interval(vl),
				  vlapic_timer_now(vl)));
}

uint64_t vlapic_timer_deadline(const struct vlapic *vl)
{
	return vl->timer_deadline;
}

/* SDM figure 11-10: DCR bits 3,1,0 = code; divide by 2^((code+1) mod 8). */
static uint64_t divisor(uint32_t tdcr)
{
	uint32_t code = ((tdcr & APIC_TDCR_HIGH) >> APIC_TDCR_HIGH_SHIFT) |
			(tdcr & APIC_TDCR_LOW);

	return 1ull << ((code + 1) % APIC_TDCR_CODES);
}

/* Guest-TSC ticks per timer count: at most 2^7 * 2^32, no overflow. */
static uint64_t tick_tsc(struct vlapic *vl, uint32_t tdcr)
{
	return divisor(tdcr) * vl->tsc_per_bus_tick;
}

/* Start a count-down of @count (> 0) ticks now; periodic reloads initial. */
static void start_count(struct vlapic *vl, uint64_t count)
{
	uint64_t tick = tick_tsc(vl, vlapic_get(vl, APIC_TDCR));

	uint64_t now = vlapic_timer_now(vl);

	vl->timer_period = sat_mul(vlapic_get(vl, APIC_TMICT), tick);
	vl->timer_start = now;
	vl->timer_count0 = (uint32_t)count;
	set_timer(vl, sat_add(now, sat_mul(count, tick)));
}

/*
 * A write that changes the timer mode disarms the timer (SDM 11.5.4.1);
 * as KVM does, it also clears the initial count and IA32_TSC_DEADLINE so
 * the new mode starts from a defined state.
 */
void vlapic_timer_write_lvt(struct vlapic *vl, uint32_t old, uint32_t val)
{
	/* A new vector or mask: a parked timer waits on the old one. */
	if (vl->timer_parked)
		set_timer(vl,
			  next_expiry(vl->timer_deadline, periodic_interval(vl),
				      vlapic_timer_now(vl)));
	if ((old ^ val) & APIC_LVT_TIMER_MASK) {
		vlapic_timer_disarm(vl);
		vlapic_set(vl, APIC_TMICT, 0);
		vl->timer_period = 0;
		vl->tsc_deadline = 0;
	}
}

void vlapic_timer_write_tmict(struct vlapic *vl, uint32_t val)
{
	/* SDM 11.5.4.1: ignored in TSC-deadline mode. */
	if (vlapic_timer_mode(vl) == APIC_LVT_TIMER_TSCDEADLINE)
		return;
	vlapic_set(vl, APIC_TMICT, val);
	if (!val) {
		/* SDM 11.5.4: initial count 0 stops the timer. */
		vlapic_timer_disarm(vl);
		vl->timer_period = 0;
		return;
	}
	start_count(vl, val);
}

/*
 * The count at @now under divide configuration @tdcr: it went down by one
 * per full tick since timer_start; a periodic timer reloads the initial
 * count after reaching 0 (SDM 11.5.4).
 */
static uint32_t count_at(struct vlapic *vl, uint64_t now, uint32_t tdcr)
{
	uint64_t tick = tick_tsc(vl, tdcr);
	uint32_t initial = vlapic_get(vl, APIC_TMICT);
	uint64_t ticks;

	if (!vl->timer_deadline ||
	    vlapic_timer_mode(vl) == APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	ticks = now > vl->timer_start ? (now - vl->timer_start) / tick : 0;
	if (ticks < vl->timer_count0)
		return vl->timer_count0 - (uint32_t)ticks;
	if (vlapic_timer_mode(vl) == APIC_LVT_TIMER_PERIODIC && initial)
		return initial -
		       (uint32_t)((ticks - vl->timer_count0) % initial);
	return 0;
}

uint32_t vlapic_timer_read_tmcct(struct vlapic *vl)
{
	return count_at(vl, vlapic_timer_now(vl), vlapic_get(vl, APIC_TDCR));
}

/*
 * A new divide configuration applies to the counts still left: the current
 * count keeps its value and continues at the new rate.
 */
void vlapic_timer_write_tdcr(struct vlapic *vl, uint32_t val)
{
	uint64_t now;
	uint32_t left;

	if (!vl->timer_deadline ||
	    vlapic_timer_mode(vl) == APIC_LVT_TIMER_TSCDEADLINE) {
		vlapic_set(vl, APIC_TDCR, val);
		return;
	}
	now = vlapic_timer_now(vl);
	left = count_at(vl, now, vlapic_get(vl, APIC_TDCR));
	vlapic_set(vl, APIC_TDCR, val);
	if (left) {
		start_count(vl, left);
		return;
	}
	/* A one-shot that ran out, expiry not yet processed: stays at 0. */
	vl->timer_start = now;
	vl->timer_count0 = 0;
}

void vlapic_write_tsc_deadline(struct vlapic *vl, uint64_t val)
{
	VLAPIC_OWNER_ONLY(vl);
	/* SDM 11.5.4.1: writes are ignored unless in TSC-deadline mode. */
	if (vlapic_timer_mode(vl) != APIC_LVT_TIMER_TSCDEADLINE)
		return;
	vl->tsc_deadline = val;
	if (val)
		set_timer(vl, val); /* a past deadline fires at once */
	else
		vlapic_timer_disarm(vl);
}

uint64_t vlapic_timer_read_deadline(struct vlapic *vl)
{
	if (vlapic_timer_mode(vl) != APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	if (vl->ops && vl->ops->sync_timer)
		vl->ops->sync_timer(vl);
	return vl->tsc_deadline;
}

bool vlapic_timer_remote_ok(struct vlapic *vl)
{
	VLAPIC_OWNER_ONLY(vl);
	return vlapic_timer_mode(vl) == APIC_LVT_TIMER_TSCDEADLINE;
}

void vlapic_timer_raise_remote(struct vlapic *vl)
{
	uint32_t lvt = vlapic_get(vl, APIC_LVT_TIMER);

	/* The timer's LVT entry has no delivery mode: always fixed, edge. */
	if (!(lvt & APIC_LVT_MASKED))
		vlapic_set_irq(vl, lvt & APIC_LVT_VECTOR, false);
}

void vlapic_timer_taken(struct vlapic *vl)
{
	VLAPIC_OWNER_ONLY(vl);
	/* A mode change since disarmed it (vlapic_timer_write_lvt). */
	if (vlapic_timer_mode(vl) != APIC_LVT_TIMER_TSCDEADLINE)
		return;
	vl->timer_deadline = 0;
	vl->tsc_deadline = 0;
}

void vlapic_timer_expired(struct vlapic *vl)
{
	uint64_t now, next, deadline = vl->timer_deadline;

	VLAPIC_OWNER_ONLY(vl);
	if (!deadline || vl->timer_parked)
		return; /* cancelled, already delivered, or parked */
	now = vlapic_timer_now(vl);
	if (now < deadline) {
		set_timer(vl, deadline); /* early: wait again */
		return;
	}
	/*
	 * The host timer is one-shot and has fired: disarming needs no
	 * ops->set_timer(0), and only a periodic timer arms a new deadline.
	 */
	vl->timer_deadline = 0;
	switch (vlapic_timer_mode(vl)) {
	case APIC_LVT_TIMER_PERIODIC:
		if (!vl->timer_period || vl->timer_period == UINT64_MAX)
			break; /* the next period would end past UINT64_MAX */
		/* Coalesce the periods missed: one interrupt, next deadline >
		 * now, at most one per clamped period. */
		next = next_expiry(deadline, periodic_interval(vl), now);
		if (vl->timer_park && timer_vector_pending(vl)) {
			/* The interrupt would merge into the pending one: no
			 * host timer until the guest takes it (vlapic.h). The
			 * one that fired is spent: nothing to cancel. */
			vl->timer_deadline = next;
			vl->timer_parked = true;
		} else {
			set_timer(vl, next);
		}
		break;
	case APIC_LVT_TIMER_TSCDEADLINE:
		/* SDM 11.5.4.1: the timer disarms and the MSR reads 0. */
		vl->tsc_deadline = 0;
		break;
	default:
		break;
	}
	vlapic_raise_lvt(vl, APIC_LVT_TIMER);
}
