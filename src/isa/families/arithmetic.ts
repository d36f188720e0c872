/**
 * Integer arithmetic and logic: the eight ALU operations (SDM Vol. 2D Appendix A "Immediate Group 1"),
 * TEST, NEG, NOT, INC, DEC, MUL, IMUL, DIV, IDIV, ADCX, ADOX.
 */
import type { FormDeclaration, InstructionFamilyDeclaration } from '../spec.js';

const divideError = [
  { vector: '#DE', when: 'the divisor is 0, or the quotient does not fit in the destination' },
] as const;

/**
 * The eight forms every ALU operation has, at opcode base `8 * index` and ModRM.reg = `index` in
 * group 1 (80, 81, 82, 83). SDM Vol. 2A "ADD" lists the same layout for all eight.
 */
function aluForms(index: number): FormDeclaration[] {
  const base = index * 8;
  const hex = (value: number) => value.toString(16).toUpperCase().padStart(2, '0');
  return [
    { opcode: `${hex(base)} /r`, operands: ['Eb', 'Gb'] },
    { opcode: `${hex(base + 1)} /r`, operands: ['Ev', 'Gv'] },
    { opcode: `${hex(base + 2)} /r`, operands: ['Gb', 'Eb'], lockable: false },
    { opcode: `${hex(base + 3)} /r`, operands: ['Gv', 'Ev'], lockable: false },
    { opcode: hex(base + 4), operands: ['AL', 'Ib'], lockable: false },
    { opcode: hex(base + 5), operands: ['rAX', 'Iz'], lockable: false },
    { opcode: `80 /${index}`, operands: ['Eb', 'Ib'] },
    { opcode: `81 /${index}`, operands: ['Ev', 'Iz'] },
    // 82 is an alias of 80, invalid in 64-bit mode (SDM Vol. 2D Table A-2, footnote "i64").
    { opcode: `82 /${index}`, operands: ['Eb', 'Ib'], modes: [16, 32], nameSuffix: '_82' },
    { opcode: `83 /${index}`, operands: ['Ev', 'Ibs'] },
  ];
}

function aluFamily(
  mnemonic: string,
  index: number,
  summary: string,
  flags: string,
): InstructionFamilyDeclaration {
  return { family: mnemonic, mnemonic, summary, flags, lockable: mnemonic !== 'cmp', forms: aluForms(index) };
}

const additiveFlags = 'w=oszapc';
const logicalFlags = 'w=szp 0=oc u=a';

/** The arithmetic and logic families. */
export const arithmeticFamilies: readonly InstructionFamilyDeclaration[] = [
  aluFamily('add', 0, 'Add', additiveFlags),
  aluFamily('or', 1, 'Logical inclusive OR', logicalFlags),
  aluFamily('adc', 2, 'Add with carry', `r=c ${additiveFlags}`),
  aluFamily('sbb', 3, 'Integer subtraction with borrow', `r=c ${additiveFlags}`),
  aluFamily('and', 4, 'Logical AND', logicalFlags),
  aluFamily('sub', 5, 'Subtract', additiveFlags),
  aluFamily('xor', 6, 'Logical exclusive OR', logicalFlags),
  aluFamily('cmp', 7, 'Compare two operands', additiveFlags),
  {
    family: 'test',
    mnemonic: 'test',
    summary: 'Logical compare',
    flags: logicalFlags,
    forms: [
      { opcode: '84 /r', operands: ['Eb', 'Gb'] },
      { opcode: '85 /r', operands: ['Ev', 'Gv'] },
      { opcode: 'A8', operands: ['AL', 'Ib'] },
      { opcode: 'A9', operands: ['rAX', 'Iz'] },
      { opcode: 'F6 /0', operands: ['Eb', 'Ib'] },
      { opcode: 'F7 /0', operands: ['Ev', 'Iz'] },
      // F6 /1 and F7 /1 are undocumented aliases of /0 that every CPU and iced decode.
      { opcode: 'F6 /1', operands: ['Eb', 'Ib'], nameSuffix: '_F6r1' },
      { opcode: 'F7 /1', operands: ['Ev', 'Iz'], nameSuffix: '_F7r1' },
    ],
  },
  {
    family: 'neg',
    mnemonic: 'neg',
    summary: "Two's complement negation",
    flags: 'w=oszapc',
    lockable: true,
    forms: [
      { opcode: 'F6 /3', operands: ['Eb'] },
      { opcode: 'F7 /3', operands: ['Ev'] },
    ],
  },
  {
    family: 'not',
    mnemonic: 'not',
    summary: "One's complement negation",
    lockable: true,
    forms: [
      { opcode: 'F6 /2', operands: ['Eb'] },
      { opcode: 'F7 /2', operands: ['Ev'] },
    ],
  },
  {
    family: 'inc',
    mnemonic: 'inc',
    summary: 'Increment by 1 (CF unchanged)',
    flags: 'w=oszap',
    lockable: true,
    forms: [
      { opcode: 'FE /0', operands: ['Eb'] },
      { opcode: 'FF /0', operands: ['Ev'] },
      // 40+r are REX prefixes in 64-bit mode (SDM Vol. 2A §2.2.1).
      { opcode: '40+r', operands: ['Zv'], modes: [16, 32] },
    ],
  },
  {
    family: 'dec',
    mnemonic: 'dec',
    summary: 'Decrement by 1 (CF unchanged)',
    flags: 'w=oszap',
    lockable: true,
    forms: [
      { opcode: 'FE /1', operands: ['Eb'] },
      { opcode: 'FF /1', operands: ['Ev'] },
      { opcode: '48+r', operands: ['Zv'], modes: [16, 32] },
    ],
  },
  {
    family: 'mul',
    mnemonic: 'mul',
    summary: 'Unsigned multiply into rDX:rAX (AX for bytes)',
    flags: 'w=oc u=szap',
    forms: [
      { opcode: 'F6 /4', operands: ['Eb'] },
      { opcode: 'F7 /4', operands: ['Ev'] },
    ],
  },
  {
    family: 'imul',
    mnemonic: 'imul',
    summary: 'Signed multiply (one, two and three operands)',
    flags: 'w=oc u=szap',
    forms: [
      { opcode: 'F6 /5', operands: ['Eb'] },
      { opcode: 'F7 /5', operands: ['Ev'] },
      { opcode: '0F AF /r', operands: ['Gv', 'Ev'] },
      { opcode: '69 /r', operands: ['Gv', 'Ev', 'Iz'] },
      { opcode: '6B /r', operands: ['Gv', 'Ev', 'Ibs'] },
    ],
  },
  {
    family: 'div',
    mnemonic: 'div',
    summary: 'Unsigned divide rDX:rAX (AX for bytes)',
    flags: 'u=oszapc',
    exceptions: divideError,
    forms: [
      { opcode: 'F6 /6', operands: ['Eb'] },
      { opcode: 'F7 /6', operands: ['Ev'] },
    ],
  },
  {
    family: 'idiv',
    mnemonic: 'idiv',
    summary: 'Signed divide rDX:rAX (AX for bytes)',
    flags: 'u=oszapc',
    exceptions: divideError,
    forms: [
      { opcode: 'F6 /7', operands: ['Eb'] },
      { opcode: 'F7 /7', operands: ['Ev'] },
    ],
  },
  {
    family: 'adcx',
    mnemonic: 'adcx',
    summary: 'Unsigned add with carry flag (only CF)',
    flags: 'r=c w=c',
    feature: 'ADX',
    forms: [{ opcode: '66 0F 38 F6 /r', operands: ['Gy', 'Ey'] }],
  },
  {
    family: 'adox',
    mnemonic: 'adox',
    summary: 'Unsigned add with overflow flag (only OF)',
    flags: 'r=o w=o',
    feature: 'ADX',
    forms: [{ opcode: 'F3 0F 38 F6 /r', operands: ['Gy', 'Ey'] }],
  },
];
