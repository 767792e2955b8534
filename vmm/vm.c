// SPDX-License-Identifier: MIT
/*
 * Building VM 0 from the boot modules (the way Xen boots dom0: module 1 is
 * the guest kernel with its command line, module 2 an optional initrd) and
 * starting its vCPUs, one per physical CPU.
 *
 * Guest-physical layout (include/abi.h, loader/layout.h): RAM
 * [0, min(mem, 3 GiB)) backed by one contiguous host block and the rest of
 * a larger VM's RAM from 4 GiB up (vmm/vm_mem.c); [0x9f000, 1 MiB) is
 * reported reserved and holds the ACPI tables and hvm_start_info; from the
 * end of the RAM below 4 GiB to 4 GiB is the empty bus (vmm/empty_bus.h):
 * reads return all-ones, writes vanish.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "arch/x86/time.h"
#include "include/abi.h"
#include "loader/layout.h"
#include "lib/mm.h"
#include "lib/printk.h"
#include "loader/pvh.h"
#include "vmm/dev/reset.h"
#include "arch/x86/system.h"
#include "vmm/vm.h"

#define MIB (1ull << 20)
#define LARGE_PAGE (2 * MIB)
#define APIC_BUS_HZ 100000000ull /* virtual APIC timer input clock */
/* Shortest period of a periodic vlapic timer (KVM: min_timer_period_us). */
#define TIMER_MIN_PERIOD_US 200

static struct vm vm0;

static void vm_error(const char *what, const char *detail)
{
	pr_err("error: %s%s%s", what, detail ? ": " : "", detail ? detail : "");
	system_halt();
}

static void *gpa_ptr_cb(void *ctx, uint64_t gpa, uint64_t len)
{
	struct vm *vm = ctx;

	/* Kernels load at or above 1 MiB (pvh.pandoc; Linux at 16 MiB),
	 * in the RAM below 4 GiB (the PVH entry runs in 32-bit mode). */
	if (gpa < X2HV_GPA_HIGH_RAM || gpa >= vm->low_size)
		return NULL;
	return gpa_to_hva(vm, gpa, len);
}

void vm_report(struct vm *vm)
{
	int a = virt.gpa_accessed ? virt.gpa_accessed(vm, X2HV_GPA_LAPIC) : -1;

	/* A dropped store remapped the page, clearing its accessed flag. */
	if (vm->xapic_written)
		a = 1;

	pr_info("vm%u: xAPIC page %lx: %s", vm->id, (uint64_t)X2HV_GPA_LAPIC,
		a < 0 ? "access not tracked on this CPU" :
		a     ? "accessed by the guest" :
			"never accessed");
	pr_info("vm%u: %lu writes to unclaimed I/O ports dropped", vm->id,
		vm->io_dropped);
	guest_events_report(vm);
	pr_info("vm%u: %lu writes to unbacked guest-physical space dropped",
		vm->id, vm->bus_dropped);
}

bool vm_request_stop(struct vm *vm, enum vm_stop_kind kind)
{
	enum vm_stop_kind none = VM_STOP_NONE;

	if (!__atomic_compare_exchange_n(&vm->stop, &none, kind, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return false;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(vm->vcpus[i]);
	return true;
}

void vm_reset(struct vm *vm, const char *why)
{
	/* A guest can reset in a loop: the restart reports are rate-limited
	 * (and set before any vCPU can see the stop). */
	if (vm->stop == VM_STOP_NONE)
		vm->restart_loud = vm->cfg.reset_stops || guest_msg_ok(vm);
	if (vm_request_stop(vm, VM_STOP_RESET) && vm->restart_loud)
		pr_info("vm%u: %s: %s", vm->id,
			vm->cfg.reset_stops ? "stopped" : "restarting", why);
}

static void vm_map_memory(struct vm *vm)
{
	/* The EPT/NPT root: the same empty 4 KiB table for both backends,
	 * which fill it through virt.map. */
	vm->npt = page_try_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!vm->npt)
		vm_error("out of memory for the VM's page tables", NULL);
	vm->npt_pa = (uint64_t)(uintptr_t)vm->npt;
	if (vm_mem_map(vm))
		vm_error("out of memory mapping guest RAM", NULL);
	if (empty_bus_map(vm))
		vm_error("out of memory mapping the empty bus", NULL);
}

/* Load the kernel (module 0) and place the initrd (module 1) at the top
 * of RAM. Returns the entry point. */
static uint32_t vm_load_modules(struct vm *vm, struct pvh_module *initrd,
				unsigned int *n_initrd)
{
	const struct vm_config *c = &vm->cfg;
	struct pvh_image img;
	const char *err;

	if (pvh_parse(c->kernel, c->kernel_size, &img, &err))
		vm_error("guest kernel (module 1)", err);
	/* After a reset RAM holds what the guest left: bss is zeroed. */
	img.ram_zero = vm->ram_zero;
	vm->ram_zero = false;
	if (pvh_load(c->kernel, &img, gpa_ptr_cb, vm, &err))
		vm_error("guest kernel (module 1)", err);
	pr_info("vm%u: kernel: %u segments at %lx-%lx, PVH entry %x", vm->id,
		img.n_segs, img.lowest, img.highest, img.entry);
	*n_initrd = 0;
	if (c->initrd) {
		uint64_t size = c->initrd_size;
		uint64_t gpa = (vm->low_size - size) & ~(PAGE_SIZE - 1);

		if (size >= vm->low_size || gpa < img.highest)
			vm_error(
				"initrd (module 2) does not fit in guest RAM above the kernel",
				NULL);
		memcpy(vm->ram + gpa, c->initrd, size);
		initrd->gpa = gpa;
		initrd->size = size;
		initrd->cmdline = c->initrd_cmdline;
		*n_initrd = 1;
		pr_info("vm%u: initrd: %lu KiB at %lx", vm->id, size >> 10,
			gpa);
	}
	return img.entry;
}

static uint64_t vm_build_tables(struct vm *vm, const struct pvh_module *mods,
				unsigned int n_mods)
{
	struct layout_cfg cfg = {
		.ram = vm->ram,
		.ram_size = vm->ram_size,
		.low_size = vm->low_size,
		.nr_vcpus = vm->nr_vcpus,
		.cmdline = vm->cfg.kernel_cmdline,
		.modules = mods,
		.n_modules = n_mods,
	};
	const char *what, *err;
	uint64_t start_info = layout_boot_tables(&cfg, &what, &err);

	if (!start_info)
		vm_error(what, err);
	pr_info("vm%u: command line '%s'", vm->id, cfg.cmdline);
	return start_info;
}

void vm_reload(struct vm *vm)
{
	struct pvh_module mods[1];
	unsigned int n_mods;

	/* RAM keeps its contents across a reset, as on real hardware; only
	 * the kernel's segments and the boot tables are written again. */
	vm->entry = vm_load_modules(vm, mods, &n_mods);
	vm->start_info = vm_build_tables(vm, mods, n_mods);
	reset_devices_init(vm);
}

/* The PVH entry state (Xen docs/misc/pvh.pandoc). */
void vcpu_boot_state(struct vcpu *v)
{
	uint32_t entry = v->vm->entry;
	uint64_t si = v->vm->start_info;
	struct vcpu_state s;
	struct seg flat_code = { 0x10, SEG_ATTR_CODE32, 0xffffffff, 0 };
	struct seg flat_data = { 0x18, SEG_ATTR_DATA32, 0xffffffff, 0 };

	memset(&s, 0, sizeof(s));
	s.rip = entry;
	s.rflags = RFLAGS_FIXED;
	s.cr0 = CR0_PE | CR0_ET;
	s.cs = flat_code;
	s.ds = s.es = s.fs = s.gs = s.ss = flat_data;
	s.tr = (struct seg){ 0x20, SEG_ATTR_TSS32_BUSY, 0x67, 0 };
	s.ldtr = (struct seg){ 0, SEG_ATTR_LDT, 0xffff, 0 };
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.rbx = si;
	virt.set_state(v, &s);
}

static struct vcpu *vcpu_create(struct vm *vm, unsigned int id)
{
	struct vcpu *v = obj_try_alloc(sizeof(*v));
	struct vlapic *vl = page_try_alloc(sizeof(*vl), PAGE_SIZE);
	uint64_t per_tick = tsc_khz * 1000 / APIC_BUS_HZ;

	if (!v || !vl)
		vm_error("out of memory for vCPUs", NULL);
	v->vm = vm;
	v->id = id;
	v->pcpu = id;
	v->vlapic = vl;
	v->sipi_vector = -1;
	v->state = id == 0 ? VCPU_RUNNING : VCPU_WAIT_SIPI;
	vcpu_msrs_reset(v, false); /* the backend's offset starts at 0 */
	vlapic_init(vl, id, id == 0, per_tick ? per_tick : 1, &vcpu_vlapic_ops,
		    v);
	/* A periodic timer cannot keep its vCPU in exits (vlapic.h); a
	 * backend that cannot report the timer vector's EOI turns parking
	 * off in its vcpu_init. */
	vlapic_timer_policy(vl, TIMER_MIN_PERIOD_US * tsc_khz / 1000, true);
	/* With APIC virtualization the CPU writes IRR and ISR in the page
	 * (virt.h: apic_page_hw): the vlapic scans instead of trusting its
	 * summaries. */
	vlapic_set_hw_page(vl, virt.apic_page_hw);
	if (virt.vcpu_init(v))
		vm_error("could not set up a vCPU", NULL);
	vm->vcpus[id] = v;
	vm->vlapics[id] = vl;
	return v;
}

void vm_boot(const struct vm_config *cfg)
{
	struct vm *vm = &vm0;
	uint64_t mem = (cfg->mem + LARGE_PAGE - 1) & ~(LARGE_PAGE - 1), free;
	const char *err;

	vm->cfg = *cfg;
	vm->nr_vcpus = cfg->vcpus ? cfg->vcpus : nr_cpus;
	if (!cfg->vcpus && nr_cpus > VM_MAX_VCPUS) {
		/* One VM, one vCPU per CPU: a bigger host keeps the rest idle. */
		pr_info("vm%u: %u CPUs, a VM has at most %u vCPUs: using %u",
			vm->id, nr_cpus, VM_MAX_VCPUS, VM_MAX_VCPUS);
		vm->nr_vcpus = VM_MAX_VCPUS;
	}
	if (vm->nr_vcpus > nr_cpus || vm->nr_vcpus > VM_MAX_VCPUS) {
		pr_err("error: vcpus=%u but only %u physical CPUs (max %u)",
		       vm->nr_vcpus, nr_cpus, VM_MAX_VCPUS);
		system_halt();
	}
	vcpu_irq_init();
	free = mm_pool_free_bytes(&mm_host);
	if (vm_mem_alloc(vm, mem, &err)) {
		pr_err("error: mem=%lu MiB: %s (%lu MiB)", mem >> 20, err,
		       free >> 20);
		system_halt();
	}
	pr_info("vm%u: RAM %lu MiB below 4 GiB at host %lx, %lu MiB above in %u host blocks",
		vm->id, vm->low_size >> 20, (uint64_t)vm->ram,
		(mem - vm->low_size) >> 20, vm->n_high);
	for (unsigned int i = 0; i < vm->n_high; i++)
		pr_info("vm%u: RAM at %lx-%lx from host %lx", vm->id,
			vm->high[i].gpa, vm->high[i].gpa + vm->high[i].size,
			(uint64_t)vm->high[i].hva);
	vm->empty_bus = page_alloc(LARGE_PAGE, LARGE_PAGE);
	vm_map_memory(vm);
	vm_reload(vm);
	free = mm_pool_free_bytes(&mm_host);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_create(vm, i);
	/* What a vCPU costs (issue 14): its struct, the vlapic (page and
	 * state), the backend's state and VMCB or VMCS; a shared page of
	 * small objects counts for whoever took it first. The empty bus's
	 * scratch pages come later, if ever (empty_bus.c). */
	pr_info("vm%u: %lu KiB per vCPU", vm->id,
		(free - mm_pool_free_bytes(&mm_host)) / vm->nr_vcpus >> 10);
	vcpu_boot_state(vm->vcpus[0]);
	timer_cpu_setup(vm);
	if (cfg->bad_entry) {
		/* CR0 bits 63:32 are reserved: both VMX (CR0 fixed-1 bits) and
		 * SVM (VMRUN consistency checks) refuse to enter. */
		struct vcpu_state s;

		pr_info("testfault: vcpu0 gets CR0 bit 32 set");
		virt.get_state(vm->vcpus[0], &s);
		s.cr0 |= 1ull << 32;
		virt.set_state(vm->vcpus[0], &s);
	}
	vm->tsc_start = rdtsc();
	pr_info("vm%u: %u vCPUs, %lu MiB, starting (x2hv took %lu ms)", vm->id,
		vm->nr_vcpus, mem >> 20,
		(vm->tsc_start - cfg->entry_tsc) / tsc_khz);
	for (unsigned int i = 1; i < vm->nr_vcpus; i++) {
		__atomic_store_n(&percpu[i].vcpu, vm->vcpus[i],
				 __ATOMIC_RELEASE);
		vcpu_kick(vm->vcpus[i]);
	}
	percpu[0].vcpu = vm->vcpus[0];
	vcpu_run(vm->vcpus[0]);
}
