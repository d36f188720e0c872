/**
 * Remembers the instruction parsed from a source line, so that a line seen before (`ret`,
 * `push rbp`, `xor eax, eax`…) is not tokenized and parsed again. An entry is used only when the
 * parser state that could change its meaning is the same as when it was parsed: `state` packs the
 * mode, `default rel`, `%define`s or `.set` constants; `scope` is the enclosing label, for lines that
 * may name a local label (empty otherwise).
 */
import type { InstructionStatement, Statement } from './statements.js';

const MAX_ENTRIES = 1 << 16;

interface Entry {
  readonly statement: InstructionStatement;
  readonly state: number;
  readonly scope: string;
}

/** A cache of single-instruction lines. */
export class InstructionLineCache {
  private readonly entries = new Map<string, Entry>();

  /** The cached statement for `text`, moved to `line`; undefined on a miss. */
  lookup(text: string, state: number, scope: string, line: number): InstructionStatement | undefined {
    const entry = this.entries.get(text);
    if (!entry || entry.state !== state || entry.scope !== scope) return undefined;
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

  /** Records what one line produced (`statements` from index `first` on), if it was exactly one instruction. */
  remember(
    text: string,
    state: number,
    scope: string,
    statements: readonly Statement[],
    first: number,
  ): void {
    if (statements.length !== first + 1 || this.entries.size >= MAX_ENTRIES) return;
    const statement = statements[first];
    if (statement.kind === 'instruction') this.entries.set(text, { statement, state, scope });
  }
}
