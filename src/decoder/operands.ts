/**
 * Operand decoding: ModRM/SIB/displacement addressing and the construction of concrete operands,
 * for the decoder in `decoder.ts` (SDM Vol. 2A §2.1.5 Tables 2-1..2-3, §2.2.1.6 RIP-relative).
 * The decoder fills {@link state} (prefix facts, ModRM) before calling in here.
 */
import type {
  ImmediateOperand,
  MemoryOperand,
  Operand,
  OperandSpec,
  RegisterOperand,
} from '../isa/operands.js';
import {
  doublewordRegisters,
  generalRegister,
  quadwordRegisters,
  type RegisterName,
  registers,
  type SegmentRegister,
  segmentRegisters,
  wordRegisters,
} from '../isa/registers.js';
import type { Mode } from '../isa/spec.js';

const registerOperands = new Map<RegisterName, RegisterOperand>(
  [...registers.keys()].map((name) => [name, Object.freeze({ kind: 'register' as const, register: name })]),
);
function registerOperand(name: RegisterName): RegisterOperand {
  return registerOperands.get(name)!;
}

/**
 * Shared register operands by encoding, so the hot path indexes an array instead of building names:
 * `generalOperands[width index][rex present ? 1 : 0][number]` (width index 0..3 = 8/16/32/64 bits).
 */
const generalOperands: readonly (readonly (readonly RegisterOperand[])[])[] = ([8, 16, 32, 64] as const).map(
  (width) =>
    [false, true].map((rexPresent) =>
      Array.from({ length: 16 }, (_, number) => registerOperand(generalRegister(number, width, rexPresent))),
    ),
);
const widthIndex: Record<number, number> = { 8: 0, 16: 1, 32: 2, 64: 3 };

function generalOperand(number: number, size: number, rexPresent: boolean): RegisterOperand {
  return generalOperands[widthIndex[size]][rexPresent ? 1 : 0][number];
}
const constantOne: Operand = Object.freeze({ kind: 'constant' as const, value: 1 as const });

/**
 * Scratch state of the instruction being decoded. The decoder is synchronous and never re-entered,
 * so one module-level object avoids allocating per call.
 */
export const state = {
  bytes: new Uint8Array(0) as Uint8Array,
  start: 0,
  end: 0,
  position: 0,
  mode: 64 as Mode,
  addressSize: 64 as 16 | 32 | 64,
  segment: null as SegmentRegister | null,
  rex: 0,
  vexW: false,
  vexRegister: 0,
  modrm: -1,
  // Memory addressing of ModRM (valid when mod != 11).
  base: null as RegisterName | null,
  index: null as RegisterName | null,
  scale: 1 as 1 | 2 | 4 | 8,
  displacement: 0,
  displacementSize: 0 as 0 | 8 | 16 | 32,
  ripRelative: false,
  hasSib: false,
  /** Offset of the opcode byte, and the mandatory-prefix code (0 none, 2 = 66, 3 = F2, 4 = F3). */
  opcodePosition: 0,
  mandatory: 0,
  /** Set when the bytes ran out. */
  truncated: false,
};

export function readUnsigned(size: 8 | 16 | 32): number {
  const { bytes, position } = state;
  if (position + size / 8 > state.end) {
    state.truncated = true;
    return 0;
  }
  state.position = position + size / 8;
  if (size === 8) return bytes[position];
  if (size === 16) return bytes[position] | (bytes[position + 1] << 8);
  return (
    (bytes[position] |
      (bytes[position + 1] << 8) |
      (bytes[position + 2] << 16) |
      (bytes[position + 3] << 24)) >>>
    0
  );
}

function readSigned(size: 8 | 16 | 32): number {
  const value = readUnsigned(size);
  if (size === 8) return (value << 24) >> 24;
  if (size === 16) return (value << 16) >> 16;
  return value | 0;
}

function readUnsigned64(): bigint {
  const low = readUnsigned(32);
  const high = readUnsigned(32);
  return (BigInt(high) << 32n) | BigInt(low);
}

const sixteenBitBases: readonly (RegisterName | null)[] = ['bx', 'bx', 'bp', 'bp', 'si', 'di', 'bp', 'bx'];
const sixteenBitIndexes: readonly (RegisterName | null)[] = ['si', 'di', 'si', 'di', null, null, null, null];

/** Reads SIB and displacement for a memory ModRM (SDM Vol. 2A Tables 2-1, 2-2, 2-3; §2.2.1.6). */
export function readAddressing(modrm: number): void {
  const mod = modrm >> 6;
  const rm = modrm & 7;
  state.base = null;
  state.index = null;
  state.scale = 1;
  state.displacement = 0;
  state.displacementSize = 0;
  state.ripRelative = false;
  state.hasSib = false;
  if (state.addressSize === 16) {
    if (mod === 0 && rm === 6) {
      state.displacement = readSigned(16);
      state.displacementSize = 16;
      return;
    }
    state.base = sixteenBitBases[rm];
    state.index = sixteenBitIndexes[rm];
    if (mod === 1) {
      state.displacement = readSigned(8);
      state.displacementSize = 8;
    } else if (mod === 2) {
      state.displacement = readSigned(16);
      state.displacementSize = 16;
    }
    return;
  }
  const names = state.addressSize === 64 ? quadwordRegisters : doublewordRegisters;
  const rex = state.rex;
  let baseNumber = rm;
  let hasBase = true;
  if (rm === 4) {
    const sib = readUnsigned(8);
    state.hasSib = true;
    const indexNumber = ((sib >> 3) & 7) | ((rex & 2) << 2);
    if (indexNumber !== 4) state.index = names[indexNumber];
    state.scale = (1 << (sib >> 6)) as 1 | 2 | 4 | 8;
    baseNumber = sib & 7;
    if (baseNumber === 5 && mod === 0) hasBase = false;
  } else if (rm === 5 && mod === 0) {
    hasBase = false;
    if (state.mode === 64) {
      state.ripRelative = true;
      state.base = state.addressSize === 64 ? 'rip' : 'eip';
    }
  }
  if (hasBase) state.base = names[baseNumber | ((rex & 1) << 3)];
  if (mod === 1) {
    state.displacement = readSigned(8);
    state.displacementSize = 8;
  } else if (mod === 2 || !hasBase) {
    state.displacement = readSigned(32);
    state.displacementSize = 32;
  }
}

function defaultSegment(base: RegisterName | null): SegmentRegister {
  return base === 'rbp' || base === 'ebp' || base === 'bp' || base === 'rsp' || base === 'esp' ? 'ss' : 'ds';
}

function memoryOperand(size: OperandSpec['size']): MemoryOperand {
  return {
    kind: 'memory',
    base: state.base,
    index: state.index,
    scale: state.scale,
    displacement: state.displacement,
    displacementSize: state.displacementSize,
    segment: state.segment ?? defaultSegment(state.base),
    segmentOverride: state.segment !== null,
    size,
    addressSize: state.addressSize,
    ripRelative: state.ripRelative,
    hasSib: state.hasSib,
  };
}

function stringOperand(size: OperandSpec['size'], destination: boolean): MemoryOperand {
  const number = destination ? 7 : 6;
  const names =
    state.addressSize === 64
      ? quadwordRegisters
      : state.addressSize === 32
        ? doublewordRegisters
        : wordRegisters;
  const segment = destination ? 'es' : (state.segment ?? 'ds');
  return {
    kind: 'memory',
    base: names[number],
    index: null,
    scale: 1,
    displacement: 0,
    displacementSize: 0,
    segment,
    segmentOverride: !destination && state.segment !== null,
    size,
    addressSize: state.addressSize,
    ripRelative: false,
  };
}

function memoryOffsetOperand(size: OperandSpec['size']): MemoryOperand {
  const addressSize = state.addressSize;
  const displacement = addressSize === 64 ? BigInt.asIntN(64, readUnsigned64()) : readSigned(addressSize);
  return {
    kind: 'memory',
    base: null,
    index: null,
    scale: 1,
    displacement,
    displacementSize: addressSize,
    segment: state.segment ?? 'ds',
    segmentOverride: state.segment !== null,
    size,
    addressSize,
    ripRelative: false,
  };
}

function immediateOperand(spec: OperandSpec): ImmediateOperand {
  const encodedSize = spec.encodedSize ?? 8;
  const value: number | bigint =
    encodedSize === 64
      ? readUnsigned64()
      : spec.signExtended
        ? readSigned(encodedSize)
        : readUnsigned(encodedSize);
  return {
    kind: 'immediate',
    value,
    size: spec.size as 8 | 16 | 32 | 64,
    encodedSize,
    signExtended: spec.signExtended === true,
  };
}

/** The shared operand for CS (the decoder refuses MOV to CS). */
export const codeSegmentOperand: RegisterOperand = registerOperand('cs');

/**
 * Builds the operands of a form, in order (immediates are read in operand order, after ModRM and
 * displacement). Returns null when an operand is invalid (reserved segment register). Array literals
 * of the exact length keep the arrays packed.
 */
export function decodeOperands(specs: readonly OperandSpec[], opcode: number): Operand[] | null {
  switch (specs.length) {
    case 0:
      return [];
    case 1: {
      const first = decodeOperand(specs[0], opcode);
      return first === null ? null : [first];
    }
    case 2: {
      const first = decodeOperand(specs[0], opcode);
      const second = decodeOperand(specs[1], opcode);
      return first === null || second === null ? null : [first, second];
    }
    default: {
      const operands: Operand[] = [];
      for (const spec of specs) {
        const operand = decodeOperand(spec, opcode);
        if (operand === null) return null;
        operands.push(operand);
      }
      return operands;
    }
  }
}

/** Builds one operand; returns null when the encoding is invalid (reserved segment register). */
function decodeOperand(spec: OperandSpec, opcode: number): Operand | null {
  const modrm = state.modrm;
  const rex = state.rex;
  switch (spec.encoding) {
    case 'modrmRm':
    case 'modrmRmRegister':
    case 'modrmRmMemory':
      if (modrm >= 0xc0) {
        return generalOperand((modrm & 7) | ((rex & 1) << 3), spec.size, rex !== 0);
      }
      return memoryOperand(spec.size);
    case 'modrmReg': {
      const reg = (modrm >> 3) & 7;
      if (spec.segmentRegister) return reg < 6 ? registerOperand(segmentRegisters[reg]) : null;
      return generalOperand(reg | ((rex & 4) << 1), spec.size, rex !== 0);
    }
    case 'opcodeRegister':
      return generalOperand((opcode & 7) | ((rex & 1) << 3), spec.size, rex !== 0);
    case 'vexRegister':
      return generalOperand(state.vexRegister, spec.size, true);
    case 'immediate':
      return immediateOperand(spec);
    case 'relative': {
      const encodedSize = spec.encodedSize as 8 | 16 | 32;
      return { kind: 'relative', displacement: readSigned(encodedSize), encodedSize };
    }
    case 'memoryOffset':
      return memoryOffsetOperand(spec.size);
    case 'implicitRegister':
      return registerOperand(spec.register!);
    case 'constantOne':
      return constantOne;
    case 'stringSource':
      return stringOperand(spec.size, false);
    case 'stringDestination':
      return stringOperand(spec.size, true);
  }
}
