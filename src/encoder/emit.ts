/**
 * Emits the bytes of one instruction form with concrete operands: legacy prefixes, REX or VEX,
 * opcode, ModRM/SIB/displacement, immediates (SDM Vol. 2A ch. 2 "Instruction Format", §2.2.1 REX,
 * §2.3.5 VEX). The caller has already checked that the operands fit the form's operand kinds.
 */
import type { OperandSpec } from '../isa/operands.js';
import { type RegisterName, registers } from '../isa/registers.js';
import type { InstructionForm, Mode } from '../isa/spec.js';
import { EncodingError } from './errors.js';
import { type EncodedAddress, encodeMemory, memoryAddressSize } from './memory.js';
import type { EncoderArgument, EncodingStyle, MemoryArgument } from './request.js';

const SEGMENT_PREFIX: Readonly<Record<string, number>> = {
  es: 0x26,
  cs: 0x2e,
  ss: 0x36,
  ds: 0x3e,
  fs: 0x64,
  gs: 0x65,
};
const MAP_ESCAPE: Readonly<Record<string, readonly number[]>> = {
  legacy: [],
  '0F': [0x0f],
  '0F38': [0x0f, 0x38],
  '0F3A': [0x0f, 0x3a],
};
const VEX_MAP_SELECT: Readonly<Record<string, number>> = { '0F': 1, '0F38': 2, '0F3A': 3 };
const VEX_PP: Readonly<Record<string, number>> = { none: 0, NP: 0, '66': 1, F3: 2, F2: 3 };

/** Prefix bytes written as words before the mnemonic. */
export const PREFIX_BYTES: Readonly<Record<string, number>> = {
  lock: 0xf0,
  rep: 0xf3,
  repe: 0xf3,
  repz: 0xf3,
  repne: 0xf2,
  repnz: 0xf2,
  xacquire: 0xf2,
  xrelease: 0xf3,
  bnd: 0xf2,
  notrack: 0x3e,
};

/** How the instruction's operand size is expressed: a 66 prefix, REX.W / VEX.W, or nothing. */
function operandSizeBits(form: InstructionForm, mode: Mode): { operandSizePrefix: boolean; wide: boolean } {
  const size = form.operandSize;
  if (size === null) return { operandSizePrefix: false, wide: false };
  if (form.operandSizeRule === 'wOnly') return { operandSizePrefix: false, wide: size === 64 };
  if (mode === 64) {
    return { operandSizePrefix: size === 16, wide: size === 64 && form.operandSizeRule === 'normal' };
  }
  return { operandSizePrefix: mode === 32 ? size === 16 : size === 32, wide: false };
}

function littleEndian(output: number[], value: bigint, bytes: number): void {
  let rest = BigInt.asUintN(bytes * 8, value);
  for (let index = 0; index < bytes; index++) {
    output.push(Number(rest & 0xffn));
    rest >>= 8n;
  }
}

function fitsSigned(value: bigint, bits: number): boolean {
  return value >= -(1n << BigInt(bits - 1)) && value < 1n << BigInt(bits - 1);
}

/** What {@link emitForm} needs besides the form and the operands. */
export interface EmitContext {
  readonly mode: Mode;
  readonly address: bigint;
  readonly style: EncodingStyle;
  /** Prefix words from the source, already validated (`lock`, `rep`, `o16`, …). */
  readonly prefixes: readonly string[];
}

/** A relative-branch operand found while emitting (for the assembler's relaxation). */
export interface EmittedInstruction {
  readonly bytes: Uint8Array;
  /** 'short' for a rel8 branch, 'long' for rel16/32, null when the form has no relative operand. */
  readonly branch: 'short' | 'long' | null;
  /**
   * Set (and `bytes` empty) when the branch target is out of this form's reach: a plain record, since
   * building an Error (with its stack trace) for the normal "short form does not reach" case is slow.
   */
  readonly outOfRange: { readonly message: string; readonly operandIndex: number } | undefined;
}

const EMPTY_BYTES = new Uint8Array(0);

/**
 * Encodes `form` with `operands` (one per form operand, in form order; implicit operands may be
 * absent: `movsb`). Throws {@link EncodingError} when a register or value cannot be encoded.
 */
export function emitForm(
  form: InstructionForm,
  operands: readonly (EncoderArgument | undefined)[],
  context: EmitContext,
): EmittedInstruction {
  const { mode } = context;
  let { operandSizePrefix, wide } = operandSizeBits(form, mode);
  // `mov ds, bx` / `mov rax, ds`: loading a segment register reads 16 bits whatever the operand size,
  // and storing one into a 64-bit register zero-extends like a 32-bit store (SDM "MOV": 8C/8E), so
  // NASM leaves out 66 for 8E and REX.W for both (a 66 on 8C is kept: `mov ax, ds`).
  const segmentMove =
    form.operands.some((spec) => spec.segmentRegister) &&
    operands.every((operand) => operand?.kind !== 'memory');
  if (segmentMove) {
    wide = false;
    if (form.opcode === 0x8e) operandSizePrefix = false;
  }
  let rexR = false;
  let rexB = false;
  let rexX = false;
  let rexNeeded = false;
  let rexForbiddenBy: string | undefined;
  let regField = form.modrmReg ?? 0;
  let vvvv = 0;
  let opcodeRegister = 0;
  let address: EncodedAddress | undefined;
  let rmRegister: number | undefined;
  let memory: MemoryArgument | undefined;
  let addressSize: 16 | 32 | 64 = form.addressSize ?? mode;

  const noteRegister = (name: RegisterName, operandIndex: number): number => {
    const info = registers.get(name)!;
    if (info.needsRex) {
      if (mode !== 64)
        throw new EncodingError(`register \`${name}\` exists only in 64-bit mode`, operandIndex);
      rexNeeded = true;
    }
    if (info.forbidsRex) rexForbiddenBy = name;
    return info.number;
  };

  form.operands.forEach((spec: OperandSpec, index) => {
    const operand = operands[index];
    if (!operand) return;
    switch (spec.encoding) {
      case 'modrmReg': {
        if (operand.kind !== 'register') return;
        const number = spec.segmentRegister
          ? registers.get(operand.name)!.number
          : noteRegister(operand.name, index);
        regField = number & 7;
        rexR = number >= 8;
        return;
      }
      case 'modrmRm':
      case 'modrmRmRegister':
      case 'modrmRmMemory':
        if (operand.kind === 'register') {
          const number = noteRegister(operand.name, index);
          rmRegister = number & 7;
          rexB = number >= 8;
        } else if (operand.kind === 'memory') {
          memory = operand;
          address = encodeMemoryFor(operand, mode, index);
          rexB = address.rexB;
          rexX = address.rexX;
          addressSize = address.addressSize;
        }
        return;
      case 'opcodeRegister': {
        if (operand.kind !== 'register') return;
        const number = noteRegister(operand.name, index);
        opcodeRegister = number & 7;
        rexB = number >= 8;
        return;
      }
      case 'vexRegister':
        if (operand.kind === 'register') vvvv = noteRegister(operand.name, index);
        return;
      case 'implicitRegister':
        if (operand.kind === 'register') noteRegister(operand.name, index);
        return;
      case 'memoryOffset':
        if (operand.kind === 'memory') {
          memory = operand;
          addressSize = moffsAddressSize(operand, mode);
        }
        return;
      case 'stringSource':
      case 'stringDestination':
        if (operand.kind === 'memory') {
          // The destination is always ES:[rDI] (SDM Vol. 1 §7.3.9.1): no override can apply to it.
          if (
            spec.encoding === 'stringDestination' &&
            operand.segment !== undefined &&
            operand.segment !== 'es'
          ) {
            throw new EncodingError(
              'the destination of a string instruction is always es:[rdi]; it cannot take a segment override',
              index,
            );
          }
          if (spec.encoding === 'stringSource') memory = operand;
          addressSize = memoryAddressSize(operand, mode);
        }
        return;
      default:
        return;
    }
  });

  const usesRex = form.space === 'legacy' && (wide || rexR || rexX || rexB || rexNeeded);
  if (usesRex && rexForbiddenBy) {
    throw new EncodingError(
      `\`${rexForbiddenBy}\` cannot be used in an instruction that needs a REX prefix`,
      undefined,
      'ah, bh, ch and dh cannot be combined with spl, bpl, sil, dil, r8–r15 or a 64-bit operand',
    );
  }
  if (usesRex && mode !== 64) throw new EncodingError('64-bit operands exist only in 64-bit mode');

  const bytes: number[] = [];
  const words = context.prefixes;
  const addressPrefix = addressSize !== mode && !(mode === 64 && addressSize === 64);
  // GNU as drops a segment override that names the default segment (DS, or SS for rBP/rSP bases);
  // NASM keeps whatever was written.
  const redundantSegment =
    context.style === 'gnu' && memory?.segment !== undefined && memory.segment === defaultSegment(memory);
  const segmentPrefix =
    memory?.segment !== undefined && !redundantSegment ? SEGMENT_PREFIX[memory.segment] : undefined;
  if (words.length === 0) {
    if (segmentPrefix !== undefined) bytes.push(segmentPrefix);
    // NASM: operand size then address size; GNU as: address size then operand size.
    if (context.style === 'nasm') {
      if (operandSizePrefix) bytes.push(0x66);
      if (addressPrefix) bytes.push(0x67);
    } else {
      if (addressPrefix) bytes.push(0x67);
      if (operandSizePrefix) bytes.push(0x66);
    }
  } else {
    pushWrittenPrefixes(bytes, words, context.style, mode, segmentPrefix, operandSizePrefix, addressPrefix);
  }

  if (form.space === 'vex') {
    const pp = VEX_PP[form.mandatoryPrefix];
    const w = form.vex?.w ?? (wide ? 1 : 0);
    const l = form.vex?.l ?? 0;
    const vexTail = (w << 7) | ((~vvvv & 0xf) << 3) | (l << 2) | pp;
    if (form.map === '0F' && w === 0 && !rexX && !rexB) {
      bytes.push(0xc5, ((rexR ? 0 : 1) << 7) | ((~vvvv & 0xf) << 3) | (l << 2) | pp);
    } else {
      bytes.push(
        0xc4,
        ((rexR ? 0 : 1) << 7) | ((rexX ? 0 : 1) << 6) | ((rexB ? 0 : 1) << 5) | VEX_MAP_SELECT[form.map],
        vexTail,
      );
    }
  } else {
    if (form.mandatoryPrefix === '66' || form.mandatoryPrefix === 'F2' || form.mandatoryPrefix === 'F3') {
      bytes.push(form.mandatoryPrefix === '66' ? 0x66 : form.mandatoryPrefix === 'F2' ? 0xf2 : 0xf3);
    }
    if (usesRex) bytes.push(0x40 | (wide ? 8 : 0) | (rexR ? 4 : 0) | (rexX ? 2 : 0) | (rexB ? 1 : 0));
    bytes.push(...MAP_ESCAPE[form.map]);
  }
  bytes.push(form.opcode | (form.opcodeRegister ? opcodeRegister : 0));

  let ripPatch = -1;
  if (form.modrmFixed !== null) bytes.push(form.modrmFixed);
  else if (form.modrm !== 'none') {
    if (address) {
      bytes.push(address.modrm | (regField << 3));
      if (address.sib >= 0) bytes.push(address.sib);
      if (address.ripRelative) ripPatch = bytes.length;
      littleEndian(bytes, address.displacement, address.displacementSize);
    } else {
      bytes.push(0xc0 | (regField << 3) | (rmRegister ?? 0));
    }
  }

  let branch: EmittedInstruction['branch'] = null;
  let relativePatch:
    | { offset: number; size: number; target: bigint; provisional: boolean; index: number }
    | undefined;
  form.operands.forEach((spec, index) => {
    const operand = operands[index];
    if (spec.encoding === 'memoryOffset' && operand?.kind === 'memory') {
      littleEndian(bytes, operand.displacement, addressSize / 8);
    }
    if (operand?.kind !== 'immediate') return;
    if (spec.encoding === 'immediate') {
      littleEndian(bytes, operand.value, (spec.encodedSize ?? 8) / 8);
    } else if (spec.encoding === 'relative') {
      const size = (spec.encodedSize ?? 8) / 8;
      branch = size === 1 ? 'short' : 'long';
      relativePatch = {
        offset: bytes.length,
        size,
        target: operand.value,
        provisional: operand.provisional,
        index,
      };
      littleEndian(bytes, 0n, size);
    }
  });

  const end = context.address + BigInt(bytes.length);
  if (ripPatch >= 0 && address) {
    const displacement = memory?.literalDisplacement
      ? address.displacement
      : BigInt.asIntN(64, address.displacement - end);
    if (!fitsSigned(displacement, 32)) throw new EncodingError('RIP-relative target is more than 2 GiB away');
    patch(bytes, ripPatch, displacement, 4);
  }
  if (relativePatch) {
    const width = relativePatch.size * 8;
    let displacement = relativePatch.target - end;
    // Branch targets wrap at the operand size (SDM Vol. 2A "JMP"): rel16 in 16-bit code, rel32 in 32-bit code.
    if (mode !== 64 && width >= 16) displacement = BigInt.asIntN(width === 16 ? 16 : 32, displacement);
    else if (mode !== 64) displacement = BigInt.asIntN(mode, displacement);
    if (!fitsSigned(displacement, width)) {
      if (relativePatch.provisional) displacement = 0n;
      else {
        // Not thrown: trying the short form first and failing is the normal case for a long branch.
        const message =
          width === 8
            ? `short jump target out of range (${displacement} bytes; rel8 reaches -128..127)`
            : 'branch target out of range';
        return { bytes: EMPTY_BYTES, branch, outOfRange: { message, operandIndex: relativePatch.index } };
      }
    }
    patch(bytes, relativePatch.offset, displacement, relativePatch.size);
  }
  return { bytes: Uint8Array.from(bytes), branch, outOfRange: undefined };
}

/**
 * Legacy prefixes when the source wrote prefix words, in each assembler's order — NASM (assemble.c):
 * lock/rep, segment, operand size, address size; GNU as (tc-i386.c prefix slots): segment, address
 * size, operand size, rep, lock.
 */
function pushWrittenPrefixes(
  bytes: number[],
  words: readonly string[],
  style: EncodingStyle,
  mode: Mode,
  segmentPrefix: number | undefined,
  operandSizePrefix: boolean,
  addressPrefix: boolean,
): void {
  const explicitPrefixes = words.map((word) => PREFIX_BYTES[word]).filter((byte) => byte !== undefined);
  const segmentWord = words.find((word) => word in SEGMENT_PREFIX);
  const sizePrefix =
    operandSizePrefix || (words.includes('o16') && mode !== 16) || (words.includes('o32') && mode === 16);
  const explicitAddressPrefix = words.some(
    (word) => word === 'a16' || word === 'a32' || word === 'addr32' || word === 'addr16',
  );
  const segment = segmentPrefix ?? (segmentWord !== undefined ? SEGMENT_PREFIX[segmentWord] : undefined);
  const segmentBytes = segment === undefined ? [] : [segment];
  const sizeBytes = sizePrefix || words.includes('data16') ? [0x66] : [];
  const addressBytes = addressPrefix || explicitAddressPrefix ? [0x67] : [];
  if (style === 'nasm') {
    bytes.push(...explicitPrefixes, ...segmentBytes, ...sizeBytes, ...addressBytes);
  } else {
    const repeat = explicitPrefixes.filter((byte) => byte !== 0xf0);
    const lock = explicitPrefixes.filter((byte) => byte === 0xf0);
    bytes.push(...segmentBytes, ...addressBytes, ...sizeBytes, ...repeat, ...lock);
  }
}

/** The segment an address uses without an override (SDM Vol. 1 §3.7.4: SS for rBP/rSP bases, else DS). */
function defaultSegment(memory: MemoryArgument): string {
  const base = memory.base;
  return base === 'bp' ||
    base === 'ebp' ||
    base === 'rbp' ||
    base === 'sp' ||
    base === 'esp' ||
    base === 'rsp'
    ? 'ss'
    : 'ds';
}

function patch(bytes: number[], offset: number, value: bigint, size: number): void {
  let rest = BigInt.asUintN(size * 8, value);
  for (let index = 0; index < size; index++) {
    bytes[offset + index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

function encodeMemoryFor(memory: MemoryArgument, mode: Mode, operandIndex: number): EncodedAddress {
  try {
    return encodeMemory(memory, mode);
  } catch (error) {
    if (error instanceof EncodingError && error.operandIndex === undefined)
      throw new EncodingError(error.message, operandIndex);
    throw error;
  }
}

/** Address size of a moffs operand: the mode's, or 32 with `[dword …]` in 64-bit mode (67 prefix). */
function moffsAddressSize(memory: MemoryArgument, mode: Mode): 16 | 32 | 64 {
  if (memory.displacementSize === 32 && mode !== 32) return 32;
  if (memory.displacementSize === 16 && mode !== 16 && mode !== 64) return 16;
  return mode;
}
