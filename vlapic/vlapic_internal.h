/* SPDX-License-Identifier: MIT */
/*
 * Shared by the .c files of vlapic/ only. Page accesses are 32-bit atomics:
 * other CPUs read SVR/LVT error and set IRR/TMR bits (vlapic_set_irq), so
 * every access to the page is a single, untorn 32-bit load or store.
 */
#ifndef X2HV_VLAPIC_INTERNAL_H
#define X2HV_VLAPIC_INTERNAL_H

#include "vlapic/vlapic.h"

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

static inline uint32_t vlapic_timer_mode(struct vlapic *vl)
{
	return (vlapic_get(vl, APIC_LVT_TIMER) & APIC_LVT_TIMER_MASK) >>
	       APIC_LVT_TIMER_SHIFT;
}

/* Record error @bits in the ESR latch, raise LVT error once (vlapic.c). */
void vlapic_error(struct vlapic *vl, uint32_t bits);

/* vlapic_timer.c: register writes of the timer and their reads. */
uint64_t vlapic_timer_now(struct vlapic *vl);
void vlapic_timer_disarm(struct vlapic *vl);
void vlapic_timer_write_lvt(struct vlapic *vl, uint32_t old, uint32_t val);
void vlapic_timer_write_tmict(struct vlapic *vl, uint32_t val);
void vlapic_timer_write_tdcr(struct vlapic *vl, uint32_t val);
uint32_t vlapic_timer_read_tmcct(struct vlapic *vl);
void vlapic_timer_write_deadline(struct vlapic *vl, uint64_t val);
uint64_t vlapic_timer_read_deadline(struct vlapic *vl);

#endif
