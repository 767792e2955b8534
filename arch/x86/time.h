/* SPDX-License-Identifier: MIT */
/* TSC frequency and delays. */
#ifndef X2HV_ARCH_X86_TIME_H
#define X2HV_ARCH_X86_TIME_H

#include <stdint.h>

extern uint64_t tsc_khz;

void tsc_calibrate(void); /* BSP, once, also calibrates the LAPIC timer */
void tsc_delay_us(uint64_t us);

#endif
