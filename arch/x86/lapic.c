// SPDX-License-Identifier: MIT
/* Host local APIC driver (Intel SDM vol. 3A ch. 11). */
#include "arch/x86/lapic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/time.h"

#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN (1ull << 11)
#define APIC_BASE_ADDR_MASK 0xffffff000ull

/* Register offsets (xAPIC MMIO); x2APIC MSR = 0x800 + (off >> 4). */
#define REG_ID 0x020
#define REG_EOI 0x0b0
#define REG_SVR 0x0f0
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERROR 0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3e0

#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define ICR_DELIVS (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_MODE_INIT (5u << 8)
#define ICR_MODE_SIPI (6u << 8)
#define ICR_MODE_SMI (2u << 8)
#define ICR_ALL_BUT_SELF (3u << 18)
#define TIMER_DIV_1 0xb
#define ICR_SPIN_LIMIT 1000000

static bool x2apic, firmware_x2apic;
static volatile uint32_t *mmio;
/* LAPIC timer ticks per TSC tick as a 32.32 fixed-point ratio. */
static uint64_t timer_per_tsc_fp;

bool lapic_is_x2apic(void)
{
	return x2apic;
}

bool lapic_x2apic_by_firmware(void)
{
	return firmware_x2apic;
}

static uint32_t rd(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_FIRST + (reg >> 4));
	return mmio[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_FIRST + (reg >> 4), v);
	else
		mmio[reg / 4] = v;
}

/* The legacy 8259 pair's data ports (OCW1: interrupt mask register). */
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1
#define PIC_MASK_ALL 0xff

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	/* Firmware may hand over in x2APIC mode (servers with more than 255
	 * CPUs must): keep it, since leaving x2APIC mode needs the APIC
	 * disabled first (Intel SDM vol. 3A 11.12.5, figure 11-27). */
	firmware_x2apic = (base & APIC_BASE_EN) && (base & APIC_BASE_EXTD);
	x2apic = firmware_x2apic ||
		 cpuid_has(1, CPUID_REG_ECX, CPUID_1_ECX_X2APIC);
	base |= APIC_BASE_EN;
	if (x2apic)
		base |= APIC_BASE_EXTD;
	wrmsr(MSR_IA32_APIC_BASE, base);
	mmio = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDR_MASK);
	wr(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
	wr(REG_LVT_LINT0, LVT_MASKED);
	wr(REG_LVT_LINT1, LVT_MASKED);
	/* Bochs hands the 8259's INTR to the CPU even with LINT0 masked, so
	 * the BIOS's PIT tick arrived as vector 8 (#DF) at the first STI;
	 * the host uses no legacy interrupts: mask them at the PIC. */
	outb(PIC1_DATA, PIC_MASK_ALL);
	outb(PIC2_DATA, PIC_MASK_ALL);
	wr(REG_LVT_ERROR, LVT_MASKED);
	wr(REG_TIMER_DIV, TIMER_DIV_1);
	wr(REG_LVT_TIMER, VEC_TIMER); /* one-shot */
	wr(REG_TIMER_INIT, 0);
}

uint32_t lapic_id(void)
{
	return x2apic ? rd(REG_ID) : rd(REG_ID) >> 24;
}

void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

static void send_icr(uint32_t dest, uint32_t lo)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_FIRST + (REG_ICR_LO >> 4),
		      ((uint64_t)dest << 32) | lo);
		return;
	}
	wr(REG_ICR_HI, dest << 24);
	wr(REG_ICR_LO, lo);
	for (int i = 0; i < ICR_SPIN_LIMIT && (rd(REG_ICR_LO) & ICR_DELIVS);
	     i++)
		cpu_relax();
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	send_icr(apic_id, vector);
}

void lapic_send_smi(uint32_t apic_id)
{
	send_icr(apic_id, ICR_MODE_SMI); /* vector 0 (SDM 11.6.1) */
}

void lapic_start_ap(uint32_t apic_id, uint8_t sipi_vector)
{
	send_icr(apic_id, ICR_LEVEL_ASSERT | ICR_MODE_INIT);
	tsc_delay_us(10000);
	for (int i = 0; i < 2; i++) {
		send_icr(apic_id, ICR_MODE_SIPI | sipi_vector);
		tsc_delay_us(200);
	}
}

void lapic_start_aps(uint8_t sipi_vector)
{
	send_icr(0, ICR_ALL_BUT_SELF | ICR_LEVEL_ASSERT | ICR_MODE_INIT);
	tsc_delay_us(10000);
	for (int i = 0; i < 2; i++) {
		send_icr(0, ICR_ALL_BUT_SELF | ICR_MODE_SIPI | sipi_vector);
		tsc_delay_us(200);
	}
}

void lapic_timer_start_calibration(void)
{
	wr(REG_LVT_TIMER, LVT_MASKED);
	wr(REG_TIMER_INIT, 0xffffffff);
}

uint32_t lapic_timer_current(void)
{
	return rd(REG_TIMER_CUR);
}

void lapic_timer_calibrate(uint64_t tsc0, uint32_t count0, uint64_t tsc1,
			   uint32_t count1)
{
	uint32_t ticks = count0 - count1;
	uint64_t tsc = tsc1 > tsc0 ? tsc1 - tsc0 : 1;

	wr(REG_TIMER_INIT, 0);
	wr(REG_LVT_TIMER, VEC_TIMER);
	timer_per_tsc_fp = ((uint64_t)ticks << 32) / tsc;
	if (!timer_per_tsc_fp)
		timer_per_tsc_fp = 1;
}

void lapic_timer_arm(uint64_t deadline)
{
	uint64_t now, ticks;

	if (!deadline) {
		wr(REG_TIMER_INIT, 0);
		return;
	}
	now = rdtsc();
	ticks = deadline > now ?
			(uint64_t)(((unsigned __int128)(deadline - now) *
				    timer_per_tsc_fp) >>
				   32) :
			0;
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffull)
		ticks = 0xffffffffull; /* fires early; the caller rearms */
	wr(REG_TIMER_INIT, (uint32_t)ticks);
}
