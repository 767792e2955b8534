/* SPDX-License-Identifier: MIT */
/*
 * VMX posted interrupts (Intel SDM vol. 3C, 2023 and later: 30.6
 * "Posted-Interrupt Processing"; 29.6 in editions before 2021): the
 * descriptor and the protocol between the CPUs that post interrupts to a
 * vCPU and the CPU that runs it. Pure and host-tested
 * (tests/unit/test_vmx_pi.c); docs/vmx.md, "Posted interrupts", has the
 * design and vmx_posted.c drives it.
 *
 * The rules, in one place:
 * - Senders never write the target's virtual-APIC page: a fixed interrupt
 *   is a PIR bit, then ON (vmx_pi_post). In guest mode the CPU itself ORs
 *   the PIR into vIRR when the notification vector arrives.
 * - SN says "the owner is not in guest mode". The owner sets it right
 *   after each VM exit and clears it right before each entry. A sender
 *   that finds SN set sends nothing: the owner takes the PIR in the host
 *   before it enters again (a sleeping owner must be woken: a kick).
 * - A sender that turns ON from 0 to 1 while SN is clear commits one
 *   notification; while ON stays 1 no other is sent. The CPU clears ON
 *   when it processes the notification.
 * - The owner never takes PIR bits that a committed notification will
 *   bring in (vmx_pi_take refuses while one is on its way), so no
 *   notification finds the PIR emptied behind its back. On hardware that
 *   would only cost nothing (RVI is left alone, SDM 30.6 step 6); Bochs
 *   3.0 instead raises RVI to 255 and delivers vector 255 (docs/vmx.md).
 */
#ifndef X2HV_ARCH_X86_VMX_VMX_PI_H
#define X2HV_ARCH_X86_VMX_VMX_PI_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Posted-interrupt descriptor (SDM 30.6, table 30-1 of the 2023 SDM):
 * 64 bytes, 64-byte aligned: bits 255:0 PIR (one per vector), bit 256 ON
 * (outstanding notification), bit 257 SN (suppress notification),
 * 279:272 NV (notification vector), 319:288 NDST (destination APIC ID;
 * x2APIC: all 32 bits, xAPIC: bits 15:8). The rest is reserved and left 0.
 */
#define VMX_PI_DESC_ALIGN 64
#define VMX_PI_ON (1ull << 0) /* of control */
#define VMX_PI_SN (1ull << 1)
#define VMX_PI_NV_SHIFT 16
#define VMX_PI_NV_MASK (0xffull << VMX_PI_NV_SHIFT)
#define VMX_PI_NDST_SHIFT 32

#define VMX_PI_PIR_WORDS 4

struct vmx_pi_desc {
	uint64_t pir[VMX_PI_PIR_WORDS];
	uint64_t control; /* bits 319:256 of the descriptor */
	uint64_t rsvd[3];
} __attribute__((aligned(VMX_PI_DESC_ALIGN)));

/* What the owner knows about a notification on its way to it. */
struct vmx_pi_owner {
	/* The CPU processes notifications (posted-interrupt processing is
	 * on); false: the descriptor is only a mailbox and the signal that
	 * a sender commits to is a kick, which needs no tracking. */
	bool hw;
	/* A notification was committed in guest mode and the CPU has not
	 * processed it: it is in flight or pending in this CPU's LAPIC. */
	bool expect;
	/* The owner CPU's count of notification vectors its host handler
	 * took, when @expect was set: one more means it landed there. */
	uint64_t host_seen;
};

/* What a sender must do after vmx_pi_post. */
enum vmx_pi_signal {
	VMX_PI_COVERED, /* ON was set: the signal already due covers it */
	VMX_PI_SIGNAL, /* committed: send the notification (or kick) */
	VMX_PI_OUTSIDE, /* SN was set: the owner is in the host and takes
			 * the PIR before it enters; wake it if it sleeps */
};

/* Empty descriptor notifying vector @nv at APIC ID @ndst, SN set (the
 * vCPU is not in guest mode yet); @hw as in struct vmx_pi_owner. */
void vmx_pi_init(struct vmx_pi_desc *d, struct vmx_pi_owner *o, uint8_t nv,
		 uint32_t ndst, bool hw);

/*
 * Any CPU: post @vector. Sets its PIR bit, then ON, both with locked
 * read-modify-writes in that order (the bit must be visible before ON,
 * SDM 30.6), and says what the caller owes the owner.
 */
enum vmx_pi_signal vmx_pi_post(struct vmx_pi_desc *d, uint8_t vector);

/*
 * Owner, right after a VM exit: set SN and note a committed notification
 * the CPU has not processed (ON set while SN was clear). @host_irqs: this
 * CPU's count of notification vectors taken by the host handler.
 */
void vmx_pi_exit(struct vmx_pi_desc *d, struct vmx_pi_owner *o,
		 uint64_t host_irqs);

/*
 * Owner, in the host (SN set): clear ON, then take the PIR into @pir
 * (cleared in @d), and return true; or return false, taking nothing,
 * while a committed notification has neither been processed nor landed
 * in the host handler: the CPU will take the PIR when it arrives in guest
 * mode.
 */
bool vmx_pi_take(struct vmx_pi_desc *d, struct vmx_pi_owner *o,
		 uint64_t host_irqs, uint64_t pir[VMX_PI_PIR_WORDS]);

/*
 * Owner, right before VM entry, after taking the PIR: clear SN. Returns
 * false, changing nothing, when ON was set again since (a post found SN
 * set and signalled nothing): take again first. With a notification on
 * its way, ON is its own and SN is cleared regardless.
 */
bool vmx_pi_enter(struct vmx_pi_desc *d, struct vmx_pi_owner *o);

#endif
