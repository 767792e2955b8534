/* SPDX-License-Identifier: MIT */
/*
 * Offsets into struct guest_regs for the entry stubs. Checked against the
 * C layout by _Static_assert in vmm/asm_offsets.c, so a change of the
 * struct that is not mirrored here fails the build.
 */
#ifndef X2HV_CORE_ASM_OFFSETS_H
#define X2HV_CORE_ASM_OFFSETS_H

#define GR_RAX 0
#define GR_RBX 8
#define GR_RCX 16
#define GR_RDX 24
#define GR_RSI 32
#define GR_RDI 40
#define GR_RBP 48
#define GR_R8 56
#define GR_R9 64
#define GR_R10 72
#define GR_R11 80
#define GR_R12 88
#define GR_R13 96
#define GR_R14 104
#define GR_R15 112

#endif
