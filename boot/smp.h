/* SPDX-License-Identifier: MIT */
#ifndef X2HV_ARCH_X86_SMP_H
#define X2HV_ARCH_X86_SMP_H

/* Start every AP; returns once they are all online (sets nr_cpus). */
void smp_start_aps(void);
/* Per-CPU bring-up common to the BSP and APs after percpu_setup(). */
void cpu_bringup(void);

#endif
