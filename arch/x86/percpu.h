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

struct percpu {
	struct percpu *self;
	unsigned int cpu;
	uint32_t apic_id;
	struct vcpu *vcpu; /* the vCPU bound to this CPU, if any */
	void *virt; /* backend's per-CPU state (VMXON region, host save) */
	volatile bool online;
	volatile bool virt_ok;
	volatile uint32_t softirq; /* SOFTIRQ_* bits set by interrupt handlers */
	/* Set by trap_dispatch when an instruction with an exception fixup
	 * faulted (arch/x86/extable.h). */
	volatile uint32_t fixup_vector;
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
	uint8_t *stack; /* HOST_STACK_SIZE */
	uint8_t *ist_stacks; /* 3 * IST_STACK_SIZE */
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
