/* SPDX-License-Identifier: MIT */
/*
 * Shared by the .c files of vlapic/ only. Page accesses are 32-bit atomics:
 * other CPUs read SVR/LVT error and set IRR/TMR bits (vlapic_set_irq), so
 * every access to the page is a single, untorn 32-bit load or store.
 */
#ifndef X2HV_VLAPIC_INTERNAL_H
#define X2HV_VLAPIC_INTERNAL_H

#include "include/debug.h"
#include "vlapic/vlapic.h"

/* Debug builds: the caller must be @vl's owner (vlapic.h, Threading). */
#define VLAPIC_OWNER_ONLY(vl)                                                  \
	ASSERT(!(vl)->ops || !(vl)->ops->on_owner || (vl)->ops->on_owner(vl))

static inline uint32_t *vlapic_reg_ptr(struct vlapic *vl, uint32_t off)
{
	return (uint32_t *)(void *)&vl->regs[off & (VLAPIC_PAGE_SIZE - 4)];
}

static inline uint32_t vlapic_get(struct vlapic *vl, uint32_t off)
{
	return __atomic_load_n(vlapic_reg_ptr(vl, off), __ATOMIC_ACQUIRE);
}

static inline void vlapic_set(struct vlapic *vl, uint32_t off, uint32_t v)
{
	__atomic_store_n(vlapic_reg_ptr(vl, off), v, __ATOMIC_RELEASE);
}

/* Word offset and bit of @vector in the IRR/ISR/TMR at @base. */
static inline uint32_t vlapic_vec_off(uint32_t base, uint8_t vector)
{
	return base + (uint32_t)(vector >> 5) * APIC_VECTOR_STRIDE;
}

static inline uint32_t vlapic_vec_bit(uint8_t vector)
{
	return 1u << (vector & 31);
}

/* The 32-bit word of IRR, ISR or TMR (@base) that holds @vector: for the
 * hot paths, one address computation, no mask (the word is in the page). */
static inline uint32_t *vlapic_vec_word(struct vlapic *vl, uint32_t base,
					uint8_t vector)
{
	return (uint32_t *)(void *)&vl
		->regs[base + (vector >> 5) * APIC_VECTOR_STRIDE];
}

static inline uint32_t vlapic_timer_mode(struct vlapic *vl)
{
	return (vlapic_get(vl, APIC_LVT_TIMER) & APIC_LVT_TIMER_MASK) >>
	       APIC_LVT_TIMER_SHIFT;
}

/*
 * Writable bits of the LVT entries (SDM figure 11-8). Delivery status and
 * remote IRR are read-only: written ones are ignored. Every other bit is
 * reserved and a write that sets one raises #GP (SDM 11.12.1.3).
 */
#define LVT_BASIC (APIC_LVT_VECTOR | APIC_LVT_MASKED)
#define LVT_WITH_DM (LVT_BASIC | APIC_LVT_DM_MASK)
#define LVT_LINT_W (LVT_WITH_DM | APIC_LVT_POLARITY | APIC_LVT_LEVEL)
#define LVT_TIMER_W (LVT_BASIC | APIC_LVT_TIMER_MASK)
#define LVT_RO_BITS (APIC_LVT_DELIV_STATUS | APIC_LVT_REMOTE_IRR)

/*
 * SVR: vector, enable, focus-processor-check disable (kept, no effect: we
 * have no focus processor). Bit 12 (EOI-broadcast suppression) only exists
 * with version bit 24, which we do not advertise.
 */
#define SVR_WRITABLE                                                           \
	(APIC_SVR_VECTOR | APIC_SVR_ENABLE | APIC_SVR_FOCUS_DISABLE)

static const uint32_t lvt_offsets[] = {
	APIC_LVT_CMCI,	APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PMC,
	APIC_LVT_LINT0, APIC_LVT_LINT1, APIC_LVT_ERROR,
};

#define NR_LVT (sizeof(lvt_offsets) / sizeof(lvt_offsets[0]))

/* Writable bits of the LVT at @off, 0 if @off is not an LVT (vlapic.c). */
uint32_t vlapic_lvt_writable(uint32_t off);
/* EOI: retire the highest in-service vector (vlapic.c). */
void vlapic_do_eoi(struct vlapic *vl);

/* Record error @bits in the ESR latch, raise LVT error once (vlapic.c). */
void vlapic_error(struct vlapic *vl, uint32_t bits);

/* vlapic_timer.c: register writes of the timer and their reads. */
uint64_t vlapic_timer_now(struct vlapic *vl);
void vlapic_timer_disarm(struct vlapic *vl);
void vlapic_timer_write_lvt(struct vlapic *vl, uint32_t old, uint32_t val);
void vlapic_timer_write_tmict(struct vlapic *vl, uint32_t val);
void vlapic_timer_write_tdcr(struct vlapic *vl, uint32_t val);
uint32_t vlapic_timer_read_tmcct(struct vlapic *vl);
uint64_t vlapic_timer_read_deadline(struct vlapic *vl);

#endif
