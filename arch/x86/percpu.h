/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data, reached through GS (GS base = &percpu[cpu]; the first
 * field points at itself so this_cpu() is one load).
 */
#ifndef X2HV_ARCH_X86_PERCPU_H
#define X2HV_ARCH_X86_PERCPU_H

/* Physical CPUs x2hv starts: enough for an 8-socket server with SMT
 * (960 threads) or two 192-core EPYCs (768). The static per-CPU area
 * costs sizeof(struct percpu) per entry; stacks and the backend's state
 * are allocated only for CPUs that exist (boot/smp.c prints the cost). */
#define MAX_CPUS 1024
#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

#define GDT_ENTRIES 8 /* null, code, data, TSS (2 slots), spare */
#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18
#define IST_NMI 1
#define IST_DF 2
#define IST_MC 3
#define HOST_STACK_SIZE 16384
#define IST_STACK_SIZE 4096

struct tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap_base;
} __attribute__((packed));

struct vcpu;

/*
 * Who writes each field (bhyve-style legend):
 *   (s) the CPU itself, and no other (interrupt handlers included)
 *   (b) the BSP, before this CPU starts or before it reads the field
 *       (release store, acquire load where marked)
 *   (r) the CPU itself, read by the BSP with an acquire load
 * Nothing here is locked: every field has one writer.
 */
struct percpu {
	struct percpu *self; /* (s) percpu_setup; GS:0 */
	unsigned int cpu; /* (s) percpu_setup */
	uint32_t apic_id; /* (s) cpu_bringup; the BSP's set by kmain */
	struct vcpu *vcpu; /* (b) vm_boot, release; the vCPU bound here */
	void *virt; /* (s) backend enable: VMXON region, host save area */
	volatile bool online; /* (r) cpu_bringup, after everything above */
	volatile bool virt_ok; /* (r) cpu_bringup: virt.enable() worked */
	volatile uint32_t softirq; /* (s) SOFTIRQ_* set by IRQ handlers */
	/* (s) trap_dispatch: an instruction with an exception fixup faulted
	 * (arch/x86/extable.h) */
	volatile uint32_t fixup_vector;
	uint64_t lapic_deadline; /* (s) vmm/vcpu.c: TSC deadline the host
				  * LAPIC timer is armed for, 0: none */
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16))); /* (s) */
	struct tss64 tss __attribute__((aligned(16))); /* (s) */
	uint8_t *stack; /* (b) smp_start_aps: HOST_STACK_SIZE */
	uint8_t *ist_stacks; /* (b) 3 * IST_STACK_SIZE; (s) if still NULL */
};

#define SOFTIRQ_TIMER (1u << 0) /* the host one-shot timer fired */

extern struct percpu percpu[MAX_CPUS];
extern unsigned int nr_cpus;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

void percpu_setup(unsigned int cpu); /* GDT, TSS, GS base on this CPU */

#endif /* __ASSEMBLY__ */

#endif
