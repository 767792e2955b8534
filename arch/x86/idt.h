/* SPDX-License-Identifier: MIT */
/* Host IDT, exception reporting and interrupt vectors. */
#ifndef X2HV_ARCH_X86_IDT_H
#define X2HV_ARCH_X86_IDT_H

#include <stdint.h>

/* Host interrupt vectors (the host only takes its own, never a guest's). */
#define VEC_TIMER 0xf0 /* host LAPIC one-shot timer */
#define VEC_KICK 0xf1 /* cross-CPU kick: makes a vCPU exit or wake */
#define VEC_POSTED 0xf2 /* posted-interrupt notification (VMX) */
#define VEC_SPURIOUS 0xff

/* Saved by the common stub in exception.S; the layout is its push order. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

void idt_init(void); /* builds the table once */
void idt_load(void); /* on each CPU */
void trap_dispatch(struct trap_frame *f);

/* Run the handler of a host interrupt that was already acknowledged (a
 * VM exit with "acknowledge interrupt on exit") and EOI it. */
void irq_dispatch(uint8_t vector);

/*
 * A #DB at @rip is a guest's single-step trap delivered in host mode on
 * the instruction after VMRUN (AMD erratum 246, Family 10h revision
 * guide; Bochs' SVM after every intercept taken while the guest's TF is
 * set): dropped, where any other host exception stops the machine. At
 * that point the guest's GS and TR are still loaded, so the check uses
 * neither.
 */
void idt_ignore_db_at(uint64_t rip);

typedef void (*irq_handler_t)(void);
void irq_register(uint8_t vector, irq_handler_t h);

/* exception.S: one 16-byte entry stub per vector. */
extern char idt_stubs[];

#endif
