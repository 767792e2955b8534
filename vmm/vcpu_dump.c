// SPDX-License-Identifier: MIT
/*
 * A vCPU's reports: the VM-stop dump (registers, the last exits of the
 * slow path) and the exit counters printed when the VM stops.
 */
#include <string.h>

#include "lib/printk.h"
#include "vmm/vm.h"

void vcpu_dump(struct vcpu *v, const char *why)
{
	struct vcpu_state s;
	struct guest_regs *r = &v->regs;

	virt.get_state(v, &s);
	pr_err("vm%u: vcpu%u: %s", v->vm->id, v->id, why);
	pr_err("  exit: %s (hw %lx) qual %lx info2 %lx gpa %lx",
	       exit_reason_names[v->exit.reason], v->exit.hw_reason,
	       v->exit.qual, v->exit.info2, v->exit.gpa);
	pr_err("  RIP=%016lx RSP=%016lx RFLAGS=%016lx", s.rip, s.rsp, s.rflags);
	pr_err("  RAX=%016lx RBX=%016lx RCX=%016lx RDX=%016lx", r->rax, r->rbx,
	       r->rcx, r->rdx);
	pr_err("  RSI=%016lx RDI=%016lx RBP=%016lx R8 =%016lx", r->rsi, r->rdi,
	       r->rbp, r->r8);
	pr_err("  R9 =%016lx R10=%016lx R11=%016lx R12=%016lx", r->r9, r->r10,
	       r->r11, r->r12);
	pr_err("  R13=%016lx R14=%016lx R15=%016lx", r->r13, r->r14, r->r15);
	pr_err("  CR0=%016lx CR3=%016lx CR4=%016lx EFER=%016lx", s.cr0, s.cr3,
	       s.cr4, s.efer);
	pr_err("  CS=%04x/%03x base %lx limit %x  SS=%04x/%03x", s.cs.sel,
	       s.cs.attr, s.cs.base, s.cs.limit, s.ss.sel, s.ss.attr);
	pr_err("  last slow-path exits (oldest first):");
	unsigned int valid = v->ring_head < EXIT_RING ? v->ring_head :
							EXIT_RING;

	for (unsigned int i = v->ring_head - valid; i != v->ring_head; i++) {
		struct exit_record *e = &v->ring[i % EXIT_RING];

		pr_err("    %s hw %lx qual %lx rip %lx",
		       exit_reason_names[e->reason], e->hw_reason, e->qual,
		       e->rip);
	}
}

void vcpu_print_counters(struct vcpu *v)
{
	char buf[400];
	int n = 0;

	n += snprintf(buf + n, sizeof(buf) - n,
		      "vm%u: vcpu%u: %lu exits:", v->vm->id, v->id,
		      v->exits_total);
	for (int i = 0; i < NR_EXIT_REASONS && n < (int)sizeof(buf); i++)
		if (v->exits[i])
			n += snprintf(buf + n, sizeof(buf) - n, " %s=%lu",
				      exit_reason_names[i], v->exits[i]);
	pr_info("%s", buf);
	pr_info("vm%u: vcpu%u: %lu interrupts to other vCPUs, %lu posted-interrupt notifications, %lu kicks",
		v->vm->id, v->id, v->irqs_sent, v->notifications, v->kicks);
	if (v->timer_posts)
		pr_info("vm%u: vcpu%u: %lu timer interrupts posted by the timer CPU",
			v->vm->id, v->id, v->timer_posts);
	if (v->late_wakeups)
		pr_info("vm%u: vcpu%u: %lu wake-ups found the timer more than %u us late",
			v->vm->id, v->id, v->late_wakeups, VCPU_LATE_WAKE_US);
}
