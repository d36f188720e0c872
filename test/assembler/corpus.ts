/**
 * Generates assembly corpora from the ISA catalog: for every form valid in a mode, lines with
 * representative operands (every register class, addressing forms, immediates at their boundaries,
 * near and far branch targets). The same generator writes NASM and GNU Intel syntax, so the two
 * differential tests cover the same forms.
 */
import { instructionForms } from '../../src/isa/catalog.js';
import type { OperandSpec } from '../../src/isa/operands.js';
import type { InstructionForm, Mode } from '../../src/isa/spec.js';

/** Which dialect to write. */
export type CorpusDialect = 'nasm' | 'gnu';

const REGISTERS: Record<Mode, Record<number, readonly string[]>> = {
  64: {
    8: ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r12b', 'r13b', 'r15b', 'ah', 'bh'],
    16: ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', 'r8w', 'r11w', 'r12w', 'r13w', 'r15w'],
    32: ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r10d', 'r12d', 'r13d', 'r15d'],
    64: ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r12', 'r13', 'r14', 'r15'],
  },
  32: {
    8: ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'],
    16: ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'],
    32: ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'],
  },
  16: {
    8: ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'],
    16: ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'],
    32: ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'],
  },
};

/** Addresses as [base, index, scale, displacement] (NASM text is built from them, GNU text too). */
type Address = readonly [string | null, string | null, number, number, string?];

const ADDRESSES: Record<Mode, readonly Address[]> = {
  64: [
    ['rax', null, 1, 0],
    ['rbp', null, 1, 0],
    ['rsp', null, 1, 0],
    ['r12', null, 1, 0],
    ['r13', null, 1, 0],
    ['rax', 'rbx', 1, 0],
    ['rax', 'rbx', 4, 0x10],
    ['rsp', null, 1, 8],
    ['rbp', null, 1, -8],
    ['r15', 'r14', 8, -0x80],
    ['rcx', null, 1, 0x7f],
    ['rdx', null, 1, 0x80],
    ['rsi', null, 1, -0x81],
    ['rdi', 'r9', 2, 0x12345678],
    [null, null, 1, 0x1000],
    [null, 'rcx', 8, 0x100],
    ['eax', null, 1, 0],
    ['r8d', 'r9d', 2, 4],
    ['rbx', null, 1, 0, 'fs'],
    [null, null, 1, 0x28, 'gs'],
    ['r11', 'rbp', 1, 0x40],
    ['rip', null, 1, 0x40],
    ['rip', null, 1, -0x10],
  ],
  32: [
    ['eax', null, 1, 0],
    ['ebp', null, 1, 0],
    ['esp', null, 1, 0],
    ['eax', 'ebx', 4, 0x10],
    ['esp', null, 1, 8],
    ['ebp', null, 1, -8],
    ['ecx', null, 1, 0x7f],
    ['edx', null, 1, 0x80],
    ['esi', 'edi', 8, -0x12345],
    [null, null, 1, 0x1000],
    [null, 'ecx', 4, 0x100],
    ['bx', 'si', 1, 0],
    ['bp', null, 1, 0],
    ['ebx', null, 1, 0, 'es'],
    ['edi', 'ebp', 1, 0x40],
  ],
  16: [
    ['bx', 'si', 1, 0],
    ['bx', 'di', 1, 4],
    ['bp', 'si', 1, -4],
    ['bp', 'di', 1, 0x100],
    ['si', null, 1, 0],
    ['di', null, 1, 0x7f],
    ['bp', null, 1, 0],
    ['bx', null, 1, -0x80],
    [null, null, 1, 0x1234],
    ['eax', null, 1, 0],
    ['ebp', 'ecx', 4, 8],
    ['bx', null, 1, 0, 'es'],
  ],
};

const SIZE_WORDS: Record<CorpusDialect, Record<number, string>> = {
  nasm: { 8: 'byte', 16: 'word', 32: 'dword', 64: 'qword', 128: 'oword' },
  gnu: { 8: 'BYTE PTR', 16: 'WORD PTR', 32: 'DWORD PTR', 64: 'QWORD PTR', 128: 'XMMWORD PTR' },
};

function hexNumber(value: number | bigint): string {
  const big = BigInt(value);
  return big < 0n ? `-0x${(-big).toString(16)}` : `0x${big.toString(16)}`;
}

function addressText(address: Address, dialect: CorpusDialect): string {
  const [base, index, scale, displacement, segment] = address;
  // RIP-relative: NASM writes the target (`[rel $+0x40]`, here: relative to the instruction's start),
  // GNU as the displacement from the next instruction (`[rip+0x40]`); both are valid spellings.
  if (base === 'rip')
    return dialect === 'nasm'
      ? `[rel $${displacement < 0 ? '-' : '+'}${hexNumber(Math.abs(displacement))}]`
      : `[rip${displacement < 0 ? '-' : '+'}${hexNumber(Math.abs(displacement))}]`;
  const parts: string[] = [];
  if (base) parts.push(base);
  if (index) parts.push(scale === 1 ? index : `${index}*${scale}`);
  let text = parts.join('+');
  if (displacement !== 0 || parts.length === 0) {
    const number = hexNumber(displacement);
    text = parts.length === 0 ? number : displacement < 0 ? `${text}${number}` : `${text}+${number}`;
  }
  if (dialect === 'nasm') return segment ? `[${segment}:${text}]` : `[${text}]`;
  if (parts.length === 0) return `${segment ?? 'ds'}:${text}`;
  return segment ? `${segment}:[${text}]` : `[${text}]`;
}

/** Immediate values to try for an immediate operand spec (all valid for that spec). */
function immediateValues(spec: OperandSpec): readonly bigint[] {
  const encoded = spec.encodedSize ?? 8;
  if (spec.signExtended && encoded === 8) return [0n, 1n, 0x7fn, -1n, -0x80n, 5n];
  if (spec.signExtended && encoded === 32)
    return [0x7fffffffn, -0x80000000n, 0x12345678n, -2n, 0x80n, 0x1000n];
  switch (encoded) {
    case 8:
      return [0n, 1n, 0x7fn, 0x80n, 0xffn, 3n];
    case 16:
      return [0x100n, 0x7fffn, 0xffffn, 0x1234n, 8n, 0n];
    case 32:
      return [0x12345678n, 0x7fffffffn, 0xffffffffn, 0x80n, 1n, 0x80000000n];
    default:
      return [0x123456789abcdef0n, 0xffffffffffffffffn, 0x80000000n, 0x100000000n, 1n, 0x7fffffffn];
  }
}

const BRANCH_TARGETS = ['$+2', '$+0x40', '$-0x7e', '$+0x1000', '$-0x2000', '$+0x81'];

/** Text of one operand, or undefined when the spec has no written operand in this variant. */
function operandText(
  spec: OperandSpec,
  variant: number,
  form: InstructionForm,
  mode: Mode,
  dialect: CorpusDialect,
): string | undefined {
  const pick = <T>(list: readonly T[]): T => list[variant % list.length];
  const registers = REGISTERS[mode][spec.size] ?? [];
  const memory = () => {
    const address = pick(ADDRESSES[mode]);
    const text = addressText(address, dialect);
    // `bound` takes a pair of values (m16&16, m32&32): assemblers want no size keyword on it.
    if (spec.size === 0 || /^m(16|32)\1$/.test(spec.name)) return text;
    return `${SIZE_WORDS[dialect][spec.size]} ${text}`;
  };
  switch (spec.encoding) {
    case 'modrmRm':
      return variant % 3 === 2 ? pick(registers) : memory();
    case 'modrmRmRegister':
    case 'opcodeRegister':
    case 'vexRegister':
      return pick(registers.filter((name) => !/^[abcd]h$/.test(name) || form.map === 'legacy'));
    case 'modrmReg':
      if (spec.segmentRegister)
        return pick(
          form.opcode === 0x8e ? ['ds', 'es', 'ss', 'fs', 'gs'] : ['es', 'cs', 'ss', 'ds', 'fs', 'gs'],
        );
      return pick([...registers].reverse());
    case 'modrmRmMemory':
      return memory();
    case 'implicitRegister':
      return spec.register;
    case 'constantOne':
      return '1';
    case 'immediate':
      return hexNumber(pick(immediateValues(spec)));
    case 'relative':
      return (dialect === 'gnu' ? (text: string) => text.replace('$', '.') : (text: string) => text)(
        pick(
          spec.encodedSize === 8 && form.opcode !== 0xeb && !(form.opcode >= 0x70 && form.opcode <= 0x7f)
            ? ['$+2', '$+0x40', '$-0x7e', '$+0x10']
            : BRANCH_TARGETS,
        ),
      );
    case 'memoryOffset': {
      const offset = pick([0x1000, 0x12345678, 0x7f]);
      if (dialect === 'nasm')
        return `${SIZE_WORDS.nasm[spec.size]} [${mode === 64 ? 'qword ' : ''}${hexNumber(offset)}]`;
      return `${SIZE_WORDS.gnu[spec.size]} ds:${hexNumber(offset)}`;
    }
    default:
      return undefined;
  }
}

/** Forms that no assembler spelling reaches (undocumented aliases the encoder never picks). */
function isUnreachableAlias(form: InstructionForm): boolean {
  return /_82$|_F6r1$|_F7r1$/.test(form.name) || form.mnemonic === 'sal';
}

/** Lines of instructions for `mode`, `perForm` variants per form (deterministic). */
export function generateCorpus(mode: Mode, dialect: CorpusDialect, perForm = 8): string[] {
  const lines: string[] = [];
  for (const form of instructionForms()) {
    if (!form.modes.includes(mode) || isUnreachableAlias(form)) continue;
    const implicitOnly = form.operands.every((spec) =>
      ['implicitRegister', 'stringSource', 'stringDestination'].includes(spec.encoding),
    );
    if (implicitOnly && form.operands.some((spec) => spec.encoding !== 'implicitRegister')) {
      lines.push(form.mnemonic);
      lines.push(`rep ${form.mnemonic}`);
      continue;
    }
    const seen = new Set<string>();
    for (let variant = 0; variant < perForm; variant++) {
      const texts = form.operands.map((spec, index) =>
        operandText(spec, variant + index * 3, form, mode, dialect),
      );
      if (texts.some((text) => text === undefined)) continue;
      let mnemonic = form.mnemonic;
      if (
        dialect === 'gnu' &&
        mnemonic === 'mov' &&
        form.operands.some((spec) => spec.encoding === 'memoryOffset')
      )
        mnemonic = 'movabs';
      const line = `${mnemonic} ${texts.join(', ')}`.trim();
      if (seen.has(line)) continue;
      seen.add(line);
      lines.push(line);
    }
  }
  return lines;
}
