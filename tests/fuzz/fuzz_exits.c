// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the exit handlers that take raw guest values: the
 * real handle_wrmsr/handle_rdmsr (vmm/msr.c with the vlapic and kvmclock
 * behind it), handle_io (vmm/io.c and the port devices), handle_xsetbv
 * (vmm/xsetbv.c) and the CR0/CR4/EFER write checks (vmm/cr_policy.c),
 * on one vCPU with a fake backend. The input is a program of guest
 * actions; after each one the invariants are checked and a violation
 * traps:
 *
 *  - a handler only resumes, skips or injects the exception the SDM
 *    allows for it (#GP for MSRs, string I/O, XSETBV; #UD for XSETBV);
 *  - nothing the guest wrote reaches "hardware" (the fake backend's
 *    registers, the fake XSETBV) unless an independent copy of the
 *    SDM's rules, written here, accepts it: EFER reserved bits and LME
 *    with paging on, PAT memory types, CR0/CR4 combinations, XCR0;
 *  - a refused write changes nothing; IA32_APIC_BASE never changes;
 *  - IN writes only the bytes of its size (a 32-bit IN zero-extends), and
 *    the guest UART's buffers stay in bounds.
 *
 * Operation encoding: one opcode byte, then its operands, little-endian;
 * a truncated operand reads as zero bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/time.h"
#include "arch/x86/uart.h"
#include "lib/printk.h"
#include "vmm/cr_policy.h"
#include "vmm/vm.h"
#include "vmm/xcr0.h"

#define check(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)

#define MAX_OPS 2048
#define RAM_SIZE (1u << 20)
#define MSR_PAT 0x277
#define MSR_APIC_BASE_ 0x1b
#define CR4_PAE_ (1ull << 5)
#define CR4_PCIDE_ (1ull << 17)
#define CR4_LA57_ (1ull << 12)
#define CR4_CET_ (1ull << 23)
#define CR0_WP_ (1ull << 16)

/* ---------------------------------------------------------- fake backend */
static struct {
	uint64_t cr0, cr3, cr4, efer, pat, cpl, cs_l, tsc_offset;
} hw;
static uint64_t xcr0 = XCR0_X87;
static uint64_t xcr0_allowed;
static bool xsetbv_called;
static enum vm_stop_kind stop_kind;
static uint8_t ram[RAM_SIZE];

static uint64_t fake_get_reg(struct vcpu *v, enum vreg r)
{
	switch (r) {
	case VREG_CR0:
		return hw.cr0;
	case VREG_CR3:
		return hw.cr3;
	case VREG_CR4:
		return hw.cr4;
	case VREG_EFER:
		return hw.efer;
	case VREG_PAT:
		return hw.pat;
	case VREG_CPL:
		return hw.cpl;
	case VREG_CS_L:
		return hw.cs_l;
	case VREG_TSC_OFFSET:
		return hw.tsc_offset;
	default:
		return 0;
	}
}

/* EFER as the CPU would take it: no reserved bit, LME fixed while paging
 * is on, LMA = LME && PG. Checked here, independently of cr_policy.c. */
static void fake_set_reg(struct vcpu *v, enum vreg r, uint64_t val)
{
	const struct cr_policy *p = &v->cr_policy;

	switch (r) {
	case VREG_EFER:
		check(!(val & ~(p->efer_allowed | EFER_LMA)));
		check(!(hw.cr0 & CR0_PG) || !((val ^ hw.efer) & EFER_LME));
		check((val & EFER_LMA) == (hw.efer & EFER_LMA));
		hw.efer = val;
		break;
	case VREG_PAT:
		for (int i = 0; i < 8; i++) {
			uint8_t t = (val >> (8 * i)) & 0xff;

			check(t != 2 && t != 3 && t < 8);
		}
		hw.pat = val;
		break;
	case VREG_TSC_OFFSET: /* TSC and TSC_ADJUST writes (vmm/msr.c) */
		hw.tsc_offset = val;
		break;
	default:
		check(0); /* no other register is written by these handlers */
	}
}

/* The core's copy of the backend's ops (vmm/virt.c). */
struct virt_ops virt = {
	.name = "fake",
	.get_reg = fake_get_reg,
	.set_reg = fake_set_reg,
};
uint64_t tsc_khz = 2000000;

/* The XSETBV the hypervisor would run: only values the SDM allows. */
unsigned int xsetbv_safe(uint32_t idx, uint64_t v)
{
	check(idx == 0);
	check(v & XCR0_X87);
	check(!(v & ~xcr0_allowed));
	check(!(v & XCR0_AVX) || (v & XCR0_SSE));
	check(((v >> 3) & 3) == 0 || ((v >> 3) & 3) == 3);
	check(((v >> 5) & 7) == 0 || (((v >> 5) & 7) == 7 && (v & XCR0_AVX)));
	check(((v >> 17) & 3) == 0 || ((v >> 17) & 3) == 3);
	check(hw.cpl == 0 && (hw.cr4 & CR4_OSXSAVE));
	xcr0 = v;
	xsetbv_called = true;
	return 0;
}

bool host_osxsave(void)
{
	return true;
}

/* ---------------------------------------------------------- stubs */
/* The real printk formats every message; the console drops it. */
static unsigned long console_bytes;

static void console_sink(char c)
{
	console_bytes++;
}

bool vm_request_stop(struct vm *vm, enum vm_stop_kind kind)
{
	stop_kind = kind;
	return true;
}

void vm_reset(struct vm *vm, const char *why)
{
	stop_kind = VM_STOP_RESET;
}

/* No input on the host's console (vmm/dev/uart.c polls it). */
int uart_getc(void)
{
	return -1;
}

void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	return ram + gpa;
}

/* ---------------------------------------------------------- the VM */
static struct vlapic lapic __attribute__((aligned(4096)));
static struct vcpu vcpu;
static struct vm vm;

static void reset(void)
{
	memset(&vm, 0, sizeof(vm));
	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.vm = &vm;
	vcpu.vlapic = &lapic;
	vm.nr_vcpus = 1;
	vm.vcpus[0] = &vcpu;
	vm.vlapics[0] = &lapic;
	vlapic_init(&lapic, 0, true, 1, NULL, &vcpu);
	/* Long mode, as a PVH kernel runs once it is up. */
	hw.cr0 = CR0_PE | CR0_ET | CR0_PG;
	hw.cr3 = 0x1000;
	hw.cr4 = CR4_PAE_;
	hw.efer = EFER_LME | EFER_LMA;
	hw.pat = 0x0007040600070406ull;
	hw.cpl = 0;
	hw.cs_l = 1;
	xcr0 = XCR0_X87;
	stop_kind = VM_STOP_NONE;
	hw.tsc_offset = 0;
	mtrr_reset(&vcpu.mtrr);
	vcpu_cr_policy(&vcpu);
}

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++) {
		if (in->n) {
			v |= (uint64_t)*in->p << (8 * i);
			in->p++;
			in->n--;
		}
	}
	return v;
}

/* MSRs worth hitting often; anything else comes as a raw index. */
static const uint32_t msrs[] = {
	MSR_EFER,   MSR_PAT,	0x10,	    0x1b,	0x3a,	    0x8b,
	0xbd,	    0x10a,	0x179,	    0x17a,	0x1a0,	    0x6e0,
	0x802,	    0x808,	0x80b,	    0x80f,	0x828,	    0x830,
	0x832,	    0x838,	0x83e,	    0x83f,	0x4b564d00, 0x4b564d01,
	0x4b564d02, 0xc0010114, 0xc0011029, 0x12,	0xc0000081, 0xffffffff,
	0x3b,	    0xfe,	0x2ff,	    0x200,	0x201,	    0x250,
	0x26f,	    0x1d9,	0xce,	    0xc0010010, 0xc001001f, 0xc0010000,
};

static void op_wrmsr(struct input *in)
{
	uint8_t sel = take(in, 1);
	uint32_t msr = sel < sizeof(msrs) / sizeof(msrs[0]) ?
			       msrs[sel] :
			       (uint32_t)take(in, 4);
	uint64_t val = take(in, 8), base = lapic.apic_base;
	uint64_t efer = hw.efer, pat = hw.pat, off = hw.tsc_offset;
	uint64_t adj = vcpu.tsc_adjust;
	enum exit_action a;

	vcpu.regs.rcx = msr | (take(in, 1) << 32); /* RCX[63:32] ignored */
	vcpu.regs.rax = (uint32_t)val | (0xdeadull << 32);
	vcpu.regs.rdx = val >> 32;
	a = handle_wrmsr(&vcpu);
	check(a == ACT_SKIP || a == ACT_INJECT_GP);
	check(lapic.apic_base == base);
	if (a == ACT_INJECT_GP)
		check(hw.efer == efer && hw.pat == pat);
	/* The TSC and TSC_ADJUST move together (SDM vol. 3B 18.17.3), and
	 * the backend's offset is the core's. */
	check(hw.tsc_offset - off == vcpu.tsc_adjust - adj);
	check(hw.tsc_offset == (uint64_t)vcpu.tsc_offset);
}

static void op_rdmsr(struct input *in)
{
	uint8_t sel = take(in, 1);
	enum exit_action a;

	vcpu.regs.rcx = sel < sizeof(msrs) / sizeof(msrs[0]) ?
				msrs[sel] :
				(uint32_t)take(in, 4);
	vcpu.regs.rax = vcpu.regs.rdx = ~0ull;
	a = handle_rdmsr(&vcpu);
	check(a == ACT_SKIP || a == ACT_INJECT_GP);
	if (a == ACT_SKIP)
		check(!(vcpu.regs.rax >> 32) && !(vcpu.regs.rdx >> 32));
}

static void op_io(struct input *in)
{
	static const uint16_t ports[] = { 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc,
					  0x3fd, 0x3fe, 0x3ff, 0x404, 0x405,
					  0xcf9, 0x2f0, 0x80,  0xf4 };
	uint8_t f = take(in, 1);
	uint16_t port = (f & 0x80) ? (uint16_t)take(in, 2) :
				     ports[(f & 0x7f) % (sizeof(ports) / 2)];
	uint8_t size = (uint8_t[]){ 1, 2, 4, 1 }[take(in, 1) & 3];
	uint64_t rax = take(in, 8),
		 mask = size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1;
	bool in_dir = f & 0x40, string = (f & 0x3f) == 0x3f;
	enum exit_action a;

	memset(&vcpu.exit, 0, sizeof(vcpu.exit));
	vcpu.exit.reason = EXIT_IO;
	vcpu.exit.io.port = port;
	vcpu.exit.io.size = size;
	vcpu.exit.io.in = in_dir;
	vcpu.exit.io.string = string;
	vcpu.regs.rax = rax;
	a = handle_io(&vcpu);
	check(a == ACT_SKIP || (string && a == ACT_INJECT_GP));
	if (!in_dir || string)
		check(vcpu.regs.rax == rax);
	else if (size == 4)
		check(!(vcpu.regs.rax >> 32));
	else
		check((vcpu.regs.rax & ~mask) == (rax & ~mask));
	check(vm.uart.len < sizeof(vm.uart.line));
	check(vm.uart.rx_head - vm.uart.rx_tail <= sizeof(vm.uart.rx));
}

static void op_xsetbv(struct input *in)
{
	uint8_t f = take(in, 1);
	uint64_t val = take(in, 8), before = xcr0;
	enum exit_action a;

	hw.cpl = (f & 1) ? 3 : 0;
	if (f & 2)
		hw.cr4 &= ~CR4_OSXSAVE;
	else if (vcpu.cr_policy.cr4_allowed & CR4_OSXSAVE)
		hw.cr4 |= CR4_OSXSAVE;
	vcpu.regs.rcx = (f & 4) ? take(in, 4) : 0;
	vcpu.regs.rax = (uint32_t)val;
	vcpu.regs.rdx = val >> 32;
	xsetbv_called = false;
	a = handle_xsetbv(&vcpu);
	if (!(hw.cr4 & CR4_OSXSAVE))
		check(a == ACT_INJECT_UD);
	else if (hw.cpl || (uint32_t)vcpu.regs.rcx)
		check(a == ACT_INJECT_GP);
	else
		check(a == ACT_SKIP || a == ACT_INJECT_GP);
	check((a == ACT_SKIP) == xsetbv_called);
	if (a != ACT_SKIP)
		check(xcr0 == before);
	hw.cpl = 0;
}

/* MOV to CR0/CR4: what the check accepts must be a state the CPU takes. */
static void op_cr(struct input *in)
{
	uint8_t f = take(in, 1);
	uint64_t val = take(in, 8), out;
	struct cr_state s;
	const struct cr_policy *p = vcpu_cr_policy(&vcpu);

	vcpu_cr_state(&vcpu, &s);
	if (f & 1) {
		if (cr4_write_check(p, &s, val, &out))
			return;
		check(!(out & ~p->cr4_allowed));
		check(!(hw.efer & EFER_LMA) || (out & CR4_PAE_));
		check(!(hw.efer & EFER_LMA) || !((out ^ hw.cr4) & CR4_LA57_));
		check(!(out & CR4_CET_) || (hw.cr0 & CR0_WP_));
		check(!(out & CR4_PCIDE_) || (hw.efer & EFER_LMA));
		hw.cr4 = out;
	} else {
		if (cr0_write_check(&s, val, &out))
			return;
		check(!(out >> 32));
		check(!(out & CR0_PG) || (out & CR0_PE));
		check(!(out & CR0_NW) || (out & CR0_CD));
		check(!(hw.cr4 & CR4_CET_) || (out & CR0_WP_));
		/* Leaving paging from 64-bit code is refused above. */
		check((out & CR0_PG) || !(hw.cr0 & CR0_PG) || !hw.cs_l ||
		      !(hw.efer & EFER_LMA));
		hw.cr0 = out;
		if ((hw.efer & EFER_LME) && (out & CR0_PG)) {
			check(hw.cr4 & CR4_PAE_);
			hw.efer |= EFER_LMA;
		} else {
			hw.efer &= ~EFER_LMA;
		}
	}
}

/* Switch between 64-bit and compatibility code (a far jump). */
static void op_mode(struct input *in)
{
	hw.cs_l = (hw.efer & EFER_LMA) && (take(in, 1) & 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct cpuid_regs x = cpuid(0xd, 0);

	xcr0_allowed = xcr0_guest_allowed(x.eax | (uint64_t)x.edx << 32);
	console_set_putc(console_sink);
	reset();
	for (int n = 0; in.n && n < MAX_OPS; n++) {
		switch (take(&in, 1) % 6) {
		case 0:
			op_wrmsr(&in);
			break;
		case 1:
			op_rdmsr(&in);
			break;
		case 2:
			op_io(&in);
			break;
		case 3:
			op_xsetbv(&in);
			break;
		case 4:
			op_cr(&in);
			break;
		default:
			op_mode(&in);
			break;
		}
	}
	return 0;
}
