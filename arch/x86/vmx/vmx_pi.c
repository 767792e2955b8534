// SPDX-License-Identifier: MIT
/*
 * VMX posted-interrupt descriptor and protocol, pure part (vmx_pi.h has
 * the rules). Every access to a word other CPUs or the processor may
 * write is a locked read-modify-write or an atomic load: a sender, the
 * owner and the CPU's posted-interrupt processing (SDM vol. 3C 30.6,
 * which updates ON and the PIR atomically) share the descriptor.
 */
#include <string.h>

#include "arch/x86/vmx/vmx_pi.h"

#define BITS_PER_PIR_WORD 64

void vmx_pi_init(struct vmx_pi_desc *d, struct vmx_pi_owner *o, uint8_t nv,
		 uint32_t ndst, bool hw)
{
	memset(d, 0, sizeof(*d));
	d->control = ((uint64_t)nv << VMX_PI_NV_SHIFT) |
		     ((uint64_t)ndst << VMX_PI_NDST_SHIFT) | VMX_PI_SN;
	memset(o, 0, sizeof(*o));
	o->hw = hw;
}

enum vmx_pi_signal vmx_pi_post(struct vmx_pi_desc *d, uint8_t vector)
{
	uint64_t old;

	__atomic_fetch_or(&d->pir[vector / BITS_PER_PIR_WORD],
			  1ull << (vector % BITS_PER_PIR_WORD),
			  __ATOMIC_SEQ_CST);
	old = __atomic_fetch_or(&d->control, VMX_PI_ON, __ATOMIC_SEQ_CST);
	if (old & VMX_PI_SN)
		return VMX_PI_OUTSIDE;
	return old & VMX_PI_ON ? VMX_PI_COVERED : VMX_PI_SIGNAL;
}

void vmx_pi_exit(struct vmx_pi_desc *d, struct vmx_pi_owner *o,
		 uint64_t host_irqs)
{
	uint64_t old =
		__atomic_fetch_or(&d->control, VMX_PI_SN, __ATOMIC_SEQ_CST);

	if (!o->hw || !(old & VMX_PI_ON)) {
		/* Nothing committed is left: the CPU processed it. */
		o->expect = false;
		return;
	}
	/* ON with SN clear: committed while the vCPU was in guest mode (or
	 * entering it), and not processed, or ON would be clear. If it was
	 * already expected, the count cannot have moved since: a landing
	 * in the host would have let the owner take before this entry. */
	if (!(old & VMX_PI_SN)) {
		o->expect = true;
		o->host_seen = host_irqs;
	}
}

bool vmx_pi_take(struct vmx_pi_desc *d, struct vmx_pi_owner *o,
		 uint64_t host_irqs, uint64_t pir[VMX_PI_PIR_WORDS])
{
	if (o->expect && host_irqs == o->host_seen)
		return false;
	o->expect = false;
	/* ON first: a post whose ON update comes after this one signals
	 * (or finds SN set), and its PIR bit is either taken below or
	 * left for the next take. */
	__atomic_fetch_and(&d->control, ~VMX_PI_ON, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < VMX_PI_PIR_WORDS; i++)
		pir[i] = __atomic_exchange_n(&d->pir[i], 0, __ATOMIC_SEQ_CST);
	return true;
}

bool vmx_pi_enter(struct vmx_pi_desc *d, struct vmx_pi_owner *o)
{
	uint64_t c = __atomic_load_n(&d->control, __ATOMIC_SEQ_CST);

	do {
		if ((c & VMX_PI_ON) && !o->expect)
			return false;
	} while (!__atomic_compare_exchange_n(&d->control, &c, c & ~VMX_PI_SN,
					      false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	return true;
}
