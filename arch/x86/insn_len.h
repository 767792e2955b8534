/* SPDX-License-Identifier: MIT */
/*
 * The length of an instruction whose opcode is already known (SVM
 * without NRIP: the exit says which instruction it was, not how long).
 * This is a length check, not a decoder (docs/security.md): it walks
 * the legacy prefixes (Intel SDM Vol. 2A, 2.1.1; AMD APM Vol. 3, 1.2.1)
 * and, in 64-bit mode, REX prefixes (2.2.1) up to the expected opcode
 * bytes and fails on anything else. Pure: host-tested and fuzzed.
 */
#ifndef X2HV_ARCH_X86_INSN_LEN_H
#define X2HV_ARCH_X86_INSN_LEN_H

#include <stdbool.h>
#include <stdint.h>

#define INSN_MAX_LEN 15 /* SDM Vol. 2A, 2.3.11: longer is #GP/#UD */
#define INSN_OPCODE_MAX 3

struct insn_opcode {
	uint8_t len; /* 1..INSN_OPCODE_MAX opcode bytes */
	uint8_t bytes[INSN_OPCODE_MAX];
	/* A ModRM byte follows, for MOV to/from CRn only, whose mod field is
	 * ignored: the operand is always the register in r/m (SDM Vol. 2B
	 * MOV--Move to/from Control Registers). */
	bool modrm;
};

struct insn_info {
	uint8_t len; /* prefixes + opcode (+ ModRM) */
	uint8_t rex; /* the REX prefix in effect (0x40-0x4f), or 0 */
	uint8_t modrm; /* when the opcode has one */
};

/*
 * Walk @n (<= INSN_MAX_LEN) code bytes at the instruction's start to
 * @op. Returns 0 and fills @info, or -1 when the bytes are not @op
 * behind prefixes within INSN_MAX_LEN bytes. @long_mode: 64-bit code,
 * where 0x40-0x4f are REX prefixes (elsewhere INC/DEC opcodes).
 */
int insn_len_known(const uint8_t *code, unsigned int n, bool long_mode,
		   const struct insn_opcode *op, struct insn_info *info);

#endif
