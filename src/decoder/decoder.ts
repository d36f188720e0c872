/**
 * The x86 instruction decoder: bytes → {@link Instruction}, driven entirely by the tables derived from
 * the spec (`tables.ts`). Instruction format: SDM Vol. 2A Chapter 2 (legacy prefixes §2.1.1, REX §2.2.1,
 * VEX §2.3, ModRM/SIB §2.1.5). The decoder allocates one Instruction, one operand array and the memory /
 * immediate operands; register operands are shared immutable objects (`operands.ts`).
 */
import { type OutOfScopeOpcode, outOfScopeOpcodes, sseMnemonic } from '../isa/outOfScope.js';
import type { SegmentRegister } from '../isa/registers.js';
import type { Mode } from '../isa/spec.js';
import type {
  DecodeFailure,
  DecodeFailureStatus,
  DecodeResult,
  Instruction,
  VexPrefix,
} from './instruction.js';
import { codeSegmentOperand, decodeOperands, readAddressing, state } from './operands.js';
import {
  bucketAt,
  type DecodeCandidate,
  mandatoryPrefixCode,
  mapIndex,
  modeIndex,
  operandSizeRuleCode,
} from './tables.js';

/** The longest legal instruction (SDM Vol. 2A §2.1: "15 bytes"). */
export const maximumInstructionLength = 15;

/** Prefix bytes by kind (SDM Vol. 2A §2.1.1), for a one-lookup prefix loop. */
const prefixKind = new Uint8Array(256);
const operandSizePrefixKind = 1;
const addressSizePrefixKind = 2;
const lockPrefixKind = 3;
const repeatPrefixKind = 4;
const segmentPrefixKind = 5;
const rexPrefixKind = 6;
prefixKind[0x66] = operandSizePrefixKind;
prefixKind[0x67] = addressSizePrefixKind;
prefixKind[0xf0] = lockPrefixKind;
prefixKind[0xf2] = repeatPrefixKind;
prefixKind[0xf3] = repeatPrefixKind;
for (const byte of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]) prefixKind[byte] = segmentPrefixKind;
for (let byte = 0x40; byte <= 0x4f; byte++) prefixKind[byte] = rexPrefixKind;
const segmentByPrefix = new Map<number, SegmentRegister>([
  [0x26, 'es'],
  [0x2e, 'cs'],
  [0x36, 'ss'],
  [0x3e, 'ds'],
  [0x64, 'fs'],
  [0x65, 'gs'],
]);

/** Out-of-scope entries by `mapIndex * 256 + opcode`. */
const outOfScopeBySlot: (OutOfScopeOpcode[] | undefined)[] = new Array(4 * 256).fill(undefined);
for (const entry of outOfScopeOpcodes) {
  for (let opcode = entry.first; opcode <= entry.last; opcode++) {
    const key = mapIndex[entry.map] * 256 + opcode;
    const entries = outOfScopeBySlot[key];
    if (entries) entries.push(entry);
    else outOfScopeBySlot[key] = [entry];
  }
}
/** Two-byte opcodes that are undefined on every processor (SDM Vol. 2D Table A-3, blank cells). */
const undefinedTwoByteOpcodes = new Set([0x04, 0x0a, 0x0c, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39]);
for (let opcode = 0x3b; opcode <= 0x3f; opcode++) undefinedTwoByteOpcodes.add(opcode);
undefinedTwoByteOpcodes.add(0x7a).add(0x7b);

function failure(
  status: DecodeFailureStatus,
  length: number,
  message: string,
  mnemonic: string | null = null,
  lengthKnown = false,
): DecodeFailure {
  return { status, length: Math.max(1, length), lengthKnown, mnemonic, message, mode: state.mode };
}

/** Effective operand size under each rule, indexed by {@link operandSizeRuleCode}. */
const sizeByRule = new Uint8Array(4);

/** The effective operand size under a rule (SDM Vol. 1 §3.6.1 Table 3-4, Vol. 2A §2.2.1.7). */
function effectiveOperandSize(rule: number, has66: boolean, wide: boolean): 16 | 32 | 64 {
  const mode = state.mode;
  if (mode === 64) {
    if (rule === operandSizeRuleCode.wOnly) return wide ? 64 : 32;
    if (rule === operandSizeRuleCode.force64 || wide) return 64;
    if (has66) return 16;
    return rule === operandSizeRuleCode.default64 ? 64 : 32;
  }
  if (rule === operandSizeRuleCode.wOnly) return 32;
  return (mode === 16) !== has66 ? 16 : 32;
}

const prefixNames = ['NP', 'NP', '66', 'F2', 'F3'] as const;

function outOfScopeEntry(
  slot: number,
  modrm: number,
  mandatory: number,
  slotInScope: boolean,
): OutOfScopeOpcode | undefined {
  const entries = outOfScopeBySlot[slot];
  if (!entries) return undefined;
  const mode = state.mode;
  return entries.find(
    (entry) =>
      !(slotInScope && entry.wholeMap) &&
      (!entry.prefix || entry.prefix === prefixNames[mandatory]) &&
      (!entry.modes || entry.modes.includes(mode)) &&
      (!entry.modrmRegs || (modrm >= 0 && entry.modrmRegs.includes((modrm >> 3) & 7))) &&
      (!entry.modrmMod || (modrm >= 0 && (entry.modrmMod === 'register') === modrm >= 0xc0)),
  );
}

/**
 * LOCK is #UD on every instruction outside the scope: all lockable instructions (SDM Vol. 2A "LOCK")
 * are integer instructions in scope. The one exception is AMD's `lock mov cr0` (= mov cr8) outside
 * 64-bit mode, which we leave to the system-instruction issue.
 */
function lockForbidden(entry: OutOfScopeOpcode | undefined): boolean {
  return !(entry?.mnemonic === 'mov cr/dr' && state.mode !== 64);
}

function lockedFailure(): DecodeFailure {
  return failure(
    'invalid',
    state.position - state.start,
    'invalid instruction: LOCK prefix not allowed here',
  );
}

/** Reports an instruction outside the scope, with its length when the encoding tells it. */
function unsupported(entry: OutOfScopeOpcode | undefined, space: string, has66: boolean): DecodeFailure {
  const length = () => state.position - state.start;
  if (!entry) return failure('unsupported', length(), `unsupported instruction (${space})`);
  if (entry.modrm && state.modrm < 0) {
    if (state.position >= state.end) return failure('truncated', length(), 'truncated instruction');
    state.modrm = state.bytes[state.position++];
    if (state.modrm < 0xc0 && !entry.modrmAlwaysRegister) readAddressing(state.modrm);
  }
  const wordSized = (state.mode === 16) !== has66;
  const immediateBytes =
    entry.immediate === 'z'
      ? wordSized
        ? 2
        : 4
      : entry.immediate === 'farPointer'
        ? wordSized
          ? 4
          : 6
        : entry.immediate;
  state.position += immediateBytes;
  const known = !state.truncated && state.position <= state.end;
  let mnemonic = entry.mnemonic === entry.group ? null : entry.mnemonic;
  if (mnemonic === null && entry.group === 'sse' && entry.map === '0F') {
    mnemonic = sseMnemonic(state.bytes[state.opcodePosition], prefixNames[state.mandatory]);
  }
  const what = mnemonic === null ? entry.group : `${entry.group}: ${mnemonic}`;
  return failure(
    'unsupported',
    Math.min(length(), state.end - state.start),
    `unsupported instruction (${what})`,
    mnemonic,
    known,
  );
}

/**
 * Decodes one instruction at `offset` in `bytes` (reading no further than `end`) for a processor in
 * `mode` (16-, 32- or 64-bit code).
 */
export function decodeInstruction(
  bytes: Uint8Array,
  offset: number,
  mode: Mode,
  end = bytes.length,
): DecodeResult {
  state.bytes = bytes;
  state.start = offset;
  state.end = end;
  state.mode = mode;
  state.segment = null;
  state.rex = 0;
  state.vexW = false;
  state.vexRegister = 0;
  state.modrm = -1;
  state.truncated = false;
  let position = offset;
  let has66 = false;
  let has67 = false;
  let lock = false;
  let repeatByte = 0;
  let rex = 0;
  // Legacy and REX prefixes (SDM Vol. 2A §2.1.1, §2.2.1: a REX not immediately before the opcode is ignored).
  for (;;) {
    if (position >= end) return failure('truncated', position - offset, 'truncated instruction');
    if (position - offset >= maximumInstructionLength) {
      return failure('invalid', maximumInstructionLength, 'invalid instruction: longer than 15 bytes');
    }
    const byte = bytes[position];
    const kind = prefixKind[byte];
    if (kind === 0) break;
    if (kind === rexPrefixKind) {
      if (mode !== 64) break;
      rex = byte;
      position++;
      continue;
    }
    rex = 0;
    position++;
    if (kind === operandSizePrefixKind) has66 = true;
    else if (kind === addressSizePrefixKind) has67 = true;
    else if (kind === lockPrefixKind) lock = true;
    else if (kind === repeatPrefixKind) repeatByte = byte;
    else {
      const segment = segmentByPrefix.get(byte)!;
      // In 64-bit mode FS and GS keep priority over the (ignored) ES/CS/SS/DS overrides, as iced does.
      if (
        mode !== 64 ||
        segment === 'fs' ||
        segment === 'gs' ||
        (state.segment !== 'fs' && state.segment !== 'gs')
      ) {
        state.segment = segment;
      }
    }
  }
  state.rex = rex;
  const addressSize: 16 | 32 | 64 = mode === 64 ? (has67 ? 32 : 64) : (mode === 16) !== has67 ? 16 : 32;
  state.addressSize = addressSize;

  let opcode = bytes[position++];
  let map = 0;
  let vex: VexPrefix | null = null;
  // Mandatory-prefix code as the tables use it: 0 none, 2 = 66, 3 = F2, 4 = F3.
  // The prefix that can select a form: the last of F2/F3, else 66 (SDM Vol. 2A §2.1.2 "mandatory prefix").
  const { none, NP, F2, F3, NFx } = mandatoryPrefixCode;
  let mandatory: number =
    repeatByte === 0xf3 ? F3 : repeatByte === 0xf2 ? F2 : has66 ? mandatoryPrefixCode['66'] : none;
  if (opcode === 0x0f) {
    if (position >= end) return failure('truncated', position - offset, 'truncated instruction');
    opcode = bytes[position++];
    map = 1;
    if (opcode === 0x38 || opcode === 0x3a) {
      if (position >= end) return failure('truncated', position - offset, 'truncated instruction');
      map = opcode === 0x38 ? 2 : 3;
      opcode = bytes[position++];
    }
  } else if (
    (opcode === 0xc4 || opcode === 0xc5) &&
    (mode === 64 || (position < end && bytes[position] >= 0xc0))
  ) {
    // VEX (SDM Vol. 2A §2.3.5); in 16/32-bit mode C4/C5 with ModRM.mod != 11 are LES/LDS.
    const size = opcode === 0xc4 ? 3 : 2;
    if (position + size - 1 >= end) return failure('truncated', end - offset, 'truncated instruction');
    if (has66 || repeatByte !== 0 || lock || rex !== 0) {
      return failure(
        'invalid',
        position - offset + size,
        'invalid instruction: VEX after a 66/F2/F3/LOCK/REX prefix',
      );
    }
    const first = bytes[position];
    const second = size === 3 ? bytes[position + 1] : first;
    position += size - 1;
    const selector = size === 3 ? first & 0x1f : 1;
    if (selector < 1 || selector > 3) {
      return failure('invalid', position - offset, 'invalid instruction: reserved VEX opcode map');
    }
    const in64 = mode === 64;
    const ppCodes = ['none', '66', 'F3', 'F2'] as const;
    vex = {
      bytes: size,
      r: in64 && (first & 0x80) === 0,
      x: size === 3 && in64 && (first & 0x40) === 0,
      b: size === 3 && in64 && (first & 0x20) === 0,
      w: size === 3 && (second & 0x80) !== 0,
      vvvv: (~second >> 3) & (in64 ? 15 : 7),
      l: ((second >> 2) & 1) as 0 | 1,
      pp: ppCodes[second & 3],
    };
    rex = (vex.w ? 8 : 0) | (vex.r ? 4 : 0) | (vex.x ? 2 : 0) | (vex.b ? 1 : 0);
    state.rex = rex;
    state.vexW = vex.w && in64;
    state.vexRegister = vex.vvvv;
    map = selector;
    mandatory = [NP, mandatoryPrefixCode['66'], F3, F2][second & 3];
    if (position >= end) return failure('truncated', position - offset, 'truncated instruction');
    opcode = bytes[position++];
  } else if (opcode === 0x8f && position < end && (bytes[position] & 0x1f) >= 8) {
    // XOP (AMD): 8F with a map-select field of 8 or more, which POP (8F /0) can never have.
    const xopMap = bytes[position] & 0x1f;
    state.position = position + 3;
    if (state.position > end) return failure('truncated', end - offset, 'truncated instruction');
    return unsupported(
      { ...avxEntry, mnemonic: 'xop', group: 'xop', immediate: xopMap === 8 ? 1 : xopMap === 10 ? 4 : 0 },
      'XOP',
      has66,
    );
  } else if (opcode === 0x62 && (mode === 64 || (position < end && bytes[position] >= 0xc0))) {
    state.position = position;
    return failure('unsupported', position - offset, 'unsupported instruction (AVX-512: EVEX prefix)');
  }
  state.position = position;
  state.opcodePosition = position - 1;
  state.mandatory = mandatory;
  const slot = map * 256 + opcode;
  const bucket = bucketAt(vex ? 'vex' : 'legacy', slot);
  const spaceName = vex ? 'AVX: VEX prefix' : map === 0 ? 'one-byte opcode' : 'two/three-byte opcode';
  if (!bucket) {
    if (vex) {
      state.modrm = -1;
      return unsupported({ ...avxEntry, immediate: map === 3 ? 1 : 0 }, spaceName, has66);
    }
    const entry =
      outOfScopeEntry(slot, -1, mandatory, false) ?? outOfScopeEntry(slot, peekModrm(), mandatory, false);
    if (entry) return unsupported(entry, spaceName, has66);
    if (map === 1 && !undefinedTwoByteOpcodes.has(opcode)) return unsupported(undefined, spaceName, has66);
    return failure('invalid', state.position - offset, 'invalid instruction: undefined opcode');
  }
  let modrm = -1;
  if (bucket.needsModrm) {
    if (state.position >= end) return failure('truncated', state.position - offset, 'truncated instruction');
    modrm = bytes[state.position++];
    state.modrm = modrm;
    if (modrm < 0xc0) readAddressing(modrm);
    if (state.truncated) return failure('truncated', end - offset, 'truncated instruction');
  }
  const candidates = bucket.candidatesByModeAndReg[modeIndex(mode) * 8 + (modrm < 0 ? 0 : (modrm >> 3) & 7)];
  const wide = vex ? state.vexW : (rex & 8) !== 0;
  // Effective operand size under each rule (indexes of operandSizeRuleCode); a mandatory 66 only
  // appears on `wOnly` forms, which ignore 66.
  sizeByRule[0] = effectiveOperandSize(0, has66, wide);
  sizeByRule[1] = effectiveOperandSize(1, has66, wide);
  sizeByRule[2] = effectiveOperandSize(2, has66, wide);
  sizeByRule[3] = effectiveOperandSize(3, has66, wide);
  let match: DecodeCandidate | null = null;
  let operandSize: 16 | 32 | 64 = 32;
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i];
    const required = candidate.mandatoryPrefix;
    if (vex) {
      if (required !== mandatory) continue;
      if (candidate.vexL >= 0 && candidate.vexL !== vex.l) continue;
      if (candidate.vexW >= 0 && candidate.vexW !== (vex.w ? 1 : 0)) continue;
    } else if (required !== none) {
      if (
        required === NP
          ? mandatory !== none
          : required === NFx
            ? mandatory === F2 || mandatory === F3
            : required !== mandatory
      )
        continue;
    }
    if (candidate.modrmMod !== 0 && (candidate.modrmMod === 1) !== modrm >= 0xc0) continue;
    if (candidate.modrmFixed >= 0 && candidate.modrmFixed !== modrm) continue;
    if (candidate.requiresNoRexB && (rex & 1) !== 0) continue;
    if (candidate.addressSize !== 0 && candidate.addressSize !== addressSize) continue;
    const size = sizeByRule[candidate.operandSizeRule];
    if (candidate.operandSize !== 0 && candidate.operandSize !== size) continue;
    match = candidate;
    operandSize = size as 16 | 32 | 64;
    break;
  }
  if (match === null) {
    if (vex)
      return failure(
        'invalid',
        state.position - offset,
        'invalid instruction: no valid VEX form (VEX.L, VEX.pp or ModRM)',
      );
    const entry = outOfScopeEntry(slot, modrm, mandatory, true);
    if (lock && lockForbidden(entry)) return lockedFailure();
    if (entry) return unsupported(entry, spaceName, has66);
    return failure(
      'invalid',
      state.position - offset,
      'invalid instruction: no valid form for these bytes in this mode',
    );
  }
  const form = match.form;
  if (vex && !match.usesVvvv && vex.vvvv !== 0) {
    return failure('invalid', state.position - offset, 'invalid instruction: VEX.vvvv must be 1111b');
  }
  if (lock && !(form.lockable && modrm >= 0 && modrm < 0xc0)) {
    return failure('invalid', state.position - offset, 'invalid instruction: LOCK prefix not allowed here');
  }
  const operands = decodeOperands(form.operands, opcode);
  if (operands === null) {
    return failure('invalid', state.position - offset, 'invalid instruction: reserved segment register');
  }
  if (state.truncated || state.position > end)
    return failure('truncated', end - offset, 'truncated instruction');
  const length = state.position - offset;
  if (length > maximumInstructionLength) {
    return failure('invalid', maximumInstructionLength, 'invalid instruction: longer than 15 bytes');
  }
  if (match.writesSegmentRegister && operands[0] === codeSegmentOperand) {
    return failure('invalid', length, 'invalid instruction: MOV to CS (SDM "MOV": #UD)');
  }
  const instruction: Instruction = {
    status: 'ok',
    form,
    mnemonic: form.mnemonic,
    operands,
    length,
    mode,
    operandSize,
    addressSize,
    lock,
    // An F2/F3 that selected the form (popcnt, pause, crc32, …) is not a repeat prefix.
    repeatPrefix:
      form.mandatoryPrefix === 'F2' || form.mandatoryPrefix === 'F3'
        ? null
        : repeatByte === 0xf3
          ? 'rep'
          : repeatByte === 0xf2
            ? 'repne'
            : null,
    segmentPrefix: state.segment,
    operandSizePrefix: has66,
    addressSizePrefix: has67,
    rex: vex ? 0 : rex,
    vex,
  };
  return instruction;
}

const avxEntry: OutOfScopeOpcode = {
  map: '0F',
  first: 0,
  last: 0xff,
  mnemonic: 'avx',
  group: 'avx',
  modrm: true,
  immediate: 0,
};

function peekModrm(): number {
  return state.position < state.end ? state.bytes[state.position] : -1;
}

/**
 * Decodes consecutive instructions from `bytes`; an undecodable byte yields its failure and decoding
 * resumes at the next byte (or after an unsupported instruction whose length is known).
 */
export function* decodeAll(
  bytes: Uint8Array,
  mode: Mode,
  start = 0,
  end = bytes.length,
): Generator<[number, DecodeResult]> {
  let offset = start;
  while (offset < end) {
    const result = decodeInstruction(bytes, offset, mode, end);
    yield [offset, result];
    offset +=
      result.status === 'ok' || (result.status === 'unsupported' && result.lengthKnown) ? result.length : 1;
  }
}
