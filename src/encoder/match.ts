/**
 * Does an operand fit an operand of a form? The rules are those of the SDM operand columns
 * (Vol. 2A §3.1.1.3): `r/m32` takes a 32-bit general register or a 32-bit memory operand, `imm8`
 * a value that fits 8 bits, `imm8` sign-extended (the 83 group) a value whose operand-size
 * representation sign-extends from 8 bits, and so on.
 */
import type { OperandSpec } from '../isa/operands.js';
import { type RegisterName, registers } from '../isa/registers.js';
import type { EncoderArgument, EncodingStyle, ImmediateArgument, MemoryArgument } from './request.js';

/** What matching needs to know besides the operand and the spec. */
export interface MatchContext {
  readonly mode: 16 | 32 | 64;
  readonly style: EncodingStyle;
  /** Size for memory operands written without one, from a size keyword on an immediate (NASM `mov [rax], dword 5`). */
  readonly memorySizeHint: number | undefined;
  /** GNU `movabs`: moffs and imm64 forms only. */
  readonly movabs: boolean;
  /** Relax the checks that produce the clearer error messages (sizes, immediate ranges). */
  readonly ignoreSizes: boolean;
  readonly ignoreImmediateRange: boolean;
}

function isGeneralRegister(name: RegisterName, width: number, ignoreSizes: boolean): boolean {
  const info = registers.get(name);
  if (!info) return false;
  const general =
    info.class === 'gpr8' ||
    info.class === 'gpr8high' ||
    info.class === 'gpr16' ||
    info.class === 'gpr32' ||
    info.class === 'gpr64';
  return general && (ignoreSizes || info.width === width);
}

function memorySizeFits(memory: MemoryArgument, size: number, context: MatchContext): boolean {
  if (context.ignoreSizes) return true;
  const written = memory.size ?? context.memorySizeHint;
  return written === undefined || written === size;
}

function fitsEitherSign(value: bigint, bits: number): boolean {
  const limit = 1n << BigInt(bits);
  return value >= -(limit >> 1n) && value < limit;
}

function fitsSigned(value: bigint, bits: number): boolean {
  const half = 1n << BigInt(bits - 1);
  return value >= -half && value < half;
}

/** True when `immediate` can be encoded as the immediate `spec`. */
export function immediateFits(
  spec: OperandSpec,
  immediate: ImmediateArgument,
  context: MatchContext,
): boolean {
  const encoded = spec.encodedSize ?? 8;
  const size = spec.size || encoded;
  if (immediate.strict && immediate.size !== undefined && immediate.size !== encoded) return false;
  if (context.movabs && encoded !== 64) return false;
  if (immediate.wide && spec.signExtended && encoded === 8) return false;
  if (context.ignoreImmediateRange || immediate.provisional) return true;
  if (!spec.signExtended) return fitsEitherSign(immediate.value, encoded);
  if (!fitsEitherSign(immediate.value, size)) return false;
  return fitsSigned(BigInt.asIntN(size, immediate.value), encoded);
}

function isStringOperand(memory: MemoryArgument, registerStem: 'si' | 'di'): boolean {
  if (memory.index !== undefined || memory.displacement !== 0n || memory.base === undefined) return false;
  return (
    memory.base === registerStem || memory.base === `e${registerStem}` || memory.base === `r${registerStem}`
  );
}

/** True when `operand` can be the form operand `spec`. */
export function operandMatches(spec: OperandSpec, operand: EncoderArgument, context: MatchContext): boolean {
  switch (spec.encoding) {
    case 'modrmRm':
      if (operand.kind === 'register') return isGeneralRegister(operand.name, spec.size, context.ignoreSizes);
      return (
        operand.kind === 'memory' &&
        modrmAddressable(operand, context) &&
        memorySizeFits(operand, spec.size, context)
      );
    case 'modrmRmRegister':
    case 'opcodeRegister':
    case 'vexRegister':
      return operand.kind === 'register' && isGeneralRegister(operand.name, spec.size, context.ignoreSizes);
    case 'modrmRmMemory':
      return (
        operand.kind === 'memory' &&
        modrmAddressable(operand, context) &&
        (spec.size === 0 || memorySizeFits(operand, spec.size, context))
      );
    case 'modrmReg':
      if (operand.kind !== 'register') return false;
      if (spec.segmentRegister) return registers.get(operand.name)?.class === 'segment';
      return isGeneralRegister(operand.name, spec.size, context.ignoreSizes);
    case 'implicitRegister':
      return operand.kind === 'register' && operand.name === spec.register;
    case 'constantOne':
      return (
        operand.kind === 'immediate' &&
        operand.value === 1n &&
        !operand.wide &&
        !operand.provisional &&
        !context.movabs
      );
    case 'immediate':
      return operand.kind === 'immediate' && immediateFits(spec, operand, context);
    case 'relative':
      if (operand.kind !== 'immediate') return false;
      if (operand.distance === 'short') return spec.encodedSize === 8;
      if (operand.distance === 'near') return spec.encodedSize !== 8;
      return true;
    case 'memoryOffset':
      return (
        operand.kind === 'memory' &&
        operand.absolute &&
        !operand.ripRelative &&
        moffsAllowed(operand, context) &&
        memorySizeFits(operand, spec.size, context)
      );
    case 'stringSource':
      return (
        operand.kind === 'memory' &&
        isStringOperand(operand, 'si') &&
        memorySizeFits(operand, spec.size, context)
      );
    case 'stringDestination':
      return (
        operand.kind === 'memory' &&
        isStringOperand(operand, 'di') &&
        memorySizeFits(operand, spec.size, context)
      );
  }
}

/** ModRM cannot hold a 64-bit displacement (`[qword addr]`), and `movabs` asks for moffs. */
function modrmAddressable(memory: MemoryArgument, context: MatchContext): boolean {
  return !context.movabs && memory.displacementSize !== 64;
}

/**
 * Whether an absolute address may use the moffs forms (A0–A3). In 64-bit mode their offset is 8 bytes,
 * so NASM uses them only for `[qword addr]` and GNU as only for `movabs`; in 16/32-bit code both use
 * them whenever they are shorter (always, for the accumulator).
 */
function moffsAllowed(memory: MemoryArgument, context: MatchContext): boolean {
  if (context.movabs) return true;
  if (context.mode !== 64) return memory.displacementSize !== 8;
  return context.style === 'nasm' && memory.displacementSize === 64;
}
