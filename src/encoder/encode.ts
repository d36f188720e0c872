/**
 * Chooses the encoding of an instruction: every catalog form of the mnemonic that is valid in the
 * mode and fits the operands is encoded, and the shortest wins (ties: declaration order, which puts
 * the SDM's preferred opcode first, e.g. `89 /r` before `8B /r` for `mov eax, ebx`). The few places
 * where NASM and GNU as choose differently are handled here and listed in docs/assembler.md.
 */

import { doublewordRegisters, registers } from '../isa/registers.js';
import type { InstructionForm, Mode } from '../isa/spec.js';
import { type EmittedInstruction, emitForm, PREFIX_BYTES } from './emit.js';
import { EncodingError } from './errors.js';
import { canonicalMnemonic, formsOf } from './forms.js';
import { type MatchContext, operandMatches } from './match.js';
import type {
  EncodeRequest,
  EncoderArgument,
  EncodingStyle,
  ImmediateArgument,
  MemoryArgument,
} from './request.js';

/** The result of encoding one instruction. */
export interface EncodedInstruction {
  readonly bytes: Uint8Array;
  /** For relative branches: whether the short (rel8) or long form was used; null otherwise. */
  readonly branch: 'short' | 'long' | null;
  /** The catalog form used (its stable name, e.g. `ADD_rm32_imm8`). */
  readonly form: InstructionForm;
}

/** String-instruction families that may be written with explicit operands instead of a size suffix. */
const STRING_STEMS = new Set(['movs', 'cmps', 'stos', 'lods', 'scas']);

/** `pushw`, `popd`, `jmpq`, `callw`…: a mnemonic with an operand-size suffix (GNU as, objdump). */
const SIZE_SUFFIXED = /^(push|pop|jmp|call)(w|d|q)$/;
const SUFFIX_SIZES: Readonly<Record<string, 16 | 32 | 64>> = { w: 16, d: 32, q: 64 };
const SEGMENT_WORDS = new Set(['es', 'cs', 'ss', 'ds', 'fs', 'gs']);

/** Prefix words that give XLAT's explicit operand its segment and address size. */
function xlatPrefixes(memory: MemoryArgument, request: EncodeRequest): string[] {
  const valid =
    memory.index === undefined &&
    memory.displacement === 0n &&
    (memory.base === 'bx' || memory.base === 'ebx' || memory.base === 'rbx');
  if (!valid)
    throw new EncodingError(
      'the operand of `xlat` must be [rbx], [ebx] or [bx] (with an optional segment)',
      0,
    );
  const words: string[] = [];
  const redundant = request.style === 'gnu' && memory.segment === 'ds';
  if (memory.segment !== undefined && !redundant) words.push(memory.segment);
  const width = memory.base === 'bx' ? 16 : memory.base === 'ebx' ? 32 : 64;
  if (width !== request.mode) words.push(width === 16 ? 'a16' : 'a32');
  return words;
}

/** Mnemonics whose two operands may be written in either order (SDM: XCHG and TEST are symmetric). */
const COMMUTATIVE = new Set(['xchg', 'test']);
const OPERAND_SIZE_PREFIX_WORDS: Readonly<Record<string, 16 | 32 | 64>> = {
  o16: 16,
  o32: 32,
  o64: 64,
  data16: 16,
  data32: 32,
};
const KNOWN_PREFIX_WORDS = new Set([
  ...Object.keys(PREFIX_BYTES),
  ...Object.keys(OPERAND_SIZE_PREFIX_WORDS),
  'a16',
  'a32',
  'a64',
  'addr16',
  'addr32',
]);

function defaultOperandSize(form: InstructionForm, mode: Mode): number | null {
  if (form.operandSize === null) return null;
  if (mode === 64 && (form.operandSizeRule === 'default64' || form.operandSizeRule === 'force64')) return 64;
  if (form.operandSizeRule === 'wOnly') return 32;
  return mode === 16 ? 16 : 32;
}

/** Rewrites that are assembler conventions rather than instruction facts. */
function normalizeOperands(request: EncodeRequest, mnemonic: string): readonly EncoderArgument[] {
  const operands = request.operands;
  // `imm r, imm` is `imul r, r, imm` (SDM "IMUL": "the two-operand form … is a synonym").
  if (
    mnemonic === 'imul' &&
    operands.length === 2 &&
    operands[1].kind === 'immediate' &&
    operands[0].kind === 'register'
  ) {
    return [operands[0], operands[0], operands[1]];
  }
  // `aam`/`aad` without an operand use base 10 (SDM "AAM": D4 0A).
  if ((mnemonic === 'aam' || mnemonic === 'aad') && operands.length === 0) {
    return [
      {
        kind: 'immediate',
        value: 10n,
        size: undefined,
        strict: false,
        wide: false,
        provisional: false,
        distance: undefined,
      },
    ];
  }
  // GNU as takes a shift or rotate without a count as a shift by 1 (`shl eax` is D1 E0).
  if (request.style === 'gnu' && operands.length === 1 && /^(sh[lr]|sa[lr]|ro[lr]|rc[lr])$/.test(mnemonic)) {
    return [
      operands[0],
      {
        kind: 'immediate',
        value: 1n,
        size: undefined,
        strict: false,
        wide: false,
        provisional: false,
        distance: undefined,
      },
    ];
  }
  // NASM optimises `mov r64, imm` with 0 <= imm < 2^32 to `mov r32, imm32`, which zero-extends (NASM -Ox).
  if (
    request.style === 'nasm' &&
    request.mnemonic === 'mov' &&
    operands.length === 2 &&
    operands[0].kind === 'register' &&
    registers.get(operands[0].name)?.class === 'gpr64' &&
    operands[1].kind === 'immediate'
  ) {
    const immediate = operands[1];
    const pinned = immediate.strict && immediate.size === 64;
    if (
      !pinned &&
      !immediate.wide &&
      !immediate.provisional &&
      immediate.value >= 0n &&
      immediate.value < 1n << 32n
    ) {
      const number = registers.get(operands[0].name)!.number;
      const narrow = doublewordRegisters[number];
      return [{ kind: 'register', name: narrow }, immediate];
    }
  }
  return operands;
}

interface Candidate {
  readonly form: InstructionForm;
  readonly operands: readonly (EncoderArgument | undefined)[];
}

function matchForm(
  form: InstructionForm,
  operands: readonly EncoderArgument[],
  context: MatchContext,
): Candidate | undefined {
  if (operands.length === form.operands.length) {
    for (let index = 0; index < operands.length; index++) {
      if (!operandMatches(form.operands[index], operands[index], context)) return undefined;
    }
    return { form, operands };
  }
  // `movsb`, `stosq`, `lodsw`…: the string and accumulator operands may be left implicit.
  if (operands.length === 0 && isStringForm(form)) {
    return { form, operands: form.operands.map(() => undefined) };
  }
  return undefined;
}

/** String instructions (`movsb`, `stosq`…) whose operands are all implicit and may be omitted. */
function isStringForm(form: InstructionForm): boolean {
  const implicit = (encoding: string) =>
    encoding === 'implicitRegister' || encoding === 'stringSource' || encoding === 'stringDestination';
  return (
    form.operands.every((spec) => implicit(spec.encoding)) &&
    form.operands.some((spec) => spec.encoding !== 'implicitRegister')
  );
}

const usableFormsCache = new WeakMap<readonly InstructionForm[], Map<string, readonly InstructionForm[]>>();

/** The forms valid in the mode that the dialect's assembler accepts (memoized: this is the hot path). */
function usableForms(
  forms: readonly InstructionForm[],
  mode: Mode,
  style: EncodingStyle,
  operandCount: number,
): readonly InstructionForm[] {
  let byContext = usableFormsCache.get(forms);
  if (!byContext) {
    byContext = new Map();
    usableFormsCache.set(forms, byContext);
  }
  const key = `${mode}${style}${operandCount}`;
  let usable = byContext.get(key);
  if (!usable) {
    usable = forms.filter(
      (form) =>
        form.modes.includes(mode) &&
        !rejectedByAssemblers(form, style) &&
        (form.operands.length === operandCount || (operandCount === 0 && isStringForm(form))),
    );
    byContext.set(key, usable);
  }
  return usable;
}

function collectCandidates(
  forms: readonly InstructionForm[],
  operands: readonly EncoderArgument[],
  mnemonic: string,
  context: MatchContext,
): Candidate[] {
  const candidates: Candidate[] = [];
  for (const form of usableForms(forms, context.mode, context.style, operands.length)) {
    const direct = matchForm(form, operands, context);
    const swapped =
      COMMUTATIVE.has(mnemonic) && operands.length === 2
        ? matchForm(form, [operands[1], operands[0]], context)
        : undefined;
    // NASM puts the first operand of `xchg r, r` in ModRM.reg (its table lists `xchg reg, r/m` first).
    const swappedFirst = context.style === 'nasm' && mnemonic === 'xchg';
    for (const candidate of swappedFirst ? [swapped, direct] : [direct, swapped])
      if (candidate) candidates.push(candidate);
  }
  return candidates;
}

/** Hint for unsized memory operands: a (non-strict) size keyword on an immediate operand. */
function immediateSizeHint(operands: readonly EncoderArgument[]): number | undefined {
  const immediate = operands.find(
    (operand): operand is ImmediateArgument => operand.kind === 'immediate' && operand.size !== undefined,
  );
  return immediate?.size;
}

/** Drops candidates that would change the operand size when no operand asks for it. */
function preferDefaultSize(
  candidates: Candidate[],
  request: EncodeRequest,
  hint: number | undefined,
  requested: number | undefined,
): Candidate[] {
  const sizes = new Set(candidates.map((candidate) => candidate.form.operandSize));
  if (sizes.size <= 1) return candidates;
  const wanted = requested ?? hint;
  if (wanted !== undefined) {
    const hinted = candidates.filter((candidate) => candidate.form.operandSize === wanted);
    if (hinted.length > 0) return hinted;
  }
  const defaults = candidates.filter(
    (candidate) => candidate.form.operandSize === defaultOperandSize(candidate.form, request.mode),
  );
  return defaults.length > 0 ? defaults : candidates;
}

function isUnsizedMemoryAmbiguous(
  candidates: readonly Candidate[],
  operands: readonly EncoderArgument[],
): boolean {
  return operands.some((operand, index) => {
    if (operand.kind !== 'memory' || operand.size !== undefined) return false;
    const sizes = new Set(
      candidates
        .filter((candidate) => candidate.operands[index] === operand)
        .map((candidate) => candidate.form.operands[index].size)
        .filter((size) => size !== 0),
    );
    return sizes.size > 1;
  });
}

/**
 * Encodes one instruction. Throws {@link EncodingError} with a message that says what is wrong and
 * what would be accepted.
 */
export function encodeInstruction(request: EncodeRequest): EncodedInstruction {
  const mnemonic = canonicalMnemonic(request.mnemonic, request.mode);
  for (const word of request.prefixes) {
    if (!KNOWN_PREFIX_WORDS.has(word) || SEGMENT_WORDS.has(word))
      throw new EncodingError(`unknown prefix \`${word}\``);
  }
  let forms = formsOf(mnemonic);
  let operands = normalizeOperands(request, mnemonic);
  let prefixes = request.prefixes;
  let requestedSize = request.prefixes
    .map((word) => OPERAND_SIZE_PREFIX_WORDS[word])
    .find((size) => size !== undefined);
  // GNU as also takes objdump's size-suffixed spellings: `pushw`, `pushd`, `jmpw`, `calld`…
  const suffixed = SIZE_SUFFIXED.exec(mnemonic);
  if (request.style === 'gnu' && forms.length === 0 && suffixed) {
    forms = formsOf(suffixed[1]);
    requestedSize = SUFFIX_SIZES[suffixed[2]];
  }
  // `xlat BYTE PTR fs:[ebx]`: the operand only says which segment and address size the implicit
  // DS:[rBX + AL] uses (SDM "XLAT").
  if (
    (mnemonic === 'xlatb' || request.mnemonic === 'xlat') &&
    operands.length === 1 &&
    operands[0].kind === 'memory'
  ) {
    [operands, prefixes] = [[], [...prefixes, ...xlatPrefixes(operands[0], request)]];
  }
  // GNU as accepts `movsx r64, r/m32` for MOVSXD.
  if (request.style === 'gnu' && mnemonic === 'movsx' && operands.length === 2) {
    const source = operands[1];
    const sourceSize =
      source.kind === 'register'
        ? registers.get(source.name)?.width
        : source.kind === 'memory'
          ? source.size
          : undefined;
    if (sourceSize === 32) forms = formsOf('movsxd');
  }
  // `movs BYTE PTR es:[rdi], BYTE PTR ds:[rsi]` (GNU as, and objdump's output): the element size comes
  // from the operands, so every sized form of the family is a candidate.
  if (STRING_STEMS.has(mnemonic) && operands.length > 0)
    forms = ['b', 'w', 'd', 'q'].flatMap((suffix) => formsOf(mnemonic + suffix));
  if (forms.length === 0) throw new EncodingError(`unknown instruction \`${request.mnemonic}\``);
  if (request.mnemonic === 'movabs' && request.mode !== 64)
    throw new EncodingError('`movabs` exists only in 64-bit mode');
  const gnuShortcut = request.style === 'gnu' ? gnuSpecialCase(mnemonic, operands, request.mode) : undefined;
  if (gnuShortcut) return gnuShortcut;
  const hint = immediateSizeHint(operands);
  const context: MatchContext = {
    mode: request.mode,
    style: request.style,
    memorySizeHint: hint,
    movabs: request.mnemonic === 'movabs',
    ignoreSizes: false,
    ignoreImmediateRange: false,
  };
  let candidates = collectCandidates(forms, operands, mnemonic, context);
  if (candidates.length === 0) throw explainMismatch(request, mnemonic, forms, operands, context);
  if (
    isUnsizedMemoryAmbiguous(candidates, operands) &&
    !candidates.every((c) => c.form.operandSizeRule === 'force64' || c.form.operandSizeRule === 'default64')
  ) {
    const example = request.style === 'nasm' ? '`dword [rax]`' : '`DWORD PTR [rax]`';
    throw new EncodingError(
      'operation size not specified',
      undefined,
      `write the size of the memory operand, e.g. ${example}`,
    );
  }
  candidates = preferDefaultSize(candidates, request, hint, requestedSize);
  const hasLongBranch = candidates.some((candidate) =>
    candidate.form.operands.some((spec) => spec.encoding === 'relative' && spec.encodedSize !== 8),
  );
  if (request.longBranch && hasLongBranch) {
    candidates = candidates.filter(
      (candidate) =>
        !candidate.form.operands.some((spec) => spec.encoding === 'relative' && spec.encodedSize === 8),
    );
  }
  // NASM gives a relocatable 64-bit immediate the full imm64 field (`mov rax, label` is 48 B8).
  const wideImmediate = operands.some((operand) => operand.kind === 'immediate' && operand.wide);
  if (request.style === 'nasm' && wideImmediate) {
    const full = candidates.filter((candidate) =>
      candidate.form.operands.some((spec) => spec.encoding === 'immediate' && spec.encodedSize === 64),
    );
    if (full.length > 0) candidates = full;
  }
  // In 64-bit mode `xchg eax, eax` cannot be 90: that is NOP and would not zero-extend RAX (SDM "XCHG").
  if (mnemonic === 'xchg' && request.mode === 64) {
    candidates = candidates.filter(
      (candidate) =>
        !(
          candidate.form.opcodeRegister &&
          candidate.form.operandSize === 32 &&
          candidate.operands.every((operand) => operand?.kind === 'register' && operand.name === 'eax')
        ),
    );
  }
  const lockError = checkLock(request, candidates);
  if (lockError) throw lockError;
  let best: EmittedInstruction | undefined;
  let bestForm: InstructionForm | undefined;
  let firstError: EncodingError | undefined;
  let bestImmediateBytes = 0;
  let outOfRange: EmittedInstruction['outOfRange'];
  for (const candidate of candidates) {
    try {
      const emitted = emitForm(candidate.form, candidate.operands, {
        mode: request.mode,
        address: request.address,
        style: request.style,
        prefixes,
      });
      if (emitted.outOfRange) {
        outOfRange ??= emitted.outOfRange;
        continue;
      }
      // Shortest wins; at equal length the smaller immediate (NASM and GNU as both pick `83 /0 ib`
      // over `05 iw` for `add ax, 8`), then declaration order.
      const immediateBytes = immediateFieldBytes(candidate.form);
      if (
        !best ||
        emitted.bytes.length < best.bytes.length ||
        (emitted.bytes.length === best.bytes.length && immediateBytes < bestImmediateBytes)
      ) {
        bestImmediateBytes = immediateBytes;
        best = emitted;
        bestForm = candidate.form;
      }
    } catch (error) {
      if (!(error instanceof EncodingError)) throw error;
      firstError ??= error;
    }
  }
  if (!best || !bestForm) {
    if (firstError) throw firstError;
    if (outOfRange) throw new EncodingError(outOfRange.message, outOfRange.operandIndex);
    throw new EncodingError(`no encoding for \`${request.mnemonic}\``);
  }
  return { bytes: best.bytes, branch: best.branch, form: bestForm };
}

/**
 * Two encodings GNU as picks outside the shortest-form rule (binutils tc-i386.c): `int 3` is
 * assembled as the one-byte INT3 (CC), and `xchg rax, rax` as the plain NOP (90).
 */
function gnuSpecialCase(
  mnemonic: string,
  operands: readonly EncoderArgument[],
  mode: Mode,
): EncodedInstruction | undefined {
  const [first, second] = operands;
  if (
    mnemonic === 'int' &&
    operands.length === 1 &&
    first.kind === 'immediate' &&
    first.value === 3n &&
    !first.wide
  ) {
    return { bytes: Uint8Array.of(0xcc), branch: null, form: formsOf('int3')[0] };
  }
  if (
    mnemonic === 'xchg' &&
    mode === 64 &&
    first?.kind === 'register' &&
    first.name === 'rax' &&
    second?.kind === 'register' &&
    second.name === 'rax'
  ) {
    return { bytes: Uint8Array.of(0x90), branch: null, form: formsOf('nop')[0] };
  }
  return undefined;
}

function immediateFieldBytes(form: InstructionForm): number {
  return form.operands.reduce(
    (sum, spec) => sum + (spec.encoding === 'immediate' ? (spec.encodedSize ?? 0) : 0),
    0,
  );
}

/**
 * Forms the catalog's operand-size expansion produces that the dialect's assembler refuses: BSWAP of a
 * 16-bit register (SDM "BSWAP": "the result is undefined"; both refuse), and, in NASM only,
 * MOVZX/MOVSX/MOVSXD whose source is as wide as the destination (GNU as accepts those, except
 * MOVSXD into a 16-bit register).
 */
function rejectedByAssemblers(form: InstructionForm, style: EncodingStyle): boolean {
  if (form.mnemonic === 'bswap') return form.operandSize === 16;
  if (style === 'gnu' && form.mnemonic === 'movsxd') return form.operandSize === 16;
  if (
    style === 'nasm' &&
    (form.mnemonic === 'movzx' || form.mnemonic === 'movsx' || form.mnemonic === 'movsxd')
  ) {
    return (
      form.operands.length === 2 &&
      form.operands[0].size <= form.operands[1].size &&
      form.operands[0].size !== 64
    );
  }
  return false;
}

function checkLock(request: EncodeRequest, candidates: readonly Candidate[]): EncodingError | undefined {
  if (!request.prefixes.includes('lock')) return undefined;
  const lockable = candidates.some(
    (candidate) => candidate.form.lockable && candidate.operands[0]?.kind === 'memory',
  );
  if (lockable) return undefined;
  return new EncodingError(
    '`lock` is only allowed with a memory destination of add, adc, and, btc, btr, bts, cmpxchg, cmpxchg8b/16b, dec, inc, neg, not, or, sbb, sub, xadd, xchg, xor (SDM "LOCK")',
  );
}

function describeOperand(operand: EncoderArgument): string {
  if (operand.kind === 'register') return operand.name;
  if (operand.kind === 'immediate') return 'an immediate';
  return operand.size === undefined ? 'memory' : `${operand.size}-bit memory`;
}

/** Builds the most helpful error for operands that fit no form. */
function explainMismatch(
  request: EncodeRequest,
  mnemonic: string,
  forms: readonly InstructionForm[],
  operands: readonly EncoderArgument[],
  context: MatchContext,
): EncodingError {
  const inMode = forms.filter(
    (form) => form.modes.includes(request.mode) && !rejectedByAssemblers(form, request.style),
  );
  if (inMode.length === 0) {
    const modes = [...new Set(forms.flatMap((form) => form.modes))]
      .map((mode) => `${mode}-bit`)
      .join(' and ');
    return new EncodingError(
      `\`${request.mnemonic}\` is not valid in ${request.mode}-bit mode (only in ${modes} code)`,
    );
  }
  const counts = new Set(inMode.map((form) => form.operands.length));
  if (!counts.has(operands.length) && !(operands.length === 0)) {
    const expected = [...counts].sort().join(' or ');
    return new EncodingError(
      `\`${request.mnemonic}\` takes ${expected} operand${expected === '1' ? '' : 's'}, found ${operands.length}`,
    );
  }
  const forceRange = collectCandidates(inMode, operands, mnemonic, {
    ...context,
    ignoreImmediateRange: true,
  });
  if (forceRange.length > 0) {
    const immediate = operands.find((operand): operand is ImmediateArgument => operand.kind === 'immediate');
    const widest = Math.max(
      ...forceRange.flatMap((candidate) =>
        candidate.form.operands.map((spec) => (spec.encoding === 'immediate' ? (spec.encodedSize ?? 0) : 0)),
      ),
    );
    return new EncodingError(
      `immediate ${immediate?.value ?? ''} does not fit in ${widest} bits`,
      operands.indexOf(immediate!),
    );
  }
  const ignoringSizes = collectCandidates(inMode, operands, mnemonic, { ...context, ignoreSizes: true });
  const sizes = operands.map((operand) =>
    operand.kind === 'register'
      ? registers.get(operand.name)?.width
      : operand.kind === 'memory'
        ? operand.size
        : undefined,
  );
  const definite = sizes.filter((size) => size !== undefined);
  if (ignoringSizes.length > 0 && definite.length >= 2 && new Set(definite).size > 1) {
    const uniform = ignoringSizes.every(
      (candidate) =>
        new Set(
          candidate.form.operands
            .filter((spec) => spec.encoding !== 'immediate' && spec.size !== 0)
            .map((spec) => spec.size),
        ).size <= 1,
    );
    const hint = uniform ? 'both operands must be the same size' : `accepted: ${acceptedForms(inMode)}`;
    return new EncodingError(`operand size mismatch`, undefined, hint);
  }
  return new EncodingError(
    `invalid operands for \`${request.mnemonic}\` (${operands.map(describeOperand).join(', ') || 'none'})`,
    undefined,
    `accepted in ${request.mode}-bit mode: ${acceptedForms(inMode)}`,
  );
}

function acceptedForms(forms: readonly InstructionForm[]): string {
  const shapes = [
    ...new Set(forms.map((form) => form.operands.map((spec) => spec.name).join(', ') || '(no operands)')),
  ];
  return shapes.slice(0, 8).join(' | ') + (shapes.length > 8 ? ' | …' : '');
}
