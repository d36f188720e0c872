/**
 * Stack instructions: PUSH/POP (all forms), PUSHF/POPF, PUSHA/POPA, ENTER/LEAVE. Their operand size
 * defaults to 64 bits in 64-bit mode (SDM Vol. 2A §2.2.1.7 Table 2-6), where 32-bit forms do not exist.
 */
import type { InstructionFamilyDeclaration } from '../spec.js';

/** The stack families. */
export const stackFamilies: readonly InstructionFamilyDeclaration[] = [
  {
    family: 'push',
    mnemonic: 'push',
    summary: 'Push onto the stack',
    forms: [
      { opcode: 'FF /6', operands: ['Ev'], operandSizeRule: 'default64' },
      { opcode: '50+r', operands: ['Zv'], operandSizeRule: 'default64' },
      { opcode: '6A', operands: ['Ibs'], operandSizeRule: 'default64' },
      { opcode: '68', operands: ['Iz'], operandSizeRule: 'default64' },
      { opcode: '06', operands: ['ES'], operandSizeRule: 'default64', modes: [16, 32] },
      { opcode: '0E', operands: ['CS'], operandSizeRule: 'default64', modes: [16, 32] },
      { opcode: '16', operands: ['SS'], operandSizeRule: 'default64', modes: [16, 32] },
      { opcode: '1E', operands: ['DS'], operandSizeRule: 'default64', modes: [16, 32] },
      { opcode: '0F A0', operands: ['FS'], operandSizeRule: 'default64' },
      { opcode: '0F A8', operands: ['GS'], operandSizeRule: 'default64' },
    ],
  },
  {
    family: 'pop',
    mnemonic: 'pop',
    summary: 'Pop from the stack',
    forms: [
      { opcode: '8F /0', operands: ['Ev'], operandSizeRule: 'default64' },
      { opcode: '58+r', operands: ['Zv'], operandSizeRule: 'default64' },
      { opcode: '07', operands: ['ES'], operandSizeRule: 'default64', modes: [16, 32] },
      { opcode: '17', operands: ['SS'], operandSizeRule: 'default64', modes: [16, 32] },
      { opcode: '1F', operands: ['DS'], operandSizeRule: 'default64', modes: [16, 32] },
      { opcode: '0F A1', operands: ['FS'], operandSizeRule: 'default64' },
      { opcode: '0F A9', operands: ['GS'], operandSizeRule: 'default64' },
    ],
  },
  {
    family: 'pushf',
    mnemonic: 'pushf',
    summary: 'Push the flags register',
    flags: 'r=oszapcditAC',
    forms: [
      // The 16-bit forms move only FLAGS: AC (bit 18) is not in them.
      {
        opcode: 'o16 9C',
        operands: [],
        mnemonic: 'pushf',
        operandSizeRule: 'default64',
        flags: 'r=oszapcdit',
      },
      { opcode: 'o32 9C', operands: [], mnemonic: 'pushfd', operandSizeRule: 'default64' },
      { opcode: 'o64 9C', operands: [], mnemonic: 'pushfq', operandSizeRule: 'default64' },
    ],
  },
  {
    family: 'popf',
    mnemonic: 'popf',
    summary: 'Pop the flags register',
    flags: 'w=oszapcditAC',
    forms: [
      {
        opcode: 'o16 9D',
        operands: [],
        mnemonic: 'popf',
        operandSizeRule: 'default64',
        flags: 'w=oszapcdit',
      },
      { opcode: 'o32 9D', operands: [], mnemonic: 'popfd', operandSizeRule: 'default64' },
      { opcode: 'o64 9D', operands: [], mnemonic: 'popfq', operandSizeRule: 'default64' },
    ],
  },
  {
    family: 'pusha',
    mnemonic: 'pusha',
    summary: 'Push all general registers',
    modes: [16, 32],
    forms: [
      { opcode: 'o16 60', operands: [], mnemonic: 'pusha' },
      { opcode: 'o32 60', operands: [], mnemonic: 'pushad' },
    ],
  },
  {
    family: 'popa',
    mnemonic: 'popa',
    summary: 'Pop all general registers',
    modes: [16, 32],
    forms: [
      { opcode: 'o16 61', operands: [], mnemonic: 'popa' },
      { opcode: 'o32 61', operands: [], mnemonic: 'popad' },
    ],
  },
  {
    family: 'enter',
    mnemonic: 'enter',
    summary: 'Make a stack frame for a procedure',
    forms: [{ opcode: 'C8', operands: ['Iw', 'Ib'], operandSizeRule: 'default64' }],
  },
  {
    family: 'leave',
    mnemonic: 'leave',
    summary: 'Release a stack frame',
    forms: [{ opcode: 'C9', operands: [], operandSizeRule: 'default64' }],
  },
];
