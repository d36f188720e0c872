/**
 * Turns the register terms of a memory operand into a base, an index and a scale, following each
 * assembler's rules, and an {@link ExpressionValue} into the encoder's {@link MemoryArgument}.
 *
 * NASM (NASM manual §3.3, "Effective Addresses"): a register with multiplier 1 is a base; `reg*2` is
 * split into `reg+reg*1` (shorter: no 32-bit displacement) unless `nosplit`; `reg*3`, `*5`, `*9` become
 * `reg+reg*2/4/8`; with two unscaled registers the first is the base, unless it cannot be an index
 * and the second can... (rSP can never be an index, so `[rax+rsp]` becomes `[rsp+rax]`).
 * GNU as: the scaled register (or the second one) is the index, exactly as written; `[rax*2]` keeps a
 * zero 32-bit displacement and no base.
 */

import type { MemoryArgument } from '../encoder/request.js';
import type { RegisterName } from '../isa/registers.js';
import { registerInfo } from '../isa/registers.js';
import { SourceError } from './diagnostics.js';
import type { AddressTerms, ExpressionValue } from './expression.js';
import type { Dialect } from './lexer.js';
import type { Bits, MemoryOperand } from './statements.js';

const SCALES = new Set([1n, 2n, 4n, 8n]);

function cannotBeIndex(name: RegisterName): boolean {
  return name === 'esp' || name === 'rsp' || name === 'sp';
}

type RegisterTerm = AddressTerms['registers'][number];

/** NASM adds up the multipliers of a register written twice (`[rax+rax*4]` is rax×5) and drops zeros. */
function mergeRepeatedRegisters(terms: readonly RegisterTerm[]): readonly RegisterTerm[] {
  const simple =
    terms.length === 1 ? terms[0].multiplier !== 0n : terms.length === 2 && terms[0].name !== terms[1].name;
  if (simple && terms.every((term) => term.multiplier !== 0n)) return terms;
  const merged = new Map<RegisterName, RegisterTerm>();
  for (const term of terms) {
    const existing = merged.get(term.name);
    merged.set(
      term.name,
      existing ? { ...existing, multiplier: existing.multiplier + term.multiplier } : term,
    );
  }
  return [...merged.values()].filter((term) => term.multiplier !== 0n);
}

/** Chooses base, index and scale from the register terms of `operand`. */
function chooseBaseAndIndex(
  operand: MemoryOperand,
  dialect: Dialect,
): { base: RegisterName | undefined; index: RegisterName | undefined; scale: 1 | 2 | 4 | 8 } {
  const terms =
    dialect === 'nasm' ? mergeRepeatedRegisters(operand.address.registers) : operand.address.registers;
  const column = terms[0]?.column ?? operand.column;
  for (const term of terms) {
    const info = registerInfo(term.name);
    if (!info || (info.class !== 'gpr16' && info.class !== 'gpr32' && info.class !== 'gpr64')) {
      throw new SourceError(
        `register \`${term.name}\` cannot be used in an address (expected a 16-, 32- or 64-bit general register)`,
        term.column,
      );
    }
  }
  if (terms.length === 0) return { base: undefined, index: undefined, scale: 1 };
  if (terms.length === 1) {
    const [{ name, multiplier }] = terms;
    if (multiplier === 1n) return { base: name, index: undefined, scale: 1 };
    if (dialect === 'nasm' && !operand.noSplit && !cannotBeIndex(name)) {
      if (multiplier === 2n) return { base: name, index: name, scale: 1 };
      if (multiplier === 3n || multiplier === 5n || multiplier === 9n) {
        return { base: name, index: name, scale: Number(multiplier - 1n) as 2 | 4 | 8 };
      }
    }
    if (!SCALES.has(multiplier))
      throw new SourceError(`invalid scale ${multiplier} for \`${name}\` (expected 1, 2, 4 or 8)`, column);
    if (cannotBeIndex(name))
      throw new SourceError(`\`${name}\` cannot be scaled: it cannot be an index register`, column);
    return { base: undefined, index: name, scale: Number(multiplier) as 1 | 2 | 4 | 8 };
  }
  if (terms.length > 2)
    throw new SourceError('an address can use at most two registers (a base and an index)', column);
  let [first, second] = terms;
  if (first.multiplier !== 1n && second.multiplier === 1n) [first, second] = [second, first];
  if (first.multiplier !== 1n) throw new SourceError('only one register of an address can be scaled', column);
  if (!SCALES.has(second.multiplier)) {
    throw new SourceError(
      `invalid scale ${second.multiplier} for \`${second.name}\` (expected 1, 2, 4 or 8)`,
      second.column,
    );
  }
  if (second.multiplier === 1n && cannotBeIndex(second.name)) [first, second] = [second, first];
  if (cannotBeIndex(second.name))
    throw new SourceError(`\`${second.name}\` cannot be an index register`, second.column);
  return { base: first.name, index: second.name, scale: Number(second.multiplier) as 1 | 2 | 4 | 8 };
}

/**
 * Resolves a memory operand for the encoder. `displacement` is the evaluated displacement expression
 * (absent: zero). `wide` asks for a full-width displacement (relocatable or not yet known values).
 */
export function resolveMemoryOperand(
  operand: MemoryOperand,
  displacement: ExpressionValue | undefined,
  options: { dialect: Dialect; bits: Bits; defaultRelative: boolean; wide: boolean },
): MemoryArgument {
  const { base, index, scale } = chooseBaseAndIndex(operand, options.dialect);
  const absolute = base === undefined && index === undefined;
  let ripRelative = false;
  if (absolute && options.bits === 64) {
    if (operand.relative === 'rel') ripRelative = true;
    else if (operand.relative === undefined && options.defaultRelative) {
      // NASM: `default rel` does not apply to FS/GS-relative addresses (NASM manual §7.2.1).
      ripRelative = operand.segment !== 'fs' && operand.segment !== 'gs';
    }
  } else if (operand.relative === 'rel' && options.dialect === 'gnu' && !absolute) {
    throw new SourceError('RIP-relative addressing cannot use other registers', operand.column);
  }
  return {
    kind: 'memory',
    size: operand.size,
    segment: operand.segment,
    base,
    index,
    scale,
    displacement: displacement?.value ?? 0n,
    wideDisplacement: options.wide,
    displacementSize: operand.displacementSize,
    ripRelative,
    // GNU as: `sym[rip]` addresses `sym`, but `[rip+0x10]` with a plain number is the disp32 itself.
    literalDisplacement: ripRelative && options.dialect === 'gnu' && (displacement?.relocation ?? 0) === 0,
    absolute,
  };
}
