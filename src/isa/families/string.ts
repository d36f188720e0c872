/**
 * String instructions: MOVS, STOS, LODS, SCAS, CMPS, with REP / REPE / REPNE (SDM Vol. 2B "REP/REPE/
 * REPZ/REPNE/REPNZ"). The source is DS:[rSI] (segment overridable), the destination ES:[rDI]; the
 * register width follows the address size.
 */

import type { OperandTemplate } from '../operands.js';
import type { FormDeclaration, InstructionFamilyDeclaration } from '../spec.js';

type Width = 'b' | 'w' | 'd' | 'q';

/** One form per element width: `movsb` (byte opcode), then `movsw`/`movsd`/`movsq` by operand size. */
function stringForms(
  stem: string,
  byteOpcode: string,
  wordOpcode: string,
  byteOperands: OperandTemplate[],
  wordOperands: OperandTemplate[],
  repeat: 'rep' | 'repe',
): FormDeclaration[] {
  const sized: [Width, string][] = [
    ['w', 'o16'],
    ['d', 'o32'],
    ['q', 'o64'],
  ];
  return [
    { opcode: byteOpcode, operands: byteOperands, mnemonic: `${stem}b`, repeat },
    ...sized.map(([width, size]) => ({
      opcode: `${size} ${wordOpcode}`,
      operands: wordOperands,
      mnemonic: `${stem}${width}`,
      repeat,
    })),
  ];
}

/** The string families. */
export const stringFamilies: readonly InstructionFamilyDeclaration[] = [
  {
    family: 'movs',
    mnemonic: 'movs',
    summary: 'Move string',
    flags: 'r=d',
    forms: stringForms('movs', 'A4', 'A5', ['Yb', 'Xb'], ['Yv', 'Xv'], 'rep'),
  },
  {
    family: 'cmps',
    mnemonic: 'cmps',
    summary: 'Compare strings',
    flags: 'r=d w=oszapc',
    forms: stringForms('cmps', 'A6', 'A7', ['Xb', 'Yb'], ['Xv', 'Yv'], 'repe'),
  },
  {
    family: 'stos',
    mnemonic: 'stos',
    summary: 'Store string',
    flags: 'r=d',
    forms: stringForms('stos', 'AA', 'AB', ['Yb', 'AL'], ['Yv', 'rAX'], 'rep'),
  },
  {
    family: 'lods',
    mnemonic: 'lods',
    summary: 'Load string',
    flags: 'r=d',
    forms: stringForms('lods', 'AC', 'AD', ['AL', 'Xb'], ['rAX', 'Xv'], 'rep'),
  },
  {
    family: 'scas',
    mnemonic: 'scas',
    summary: 'Scan string',
    flags: 'r=d w=oszapc',
    forms: stringForms('scas', 'AE', 'AF', ['AL', 'Yb'], ['rAX', 'Yv'], 'repe'),
  },
];
