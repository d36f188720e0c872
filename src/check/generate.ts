/**
 * Random differential-test cases for `vial check`: for one instruction form, a concrete instruction
 * (random registers, a memory operand into a data block, edge-biased immediates) and a random starting
 * state (edge-biased register values, random status flags, random data bytes). Browser-safe.
 */
import { decodeInstruction } from '../decoder/decoder.js';
import { encodeInstruction } from '../encoder/encode.js';
import type { EncoderArgument } from '../encoder/request.js';
import type { OperandSpec } from '../isa/operands.js';
import { generalRegister, type RegisterName } from '../isa/registers.js';
import type { InstructionForm } from '../isa/spec.js';

/** A deterministic generator (sfc32), so a seed reproduces a whole run. */
export class CheckRandom {
  private a = 0x9e3779b9;
  private b = 0x243f6a88;
  private c = 0xb7e15162;
  private d: number;
  constructor(seed: number) {
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.next();
  }
  /** A random unsigned 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) + t;
    return t >>> 0;
  }
  below(n: number): number {
    return Math.floor((this.next() / 2 ** 32) * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
  /** A `width`-bit value biased towards 0, 1, -1, sign boundaries, small numbers and shift counts. */
  value(width: number): bigint {
    const all = (1n << BigInt(width)) - 1n;
    const sign = 1n << BigInt(width - 1);
    const random = () => BigInt.asUintN(width, (BigInt(this.next()) << 32n) | BigInt(this.next()));
    switch (this.below(10)) {
      case 0:
        return this.pick([0n, 1n, all, sign, sign - 1n, all - 1n, 2n]) & all;
      case 1:
        return BigInt(this.pick([0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65])) & all;
      case 2:
        return BigInt(this.below(256)) & all;
      default:
        return random();
    }
  }
}

/** Where the generated memory operand points: a data block the case maps. */
export const DATA_ADDRESS = 0x20000n;
export const DATA_SIZE = 64;
/** Where the code goes (matches the oracle's default). */
export const CODE_ADDRESS = 0x10000n;

/** One generated case. */
export interface CheckCase {
  readonly form: InstructionForm;
  readonly mode: 32 | 64;
  readonly code: Uint8Array;
  /** Every general register the mode has, all defined. */
  readonly registers: Map<RegisterName, bigint>;
  /** Status flags and DF (RFLAGS bits; IF and bit 1 set). */
  readonly rflags: bigint;
  readonly data: Uint8Array;
}

/** Why a form cannot be generated. */
export type GenerationFailure = { readonly skipped: string };

const BASE_REGISTER_NUMBER = 3; // rBX holds the data address
const STACK_REGISTER_NUMBER = 4; // rSP is never an operand (the runner's and VM's stacks differ)

function registerOperand(
  rng: CheckRandom,
  spec: OperandSpec,
  mode: 32 | 64,
  avoid: Set<number>,
): EncoderArgument {
  const size = spec.size as 8 | 16 | 32 | 64;
  const count = mode === 64 ? 16 : 8;
  for (;;) {
    const number = rng.below(count);
    if (number === STACK_REGISTER_NUMBER || avoid.has(number)) continue;
    // Without REX, byte registers 4..7 are AH..BH: fine in both modes, and what legacy encodings use.
    const useRex = mode === 64 && size === 8 && rng.below(2) === 0;
    const name = generalRegister(number, size, useRex);
    if (name === 'ah' || name === 'bh' || name === 'ch' || name === 'dh') {
      if (avoid.has(number - 4)) continue;
    }
    return { kind: 'register', name };
  }
}

/**
 * Builds the operands a form asks for, or a reason to skip it. Memory operands are
 * `[rBX + disp8]` inside the data block, so loads and stores stay in mapped memory.
 */
function operandsFor(
  rng: CheckRandom,
  form: InstructionForm,
  mode: 32 | 64,
): EncoderArgument[] | GenerationFailure {
  const avoid = new Set<number>();
  const operands: EncoderArgument[] = [];
  const useMemory = form.operands.some((spec) => spec.encoding === 'modrmRmMemory') || rng.below(3) === 0;
  if (useMemory) avoid.add(BASE_REGISTER_NUMBER);
  for (const spec of form.operands) {
    switch (spec.encoding) {
      case 'modrmRm':
      case 'modrmRmRegister':
      case 'modrmRmMemory':
        if (spec.encoding === 'modrmRmMemory' || (useMemory && spec.encoding === 'modrmRm')) {
          const size = spec.size === 0 ? undefined : spec.size;
          const displacement = BigInt(rng.below(DATA_SIZE / 2));
          operands.push({
            kind: 'memory',
            size,
            segment: undefined,
            base: generalRegister(BASE_REGISTER_NUMBER, mode, false),
            index: undefined,
            scale: 1,
            displacement,
            wideDisplacement: false,
            displacementSize: undefined,
            ripRelative: false,
            literalDisplacement: false,
            absolute: false,
          });
        } else {
          operands.push(registerOperand(rng, spec, mode, avoid));
        }
        break;
      case 'modrmReg':
        if (spec.segmentRegister) return { skipped: 'segment registers are not compared' };
        operands.push(registerOperand(rng, spec, mode, avoid));
        break;
      case 'opcodeRegister':
      case 'vexRegister':
        operands.push(registerOperand(rng, spec, mode, avoid));
        break;
      case 'immediate': {
        const bits = spec.encodedSize ?? 8;
        const raw = rng.value(bits);
        const value = spec.signExtended ? BigInt.asIntN(bits, raw) : raw;
        operands.push({
          kind: 'immediate',
          value,
          size: undefined,
          strict: false,
          wide: false,
          provisional: false,
          distance: undefined,
        });
        break;
      }
      case 'implicitRegister':
        if (!spec.register || ['es', 'cs', 'ss', 'ds', 'fs', 'gs'].includes(spec.register)) {
          return { skipped: 'segment registers are not compared' };
        }
        operands.push({ kind: 'register', name: spec.register });
        break;
      case 'constantOne':
        operands.push({
          kind: 'immediate',
          value: 1n,
          size: undefined,
          strict: false,
          wide: false,
          provisional: false,
          distance: undefined,
        });
        break;
      default:
        return { skipped: `operand kind ${spec.encoding} is not generated` };
    }
  }
  return operands;
}

/**
 * Generates one case for `form`. Returns a failure when the form is out of the generator's reach, or
 * when the encoder picks a different (equivalent) form for the random operands — the caller retries.
 */
export function generateCase(
  rng: CheckRandom,
  form: InstructionForm,
  mode: 32 | 64,
): CheckCase | GenerationFailure {
  const operands = operandsFor(rng, form, mode);
  if ('skipped' in operands) return operands;
  let code: Uint8Array;
  try {
    const prefixes = form.operandSize === 16 && form.operands.length === 0 ? ['o16'] : [];
    code = encodeInstruction({
      mnemonic: form.mnemonic,
      prefixes,
      operands,
      mode,
      address: CODE_ADDRESS,
      style: 'nasm',
      longBranch: false,
    }).bytes;
  } catch (error) {
    return { skipped: `the encoder refused it: ${(error as Error).message}` };
  }
  const decoded = decodeInstruction(code, 0, mode);
  if (decoded.status !== 'ok' || decoded.form.name !== form.name) {
    return { skipped: `encodes as ${decoded.status === 'ok' ? decoded.form.name : decoded.status}` };
  }
  const registers = new Map<RegisterName, bigint>();
  for (let number = 0; number < (mode === 64 ? 16 : 8); number++) {
    if (number === STACK_REGISTER_NUMBER) continue;
    registers.set(generalRegister(number, mode, false), rng.value(mode));
  }
  const memoryUsed = decoded.operands.some((operand) => operand.kind === 'memory');
  if (memoryUsed) registers.set(generalRegister(BASE_REGISTER_NUMBER, mode, false), DATA_ADDRESS);
  // Division: keep rDX small most of the time, so most cases divide instead of raising #DE.
  if ((form.family.family === 'div' || form.family.family === 'idiv') && rng.below(4) !== 0) {
    const dx = generalRegister(2, mode, false);
    registers.set(dx, rng.below(2) === 0 ? 0n : BigInt(rng.below(4)));
  }
  const statusBits = [0, 2, 4, 6, 7, 11];
  let rflags = 0x202n;
  for (const bit of statusBits) if (rng.below(2)) rflags |= 1n << BigInt(bit);
  const data = new Uint8Array(DATA_SIZE);
  for (let i = 0; i < DATA_SIZE; i++) data[i] = rng.below(256);
  return { form, mode, code: code.slice(0, decoded.length), registers, rflags, data };
}
