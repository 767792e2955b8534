// SPDX-License-Identifier: MIT
/*
 * Host IDT. Exceptions in the hypervisor are fatal: print everything a
 * reader needs (vector, error code, all registers, control registers) and
 * stop the machine. Interrupt vectors dispatch to registered handlers.
 */
#include "arch/x86/idt.h"
#include "arch/x86/cpu.h"
#include "arch/x86/extable.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "lib/printk.h"
#include "arch/x86/system.h"

#define IDT_VECTORS 256
#define IDT_STUB_SIZE 16
#define GATE_INTR 0x8e /* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off1;
	uint32_t off2;
	uint32_t rsvd;
} __attribute__((packed));

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));
static irq_handler_t irq_handlers[IDT_VECTORS];

static const char *const exc_names[NR_EXCEPTION_VECTORS] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

void idt_init(void)
{
	for (int v = 0; v < IDT_VECTORS; v++) {
		uint64_t a = (uint64_t)(idt_stubs + v * IDT_STUB_SIZE);

		idt[v].off0 = a & 0xffff;
		idt[v].sel = SEL_CODE;
		idt[v].type = GATE_INTR;
		idt[v].off1 = (a >> 16) & 0xffff;
		idt[v].off2 = a >> 32;
		idt[v].ist = v == VEC_NMI ? IST_NMI :
			     v == VEC_DF  ? IST_DF :
			     v == VEC_MC  ? IST_MC :
					    0;
	}
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) p = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" ::"m"(p));
}

void irq_register(uint8_t vector, irq_handler_t h)
{
	irq_handlers[vector] = h;
}

static void dump_frame(const struct trap_frame *f)
{
	pr_err("RIP=%016lx CS=%04lx RFLAGS=%016lx", f->rip, f->cs, f->rflags);
	pr_err("RSP=%016lx SS=%04lx ERR=%016lx", f->rsp, f->ss, f->error);
	pr_err("RAX=%016lx RBX=%016lx RCX=%016lx", f->rax, f->rbx, f->rcx);
	pr_err("RDX=%016lx RSI=%016lx RDI=%016lx", f->rdx, f->rsi, f->rdi);
	pr_err("RBP=%016lx R8 =%016lx R9 =%016lx", f->rbp, f->r8, f->r9);
	pr_err("R10=%016lx R11=%016lx R12=%016lx", f->r10, f->r11, f->r12);
	pr_err("R13=%016lx R14=%016lx R15=%016lx", f->r13, f->r14, f->r15);
	pr_err("CR0=%016lx CR2=%016lx CR3=%016lx CR4=%016lx", read_cr0(),
	       read_cr2(), read_cr3(), read_cr4());
}

uint64_t extable_fixup(uint64_t rip)
{
	for (const struct extable_entry *e = __ex_table_start;
	     e < __ex_table_end; e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}

static uint64_t ignored_db_rip;

void idt_ignore_db_at(uint64_t rip)
{
	ignored_db_rip = rip;
}

void trap_dispatch(struct trap_frame *f)
{
	uint64_t fixup;

	if (f->vector == VEC_DB && ignored_db_rip && f->rip == ignored_db_rip)
		return;
	/* A fault at an instruction with a fixup (a guest-chosen operand
	 * the CPU refused): resume after it. NMI and #MC are never that. */
	if (f->vector < NR_EXCEPTION_VECTORS && f->vector != VEC_NMI &&
	    f->vector != VEC_MC && (fixup = extable_fixup(f->rip))) {
		this_cpu()->fixup_vector = FIXUP_VALID | (uint32_t)f->vector;
		f->rip = fixup;
		return;
	}
	if (f->vector < NR_EXCEPTION_VECTORS) {
		pr_err("PANIC: cpu%u: exception %s (vector %lu) in the hypervisor",
		       this_cpu()->cpu, exc_names[f->vector], f->vector);
		dump_frame(f);
		system_halt();
	}
	irq_dispatch((uint8_t)f->vector);
}

void irq_dispatch(uint8_t vector)
{
	if (irq_handlers[vector])
		irq_handlers[vector]();
	if (vector != VEC_SPURIOUS)
		lapic_eoi();
}
