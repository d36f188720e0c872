/**
 * Data movement: MOV (all forms), MOVZX, MOVSX, MOVSXD, LEA, XCHG, XADD, CMPXCHG, CMPXCHG8B/16B,
 * CMOVcc, SETcc, MOVBE, CBW/CWDE/CDQE, CWD/CDQ/CQO, XLAT, ARPL.
 */
import type { InstructionFamilyDeclaration } from '../spec.js';

/** The data-movement families. */
export const dataMovementFamilies: readonly InstructionFamilyDeclaration[] = [
  {
    family: 'mov',
    mnemonic: 'mov',
    summary: 'Move',
    forms: [
      { opcode: '88 /r', operands: ['Eb', 'Gb'] },
      { opcode: '89 /r', operands: ['Ev', 'Gv'] },
      { opcode: '8A /r', operands: ['Gb', 'Eb'] },
      { opcode: '8B /r', operands: ['Gv', 'Ev'] },
      // MOV r/m, Sreg stores 16 bits to memory but zero-extends into a 32/64-bit register (SDM "MOV").
      { opcode: '8C /r', operands: ['Mw', 'Sw'] },
      { opcode: '8C /r', operands: ['Rv', 'Sw'] },
      { opcode: '8E /r', operands: ['Sw', 'Mw'] },
      { opcode: '8E /r', operands: ['Sw', 'Rv'] },
      { opcode: 'A0', operands: ['AL', 'Ob'] },
      { opcode: 'A1', operands: ['rAX', 'Ov'] },
      { opcode: 'A2', operands: ['Ob', 'AL'] },
      { opcode: 'A3', operands: ['Ov', 'rAX'] },
      { opcode: 'B0+r', operands: ['Zb', 'Ib'] },
      { opcode: 'B8+r', operands: ['Zv', 'Iv'] },
      { opcode: 'C6 /0', operands: ['Eb', 'Ib'] },
      { opcode: 'C7 /0', operands: ['Ev', 'Iz'] },
    ],
  },
  {
    family: 'movzx',
    mnemonic: 'movzx',
    summary: 'Move with zero extension',
    forms: [
      { opcode: '0F B6 /r', operands: ['Gv', 'Eb'] },
      { opcode: '0F B7 /r', operands: ['Gv', 'Ew'] },
    ],
  },
  {
    family: 'movsx',
    mnemonic: 'movsx',
    summary: 'Move with sign extension',
    forms: [
      { opcode: '0F BE /r', operands: ['Gv', 'Eb'] },
      { opcode: '0F BF /r', operands: ['Gv', 'Ew'] },
    ],
  },
  {
    family: 'movsxd',
    mnemonic: 'movsxd',
    summary: 'Move doubleword with sign extension (64-bit mode; 63 is ARPL elsewhere)',
    modes: [64],
    forms: [
      { opcode: 'o16 63 /r', operands: ['Gw', 'Ew'] },
      { opcode: 'o32 63 /r', operands: ['Gd', 'Ed'] },
      { opcode: 'REX.W 63 /r', operands: ['Gq', 'Ed'] },
    ],
  },
  {
    family: 'arpl',
    mnemonic: 'arpl',
    summary: 'Adjust RPL field of segment selector',
    flags: 'w=z',
    modes: [16, 32],
    forms: [{ opcode: '63 /r', operands: ['Ew', 'Gw'] }],
  },
  {
    family: 'lea',
    mnemonic: 'lea',
    summary: 'Load effective address',
    forms: [{ opcode: '8D /r', operands: ['Gv', 'M'] }],
  },
  {
    family: 'xchg',
    mnemonic: 'xchg',
    summary: 'Exchange (implicitly locked with a memory operand)',
    lockable: true,
    forms: [
      { opcode: '86 /r', operands: ['Eb', 'Gb'] },
      { opcode: '87 /r', operands: ['Ev', 'Gv'] },
      { opcode: '90+r', operands: ['Zv', 'rAX'], lockable: false },
    ],
  },
  {
    family: 'xadd',
    mnemonic: 'xadd',
    summary: 'Exchange and add',
    flags: 'w=oszapc',
    lockable: true,
    feature: 'I486',
    forms: [
      { opcode: '0F C0 /r', operands: ['Eb', 'Gb'] },
      { opcode: '0F C1 /r', operands: ['Ev', 'Gv'] },
    ],
  },
  {
    family: 'cmpxchg',
    mnemonic: 'cmpxchg',
    summary: 'Compare and exchange with rAX',
    flags: 'w=oszapc',
    lockable: true,
    feature: 'I486',
    forms: [
      { opcode: '0F B0 /r', operands: ['Eb', 'Gb'] },
      { opcode: '0F B1 /r', operands: ['Ev', 'Gv'] },
    ],
  },
  {
    family: 'cmpxchg8b',
    mnemonic: 'cmpxchg8b',
    summary: 'Compare and exchange 8 bytes with EDX:EAX',
    flags: 'w=z',
    lockable: true,
    feature: 'CX8',
    forms: [{ opcode: '0F C7 /1', operands: ['Mq'] }],
  },
  {
    family: 'cmpxchg16b',
    mnemonic: 'cmpxchg16b',
    summary: 'Compare and exchange 16 bytes with RDX:RAX',
    flags: 'w=z',
    lockable: true,
    feature: 'CMPXCHG16B',
    exceptions: [{ vector: '#GP', when: 'the memory operand is not 16-byte aligned' }],
    forms: [{ opcode: 'REX.W 0F C7 /1', operands: ['Mdq'] }],
  },
  {
    family: 'cmovcc',
    mnemonic: 'cmov{cc}',
    summary: 'Conditional move (the destination is written, and a 32-bit one zero-extended, either way)',
    feature: 'CMOV',
    forms: [{ opcode: '0F 40+cc /r', operands: ['Gv', 'Ev'] }],
  },
  {
    family: 'setcc',
    mnemonic: 'set{cc}',
    summary: 'Set byte on condition (ModRM.reg is ignored)',
    feature: 'I386',
    forms: [{ opcode: '0F 90+cc /r', operands: ['Eb'] }],
  },
  {
    family: 'movbe',
    mnemonic: 'movbe',
    summary: 'Move data after swapping bytes',
    feature: 'MOVBE',
    forms: [
      { opcode: 'NFx 0F 38 F0 /r', operands: ['Gv', 'Mv'] },
      { opcode: 'NFx 0F 38 F1 /r', operands: ['Mv', 'Gv'] },
    ],
  },
  {
    family: 'cbw',
    mnemonic: 'cbw',
    summary: 'Sign-extend AL/AX/EAX into AX/EAX/RAX',
    forms: [
      { opcode: 'o16 98', operands: [], mnemonic: 'cbw' },
      { opcode: 'o32 98', operands: [], mnemonic: 'cwde' },
      { opcode: 'o64 98', operands: [], mnemonic: 'cdqe' },
    ],
  },
  {
    family: 'cwd',
    mnemonic: 'cwd',
    summary: 'Sign-extend AX/EAX/RAX into DX:AX / EDX:EAX / RDX:RAX',
    forms: [
      { opcode: 'o16 99', operands: [], mnemonic: 'cwd' },
      { opcode: 'o32 99', operands: [], mnemonic: 'cdq' },
      { opcode: 'o64 99', operands: [], mnemonic: 'cqo' },
    ],
  },
  {
    family: 'xlat',
    mnemonic: 'xlatb',
    summary: 'Table look-up translation: AL = [rBX + zero-extended AL] (segment overridable)',
    forms: [{ opcode: 'D7', operands: [] }],
  },
];
