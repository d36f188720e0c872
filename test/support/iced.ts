/**
 * iced-x86 as a decoding oracle (a devDependency; never imported by src/). Both decoders' results are
 * normalised to one canonical text — `mnemonic op,op` with registers by name, memory as
 * `mSIZE:SEG:[base+index*scale+disp]`, immediates as `iSIZE:0xHEX`, branch targets as `@0xHEX` — so
 * that formatting conventions never hide or fake a difference. Every iced object is freed.
 */
import { Code, Decoder, DecoderOptions, MemorySize, Mnemonic, OpKind, Register } from 'iced-x86';
import type { DecodeResult, Instruction } from '../../src/decoder/index.js';
import { decodeInstruction } from '../../src/decoder/index.js';
import type { Operand } from '../../src/isa/index.js';
import { formsByMnemonic } from '../../src/isa/index.js';

/** What a decoder said about a byte string, normalised. */
export interface Verdict {
  readonly category: 'ok' | 'invalid' | 'unsupported' | 'truncated';
  readonly length: number;
  /** Canonical text for `ok`, iced's code name / our message otherwise. */
  readonly text: string;
  /** iced's Code name (iced verdicts only). */
  readonly code?: string;
}

function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

function icedRegisterName(register: Register): string {
  const name = Register[register].toLowerCase();
  return /^r\d+l$/.test(name) ? `${name.slice(0, -1)}b` : name;
}

function icedMemorySize(size: MemorySize): number {
  const name = MemorySize[size];
  if (name === 'Bound16_WordWord') return 32;
  if (name === 'Bound32_DwordDword') return 64;
  if (name === 'WordOffset') return 16;
  if (name === 'DwordOffset') return 32;
  if (name === 'QwordOffset') return 64;
  const digits = /(\d+)$/.exec(name);
  return digits ? Number(digits[1]) : 0;
}

const immediateSizes: Partial<Record<string, number>> = {
  Immediate8: 8,
  Immediate8_2nd: 8,
  Immediate16: 16,
  Immediate32: 32,
  Immediate64: 64,
  Immediate8to16: 16,
  Immediate8to32: 32,
  Immediate8to64: 64,
  Immediate32to64: 64,
};

/** Canonical memory text shared by both sides. */
function memoryText(
  size: number,
  segment: string,
  base: string | null,
  index: string | null,
  scale: number,
  displacement: bigint,
): string {
  const parts = [base, index ? `${index}*${scale}` : null, hex(displacement)].filter(Boolean);
  return `m${size}:${segment}:[${parts.join('+')}]`;
}

function icedOperandText(
  instruction: import('iced-x86').Instruction,
  operand: number,
  addressSize: number,
): string {
  const kind = OpKind[instruction.opKind(operand)];
  if (kind === 'Register') return icedRegisterName(instruction.opRegister(operand));
  const immediateSize = immediateSizes[kind];
  if (immediateSize !== undefined) {
    return `i${immediateSize}:${hex(BigInt.asUintN(immediateSize, instruction.immediate(operand)))}`;
  }
  if (kind.startsWith('NearBranch')) return `@${hex(instruction.nearBranchTarget)}`;
  const segment = icedRegisterName(instruction.memorySegment);
  const size = icedMemorySize(instruction.memorySize);
  const stringBase: Record<string, string> = {
    MemorySegSI: 'si',
    MemorySegESI: 'esi',
    MemorySegRSI: 'rsi',
    MemorySegDI: 'di',
    MemorySegEDI: 'edi',
    MemorySegRDI: 'rdi',
    MemoryESDI: 'di',
    MemoryESEDI: 'edi',
    MemoryESRDI: 'rdi',
  };
  if (kind in stringBase) {
    return memoryText(size, kind.startsWith('MemoryES') ? 'es' : segment, stringBase[kind], null, 1, 0n);
  }
  if (kind === 'Memory') {
    const base = instruction.memoryBase === Register.None ? null : icedRegisterName(instruction.memoryBase);
    const index =
      instruction.memoryIndex === Register.None ? null : icedRegisterName(instruction.memoryIndex);
    const displacement = BigInt.asUintN(addressSize, instruction.memoryDisplacementU64);
    return memoryText(size, segment, base, index, instruction.memoryIndexScale, displacement);
  }
  return `?${kind}`;
}

function ourOperandText(instruction: Instruction, operand: Operand): string {
  switch (operand.kind) {
    case 'register':
      return operand.register;
    case 'immediate':
      return `i${operand.size}:${hex(BigInt.asUintN(operand.size, BigInt(operand.value)))}`;
    case 'constant':
      return 'i8:0x1';
    case 'relative':
      return `@${hex(BigInt.asUintN(instruction.operandSize, BigInt(instruction.length + operand.displacement)))}`;
    case 'memory': {
      let displacement = BigInt.asUintN(operand.addressSize, BigInt(operand.displacement));
      if (operand.ripRelative)
        displacement = BigInt.asUintN(operand.addressSize, displacement + BigInt(instruction.length));
      return memoryText(
        operand.size,
        operand.segment,
        operand.base,
        operand.index,
        operand.scale,
        displacement,
      );
    }
  }
}

/** Canonical text of one of our decoded instructions. */
export function ourText(instruction: Instruction): string {
  const operands = instruction.operands.map((operand) => ourOperandText(instruction, operand));
  return `${instruction.mnemonic} ${operands.join(',')}`.trim();
}

/** Prefix facts both decoders report: LOCK, REP/REPNE, the segment-override prefix. */
function prefixText(lock: boolean, repeat: string | null, segment: string | null): string {
  return `${lock ? 'lock ' : ''}${repeat ? `${repeat} ` : ''}${segment ? `${segment}: ` : ''}`;
}

/** Our decoder's verdict. */
export function ourVerdict(result: DecodeResult): Verdict {
  if (result.status === 'ok') {
    const prefixes = prefixText(result.lock, result.repeatPrefix, result.segmentPrefix);
    return { category: 'ok', length: result.length, text: `${prefixes}${ourText(result)}` };
  }
  return { category: result.status, length: result.length, text: result.message };
}

const ourMnemonics = new Set(formsByMnemonic().keys());

/** iced Codes whose mnemonic we know but whose form is outside our scope (far transfers, hint NOPs). */
const outOfScopeCodePattern =
  /^(Call_m16|Call_m32|Call_m64|Jmp_m16|Jmp_m32|Jmp_m64|Call_ptr|Jmp_ptr|Reservednop|Nop_rm|Mov_r32_cr|Mov_r64_cr|Mov_cr|Mov_r32_dr|Mov_r64_dr|Mov_dr|Mov_r32_tr|Mov_tr)/;

/** True when iced decoded something outside vial's scope (so we must say "unsupported"). */
export function icedOutOfScope(code: string, mnemonic: string): boolean {
  if (
    /xmm|ymm|zmm|_mm|VEX_|EVEX_|XOP_|D3NOW_/.test(code) &&
    !/^VEX_(Andn|Bextr|Blsi|Blsmsk|Blsr|Bzhi|Mulx|Pdep|Pext|Rorx|Sarx|Shlx|Shrx)_/.test(code)
  ) {
    return true;
  }
  return (
    !ourMnemonics.has(mnemonic) || (outOfScopeCodePattern.test(code) && !/^Nop_rm(16|32|64)$/.test(code))
  );
}

/**
 * iced over a batch of test cases laid end to end in one buffer, `stride` bytes apart: one iced
 * Decoder serves the whole batch (creating one per case would dominate the run time).
 */
export class IcedBatch {
  private readonly decoder: Decoder;

  constructor(
    readonly mode: 16 | 32 | 64,
    readonly data: Uint8Array,
    readonly stride: number,
  ) {
    this.decoder = new Decoder(mode, data, DecoderOptions.None);
  }

  /** The bytes of case `index`. */
  bytes(index: number): Uint8Array {
    return this.data.subarray(index * this.stride, (index + 1) * this.stride);
  }

  /** iced's verdict on case `index`; addresses are normalised to `ourAddressSize` bits. */
  verdict(index: number, ourAddressSize: number): Verdict {
    const decoder = this.decoder;
    decoder.position = index * this.stride;
    decoder.ip = 0n;
    const instruction = decoder.decode();
    try {
      const code = Code[instruction.code];
      if (instruction.isInvalid) {
        const truncated = decoder.lastError === 2;
        return {
          category: truncated ? 'truncated' : 'invalid',
          length: instruction.length,
          text: code,
          code,
        };
      }
      const mnemonic = Mnemonic[instruction.mnemonic].toLowerCase();
      if (icedOutOfScope(code, mnemonic)) {
        return { category: 'unsupported', length: instruction.length, text: code, code };
      }
      const operands: string[] = [];
      for (let operand = 0; operand < instruction.opCount; operand++) {
        operands.push(icedOperandText(instruction, operand, ourAddressSize));
      }
      // Known, documented difference (docs/deviations.md): iced widens ARPL's registers to 32 bits under
      // a 32-bit operand size; the SDM and objdump keep r/m16, r16.
      if (code === 'Arpl_r32m16_r32') {
        for (let i = 0; i < operands.length; i++)
          operands[i] = operands[i].replace(/^e([a-d]x|[sd]i|[sb]p)$/, '$1');
      }
      const repeat = instruction.hasRepePrefix ? 'rep' : instruction.hasRepnePrefix ? 'repne' : null;
      const segment =
        instruction.segmentPrefix === Register.None ? null : icedRegisterName(instruction.segmentPrefix);
      const prefixes = prefixText(instruction.hasLockPrefix, repeat, segment);
      const text = `${prefixes}${`${mnemonic} ${code === 'Xlat_m8' ? '' : operands.join(',')}`.trim()}`;
      return { category: 'ok', length: instruction.length, text, code };
    } finally {
      instruction.free();
    }
  }

  /** Compares both decoders on case `index`; returns a description of the disagreement, or null. */
  compare(index: number, tally?: Map<string, number>): string | null {
    const bytes = this.bytes(index);
    const ours = decodeInstruction(bytes, 0, this.mode);
    const theirs = this.verdict(index, ours.status === 'ok' ? ours.addressSize : this.mode);
    const mine = ourVerdict(ours);
    tally?.set(theirs.category, (tally.get(theirs.category) ?? 0) + 1);
    const describe = (verdict: Verdict) => `${verdict.category} len=${verdict.length} ${verdict.text}`;
    const hexBytes = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
    const report = () =>
      `mode ${this.mode} ${hexBytes}\n  iced: ${describe(theirs)}\n  vial: ${describe(mine)}`;
    if (theirs.category === 'ok') {
      if (mine.category !== 'ok' || mine.length !== theirs.length || mine.text !== theirs.text)
        return report();
      return null;
    }
    if (theirs.category === 'unsupported') {
      if (mine.category !== 'unsupported') return report();
      if (ours.status === 'unsupported' && ours.lengthKnown && ours.length !== theirs.length) {
        tally?.set(
          'unsupported with a wrong length',
          (tally.get('unsupported with a wrong length') ?? 0) + 1,
        );
      }
      // Mnemonic hints of unsupported SSE instructions are for messages only; count the wrong ones.
      if (ours.status === 'unsupported' && ours.message.includes('(sse: ') && ours.mnemonic) {
        const icedMnemonic = theirs.code?.split('_')[0].toLowerCase();
        const key = icedMnemonic === ours.mnemonic ? 'sse hint right' : 'sse hint wrong';
        tally?.set(key, (tally.get(key) ?? 0) + 1);
      }
      return null;
    }
    if (mine.category === 'unsupported') {
      tally?.set(
        'iced-invalid we call unsupported',
        (tally.get('iced-invalid we call unsupported') ?? 0) + 1,
      );
    }
    // iced says invalid: we may say "unsupported" only outside our scope (we do not model the validity
    // of out-of-scope encodings), and must never decode it. Truncation cannot happen with 16-byte cases.
    if (mine.category === 'ok') return report();
    return null;
  }

  free(): void {
    this.decoder.free();
  }
}
