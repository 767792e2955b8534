// SPDX-License-Identifier: MIT
/* Hypercalls (VMCALL/VMMCALL), ABI in include/abi.h. */
#include "include/abi.h"
#include "lib/printk.h"
#include "vmm/vm.h"

#define CONSOLE_WRITE_MAX 4096

static uint64_t hc_console_write(struct vcpu *v, uint64_t gpa, uint64_t len)
{
	const char *p;

	if (len > CONSOLE_WRITE_MAX)
		return X2HV_HC_EINVAL;
	p = gpa_to_hva(v->vm, gpa, len);
	if (!p)
		return X2HV_HC_EINVAL;
	for (uint64_t i = 0; i < len; i++)
		guest_console_putc(v->vm, p[i]);
	return len;
}

/* @v's count of exits for @reason (or X2HV_EXIT_ANY); another CPU may
 * read it while the owner counts (an aligned 64-bit load). */
static uint64_t hc_exit_count(const struct vcpu *v, uint64_t reason)
{
	if (reason == X2HV_EXIT_ANY)
		return __atomic_load_n(&v->exits_total, __ATOMIC_RELAXED);
	if (reason < NR_EXIT_REASONS)
		return __atomic_load_n(&v->exits[reason], __ATOMIC_RELAXED);
	return X2HV_HC_EINVAL;
}

enum exit_action handle_hypercall(struct vcpu *v)
{
	struct guest_regs *r = &v->regs;

	/* VMCALL/VMMCALL exit at every CPL: only the guest kernel may make
	 * hypercalls (include/abi.h); a user process gets EPERM. */
	if (virt.get_reg(v, VREG_CPL) != 0) {
		r->rax = X2HV_HC_EPERM;
		vcpu_event(v, GEV_HYPERCALL_CPL);
		return ACT_SKIP;
	}
	switch (r->rax) {
	case X2HV_HC_CONSOLE_WRITE:
		r->rax = hc_console_write(v, r->rdi, r->rsi);
		break;
	case X2HV_HC_TEST_EXIT:
		pr_info("vm%u: vcpu%u: test exit, status %lu", v->vm->id, v->id,
			r->rdi);
		v->vm->test_status = r->rdi;
		vm_request_stop(v->vm, VM_STOP_TEST_EXIT);
		r->rax = 0;
		break;
	case X2HV_HC_EXIT_COUNT:
		r->rax = hc_exit_count(v, r->rdi);
		break;
	case X2HV_HC_VCPU_EXIT_COUNT:
		r->rax = r->rdi < v->vm->nr_vcpus ?
				 hc_exit_count(v->vm->vcpus[r->rdi], r->rsi) :
				 X2HV_HC_EINVAL;
		break;
	case X2HV_HC_VCPU_ID:
		r->rax = v->id;
		break;
	default:
		r->rax = X2HV_HC_ENOSYS;
		break;
	}
	return ACT_SKIP;
}
