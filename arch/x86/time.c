// SPDX-License-Identifier: MIT
/*
 * TSC calibration against PIT channel 2 (gate through port 0x61, mode 0,
 * output polled in bit 5 of port 0x61), as PC firmware and Linux's
 * pit_calibrate_tsc do. The LAPIC timer is measured over the same window.
 */
#include "arch/x86/time.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "lib/printk.h"

#define PIT_HZ 1193182ull
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61
#define PIT_GATE_ON 0x01
#define PIT_SPEAKER 0x02
#define PIT_OUT2 0x20
#define PIT_CMD_CH2_MODE0 0xb0 /* channel 2, lobyte/hibyte, mode 0 */
#define CALIB_MS 10
#define CALIB_SPIN_LIMIT 100000000ull
#define FALLBACK_TSC_KHZ 1000000ull

uint64_t tsc_khz = FALLBACK_TSC_KHZ;

void tsc_calibrate(void)
{
	uint16_t latch = PIT_HZ * CALIB_MS / 1000;
	uint64_t t0, t1, spins = 0;
	uint32_t c0;

	outb(PIT_GATE, (inb(PIT_GATE) & ~PIT_SPEAKER) & ~PIT_GATE_ON);
	outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2, latch & 0xff);
	outb(PIT_CH2, latch >> 8);
	lapic_timer_start_calibration();
	c0 = lapic_timer_current();
	/* A rising gate starts the count. */
	outb(PIT_GATE, (inb(PIT_GATE) & ~PIT_SPEAKER) | PIT_GATE_ON);
	t0 = rdtsc();
	while (!(inb(PIT_GATE) & PIT_OUT2) && spins < CALIB_SPIN_LIMIT)
		spins++;
	t1 = rdtsc();
	if (spins >= CALIB_SPIN_LIMIT || t1 <= t0) {
		pr_warn("tsc: PIT calibration failed, assuming %lu kHz",
			tsc_khz);
		t1 = t0 + tsc_khz * CALIB_MS;
	} else {
		tsc_khz = (t1 - t0) / CALIB_MS;
	}
	lapic_timer_calibrate(tsc_khz, t0, t1, c0);
	pr_info("tsc: %lu kHz", tsc_khz);
}

void tsc_delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_khz / 1000;

	while (rdtsc() < end)
		cpu_relax();
}
