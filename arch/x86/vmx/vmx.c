// SPDX-License-Identifier: MIT
/* Placeholder until the VMX backend lands: refuses to start. */
#include "core/printk.h"
#include "core/virt.h"

static int vmx_cpu_init(void)
{
	pr_err("vmx: backend not implemented yet");
	return -1;
}

const struct virt_ops vmx_ops = {
	.name = "VMX",
	.cpu_init = vmx_cpu_init,
};
