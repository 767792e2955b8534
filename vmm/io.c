// SPDX-License-Identifier: MIT
/*
 * The guest's port I/O bus: a table of the devices (vmm/dev/) and an
 * empty bus for every other port (reads all-ones, writes dropped and
 * counted), as an ISA bus with nothing on it behaves.
 */
#include "include/abi.h"
#include "lib/printk.h"
#include "vmm/dev/acpi_pm.h"
#include "vmm/dev/reset.h"
#include "vmm/dev/uart.h"
#include "vmm/vm.h"

struct io_dev {
	uint16_t base, count;
	uint8_t size; /* the only access size it decodes; 0: any */
	/* NULL: that direction is the empty bus. @off = port - base. */
	uint32_t (*in)(struct vcpu *v, uint16_t off);
	void (*out)(struct vcpu *v, uint16_t off, uint32_t val);
};

static const struct io_dev io_devs[] = {
	{ X2HV_PORT_COM1, VUART_PORTS, 1, vuart_in, vuart_out },
	{ X2HV_PORT_SLEEP_CONTROL, 1, 0, acpi_pm_in, acpi_sleep_out },
	{ X2HV_PORT_SLEEP_STATUS, 1, 0, acpi_pm_in, NULL },
	{ X2HV_PORT_RESET, 1, 1, rst_cnt_in, rst_cnt_out },
	{ X2HV_PORT_KBC, 1, 1, kbc_status_in, kbc_command_out },
};

static uint32_t ones(unsigned int size)
{
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static const struct io_dev *io_find(uint16_t port, uint8_t size)
{
	for (unsigned int i = 0; i < sizeof(io_devs) / sizeof(io_devs[0]);
	     i++) {
		const struct io_dev *d = &io_devs[i];

		if (port >= d->base && port - d->base < d->count &&
		    (!d->size || d->size == size))
			return d;
	}
	return NULL;
}

enum exit_action handle_io(struct vcpu *v)
{
	struct vm_exit *e = &v->exit;
	struct vm *vm = v->vm;
	uint16_t port = e->io.port;
	uint32_t val = (uint32_t)v->regs.rax & ones(e->io.size);
	const struct io_dev *d = io_find(port, e->io.size);

	if (e->io.string) {
		/* INS/OUTS would need the segment and address size of the
		 * instruction; x2hv decodes nothing, so they fault. */
		vcpu_event(v, GEV_STRING_IO);
		if (guest_msg_ok(vm))
			pr_warn("vm%u: vcpu%u: string I/O to port %x refused (#GP)",
				vm->id, v->id, port);
		return ACT_INJECT_GP;
	}
	if (e->io.in) {
		uint32_t r = d && d->in ? d->in(v, port - d->base) &
						  ones(e->io.size) :
					  ones(e->io.size);

		if (e->io.size == 4)
			v->regs.rax = r; /* a 32-bit write zero-extends */
		else
			v->regs.rax =
				(v->regs.rax & ~(uint64_t)ones(e->io.size)) | r;
	} else if (d && d->out) {
		d->out(v, port - d->base, val);
	} else {
		vm->io_dropped++;
	}
	return ACT_SKIP;
}
