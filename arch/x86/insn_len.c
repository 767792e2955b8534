// SPDX-License-Identifier: MIT
/* Instruction length from prefixes and a known opcode (insn_len.h). */
#include "arch/x86/insn_len.h"

static bool legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x66: /* operand size */
	case 0x67: /* address size */
	case 0xf0: /* LOCK */
	case 0xf2: /* REPNE */
	case 0xf3: /* REP */
	case 0x2e: /* CS */
	case 0x36: /* SS */
	case 0x3e: /* DS */
	case 0x26: /* ES */
	case 0x64: /* FS */
	case 0x65: /* GS */
		return true;
	default:
		return false;
	}
}

static bool rex_prefix(uint8_t b)
{
	return (b & 0xf0) == 0x40;
}

int insn_len_known(const uint8_t *code, unsigned int n, bool long_mode,
		   const struct insn_opcode *op, struct insn_info *info)
{
	unsigned int i = 0, need;
	uint8_t rex = 0;

	if (n > INSN_MAX_LEN)
		n = INSN_MAX_LEN;
	if (!op->len || op->len > INSN_OPCODE_MAX)
		return -1;
	/* A REX counts only right before the opcode; one followed by a
	 * legacy prefix is ignored (SDM 2.2.1), but still a byte. */
	while (i < n &&
	       (legacy_prefix(code[i]) || (long_mode && rex_prefix(code[i])))) {
		rex = rex_prefix(code[i]) ? code[i] : 0;
		i++;
	}
	need = i + op->len + (op->modrm ? 1 : 0);
	if (need > n)
		return -1;
	for (unsigned int k = 0; k < op->len; k++)
		if (code[i + k] != op->bytes[k])
			return -1;
	info->rex = rex;
	info->modrm = op->modrm ? code[i + op->len] : 0;
	info->len = (uint8_t)need;
	return 0;
}
