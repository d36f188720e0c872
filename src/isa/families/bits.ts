/**
 * Bit manipulation outside BMI: BT/BTS/BTR/BTC, BSF/BSR, TZCNT/LZCNT/POPCNT, BSWAP.
 */
import type { InstructionFamilyDeclaration } from '../spec.js';

const bitTestFlags = 'w=c u=osap';

function bitTestFamily(mnemonic: string, registerOpcode: string, extension: number, summary: string) {
  return {
    family: mnemonic,
    mnemonic,
    summary,
    flags: bitTestFlags,
    lockable: mnemonic !== 'bt',
    forms: [
      { opcode: `0F ${registerOpcode} /r`, operands: ['Ev', 'Gv'] },
      { opcode: `0F BA /${extension}`, operands: ['Ev', 'Ib'] },
    ],
  } satisfies InstructionFamilyDeclaration;
}

/** The bit-manipulation families. */
export const bitFamilies: readonly InstructionFamilyDeclaration[] = [
  bitTestFamily('bt', 'A3', 4, 'Bit test'),
  bitTestFamily('bts', 'AB', 5, 'Bit test and set'),
  bitTestFamily('btr', 'B3', 6, 'Bit test and reset'),
  bitTestFamily('btc', 'BB', 7, 'Bit test and complement'),
  {
    family: 'bsf',
    mnemonic: 'bsf',
    summary: 'Bit scan forward (destination undefined when the source is 0)',
    flags: 'w=z u=osapc',
    forms: [{ opcode: '0F BC /r', operands: ['Gv', 'Ev'] }],
  },
  {
    family: 'bsr',
    mnemonic: 'bsr',
    summary: 'Bit scan reverse (destination undefined when the source is 0)',
    flags: 'w=z u=osapc',
    forms: [{ opcode: '0F BD /r', operands: ['Gv', 'Ev'] }],
  },
  {
    family: 'tzcnt',
    mnemonic: 'tzcnt',
    summary: 'Count trailing zero bits (BSF without the F3 prefix on CPUs without BMI1)',
    flags: 'w=zc u=osap',
    feature: 'BMI1',
    forms: [{ opcode: 'F3 0F BC /r', operands: ['Gv', 'Ev'] }],
  },
  {
    family: 'lzcnt',
    mnemonic: 'lzcnt',
    summary: 'Count leading zero bits (BSR without the F3 prefix on CPUs without LZCNT)',
    flags: 'w=zc u=osap',
    feature: 'LZCNT',
    forms: [{ opcode: 'F3 0F BD /r', operands: ['Gv', 'Ev'] }],
  },
  {
    family: 'popcnt',
    mnemonic: 'popcnt',
    summary: 'Count set bits',
    flags: 'w=z 0=osapc',
    feature: 'POPCNT',
    forms: [{ opcode: 'F3 0F B8 /r', operands: ['Gv', 'Ev'] }],
  },
  {
    family: 'bswap',
    mnemonic: 'bswap',
    summary: 'Byte swap (the 16-bit form leaves the register undefined)',
    feature: 'I486',
    forms: [{ opcode: '0F C8+r', operands: ['Zv'] }],
  },
];
