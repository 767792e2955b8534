/* SPDX-License-Identifier: MIT */
/*
 * The guest-visible ABI of x2hv: hypercall numbers, platform I/O ports and
 * the guest-physical memory layout. Shared by the hypervisor, the guest
 * test runtime (tests/guest) and the host unit tests; no includes beyond
 * <stdint.h> so a freestanding guest can use it.
 *
 * Hypercalls: VMCALL (Intel) or VMMCALL (AMD) with RAX = number and
 * arguments in RDI, RSI, RDX. The result is returned in RAX; errors are
 * negative: an unknown number returns X2HV_HC_ENOSYS (as KVM returns
 * -KVM_ENOSYS), bad arguments X2HV_HC_EINVAL.
 *
 * Hypercalls are for the guest kernel only: one made at CPL > 0 does
 * nothing and returns X2HV_HC_EPERM (as KVM returns -KVM_EPERM), whatever
 * its number. VMCALL/VMMCALL exit at every privilege level, so the
 * hypervisor checks the CPL itself.
 */
#ifndef X2HV_CORE_ABI_H
#define X2HV_CORE_ABI_H

/* Hypercall numbers (RAX). */
#define X2HV_HC_CONSOLE_WRITE 0x0 /* RDI = GPA, RSI = length (<= 4096) */
#define X2HV_HC_TEST_EXIT 0x1 /* RDI = status; stops the VM */
/* EXIT_COUNT: RDI = exit reason (or X2HV_EXIT_ANY); returns this vCPU's
 * count of such exits. */
#define X2HV_HC_EXIT_COUNT 0x2
#define X2HV_EXIT_ANY 0xffffffffu
/* Reasons EXIT_COUNT takes (vmm/virt.h enum exit_reason, checked there). */
#define X2HV_EXIT_CPUID 1
#define X2HV_EXIT_RDMSR 2
#define X2HV_EXIT_WRMSR 3
#define X2HV_EXIT_IO 4
#define X2HV_EXIT_HLT 5
#define X2HV_EXIT_HYPERCALL 6
#define X2HV_EXIT_EXCEPTION 8
#define X2HV_EXIT_INTR 9
#define X2HV_EXIT_NMI 11
#define X2HV_EXIT_XSETBV 13
#define X2HV_EXIT_SMI 26
#define X2HV_HC_VCPU_ID 0x3 /* returns the calling vCPU's index */
/* VCPU_EXIT_COUNT: RDI = index of a vCPU of the same VM, RSI = exit reason
 * (or X2HV_EXIT_ANY); returns that vCPU's count, read while it runs (the
 * receiving side of an IPI in tests/guest/bench.c). */
#define X2HV_HC_VCPU_EXIT_COUNT 0x4

#define X2HV_HC_EPERM ((uint64_t)-1)
#define X2HV_HC_ENOSYS ((uint64_t)-1000)
#define X2HV_HC_EINVAL ((uint64_t)-22)

/* CPUID leaf 0x40000000: EBX,ECX,EDX = "x2hvx2hvx2hv". */
#define X2HV_CPUID_BASE 0x40000000u
#define X2HV_CPUID_SIG_EBX 0x76683278u /* "x2hv" little-endian */

/*
 * Platform I/O ports of the guest. The FADT is hardware-reduced (ACPI 6.x
 * section 4.1) and names these as its sleep control/status and reset
 * registers; there is no PM1 block, PIT, PIC or IOAPIC.
 */
#define X2HV_PORT_COM1 0x3f8
#define X2HV_PORT_SLEEP_CONTROL 0x404 /* 1 byte: SLP_TYP << 2 | SLP_EN */
#define X2HV_PORT_SLEEP_STATUS 0x405 /* 1 byte: WAK_STS = bit 7 */
/*
 * The reset control register RST_CNT of Intel's chipsets (one byte at
 * 0xcf9): bit 1 SYS_RST (hard/soft), bit 3 FULL_RST, and a write that
 * sets bit 2 RST_CPU resets the machine. The FADT's RESET_REG is this
 * port with X2HV_RESET_VALUE.
 */
#define X2HV_PORT_RESET 0xcf9
#define X2HV_RESET_VALUE 0x06
#define X2HV_RST_CNT_SYS_RST 0x02
#define X2HV_RST_CNT_RST_CPU 0x04
#define X2HV_RST_CNT_FULL_RST 0x08
/*
 * The 8042 keyboard controller's command/status port: no keyboard, only
 * its reset line. Status reads 0 (input buffer empty), and a "pulse
 * output port" command (0xf0-0xff) with bit 0 clear, such as 0xfe, resets
 * the machine.
 */
#define X2HV_PORT_KBC 0x64
#define X2HV_KBC_PULSE_RESET 0xfe
#define X2HV_SLP_TYP_S5 5 /* \_S5 package value */
#define X2HV_SLP_EN (1u << 5)

/* Guest-physical layout (PVH, Xen's docs/misc/pvh.pandoc). */
#define X2HV_GPA_LOW_RAM_END 0x9f000ull /* RAM [0, this) for SMP trampolines */
/* [LOW_RAM_END, HIGH_RAM) is reserved; it holds the ACPI tables and the
 * hvm_start_info (with the memory map, module list and command lines). */
#define X2HV_GPA_ACPI 0xe0000ull
#define X2HV_GPA_ACPI_SIZE 0x8000ull
#define X2HV_GPA_START_INFO 0xe8000ull /* the guest's EBX at entry */
#define X2HV_GPA_START_INFO_SIZE 0x8000ull
/* A 16-byte "ROM" at the real-mode reset vector F000:FFF0 (a jump to the
 * BIOS restarts the machine): it writes the reset value to RST_CNT. */
#define X2HV_GPA_RESET_VECTOR 0xffff0ull
#define X2HV_GPA_HIGH_RAM 0x100000ull /* RAM from 1 MiB to the VM's size */
/* RAM below 4 GiB ends here at most; the rest of a larger VM's RAM starts
 * at 4 GiB (the 32-bit hole between holds no RAM, as on a PC). */
#define X2HV_GPA_LOW_RAM_MAX 0xc0000000ull
#define X2HV_GPA_ABOVE_4G 0x100000000ull
#define X2HV_GPA_LAPIC 0xfee00000ull /* no device here: see README */

#endif
