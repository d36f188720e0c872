/**
 * Remembers the instruction parsed from a source line, so that a line seen before (`ret`,
 * `push rbp`, `xor eax, eax`…) is not tokenized and parsed again. An entry is used only when the
 * parser state that could change its meaning (mode, `default rel`, `%define`s, and the enclosing label
 * for lines that may name a local label) is the same as when it was parsed.
 */
import type { InstructionStatement, Statement } from './statements.js';

const MAX_ENTRIES = 1 << 16;

/** A cache of single-instruction lines. */
export class InstructionLineCache {
  private readonly entries = new Map<
    string,
    { readonly statement: InstructionStatement; readonly context: string }
  >();

  /** The cached statement for `text` under `context`, moved to `line`; undefined on a miss. */
  lookup(text: string, context: string, line: number): InstructionStatement | undefined {
    const entry = this.entries.get(text);
    if (!entry || entry.context !== context) return undefined;
    const statement = entry.statement;
    return {
      kind: 'instruction',
      mnemonic: statement.mnemonic,
      prefixes: statement.prefixes,
      operands: statement.operands,
      bits: statement.bits,
      defaultRelative: statement.defaultRelative,
      line,
      column: statement.column,
    };
  }

  /** Records what one line produced, if it was exactly one instruction. */
  remember(text: string, context: string, produced: readonly Statement[]): void {
    if (produced.length !== 1 || produced[0].kind !== 'instruction' || this.entries.size >= MAX_ENTRIES)
      return;
    this.entries.set(text, { statement: produced[0], context });
  }
}
