/**
 * BMI1 and BMI2 (SDM Vol. 2A/2B, VEX-encoded general-purpose instructions, §2.3 and Table 2-29
 * "Type 13"): VEX.L must be 0 (`LZ`), VEX.W selects 32/64-bit operands in 64-bit mode and is ignored
 * elsewhere. Unused VEX.vvvv must be 1111b.
 */
import type { InstructionFamilyDeclaration } from '../spec.js';

/** The BMI families. */
export const bmiFamilies: readonly InstructionFamilyDeclaration[] = [
  {
    family: 'andn',
    mnemonic: 'andn',
    summary: 'Logical AND NOT: dest = ~src1 & src2',
    flags: 'w=sz 0=oc u=ap',
    feature: 'BMI1',
    forms: [{ opcode: 'VEX.LZ.0F38 F2 /r', operands: ['Gy', 'By', 'Ey'] }],
  },
  {
    family: 'bextr',
    mnemonic: 'bextr',
    summary: 'Bit field extract (start and length in src2)',
    flags: 'w=z 0=oc u=sap',
    feature: 'BMI1',
    forms: [{ opcode: 'VEX.LZ.0F38 F7 /r', operands: ['Gy', 'Ey', 'By'] }],
  },
  {
    family: 'blsi',
    mnemonic: 'blsi',
    summary: 'Extract lowest set bit',
    flags: 'w=szc 0=o u=ap',
    feature: 'BMI1',
    forms: [{ opcode: 'VEX.LZ.0F38 F3 /3', operands: ['By', 'Ey'] }],
  },
  {
    family: 'blsmsk',
    mnemonic: 'blsmsk',
    summary: 'Mask up to lowest set bit',
    flags: 'w=sc 0=oz u=ap',
    feature: 'BMI1',
    forms: [{ opcode: 'VEX.LZ.0F38 F3 /2', operands: ['By', 'Ey'] }],
  },
  {
    family: 'blsr',
    mnemonic: 'blsr',
    summary: 'Reset lowest set bit',
    flags: 'w=szc 0=o u=ap',
    feature: 'BMI1',
    forms: [{ opcode: 'VEX.LZ.0F38 F3 /1', operands: ['By', 'Ey'] }],
  },
  {
    family: 'bzhi',
    mnemonic: 'bzhi',
    summary: 'Zero high bits starting at a bit position',
    flags: 'w=szc 0=o u=ap',
    feature: 'BMI2',
    forms: [{ opcode: 'VEX.LZ.0F38 F5 /r', operands: ['Gy', 'Ey', 'By'] }],
  },
  {
    family: 'mulx',
    mnemonic: 'mulx',
    summary: 'Unsigned multiply of rDX by src without affecting flags',
    feature: 'BMI2',
    forms: [{ opcode: 'VEX.LZ.F2.0F38 F6 /r', operands: ['Gy', 'By', 'Ey'] }],
  },
  {
    family: 'pdep',
    mnemonic: 'pdep',
    summary: 'Parallel bits deposit',
    feature: 'BMI2',
    forms: [{ opcode: 'VEX.LZ.F2.0F38 F5 /r', operands: ['Gy', 'By', 'Ey'] }],
  },
  {
    family: 'pext',
    mnemonic: 'pext',
    summary: 'Parallel bits extract',
    feature: 'BMI2',
    forms: [{ opcode: 'VEX.LZ.F3.0F38 F5 /r', operands: ['Gy', 'By', 'Ey'] }],
  },
  {
    family: 'rorx',
    mnemonic: 'rorx',
    summary: 'Rotate right by an immediate without affecting flags',
    feature: 'BMI2',
    forms: [{ opcode: 'VEX.LZ.F2.0F3A F0 /r', operands: ['Gy', 'Ey', 'Ib'] }],
  },
  {
    family: 'sarx',
    mnemonic: 'sarx',
    summary: 'Shift arithmetic right without affecting flags',
    feature: 'BMI2',
    forms: [{ opcode: 'VEX.LZ.F3.0F38 F7 /r', operands: ['Gy', 'Ey', 'By'] }],
  },
  {
    family: 'shlx',
    mnemonic: 'shlx',
    summary: 'Shift logical left without affecting flags',
    feature: 'BMI2',
    forms: [{ opcode: 'VEX.LZ.66.0F38 F7 /r', operands: ['Gy', 'Ey', 'By'] }],
  },
  {
    family: 'shrx',
    mnemonic: 'shrx',
    summary: 'Shift logical right without affecting flags',
    feature: 'BMI2',
    forms: [{ opcode: 'VEX.LZ.F2.0F38 F7 /r', operands: ['Gy', 'Ey', 'By'] }],
  },
];
