// SPDX-License-Identifier: MIT
/*
 * Guest events and the rate limit on the messages a guest can trigger
 * (vmm/vm.h). The console is a 115200-baud UART written synchronously
 * with interrupts off, about 87 us per character: ten lines per five
 * seconds per VM, as Linux's printk_ratelimit allows, keep a hostile
 * guest from turning its exits into console time; the counts in the
 * VM-stop report keep what was dropped visible.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/time.h"
#include "lib/printk.h"
#include "vmm/vm.h"

#define GUEST_MSG_INTERVAL_MS 5000
#define GUEST_MSG_BURST 10

static const char *const event_names[NR_GUEST_EVENTS] = {
	[GEV_STRING_IO] = "string-io",
	[GEV_HYPERCALL_CPL] = "hypercall-cpl",
	[GEV_MSR] = "msr",
	[GEV_CR] = "cr",
	[GEV_XSETBV] = "xsetbv",
	[GEV_UD] = "ud",
	[GEV_PRIV] = "priv",
};

bool guest_msg_ok(struct vm *vm)
{
	uint64_t missed = 0;

	if (!ratelimit_ok(&vm->msg_limit, rdtsc(),
			  GUEST_MSG_INTERVAL_MS * tsc_khz, GUEST_MSG_BURST,
			  &missed))
		return false;
	if (missed)
		pr_warn("vm%u: %lu guest-triggered messages suppressed", vm->id,
			missed);
	return true;
}

void guest_events_report(struct vm *vm)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "vm%u: refused:", vm->id);
	bool any = false;

	for (int e = 0; e < NR_GUEST_EVENTS; e++) {
		uint64_t sum = 0;

		for (unsigned int i = 0; i < vm->nr_vcpus; i++)
			sum += vm->vcpus[i]->events[e];
		if (!sum || n >= (int)sizeof(buf))
			continue;
		n += snprintf(buf + n, sizeof(buf) - n, " %s=%lu",
			      event_names[e], sum);
		any = true;
	}
	if (any)
		pr_info("%s", buf);
	if (vm->msg_limit.missed_total)
		pr_info("vm%u: %lu guest-triggered messages suppressed in all",
			vm->id, vm->msg_limit.missed_total);
}
