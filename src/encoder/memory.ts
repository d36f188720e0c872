/**
 * ModRM, SIB and displacement for a memory operand (SDM Vol. 2A §2.1.5, Tables 2-1 to 2-3 for 16- and
 * 32-bit addressing; §2.2.1.3–2.2.1.6 for REX.X/REX.B and RIP-relative addressing in 64-bit mode).
 */

import type { RegisterName } from '../isa/registers.js';
import { registers } from '../isa/registers.js';
import { EncodingError } from './errors.js';
import type { MemoryArgument } from './request.js';

/** The address-dependent part of an encoding, before the instruction's length is known. */
export interface EncodedAddress {
  /** ModRM with reg = 0 (the caller ORs in the reg field). */
  readonly modrm: number;
  /** SIB byte, or -1 when there is none. */
  readonly sib: number;
  /** Displacement bytes: 0, 1, 2, 4 (or 8 for a 64-bit moffs, encoded elsewhere). */
  readonly displacementSize: 0 | 1 | 2 | 4;
  /** Displacement value (for RIP-relative: the target address, resolved once the length is known). */
  readonly displacement: bigint;
  readonly ripRelative: boolean;
  /** REX.X and REX.B bits the address needs. */
  readonly rexX: boolean;
  readonly rexB: boolean;
  /** Address size in bits the operand uses. */
  readonly addressSize: 16 | 32 | 64;
  /** A register here needs REX (R8..R15). */
  readonly needsRex: boolean;
}

/** Address size of a memory operand: from its registers, else the mode's default. */
export function memoryAddressSize(memory: MemoryArgument, mode: 16 | 32 | 64): 16 | 32 | 64 {
  const register = memory.base ?? memory.index;
  if (register === undefined) {
    if (memory.displacementSize === 16 && mode !== 64) return 16;
    if (memory.displacementSize === 32 && mode === 16) return 32;
    return mode;
  }
  const width = registers.get(register)?.width;
  if (width === 16 && mode === 64)
    throw new EncodingError('16-bit addressing is not available in 64-bit mode');
  if (width === 64 && mode !== 64)
    throw new EncodingError('64-bit registers cannot address memory outside 64-bit mode');
  return width as 16 | 32 | 64;
}

function fitsSigned(value: bigint, bits: number): boolean {
  return value >= -(1n << BigInt(bits - 1)) && value < 1n << BigInt(bits - 1);
}

/** The displacement read as a signed number of the address size (what disp8 must sign-extend to). */
function signedDisplacement(value: bigint, addressSize: 16 | 32 | 64): bigint {
  return BigInt.asIntN(addressSize, value);
}

const SIXTEEN_BIT_RM: Readonly<Record<string, number>> = {
  'bx+si': 0,
  'bx+di': 1,
  'bp+si': 2,
  'bp+di': 3,
  si: 4,
  di: 5,
  bp: 6,
  bx: 7,
};

function chooseDisplacementSize(
  memory: MemoryArgument,
  value: bigint,
  needsDisplacement: boolean,
  fullSize: 2 | 4,
): 0 | 1 | 2 | 4 {
  if (memory.displacementSize === 8) {
    if (!fitsSigned(value, 8)) throw new EncodingError(`displacement ${value} does not fit in a byte`);
    return 1;
  }
  if (memory.displacementSize !== undefined && memory.displacementSize >= 16) return fullSize;
  if (memory.wideDisplacement) return fullSize;
  if (value === 0n && !needsDisplacement) return 0;
  return fitsSigned(value, 8) ? 1 : fullSize;
}

function encode16(memory: MemoryArgument): EncodedAddress {
  const names = [memory.base, memory.index].filter((name): name is RegisterName => name !== undefined);
  if (memory.scale !== 1 && memory.index !== undefined)
    throw new EncodingError('16-bit addresses cannot scale an index');
  const sorted = names.sort((a, b) => (a === 'bx' || a === 'bp' ? -1 : b === 'bx' || b === 'bp' ? 1 : 0));
  const value = signedDisplacement(memory.displacement, 16);
  if (sorted.length === 0) {
    return address16(0b110, 2, memory.displacement);
  }
  const rm = SIXTEEN_BIT_RM[sorted.join('+')];
  if (rm === undefined) {
    throw new EncodingError(`invalid 16-bit address [${sorted.join('+')}]: use bx or bp plus si or di`);
  }
  const size = chooseDisplacementSize(memory, value, rm === 0b110, 2);
  const mod = size === 0 ? 0 : size === 1 ? 1 : 2;
  return address16((mod << 6) | rm, size as 0 | 1 | 2, value);
}

function address16(modrm: number, size: 0 | 1 | 2, displacement: bigint): EncodedAddress {
  return {
    modrm,
    sib: -1,
    displacementSize: size,
    displacement,
    ripRelative: false,
    rexX: false,
    rexB: false,
    addressSize: 16,
    needsRex: false,
  };
}

/**
 * Encodes a memory operand's ModRM (reg field 0), SIB and displacement for the given mode.
 * Throws {@link EncodingError} for addresses the hardware cannot express.
 */
export function encodeMemory(memory: MemoryArgument, mode: 16 | 32 | 64): EncodedAddress {
  const addressSize = memoryAddressSize(memory, mode);
  if (addressSize === 16) return encode16(memory);
  const base = memory.base === undefined ? undefined : registers.get(memory.base)!;
  const index = memory.index === undefined ? undefined : registers.get(memory.index)!;
  if (base && index && base.width !== index.width) {
    throw new EncodingError(`base \`${base.name}\` and index \`${index.name}\` must have the same width`);
  }
  if (index && index.number === 4) throw new EncodingError(`\`${index.name}\` cannot be an index register`);
  const scaleBits = memory.scale === 1 ? 0 : memory.scale === 2 ? 1 : memory.scale === 4 ? 2 : 3;
  const needsRex = (base?.number ?? 0) >= 8 || (index?.number ?? 0) >= 8;
  const common = {
    rexX: (index?.number ?? 0) >= 8,
    rexB: (base?.number ?? 0) >= 8,
    addressSize,
    needsRex,
  };
  if (memory.ripRelative) {
    if (mode !== 64) throw new EncodingError('RIP-relative addressing exists only in 64-bit mode');
    return {
      modrm: 0b00_000_101,
      sib: -1,
      displacementSize: 4,
      displacement: memory.displacement,
      ripRelative: true,
      ...common,
    };
  }
  const value = signedDisplacement(memory.displacement, addressSize);
  if (!fitsSigned(value, 32)) {
    throw new EncodingError(`displacement ${memory.displacement} does not fit in 32 bits (sign-extended)`);
  }
  if (!base) {
    if (!index && mode !== 64) {
      // [disp32]: mod 00, rm 101 (SDM Table 2-2).
      return {
        modrm: 0b00_000_101,
        sib: -1,
        displacementSize: 4,
        displacement: value,
        ripRelative: false,
        ...common,
      };
    }
    // No base: SIB with base 101 and mod 00 means disp32 (index 100 = none), SDM Table 2-3 note 1.
    const indexBits = index ? index.number & 7 : 0b100;
    const sib = (scaleBits << 6) | (indexBits << 3) | 0b101;
    return {
      modrm: 0b00_000_100,
      sib,
      displacementSize: 4,
      displacement: value,
      ripRelative: false,
      ...common,
    };
  }
  const baseBits = base.number & 7;
  // rBP/R13 as a base with mod 00 would mean "no base" (disp32 or RIP): they need a displacement.
  const size = chooseDisplacementSize(memory, value, baseBits === 0b101, 4) as 0 | 1 | 4;
  const mod = size === 0 ? 0 : size === 1 ? 1 : 2;
  if (!index && baseBits !== 0b100) {
    return {
      modrm: (mod << 6) | baseBits,
      sib: -1,
      displacementSize: size,
      displacement: value,
      ripRelative: false,
      ...common,
    };
  }
  // rSP/R12 as a base needs a SIB byte (rm 100); index 100 in the SIB means "no index".
  const indexBits = index ? index.number & 7 : 0b100;
  const sib = (scaleBits << 6) | (indexBits << 3) | baseBits;
  return {
    modrm: (mod << 6) | 0b100,
    sib,
    displacementSize: size,
    displacement: value,
    ripRelative: false,
    ...common,
  };
}
