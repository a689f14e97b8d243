/*
 * MIPS32 instruction encoders for tests that write machine code at run
 * time (self-modifying code, code on pages of their own).
 */
#ifndef MIMIC_TEST_ENCODE_H
#define MIMIC_TEST_ENCODE_H

#include <stdint.h>

#define ADDIU(rt, rs, imm) (0x24000000u | (uint32_t)(rs) << 21 | (uint32_t)(rt) << 16 | ((uint32_t)(imm) & 0xffffu))
#define BEQ(rs, rt, off) (0x10000000u | (uint32_t)(rs) << 21 | (uint32_t)(rt) << 16 | ((uint32_t)(off) & 0xffffu))
#define BNE(rs, rt, off) (0x14000000u | (uint32_t)(rs) << 21 | (uint32_t)(rt) << 16 | ((uint32_t)(off) & 0xffffu))
#define SW(rt, base, off) (0xac000000u | (uint32_t)(base) << 21 | (uint32_t)(rt) << 16 | ((uint32_t)(off) & 0xffffu))
#define ANDI(rt, rs, imm) (0x30000000u | (uint32_t)(rs) << 21 | (uint32_t)(rt) << 16 | ((uint32_t)(imm) & 0xffffu))
#define SRL(rd, rt, sa) ((uint32_t)(rt) << 16 | (uint32_t)(rd) << 11 | ((uint32_t)(sa) & 31u) << 6 | 0x02u)
#define ADDU(rd, rs, rt) ((uint32_t)(rs) << 21 | (uint32_t)(rt) << 16 | (uint32_t)(rd) << 11 | 0x21u)
#define SUBU(rd, rs, rt) ((uint32_t)(rs) << 21 | (uint32_t)(rt) << 16 | (uint32_t)(rd) << 11 | 0x23u)
#define OR(rd, rs, rt) ((uint32_t)(rs) << 21 | (uint32_t)(rt) << 16 | (uint32_t)(rd) << 11 | 0x25u)
#define JAL(addr) (0x0c000000u | (((uint32_t)(addr) >> 2) & 0x03ffffffu))
#define JR(rs) ((uint32_t)(rs) << 21 | 0x08u)
#define JR_RA JR(31)
#define NOP 0u

enum { ZERO = 0, V0 = 2, V1 = 3, A0 = 4, A1 = 5, T0 = 8, T1 = 9, T2 = 10, T9 = 25, RA = 31 };

#endif
