// SPDX-License-Identifier: MIT
/*
 * A VM's RAM (include/abi.h): up to X2HV_GPA_LOW_RAM_MAX (3 GiB) from
 * guest-physical 0 in one contiguous host block (the kernel, initrd and
 * boot tables live there), the rest from 4 GiB up, in host blocks as
 * large as the host's free memory allows. Each block is 1 GiB aligned
 * where the host can give that, so EPT/NPT map it with 1 GiB pages on a
 * CPU that has them, 2 MiB pages otherwise (arch/x86/nested_pt.c).
 * Guest-physical space above the last block is not mapped: an access
 * there stops the VM with a report (vmm/exit.c).
 */
#include "arch/x86/nested_pt.h"
#include "include/abi.h"
#include "lib/mm.h"
#include "lib/printk.h"
#include "vmm/vm.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define BLOCK_MIN (2 * MIB)

static void *alloc_block(uint64_t size)
{
	void *p = NULL;

	if (size >= GIB)
		p = page_try_alloc(size, GIB);
	return p ? p : page_try_alloc(size, BLOCK_MIN);
}

/* The next smaller block size to try: half, in whole GiB while that is
 * at least one, else in 2 MiB units. */
static uint64_t smaller(uint64_t size)
{
	size /= 2;
	size &= size >= GIB ? ~(GIB - 1) : ~(BLOCK_MIN - 1);
	return size;
}

int vm_mem_alloc(struct vm *vm, uint64_t mem, const char **err)
{
	uint64_t low = mem < X2HV_GPA_LOW_RAM_MAX ? mem : X2HV_GPA_LOW_RAM_MAX;
	uint64_t gpa = X2HV_GPA_ABOVE_4G, left = mem - low, size = left;

	*err = "more than the free host memory";
	if (mem > mm_pool_free_bytes(&mm_host))
		return -1;
	vm->ram = alloc_block(low);
	if (!vm->ram) {
		*err = "no contiguous host block for the RAM below 4 GiB";
		return -1;
	}
	vm->low_size = low;
	vm->ram_size = mem;
	while (left) {
		uint8_t *p;

		if (size > left)
			size = left;
		p = size ? alloc_block(size) : NULL;
		if (!p && size > BLOCK_MIN) {
			size = smaller(size);
			continue;
		}
		if (!p || vm->n_high == VM_MAX_RAM_CHUNKS)
			return -1;
		vm->high[vm->n_high++] = (struct vm_ram_chunk){ gpa, size, p };
		gpa += size;
		left -= size;
	}
	return 0;
}

/* Count the pages of each size that map [gpa, gpa + size). */
static void count_pages(struct vm *vm, uint64_t gpa, uint64_t size,
			uint64_t n[3])
{
	for (uint64_t end = gpa + size; gpa < end;) {
		uint64_t sz = pt_page_size(vm->npt, gpa);

		if (!sz)
			return;
		n[sz == GIB ? 2 : sz == BLOCK_MIN ? 1 : 0]++;
		gpa += sz;
	}
}

int vm_mem_map(struct vm *vm)
{
	uint64_t n[3] = { 0 };

	if (virt.map(vm, 0, (uint64_t)vm->ram, vm->low_size, NPT_RWX))
		return -1;
	count_pages(vm, 0, vm->low_size, n);
	for (unsigned int i = 0; i < vm->n_high; i++) {
		if (virt.map(vm, vm->high[i].gpa, (uint64_t)vm->high[i].hva,
			     vm->high[i].size, NPT_RWX))
			return -1;
		count_pages(vm, vm->high[i].gpa, vm->high[i].size, n);
	}
	pr_info("vm%u: RAM mapped with %lu 1 GiB, %lu 2 MiB and %lu 4 KiB pages",
		vm->id, n[2], n[1], n[0]);
	return 0;
}

void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa < vm->low_size)
		return len <= vm->low_size - gpa ? vm->ram + gpa : NULL;
	for (unsigned int i = 0; i < vm->n_high; i++) {
		const struct vm_ram_chunk *c = &vm->high[i];

		if (gpa >= c->gpa && gpa - c->gpa < c->size)
			return len <= c->size - (gpa - c->gpa) ?
				       c->hva + (gpa - c->gpa) :
				       NULL;
	}
	return NULL;
}
