/**
 * Control transfer and interrupts: Jcc, JMP, CALL, RET (near), LOOP/LOOPE/LOOPNE, JCXZ/JECXZ/JRCXZ,
 * INT3, INT imm8, INTO, BOUND, UD2, HLT, SYSCALL, SYSENTER.
 *
 * Near branches in 64-bit mode use a 64-bit operand size whatever the 66 prefix says: that is Intel's
 * behaviour (SDM Vol. 2A "JMP": "In 64-bit mode, operand size is fixed at 64 bits"); AMD honours 66
 * there. See docs/deviations.md.
 */
import type { InstructionFamilyDeclaration } from '../spec.js';

/** The control-transfer families. */
export const controlFamilies: readonly InstructionFamilyDeclaration[] = [
  {
    family: 'jcc',
    mnemonic: 'j{cc}',
    summary: 'Jump if condition is met',
    forms: [
      { opcode: '70+cc', operands: ['Jb'], operandSizeRule: 'force64' },
      { opcode: '0F 80+cc', operands: ['Jz'], operandSizeRule: 'force64' },
    ],
  },
  {
    family: 'jmp',
    mnemonic: 'jmp',
    summary: 'Jump (near; far forms are out of scope)',
    forms: [
      { opcode: 'EB', operands: ['Jb'], operandSizeRule: 'force64' },
      { opcode: 'E9', operands: ['Jz'], operandSizeRule: 'force64' },
      { opcode: 'FF /4', operands: ['Ev'], operandSizeRule: 'force64' },
    ],
  },
  {
    family: 'call',
    mnemonic: 'call',
    summary: 'Call procedure (near; far forms are out of scope)',
    forms: [
      { opcode: 'E8', operands: ['Jz'], operandSizeRule: 'force64' },
      { opcode: 'FF /2', operands: ['Ev'], operandSizeRule: 'force64' },
    ],
  },
  {
    family: 'ret',
    mnemonic: 'ret',
    summary: 'Return from procedure (near), optionally releasing imm16 bytes of stack',
    forms: [
      { opcode: 'C3', operands: [], operandSizeRule: 'force64' },
      { opcode: 'C2', operands: ['Iw'], operandSizeRule: 'force64' },
    ],
  },
  {
    family: 'loop',
    mnemonic: 'loop',
    summary: 'Decrement the count register (CX/ECX/RCX by address size) and jump if not zero',
    forms: [
      { opcode: 'E2', operands: ['Jb'], operandSizeRule: 'force64' },
      { opcode: 'E1', operands: ['Jb'], operandSizeRule: 'force64', mnemonic: 'loope', flags: 'r=z' },
      { opcode: 'E0', operands: ['Jb'], operandSizeRule: 'force64', mnemonic: 'loopne', flags: 'r=z' },
    ],
  },
  {
    family: 'jcxz',
    mnemonic: 'jcxz',
    summary: 'Jump if the count register (chosen by address size) is zero',
    forms: [
      { opcode: 'a16 E3', operands: ['Jb'], operandSizeRule: 'force64', mnemonic: 'jcxz', modes: [16, 32] },
      { opcode: 'a32 E3', operands: ['Jb'], operandSizeRule: 'force64', mnemonic: 'jecxz' },
      { opcode: 'a64 E3', operands: ['Jb'], operandSizeRule: 'force64', mnemonic: 'jrcxz', modes: [64] },
    ],
  },
  {
    family: 'int3',
    mnemonic: 'int3',
    summary: 'Breakpoint trap',
    exceptions: [{ vector: '#BP', when: 'always' }],
    forms: [{ opcode: 'CC', operands: [] }],
  },
  {
    family: 'int',
    mnemonic: 'int',
    summary: 'Software interrupt',
    forms: [{ opcode: 'CD', operands: ['Ib'] }],
  },
  {
    family: 'into',
    mnemonic: 'into',
    summary: 'Interrupt 4 if OF is set',
    flags: 'r=o',
    modes: [16, 32],
    exceptions: [{ vector: '#OF', when: 'OF = 1' }],
    forms: [{ opcode: 'CE', operands: [] }],
  },
  {
    family: 'bound',
    mnemonic: 'bound',
    summary: 'Check array index against bounds (62 is EVEX in 64-bit mode, and with ModRM.mod = 11)',
    modes: [16, 32],
    exceptions: [{ vector: '#BR', when: 'the index is outside the bounds' }],
    forms: [{ opcode: '62 /r', operands: ['Gv', 'Ma'] }],
  },
  {
    family: 'ud2',
    mnemonic: 'ud2',
    summary: 'Undefined instruction (raises #UD on purpose)',
    exceptions: [{ vector: '#UD', when: 'always' }],
    forms: [{ opcode: '0F 0B', operands: [] }],
  },
  {
    family: 'hlt',
    mnemonic: 'hlt',
    summary: 'Halt',
    exceptions: [{ vector: '#GP', when: 'CPL > 0' }],
    forms: [{ opcode: 'F4', operands: [] }],
  },
  {
    family: 'syscall',
    mnemonic: 'syscall',
    summary: 'Fast system call (decoded only): saves RFLAGS in R11, then masks it with IA32_FMASK',
    flags: 'r=oszapcditAC w=oszapcditAC',
    feature: 'SYSCALL',
    forms: [{ opcode: '0F 05', operands: [] }],
  },
  {
    family: 'sysenter',
    mnemonic: 'sysenter',
    summary: 'Fast system call (decoded only); clears IF',
    flags: '0=i',
    feature: 'SEP',
    forms: [{ opcode: '0F 34', operands: [] }],
  },
];
