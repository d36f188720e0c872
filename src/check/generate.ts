/**
 * Random differential-test cases for `vial check`: for one instruction form, a concrete instruction
 * (random registers, a memory operand into a data block, edge-biased immediates) and a random starting
 * state (edge-biased register values, random status flags, random data bytes). Browser-safe.
 */
import { decodeInstruction } from '../decoder/decoder.js';
import type { Instruction } from '../decoder/instruction.js';
import { encodeInstruction } from '../encoder/encode.js';
import type { EncoderArgument } from '../encoder/request.js';
import type { OperandSpec } from '../isa/operands.js';
import { generalRegister, type RegisterName, registerInfo } from '../isa/registers.js';
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

/** Random registers (rSP excluded), random status flags with DF clear, and random data bytes. */
function randomState(rng: CheckRandom, mode: 32 | 64) {
  const registers = new Map<RegisterName, bigint>();
  for (let number = 0; number < (mode === 64 ? 16 : 8); number++) {
    if (number === STACK_REGISTER_NUMBER) continue;
    registers.set(generalRegister(number, mode, false), rng.value(mode));
  }
  const statusBits = [0, 2, 4, 6, 7, 11];
  let rflags = 0x202n;
  for (const bit of statusBits) if (rng.below(2)) rflags |= 1n << BigInt(bit);
  const data = new Uint8Array(DATA_SIZE);
  for (let i = 0; i < DATA_SIZE; i++) data[i] = rng.below(256);
  return { registers, rflags, data };
}

/** Encodes `mnemonic` with `prefixes` and operands; the bytes, or why not (also when another form results). */
function encodeForm(
  form: InstructionForm,
  mode: 32 | 64,
  prefixes: readonly string[],
  operands: readonly EncoderArgument[],
): { code: Uint8Array; instruction: Instruction } | GenerationFailure {
  let code: Uint8Array;
  try {
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
  let decoded = decodeInstruction(code, 0, mode);
  if (decoded.status === 'ok' && decoded.form.name !== form.name) {
    // Alias encodings no assembler emits (F6 /1 TEST, /6 SAL, the 82 group): patch the equivalent
    // canonical encoding's opcode byte and ModRM.reg into the alias, then decode again.
    const patched = patchToAlias(code, decoded.form, form);
    if (patched) {
      code = patched;
      decoded = decodeInstruction(code, 0, mode);
    }
  }
  if (decoded.status !== 'ok' || decoded.form.name !== form.name) {
    return { skipped: `encodes as ${decoded.status === 'ok' ? decoded.form.name : decoded.status}` };
  }
  return { code: code.slice(0, decoded.length), instruction: decoded };
}

/**
 * Rewrites the bytes of `from` (a form with the same map and operand list) into `to` by replacing
 * the opcode byte and the ModRM.reg field; null when the two forms differ in any other way.
 */
function patchToAlias(code: Uint8Array, from: InstructionForm, to: InstructionForm): Uint8Array | null {
  const sameShape =
    from.map === to.map &&
    from.space === 'legacy' &&
    to.space === 'legacy' &&
    from.map === 'legacy' &&
    from.modrm === 'opcodeExtension' &&
    to.modrm === 'opcodeExtension' &&
    from.operands.map((spec) => spec.name).join() === to.operands.map((spec) => spec.name).join();
  if (!sameShape) return null;
  // The opcode byte follows the legacy and REX prefixes; prefixes never equal a group opcode (80..FF
  // with ModRM), and the first match within the first five bytes is the opcode.
  const at = code.slice(0, 5).indexOf(from.opcode);
  if (at < 0 || at + 1 >= code.length) return null;
  const patched = code.slice();
  patched[at] = to.opcode;
  patched[at + 1] = (patched[at + 1] & 0b1100_0111) | ((to.modrmReg ?? 0) << 3);
  return patched;
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
  if (
    form.operands.some((spec) => spec.encoding === 'stringSource' || spec.encoding === 'stringDestination')
  ) {
    return generateStringCase(rng, form, mode);
  }
  const operands = operandsFor(rng, form, mode);
  if ('skipped' in operands) return operands;
  const [size, level] = operands;
  if (form.family.family === 'enter' && size?.kind === 'immediate' && level?.kind === 'immediate') {
    // Nesting levels whose frame-pointer copies stay in the data block (the level is taken mod 32),
    // and frame sizes that keep the final rSP in it: when ENTER's probe of the final rSP faults, the
    // CPU has already written the pushes (vial's instructions are atomic; see docs/vm.md).
    operands[0] = { ...size, value: BigInt(rng.below(0x21)) };
    operands[1] = { ...level, value: BigInt(rng.pick([0, 1, 2, 3, 32, 33, 35])) };
  }
  const onlyImmediates = form.operands.every((spec) => spec.encoding === 'immediate');
  const prefixes = form.operandSize === 16 && onlyImmediates ? ['o16'] : [];
  const encoded = encodeForm(form, mode, prefixes, operands);
  if ('skipped' in encoded) return encoded;
  const { code, instruction: decoded } = encoded;
  const { registers, rflags, data } = randomState(rng, mode);
  const memoryUsed = decoded.operands.some((operand) => operand.kind === 'memory');
  if (memoryUsed) registers.set(generalRegister(BASE_REGISTER_NUMBER, mode, false), DATA_ADDRESS);
  // Division: keep rDX small most of the time, so most cases divide instead of raising #DE.
  if ((form.family.family === 'div' || form.family.family === 'idiv') && rng.below(4) !== 0) {
    const dx = generalRegister(2, mode, false);
    registers.set(dx, rng.below(2) === 0 ? 0n : BigInt(rng.below(4)));
  }
  const prelude = adjustForFamily(rng, form, decoded, registers, data);
  return { form, mode, code: Uint8Array.of(...prelude, ...code), registers, rflags, data };
}

/** RFLAGS bits POPF must not set in a check case: TF (traps), NT, AC (alignment checks), ID. */
const POPF_UNSAFE_BITS = (1n << 8n) | (1n << 14n) | (1n << 18n) | (1n << 21n);

/**
 * Family-specific state (and instructions run before the one checked, returned as bytes) so a case
 * exercises what matters: POPF pops a random flags image pushed from rBX; ENTER and LEAVE get a
 * frame pointer in the data block (ENTER's nesting levels copy frame pointers from below it);
 * CMPXCHG16B's operand is mostly 16-byte aligned; CMPXCHG8B/16B find the accumulator pair equal to
 * memory half of the time.
 */
function adjustForFamily(
  rng: CheckRandom,
  form: InstructionForm,
  decoded: Instruction,
  registers: Map<RegisterName, bigint>,
  data: Uint8Array,
): number[] {
  const mode = decoded.mode === 64 ? 64 : 32;
  const register = (number: number) => generalRegister(number, mode, false);
  switch (form.family.family) {
    case 'popf': {
      registers.set(register(3), (registers.get(register(3)) ?? 0n) & ~POPF_UNSAFE_BITS);
      return decoded.operandSize === 16 ? [0x66, 0x53] : [0x53]; // push bx / push rbx (or ebx)
    }
    case 'enter':
    case 'leave':
      registers.set(register(5), DATA_ADDRESS + BigInt(8 * (3 + rng.below(5))));
      return [];
    case 'cmpxchg8b':
    case 'cmpxchg16b': {
      const operand = decoded.operands[0];
      if (operand?.kind !== 'memory') return [];
      let offset = Number(operand.displacement);
      if (form.family.family === 'cmpxchg16b' && rng.below(4) !== 0) {
        // Mostly 16-byte aligned (a misaligned operand raises #GP): move rBX down to the boundary.
        registers.set(register(BASE_REGISTER_NUMBER), DATA_ADDRESS - BigInt(offset % 16));
        offset -= offset % 16;
      }
      if (rng.below(2) === 0) return [];
      const half = form.family.family === 'cmpxchg8b' ? 4 : 8;
      const read = (start: number) => {
        let value = 0n;
        for (let i = half - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[start + i] ?? 0);
        return value;
      };
      const keepHigh = (number: number, low: bigint) =>
        half === 4 ? ((registers.get(register(number)) ?? 0n) & ~0xffff_ffffn) | low : low;
      registers.set(register(0), keepHigh(0, read(offset)));
      registers.set(register(2), keepHigh(2, read(offset + half)));
      return [];
    }
    case 'bound': {
      // BOUND r, m: a signed bounds pair in memory and an index below, inside or above it (a third
      // each), so both the #BR and the no-fault path are exercised (random bounds are mostly empty).
      const [index, bounds] = decoded.operands;
      if (index?.kind !== 'register' || bounds?.kind !== 'memory' || bounds.index !== null) return [];
      const info = registerInfo(index.register);
      const offset = Number(bounds.displacement);
      if (!info || bounds.base === null || offset < 0 || offset + info.width / 4 > data.length) return [];
      const bytes = info.width / 8;
      const lower = rng.below(2000) - 1000;
      const upper = lower + rng.below(1000);
      const writeSigned = (at: number, value: number) => {
        for (let i = 0; i < bytes; i++)
          data[at + i] = Number((BigInt.asUintN(info.width, BigInt(value)) >> BigInt(8 * i)) & 0xffn);
      };
      writeSigned(offset, lower);
      writeSigned(offset + bytes, upper);
      const value = [
        lower - 1 - rng.below(100),
        lower + rng.below(upper - lower + 1),
        upper + 1 + rng.below(100),
      ][rng.below(3)];
      const container = generalRegister(info.number, mode, false);
      const keep = (registers.get(container) ?? 0n) & ~((1n << BigInt(info.width)) - 1n);
      registers.set(container, keep | BigInt.asUintN(info.width, BigInt(value)));
      return [];
    }
    case 'bt':
    case 'bts':
    case 'btr':
    case 'btc': {
      // BT* m, r addresses memory at a signed *register* bit offset: a random one lands anywhere in
      // the address space, where the oracle process has memory of its own (its code near 0x400000,
      // and in a 32-bit process much of the 4 GiB), which the CPU reads without a fault while the VM
      // faults. Keep it within 128 bytes of the data block (large offsets: test/machine).
      const [destination, offset] = decoded.operands;
      if (destination?.kind !== 'memory' || offset?.kind !== 'register') return [];
      const info = registerInfo(offset.register);
      if (!info) return [];
      const bitOffset = BigInt(rng.below(2048) - 1024);
      const container = generalRegister(info.number, mode, false);
      registers.set(container, BigInt.asUintN(info.width, bitOffset));
      return [];
    }
    default:
      return [];
  }
}

/** Segment-override prefixes that 64-bit mode ignores (FS/GS need a base the oracle cannot set). */
const IGNORED_SEGMENT_PREFIXES = [0x26, 0x2e, 0x36, 0x3e];

/**
 * A string instruction (MOVS … CMPS): no prefix, REP or REPNE; sometimes a 67 prefix (ESI/EDI/ECX in
 * 64-bit mode, with garbage in the registers' upper halves to catch missing zero-extension) or an
 * ignored segment override; DF random; rCX 0..6 for repeated forms; rSI and rDI placed so every
 * element the instruction can touch lies in the data block, whichever direction DF gives.
 * For repeated CMPS/SCAS, half the cases make the compared elements equal (with one byte changed
 * half of those times) so REPE runs on and REPNE stops on a match.
 */
function generateStringCase(
  rng: CheckRandom,
  form: InstructionForm,
  mode: 32 | 64,
): CheckCase | GenerationFailure {
  const prefixes: string[] = [];
  const repeat = rng.pick([null, 'rep', 'repne'] as const);
  if (repeat) prefixes.push(repeat);
  const narrowAddresses = mode === 64 && rng.below(4) === 0;
  if (narrowAddresses) prefixes.push('a32');
  const encoded = encodeForm(form, mode, prefixes, []);
  if ('skipped' in encoded) return encoded;
  let code = encoded.code;
  if (rng.below(4) === 0) code = Uint8Array.of(rng.pick(IGNORED_SEGMENT_PREFIXES), ...code);
  const { registers, rflags: randomFlags, data } = randomState(rng, mode);
  const directionDown = rng.below(2) === 1;
  const rflags = directionDown ? randomFlags | (1n << 10n) : randomFlags;
  const elementBytes = (form.operands.find((spec) => spec.encoding.startsWith('string'))?.size ?? 8) / 8;
  const count = repeat ? rng.below(7) : 1;
  const elements = Math.max(count, 1);
  // DF = 0 touches p .. p + n·e - 1; DF = 1 touches p - (n-1)·e .. p + e - 1.
  const place = () => {
    const span = DATA_SIZE - elements * elementBytes;
    return directionDown ? (elements - 1) * elementBytes + rng.below(span + 1) : rng.below(span + 1);
  };
  const source = place();
  const destination = place();
  const garbage = () => (narrowAddresses ? BigInt(rng.next() | 1) << 32n : 0n);
  const set = (number: number, value: bigint) => registers.set(generalRegister(number, mode, false), value);
  set(6, garbage() | (DATA_ADDRESS + BigInt(source)));
  set(7, garbage() | (DATA_ADDRESS + BigInt(destination)));
  if (repeat) set(1, garbage() | BigInt(count));
  const family = form.family.family;
  if (repeat && (family === 'cmps' || family === 'scas') && rng.below(2) === 0) {
    const accumulator = registers.get(generalRegister(0, mode, false)) ?? 0n;
    for (let element = 0; element < elements; element++) {
      const offset = directionDown ? -element * elementBytes : element * elementBytes;
      for (let byte = 0; byte < elementBytes; byte++) {
        const value =
          family === 'cmps'
            ? data[source + offset + byte]
            : Number((accumulator >> BigInt(8 * byte)) & 0xffn);
        data[destination + offset + byte] = value;
      }
    }
    if (rng.below(2) === 0) {
      const element = rng.below(elements);
      const offset = (directionDown ? -element : element) * elementBytes + rng.below(elementBytes);
      data[destination + offset] ^= 1 << rng.below(8);
    }
  }
  return { form, mode, code, registers, rflags, data };
}
