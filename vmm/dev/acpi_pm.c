// SPDX-License-Identifier: MIT
/* Sleep and reset registers of the hardware-reduced FADT (acpi_pm.h). */
#include "include/abi.h"
#include "lib/printk.h"
#include "vmm/dev/acpi_pm.h"
#include "vmm/vm.h"

#define SLP_TYP_SHIFT 2
#define SLP_TYP_MASK 7

uint32_t acpi_pm_in(struct vcpu *v, uint16_t off)
{
	return 0;
}

void acpi_sleep_out(struct vcpu *v, uint16_t off, uint32_t val)
{
	struct vm *vm = v->vm;

	if ((val & X2HV_SLP_EN) &&
	    ((val >> SLP_TYP_SHIFT) & SLP_TYP_MASK) == X2HV_SLP_TYP_S5) {
		pr_info("vm%u: stopped: poweroff (ACPI S5)", vm->id);
		vm_request_stop(vm, VM_STOP_POWEROFF);
	}
}
