/**
 * Prints decoded instructions in Intel syntax, in two flavours:
 *
 * - `nasm`: what NASM assembles (`mov eax, dword [rbx+0x10]` only where a size is ambiguous,
 *   `[rel 0x1f]`, `movsb`, `o16`/`a32` prefixes where operands do not show the size);
 * - `gnu`: what GNU objdump prints with `-M intel` (`mov eax,DWORD PTR [rbx+0x10]`, `movabs`,
 *   `movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]`, `[rip+0x10]        # 0x1f`, unused prefixes as words).
 *
 * The printer reads only the Instruction and its form; nothing here is keyed by opcode.
 */
import type { Instruction } from '../decoder/instruction.js';
import type { ImmediateOperand, MemoryOperand, Operand, RelativeOperand } from '../isa/operands.js';
import { type RegisterName, registers } from '../isa/registers.js';

/** The assembler dialect to print. */
export type Syntax = 'nasm' | 'gnu';

/** How to print one instruction. */
export interface FormatOptions {
  readonly syntax: Syntax;
  /** Address of the instruction (for branch targets and RIP-relative addresses); default 0. */
  readonly address?: bigint;
  /** A name for an address (branch target), if it has one. */
  readonly labelFor?: (address: bigint) => string | undefined;
  /**
   * The instruction's bytes: lets the GNU flavour print prefixes the instruction did not use
   * (`data16`, `cs`, `rex.W`), as objdump does.
   */
  readonly bytes?: Uint8Array;
}

function hex(value: bigint | number): string {
  return `0x${value.toString(16)}`;
}

/** `-0x8` / `+0x8` for a signed displacement. */
function signedHex(value: number): string {
  return value < 0 ? `-${hex(-value)}` : `+${hex(value)}`;
}

const nasmSizeNames: Record<number, string> = {
  8: 'byte',
  16: 'word',
  32: 'dword',
  64: 'qword',
  128: 'oword',
};
const gnuSizeNames: Record<number, string> = {
  8: 'BYTE',
  16: 'WORD',
  32: 'DWORD',
  64: 'QWORD',
  128: 'OWORD',
};

function nextAddress(instruction: Instruction, address: bigint): bigint {
  return address + BigInt(instruction.length);
}

function branchTarget(instruction: Instruction, operand: RelativeOperand, address: bigint): bigint {
  return BigInt.asUintN(
    instruction.operandSize,
    nextAddress(instruction, address) + BigInt(operand.displacement),
  );
}

function ripTarget(instruction: Instruction, operand: MemoryOperand, address: bigint): bigint {
  return BigInt.asUintN(
    operand.addressSize,
    nextAddress(instruction, address) + BigInt(operand.displacement),
  );
}

/** The unsigned address of a memory operand without base or index (absolute or moffs). */
function absoluteAddress(operand: MemoryOperand): bigint {
  return BigInt.asUintN(operand.addressSize, BigInt(operand.displacement));
}

/** `base+index*scale` and a displacement, the bracket contents shared by both flavours. */
function addressTerms(operand: MemoryOperand, showUnitScale: boolean, showZero: boolean): string {
  let text = operand.base ?? '';
  if (operand.index) {
    text += `${text ? '+' : ''}${operand.index}${operand.scale !== 1 || showUnitScale ? `*${operand.scale}` : ''}`;
  }
  const displacement = Number(operand.displacement);
  if (operand.displacementSize > 0 && (displacement !== 0 || showZero)) text += signedHex(displacement);
  return text;
}

/**
 * GNU bracket contents. objdump shows a SIB byte without index as `riz*scale` (`eiz` for 32-bit
 * addresses) unless it is the SIB that a rSP/r12 base needs anyway.
 */
function gnuAddressTerms(operand: MemoryOperand): string {
  const baseNeedsSib =
    operand.base === 'rsp' || operand.base === 'esp' || operand.base === 'r12' || operand.base === 'r12d';
  if (gnuShowsPseudoIndex(operand, baseNeedsSib)) {
    const pseudo = operand.addressSize === 64 ? 'riz' : 'eiz';
    return addressTerms({ ...operand, index: pseudo as 'rax' }, true, true);
  }
  return addressTerms(operand, operand.addressSize !== 16, true);
}

/** Whether objdump prints `riz`/`eiz` for this operand (a SIB without index that was not needed). */
function gnuShowsPseudoIndex(operand: MemoryOperand, baseNeedsSib: boolean): boolean {
  if (!operand.hasSib || operand.index !== null) return false;
  if (operand.base === null) return operand.scale !== 1 || operand.addressSize === 32;
  return !baseNeedsSib || operand.scale !== 1;
}

function immediateText(operand: ImmediateOperand, syntax: Syntax): string {
  if (syntax === 'nasm' && operand.signExtended && Number(operand.value) < 0)
    return `-${hex(-Number(operand.value))}`;
  return hex(BigInt.asUintN(operand.size, BigInt(operand.value)));
}

/** True when an operand lets the reader (and NASM) infer the operation size. */
function showsSize(operand: Operand): boolean {
  if (operand.kind === 'register') {
    const info = registers.get(operand.register);
    return info !== undefined && info.class !== 'segment';
  }
  return false;
}

/** The operand size a form gets without prefixes in this mode (SDM Vol. 1 §3.6.1). */
function defaultOperandSize(instruction: Instruction): number {
  const rule = instruction.form.operandSizeRule;
  if (instruction.mode === 64) return rule === 'default64' || rule === 'force64' ? 64 : 32;
  return instruction.mode;
}

/** True for forms whose operands print the address registers (so no a16/a32 word is needed). */
function addressSizeVisible(instruction: Instruction, syntax: Syntax): boolean {
  if (instruction.form.addressSize !== null) return true;
  if (syntax === 'gnu') {
    // objdump counts 67 as used by a memory operand with registers, by a SIB, and by a 16-bit
    // absolute [disp16]; not by a 32-bit absolute [disp32] nor by a moffs.
    if (instruction.form.family.family === 'xlat') return true;
    return instruction.form.operands.some((spec, index) => {
      const operand = instruction.operands[index];
      if (operand.kind !== 'memory' || spec.encoding === 'memoryOffset') return false;
      return (
        operand.base !== null ||
        operand.index !== null ||
        operand.hasSib === true ||
        operand.addressSize === 16
      );
    });
  }
  // NASM: registers in brackets show the address size; `rel` and absolute addresses do not.
  return instruction.operands.some(
    (operand) =>
      operand.kind === 'memory' &&
      instruction.form.repeat === null &&
      !operand.ripRelative &&
      (operand.base !== null || operand.index !== null),
  );
}

function isStringForm(instruction: Instruction): boolean {
  return instruction.form.repeat !== null;
}

function isBranch(instruction: Instruction): boolean {
  const family = instruction.form.family.family;
  return family === 'jcc' || family === 'jmp' || family === 'call' || family === 'ret';
}

/** Mnemonic spelled for the flavour (GNU and NASM differ on a few). */
function mnemonicFor(instruction: Instruction, syntax: Syntax): string {
  const form = instruction.form;
  const mnemonic = form.mnemonic;
  if (syntax === 'gnu') {
    if (isStringForm(instruction)) return form.family.family;
    if (mnemonic === 'xlatb') return 'xlat';
    if (mnemonic === 'sal') return 'shl';
    if (instruction.mode === 64 && form.family.family === 'mov') {
      const moffs = form.operands.some((operand) => operand.encoding === 'memoryOffset');
      if ((moffs && instruction.addressSize === 64) || form.name === 'MOV_r64_imm64') return 'movabs';
    }
    if (['pushf', 'popf', 'pusha', 'popa'].includes(form.family.family)) {
      // objdump spells out only the non-default size: `pushfw` in 32/64-bit code, `pushfd` in 16-bit code.
      if (instruction.mode === 16)
        return instruction.operandSize === 32 ? `${form.family.family}d` : form.family.family;
      return instruction.operandSize === 16 ? `${form.family.family}w` : form.family.family;
    }
    return mnemonic;
  }
  if (form.family.family === 'pushf' || form.family.family === 'popf') {
    return `${form.family.family}${({ 16: 'w', 32: 'd', 64: 'q' } as const)[instruction.operandSize]}`;
  }
  if (form.family.family === 'pusha' || form.family.family === 'popa') {
    return `${form.family.family}${instruction.operandSize === 16 ? 'w' : 'd'}`;
  }
  return mnemonic;
}

function nasmMemory(
  instruction: Instruction,
  operand: MemoryOperand,
  address: bigint,
  withSize: boolean,
): string {
  const size = withSize && operand.size > 0 ? `${nasmSizeNames[operand.size]} ` : '';
  const segment = operand.segmentOverride ? `${operand.segment}:` : '';
  if (operand.ripRelative) return `${size}[${segment}rel ${hex(ripTarget(instruction, operand, address))}]`;
  if (operand.base === null && operand.index === null) {
    const width = operand.displacementSize === 64 ? 'qword ' : '';
    return `${size}[${segment}${width}${hex(absoluteAddress(operand))}]`;
  }
  if (operand.base === null) {
    // `nosplit` keeps [ebp*1+x] an index (DS) rather than NASM's shorter base form [ebp+x] (SS).
    const index = `${operand.index}*${operand.scale}`;
    const displacement = operand.displacementSize > 0 ? signedHex(Number(operand.displacement)) : '';
    return `${size}[${segment}nosplit ${index}${displacement}]`;
  }
  return `${size}[${segment}${addressTerms(operand, false, false)}]`;
}

function gnuMemory(instruction: Instruction, operand: MemoryOperand, encoding: string): string {
  const isOffset = encoding === 'memoryOffset';
  // objdump prints no size for LEA and for the moffs of A0..A3.
  const sized = operand.size > 0 && instruction.form.family.family !== 'lea' && !isOffset;
  const size = sized ? `${gnuSizeNames[operand.size]} PTR ` : '';
  const isString = isStringForm(instruction) || instruction.form.family.family === 'xlat';
  // objdump omits the CS/DS/ES/SS overrides 64-bit mode ignores (it prints them as prefix words).
  const overrideShown =
    operand.segmentOverride &&
    (instruction.mode !== 64 || operand.segment === 'fs' || operand.segment === 'gs');
  if (operand.ripRelative) {
    const segment = overrideShown ? `${operand.segment}:` : '';
    const displacement = hex(BigInt.asUintN(64, BigInt(operand.displacement)));
    return `${size}${segment}[${operand.base}+${displacement}]`;
  }
  if (operand.base === null && operand.index === null && !gnuShowsPseudoIndex(operand, false)) {
    return `${size}${overrideShown ? operand.segment : 'ds'}:${hex(absoluteAddress(operand))}`;
  }
  // In 64-bit mode objdump shows the ignored CS/DS/ES/SS override of a string source as plain DS.
  const stringSegment = encoding === 'stringDestination' ? 'es' : overrideShown ? operand.segment : 'ds';
  const segment = overrideShown || isString ? `${isString ? stringSegment : operand.segment}:` : '';
  return `${size}${segment}[${gnuAddressTerms(operand)}]`;
}

function operandText(
  instruction: Instruction,
  index: number,
  options: FormatOptions,
  sizeNeeded: boolean,
): string {
  const operand = instruction.operands[index];
  const address = options.address ?? 0n;
  switch (operand.kind) {
    case 'register':
      return operand.register;
    case 'constant':
      return '1';
    case 'immediate': {
      const text = immediateText(operand, options.syntax);
      // NASM: `push word 0x10` selects the operand size (an `o16` prefix word would not size the immediate).
      const resized =
        instruction.form.family.family === 'push' &&
        instruction.operandSize !== defaultOperandSize(instruction);
      return options.syntax === 'nasm' && resized
        ? `${nasmSizeNames[instruction.operandSize]} ${text}`
        : text;
    }
    case 'relative': {
      const target = branchTarget(instruction, operand, address);
      const label = options.labelFor?.(target);
      if (options.syntax === 'gnu') return label ? `${hex(target)} <${label}>` : hex(target);
      // NASM: `call word 0x…` / `jg near word 0x…` select rel16 (`o16 call` keeps a rel32 displacement).
      // `short` keeps NASM from choosing a longer encoding for JMP/Jcc rel8 (as ndisasm prints them).
      const family = instruction.form.family.family;
      if (operand.encodedSize === 8 && (family === 'jmp' || family === 'jcc'))
        return `short ${label ?? hex(target)}`;
      const sized = operand.encodedSize !== 8 && instruction.operandSize !== defaultOperandSize(instruction);
      if (!sized) return label ?? hex(target);
      const near = instruction.form.family.family === 'jcc' ? 'near ' : '';
      return `${near}${nasmSizeNames[instruction.operandSize]} ${label ?? hex(target)}`;
    }
    case 'memory':
      return options.syntax === 'gnu'
        ? gnuMemory(instruction, operand, instruction.form.operands[index].encoding)
        : nasmMemory(instruction, operand, address, sizeNeeded);
  }
}

/**
 * Whether a NASM memory operand needs its size keyword: it does unless the general registers among
 * the other operands all have the memory's width (a CL shift count or DX port does not count).
 */
function nasmSizeNeeded(instruction: Instruction, operand: MemoryOperand): boolean {
  if (operand.size === 0 || instruction.form.family.family === 'bound') return false;
  // Families whose source width is independent of the destination's: NASM always wants the size.
  if (['crc32', 'movzx', 'movsx', 'movsxd'].includes(instruction.form.family.family)) return true;
  const widths: number[] = [];
  instruction.form.operands.forEach((spec, index) => {
    const other = instruction.operands[index];
    if (other.kind !== 'register' || !showsSize(other) || spec.encoding === 'implicitRegister') {
      if (
        !(
          other.kind === 'register' &&
          spec.encoding === 'implicitRegister' &&
          spec.name !== 'CL' &&
          spec.name !== 'DX'
        )
      ) {
        return;
      }
    }
    widths.push(registers.get((other as { register: RegisterName }).register)?.width ?? 0);
  });
  return widths.length === 0 || widths.some((width) => width !== operand.size);
}

/** The words a prefix contributes, by prefix kind (null: nothing printed). */
interface PrefixWordSet {
  lock: string | null;
  repeat: string | null;
  segment: string | null;
  operandSize: string | null;
  addressSize: string | null;
}

function semanticPrefixWords(instruction: Instruction, syntax: Syntax): PrefixWordSet {
  const words: PrefixWordSet = {
    lock: null,
    repeat: null,
    segment: null,
    operandSize: null,
    addressSize: null,
  };
  if (instruction.lock) words.lock = 'lock';
  const repeat = instruction.repeatPrefix;
  if (repeat && isStringForm(instruction)) {
    const compares = instruction.form.repeat === 'repe';
    if (syntax === 'gnu') words.repeat = repeat === 'rep' ? (compares ? 'repz' : 'rep') : 'repnz';
    else words.repeat = repeat === 'rep' ? (compares ? 'repe' : 'rep') : 'repne';
  } else if (repeat === 'repne' && isBranch(instruction)) {
    words.repeat = 'bnd';
  } else if (repeat && hardwareLockElision(instruction)) {
    words.repeat = repeat === 'repne' ? 'xacquire' : 'xrelease';
  } else if (repeat && syntax === 'gnu' && instruction.form.mandatoryPrefix === 'none') {
    words.repeat = repeat === 'rep' ? 'repz' : 'repnz';
  }
  const hasMemory =
    (instruction.form.operands.some(
      (spec) =>
        spec.encoding === 'modrmRm' ||
        spec.encoding === 'modrmRmMemory' ||
        spec.encoding === 'memoryOffset' ||
        spec.encoding === 'stringSource',
    ) &&
      instruction.operands.some((operand) => operand.kind === 'memory')) ||
    instruction.form.family.family === 'xlat';
  const segment = instruction.segmentPrefix;
  if (segment !== null) {
    const indirectBranch =
      instruction.form.name.startsWith('JMP_rm') || instruction.form.name.startsWith('CALL_rm');
    const ignoredIn64 = instruction.mode === 64 && segment !== 'fs' && segment !== 'gs';
    const consumedBySource = isStringForm(instruction) || instruction.form.family.family === 'xlat';
    if (segment === 'ds' && instruction.mode === 64 && indirectBranch) words.segment = 'notrack';
    else if (!hasMemory || (syntax === 'gnu' && ignoredIn64 && !consumedBySource)) words.segment = segment;
    else if (syntax === 'nasm' && isStringForm(instruction)) words.segment = segment;
  }
  const sizeShown = instruction.operands.some(showsSize) || instruction.form.operandSize === null;
  const mnemonicShowsSize = ['pushf', 'popf', 'pusha', 'popa', 'cbw', 'cwd'].includes(
    instruction.form.family.family,
  );
  const nearRelative = instruction.operands.some(
    (operand) => operand.kind === 'relative' && operand.encodedSize !== 8,
  );
  const pushImmediate =
    instruction.form.family.family === 'push' &&
    instruction.operands.some((operand) => operand.kind === 'immediate');
  const otherwiseShown =
    isStringForm(instruction) || (hasMemory && !isBranch(instruction)) || nearRelative || pushImmediate;
  if (
    syntax === 'nasm' &&
    !sizeShown &&
    !mnemonicShowsSize &&
    !otherwiseShown &&
    instruction.operandSize !== defaultOperandSize(instruction)
  ) {
    words.operandSize = `o${instruction.operandSize}`;
  }
  if (instruction.addressSizePrefix && !addressSizeVisible(instruction, syntax)) {
    words.addressSize = syntax === 'gnu' ? `addr${instruction.addressSize}` : `a${instruction.addressSize}`;
  }
  return words;
}

/**
 * F2/F3 read as XACQUIRE/XRELEASE (SDM Vol. 1 §16.3.1): on a LOCKed read-modify-write or XCHG with a
 * memory destination, and F3 on a plain store MOV (88, 89, C6, C7).
 */
function hardwareLockElision(instruction: Instruction): boolean {
  const form = instruction.form;
  const memoryDestination =
    instruction.operands[0]?.kind === 'memory' && form.operands[0].encoding === 'modrmRm';
  if (!memoryDestination) return false;
  if (form.lockable && (instruction.lock || form.family.family === 'xchg')) return true;
  const store =
    form.family.family === 'mov' &&
    (form.opcode === 0x88 || form.opcode === 0x89 || form.opcode === 0xc6 || form.opcode === 0xc7);
  return store && instruction.repeatPrefix === 'rep';
}

/** True when the 66 prefix changed the operand size (or was a mandatory prefix). */
function operandSizePrefixUsed(instruction: Instruction): boolean {
  const form = instruction.form;
  if (form.mandatoryPrefix === '66' || form.name === 'NOP') return true;
  // objdump does not count the operand size of short (rel8) branches as a use of 66.
  if (form.operands.some((spec) => spec.encoding === 'relative' && spec.encodedSize === 8)) return false;
  if (form.operandSize === null || form.operandSizeRule === 'wOnly') return false;
  return instruction.operandSize === (instruction.mode === 16 ? 32 : 16);
}

const segmentNames: Record<number, string> = { 38: 'es', 46: 'cs', 54: 'ss', 62: 'ds', 100: 'fs', 101: 'gs' };

/**
 * GNU: one word per prefix byte, in byte order, as objdump prints them; a prefix the instruction
 * used prints its meaning (`lock`, `rep`, `notrack`) or nothing, a redundant or unused one its name
 * (`data16`, `cs`, `rex.W`).
 */
function gnuPrefixWords(instruction: Instruction, words: PrefixWordSet, bytes: Uint8Array): string[] {
  let end = 0;
  while (
    end < bytes.length &&
    (segmentNames[bytes[end]] || [0x66, 0x67, 0xf0, 0xf2, 0xf3].includes(bytes[end]))
  )
    end++;
  const lastIndex = (predicate: (byte: number) => boolean) => {
    for (let i = end - 1; i >= 0; i--) if (predicate(bytes[i])) return i;
    return -1;
  };
  const lastRepeat = lastIndex((byte) => byte === 0xf2 || byte === 0xf3);
  const lastSegment = lastIndex((byte) => segmentNames[byte] === instruction.segmentPrefix);
  const lastOperandSize = lastIndex((byte) => byte === 0x66);
  const lastAddressSize = lastIndex((byte) => byte === 0x67);
  const out: string[] = [];
  const push = (word: string | null) => {
    if (word) out.push(word);
  };
  for (let i = 0; i < end; i++) {
    const byte = bytes[i];
    if (byte === 0xf0) push(words.lock ?? 'lock');
    else if (byte === 0xf2 || byte === 0xf3)
      push(i === lastRepeat ? words.repeat : byte === 0xf3 ? 'repz' : 'repnz');
    else if (segmentNames[byte]) push(i === lastSegment ? words.segment : segmentNames[byte]);
    else if (byte === 0x66) {
      const used = i === lastOperandSize && operandSizePrefixUsed(instruction);
      push(used ? null : instruction.mode === 16 ? 'data32' : 'data16');
    } else if (byte === 0x67)
      push(i === lastAddressSize ? words.addressSize : `addr${instruction.addressSize}`);
  }
  const rex = instruction.rex;
  if (rex !== 0 && !rexFullyUsed(instruction)) {
    const bits = ['W', 'R', 'X', 'B'].filter((_, index) => rex & (8 >> index)).join('');
    out.push(bits ? `rex.${bits}` : 'rex');
  }
  return out;
}

/**
 * objdump prints the REX prefix as a word unless every bit it sets changed the decoding: W the
 * operand size, R the ModRM.reg register, X the SIB index, B the r/m, base or opcode register; a bare
 * 40 counts as used when a byte register comes from the encoding (SPL..DIL instead of AH..BH).
 */
function rexFullyUsed(instruction: Instruction): boolean {
  const rex = instruction.rex;
  const form = instruction.form;
  let used = 0;
  if (form.operandSize === 64 && (form.operandSizeRule === 'normal' || form.operandSizeRule === 'wOnly'))
    used |= 8;
  let byteRegister = false;
  form.operands.forEach((spec, index) => {
    const operand = instruction.operands[index];
    const encoded =
      spec.encoding === 'modrmReg' || spec.encoding === 'modrmRm' || spec.encoding === 'modrmRmRegister';
    const rexByte = ['spl', 'bpl', 'sil', 'dil'];
    if (
      operand.kind === 'register' &&
      (encoded || spec.encoding === 'opcodeRegister') &&
      rexByte.includes(operand.register)
    ) {
      byteRegister = true;
    }
    if (spec.encoding === 'modrmReg' && !spec.segmentRegister) used |= 4;
    if (operand.kind === 'register' && (spec.encoding === 'modrmRm' || spec.encoding === 'modrmRmRegister'))
      used |= 1;
    if (spec.encoding === 'opcodeRegister') used |= 1;
    if (operand.kind === 'memory' && (spec.encoding === 'modrmRm' || spec.encoding === 'modrmRmMemory')) {
      if (operand.index !== null) used |= 2;
      // A SIB byte reads both its index (REX.X) and base (REX.B) fields.
      if (operand.hasSib) used |= 3;
      if (operand.base !== null || operand.ripRelative) used |= 1;
    }
  });
  if ((rex & 15) === 0) return byteRegister;
  return (rex & 15 & ~used) === 0;
}

/** The prefix words printed before the mnemonic. */
function prefixWords(instruction: Instruction, syntax: Syntax, bytes: Uint8Array | undefined): string[] {
  const words = semanticPrefixWords(instruction, syntax);
  if (syntax === 'gnu' && bytes) return gnuPrefixWords(instruction, words, bytes);
  return [words.lock, words.repeat, words.segment, words.operandSize, words.addressSize].filter(
    (word): word is string => word !== null,
  );
}

/** GNU's mnemonic suffix when only the operand size distinguishes the form (`pushw 0x10`, `retw`). */
function gnuSizeSuffix(instruction: Instruction): string {
  const form = instruction.form;
  if (form.operandSize === null || instruction.operands.some(showsSize)) return '';
  if (
    isStringForm(instruction) ||
    ['pushf', 'popf', 'pusha', 'popa', 'cbw', 'cwd'].includes(form.family.family)
  )
    return '';
  if (instruction.operands.some((operand) => operand.kind === 'memory') && !isBranch(instruction)) return '';
  if (instruction.operandSize === defaultOperandSize(instruction)) return '';
  if (form.operands.some((spec) => spec.encoding === 'relative' && spec.encodedSize === 8)) return '';
  return instruction.operandSize === 16 ? 'w' : instruction.operandSize === 32 ? 'd' : 'q';
}

/**
 * Formats one instruction. GNU output pads the mnemonic to seven columns, as objdump does.
 */
export function formatInstruction(instruction: Instruction, options: FormatOptions): string {
  const syntax = options.syntax;
  const words = prefixWords(instruction, syntax, options.bytes);
  let mnemonic = mnemonicFor(instruction, syntax);
  const hideOperands =
    syntax === 'nasm' && (isStringForm(instruction) || instruction.form.family.family === 'xlat');
  const printed: string[] = [];
  if (syntax === 'gnu') {
    mnemonic += gnuSizeSuffix(instruction);
    if (instruction.form.family.family === 'xlat') {
      const prefix = instruction.segmentPrefix;
      const ignored = instruction.mode === 64 && prefix !== 'fs' && prefix !== 'gs';
      const segment = prefix === null || ignored ? 'ds' : prefix;
      const base = ({ 16: 'bx', 32: 'ebx', 64: 'rbx' } as const)[instruction.addressSize];
      printed.push(`BYTE PTR ${segment}:[${base}]`);
    }
    // objdump prints `66 90` as the exchange it literally is.
    if (instruction.form.name === 'NOP' && instruction.operandSizePrefix) {
      const register = instruction.mode === 16 ? 'eax' : 'ax';
      mnemonic = 'xchg';
      printed.push(register, register);
    }
  }
  if (!hideOperands) {
    instruction.operands.forEach((operand, index) => {
      const sizeNeeded =
        operand.kind === 'memory' && syntax === 'nasm' && nasmSizeNeeded(instruction, operand);
      printed.push(operandText(instruction, index, options, sizeNeeded));
    });
  }
  const head = [...words, mnemonic].join(' ');
  if (printed.length === 0) return head;
  if (syntax === 'nasm') return `${head} ${printed.join(', ')}`;
  let text = `${head.padEnd(6)} ${printed.join(',')}`;
  const rip = instruction.operands.find((operand) => operand.kind === 'memory' && operand.ripRelative);
  if (rip && rip.kind === 'memory')
    text += `        # ${hex(ripTarget(instruction, rip, options.address ?? 0n))}`;
  return text;
}

/** The branch target of a relative branch at `address`, or null for other instructions. */
export function branchTargetOf(instruction: Instruction, address: bigint): bigint | null {
  const operand = instruction.operands.find((candidate) => candidate.kind === 'relative');
  return operand && operand.kind === 'relative' ? branchTarget(instruction, operand, address) : null;
}
