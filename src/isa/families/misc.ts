/**
 * Flag instructions, no-ops, identification and timing, decimal arithmetic (BCD, not in 64-bit mode)
 * and CRC32.
 */
import type { InstructionFamilyDeclaration } from '../spec.js';

const bcdModes = [16, 32] as const;

/** The miscellaneous families. */
export const miscFamilies: readonly InstructionFamilyDeclaration[] = [
  {
    family: 'clc',
    mnemonic: 'clc',
    summary: 'Clear carry flag',
    flags: '0=c',
    forms: [{ opcode: 'F8', operands: [] }],
  },
  {
    family: 'stc',
    mnemonic: 'stc',
    summary: 'Set carry flag',
    flags: '1=c',
    forms: [{ opcode: 'F9', operands: [] }],
  },
  {
    family: 'cmc',
    mnemonic: 'cmc',
    summary: 'Complement carry flag',
    flags: 'r=c w=c',
    forms: [{ opcode: 'F5', operands: [] }],
  },
  {
    family: 'cld',
    mnemonic: 'cld',
    summary: 'Clear direction flag',
    flags: '0=d',
    forms: [{ opcode: 'FC', operands: [] }],
  },
  {
    family: 'std',
    mnemonic: 'std',
    summary: 'Set direction flag',
    flags: '1=d',
    forms: [{ opcode: 'FD', operands: [] }],
  },
  {
    family: 'lahf',
    mnemonic: 'lahf',
    summary: 'Load SF:ZF:0:AF:0:PF:1:CF into AH',
    flags: 'r=szapc',
    forms: [{ opcode: '9F', operands: [] }],
  },
  {
    family: 'sahf',
    mnemonic: 'sahf',
    summary: 'Store AH into SF, ZF, AF, PF, CF',
    flags: 'w=szapc',
    forms: [{ opcode: '9E', operands: [] }],
  },
  {
    family: 'nop',
    mnemonic: 'nop',
    summary: 'No operation (90, and the multi-byte 0F 1F /0)',
    forms: [
      { opcode: '90', operands: [], requiresNoRexB: true },
      { opcode: '0F 1F /0', operands: ['Ev'] },
    ],
  },
  {
    family: 'pause',
    mnemonic: 'pause',
    summary: 'Spin-loop hint (F3 90)',
    forms: [{ opcode: 'F3 90', operands: [] }],
  },
  {
    family: 'endbr',
    mnemonic: 'endbr64',
    summary: 'End branch (CET indirect-branch tracking marker; a NOP otherwise)',
    feature: 'CET_IBT',
    forms: [
      { opcode: 'F3 0F 1E FA', operands: [], mnemonic: 'endbr64' },
      { opcode: 'F3 0F 1E FB', operands: [], mnemonic: 'endbr32' },
    ],
  },
  {
    family: 'cpuid',
    mnemonic: 'cpuid',
    summary: 'CPU identification',
    feature: 'CPUID',
    forms: [{ opcode: '0F A2', operands: [] }],
  },
  {
    family: 'rdtsc',
    mnemonic: 'rdtsc',
    summary: 'Read time-stamp counter into EDX:EAX',
    feature: 'TSC',
    forms: [{ opcode: '0F 31', operands: [] }],
  },
  {
    family: 'crc32',
    mnemonic: 'crc32',
    summary: 'Accumulate CRC32C (Castagnoli) value',
    feature: 'SSE4.2',
    forms: [
      { opcode: 'F2 0F 38 F0 /r', operands: ['Gy', 'Eb'] },
      { opcode: 'o16 F2 0F 38 F1 /r', operands: ['Gd', 'Ew'] },
      { opcode: 'o32 F2 0F 38 F1 /r', operands: ['Gd', 'Ed'] },
      { opcode: 'o64 F2 0F 38 F1 /r', operands: ['Gq', 'Eq'] },
    ],
  },
  {
    family: 'daa',
    mnemonic: 'daa',
    summary: 'Decimal adjust AL after addition',
    flags: 'r=ac w=szapc u=o',
    modes: bcdModes,
    forms: [{ opcode: '27', operands: [] }],
  },
  {
    family: 'das',
    mnemonic: 'das',
    summary: 'Decimal adjust AL after subtraction',
    flags: 'r=ac w=szapc u=o',
    modes: bcdModes,
    forms: [{ opcode: '2F', operands: [] }],
  },
  {
    family: 'aaa',
    mnemonic: 'aaa',
    summary: 'ASCII adjust after addition',
    flags: 'r=a w=ac u=oszp',
    modes: bcdModes,
    forms: [{ opcode: '37', operands: [] }],
  },
  {
    family: 'aas',
    mnemonic: 'aas',
    summary: 'ASCII adjust after subtraction',
    flags: 'r=a w=ac u=oszp',
    modes: bcdModes,
    forms: [{ opcode: '3F', operands: [] }],
  },
  {
    family: 'aam',
    mnemonic: 'aam',
    summary: 'ASCII adjust AX after multiply (base imm8, usually 10)',
    flags: 'w=szp u=oac',
    modes: bcdModes,
    exceptions: [{ vector: '#DE', when: 'imm8 = 0' }],
    forms: [{ opcode: 'D4', operands: ['Ib'] }],
  },
  {
    family: 'aad',
    mnemonic: 'aad',
    summary: 'ASCII adjust AX before division (base imm8, usually 10)',
    flags: 'w=szp u=oac',
    modes: bcdModes,
    forms: [{ opcode: 'D5', operands: ['Ib'] }],
  },
];
