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
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/nested_pt.h"
#include "arch/x86/percpu.h"
#include "arch/x86/time.h"
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
		p = page_try_alloc_unzeroed(size, GIB);
	return p ? p : page_try_alloc_unzeroed(size, BLOCK_MIN);
}

/*
 * Guest RAM is zeroed before the guest runs (no host data reaches a VM),
 * by every CPU at once: one CPU would take minutes for a big host's
 * terabytes, and under QEMU's TCG 512 MiB took 1.5 s of a 4.6 s Linux
 * boot (docs/testing.md, bench-boot). At VM creation the other CPUs wait
 * in vcpu_idle_loop; a kick wakes them and each takes pieces until none
 * is left. One that does not wake in time only leaves more to the rest.
 */
#define ZERO_PIECE (2 * MIB)

static struct {
	struct vm *vm;
	uint64_t pieces; /* published last (release): the work is ready */
	uint64_t next; /* the next piece to take */
	uint64_t done; /* pieces zeroed */
} zero_work;

/* Host block @b of @vm's RAM: 0 is the RAM below 4 GiB, then high[]. */
static uint8_t *ram_block(const struct vm *vm, unsigned int b, uint64_t *size)
{
	if (!b) {
		*size = vm->low_size;
		return vm->ram;
	}
	*size = vm->high[b - 1].size;
	return vm->high[b - 1].hva;
}

static uint64_t block_pieces(uint64_t size)
{
	return (size + ZERO_PIECE - 1) / ZERO_PIECE;
}

static bool zero_one_piece(void)
{
	uint64_t total = __atomic_load_n(&zero_work.pieces, __ATOMIC_ACQUIRE);
	struct vm *vm = zero_work.vm;
	uint64_t i, size;

	if (!total ||
	    __atomic_load_n(&zero_work.next, __ATOMIC_RELAXED) >= total)
		return false;
	i = __atomic_fetch_add(&zero_work.next, 1, __ATOMIC_RELAXED);
	if (i >= total)
		return false;
	for (unsigned int b = 0; b <= vm->n_high; b++) {
		uint8_t *p = ram_block(vm, b, &size);

		if (i < block_pieces(size)) {
			size -= i * ZERO_PIECE;
			mm_zero(p + i * ZERO_PIECE,
				size < ZERO_PIECE ? size : ZERO_PIECE);
			break;
		}
		i -= block_pieces(size);
	}
	__atomic_fetch_add(&zero_work.done, 1, __ATOMIC_RELEASE);
	return true;
}

/* Returns the number of pieces this CPU zeroed. */
static uint64_t zero_pieces(void)
{
	uint64_t mine = 0;

	while (zero_one_piece())
		mine++;
	return mine;
}

void vm_mem_help_zero(void)
{
	zero_pieces();
}

#ifdef X2HV_DEBUG
/* The debug image fills the RAM before and checks every byte after, so
 * that a piece the CPUs missed shows on an emulator whose RAM starts
 * zeroed (make test runs the guest tier with it). */
static void zero_check(const struct vm *vm, bool before)
{
	uint64_t size;

	for (unsigned int b = 0; b <= vm->n_high; b++) {
		uint64_t *q = (uint64_t *)ram_block(vm, b, &size);

		for (uint64_t i = 0; i < size / 8; i++) {
			if (before)
				q[i] = 0xa5a5a5a5a5a5a5a5ull;
			else if (q[i])
				panic("vm RAM block %u not zeroed at +%lx", b,
				      (unsigned long)(i * 8));
		}
	}
}
#else
static void zero_check(const struct vm *vm, bool before)
{
}
#endif

static void zero_ram(struct vm *vm)
{
	uint64_t total = 0, size, mine, t0 = rdtsc();

	for (unsigned int b = 0; b <= vm->n_high; b++) {
		ram_block(vm, b, &size);
		total += block_pieces(size);
	}
	zero_check(vm, true);
	zero_work.vm = vm;
	zero_work.next = 0;
	zero_work.done = 0;
	__atomic_store_n(&zero_work.pieces, total, __ATOMIC_RELEASE);
	for (unsigned int c = 0; c < nr_cpus; c++)
		if (c != this_cpu()->cpu && percpu[c].online)
			lapic_send_ipi(percpu[c].apic_id, VEC_KICK);
	mine = zero_pieces();
	while (__atomic_load_n(&zero_work.done, __ATOMIC_ACQUIRE) < total)
		cpu_relax();
	__atomic_store_n(&zero_work.pieces, 0, __ATOMIC_RELEASE);
	zero_check(vm, false);
	pr_info("vm%u: RAM zeroed in %lu ms, %lu of %lu 2 MiB pieces by the other CPUs",
		vm->id, (unsigned long)((rdtsc() - t0) / tsc_khz),
		(unsigned long)(total - mine), (unsigned long)total);
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
	zero_ram(vm);
	vm->ram_zero = true;
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
