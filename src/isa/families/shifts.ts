/**
 * Shifts and rotates: Group 2 (C0, C1, D0..D3; SDM Vol. 2D Table A-6), SHLD and SHRD.
 */
import type { FormDeclaration, InstructionFamilyDeclaration } from '../spec.js';

/**
 * The six encodings every Group 2 operation has: by imm8, by 1 and by CL, for bytes and words+.
 * A shift or rotate by the constant 1 always defines OF (SDM "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR":
 * "The OF flag is affected only for 1-bit shifts"), so those forms get `flagsByOne`.
 */
function groupTwoForms(extension: number, flagsByOne: string): FormDeclaration[] {
  return [
    { opcode: `C0 /${extension}`, operands: ['Eb', 'Ib'] },
    { opcode: `C1 /${extension}`, operands: ['Ev', 'Ib'] },
    { opcode: `D0 /${extension}`, operands: ['Eb', '1'], flags: flagsByOne },
    { opcode: `D1 /${extension}`, operands: ['Ev', '1'], flags: flagsByOne },
    { opcode: `D2 /${extension}`, operands: ['Eb', 'CL'] },
    { opcode: `D3 /${extension}`, operands: ['Ev', 'CL'] },
  ];
}

/*
 * Flags: a count of 0 (after masking) changes nothing; OF is defined only for a count of 1. The letters
 * below are the static superset; the semantics (VM issue) make them exact with an `ite` on the count.
 */
const rotateFlags = 'w=oc u=o';
const rotateThroughCarryFlags = 'r=c w=oc u=o';
const shiftFlags = 'w=oszpc u=oa';

/** The same flags without OF among the undefined ones: the by-1 forms. */
function definedOverflow(flags: string): string {
  return flags.replace(/u=o(\w*)/, (_, rest: string) => (rest ? `u=${rest}` : '')).trim();
}

function groupTwoFamily(mnemonic: string, extension: number, summary: string, flags: string) {
  return {
    family: mnemonic,
    mnemonic,
    summary,
    flags,
    forms: groupTwoForms(extension, definedOverflow(flags)),
  };
}

/**
 * SHLD/SHRD: with 32/64-bit operands the masked count never exceeds the width, so SF ZF PF CF are
 * defined (for a count != 0) and only OF (count != 1) and AF are undefined; with 16-bit operands a
 * count of 17..31 leaves the result and every flag undefined (SDM "SHLD", "SHRD").
 */
function doubleShiftForms(immediateOpcode: string, clOpcode: string): FormDeclaration[] {
  const wide = 'w=szpc u=oa';
  const narrow = 'w=szpc u=oszapc';
  return [
    { opcode: `o16 0F ${immediateOpcode} /r`, operands: ['Ev', 'Gv', 'Ib'], flags: narrow },
    { opcode: `o32 0F ${immediateOpcode} /r`, operands: ['Ev', 'Gv', 'Ib'], flags: wide },
    { opcode: `o64 0F ${immediateOpcode} /r`, operands: ['Ev', 'Gv', 'Ib'], flags: wide },
    { opcode: `o16 0F ${clOpcode} /r`, operands: ['Ev', 'Gv', 'CL'], flags: narrow },
    { opcode: `o32 0F ${clOpcode} /r`, operands: ['Ev', 'Gv', 'CL'], flags: wide },
    { opcode: `o64 0F ${clOpcode} /r`, operands: ['Ev', 'Gv', 'CL'], flags: wide },
  ];
}

/** The shift and rotate families. */
export const shiftFamilies: readonly InstructionFamilyDeclaration[] = [
  groupTwoFamily('rol', 0, 'Rotate left', rotateFlags),
  groupTwoFamily('ror', 1, 'Rotate right', rotateFlags),
  groupTwoFamily('rcl', 2, 'Rotate left through carry', rotateThroughCarryFlags),
  groupTwoFamily('rcr', 3, 'Rotate right through carry', rotateThroughCarryFlags),
  groupTwoFamily('shl', 4, 'Shift logical left', shiftFlags),
  groupTwoFamily('shr', 5, 'Shift logical right', shiftFlags),
  // /6 is an undocumented alias of SHL; iced calls it SAL, GNU objdump prints `shl`.
  groupTwoFamily('sal', 6, 'Shift arithmetic left (undocumented /6 alias of SHL)', shiftFlags),
  groupTwoFamily('sar', 7, 'Shift arithmetic right', shiftFlags),
  {
    family: 'shld',
    mnemonic: 'shld',
    summary: 'Double-precision shift left',
    forms: doubleShiftForms('A4', 'A5'),
  },
  {
    family: 'shrd',
    mnemonic: 'shrd',
    summary: 'Double-precision shift right',
    forms: doubleShiftForms('AC', 'AD'),
  },
];
