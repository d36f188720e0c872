/**
 * The encoder's view of the ISA catalog: forms by the mnemonics people write. Everything here is
 * derived from `src/isa` (the single source of truth); the only additions are assembler spellings
 * that are not instruction facts: condition-code aliases (`jz` = `je`, from `conditions.ts`),
 * `sal` (assemblers encode SAL as SHL's /4, SDM Vol. 2B "SAL/SAR/SHL/SHR"; the spec's `sal` forms are
 * the undocumented /6 alias that no assembler emits), and the default-size spellings `pushf`,
 * `popf`, `pusha`, `popa` (NASM manual Appendix B; GNU as), which mean the mode's operand size.
 */
import { formsByMnemonic } from '../isa/catalog.js';
import { conditionCodes } from '../isa/conditions.js';
import type { InstructionForm, Mode } from '../isa/spec.js';

/** Spellings that name another mnemonic's forms. */
const SPELLING_ALIASES: Readonly<Record<string, string>> = {
  sal: 'shl',
  xlat: 'xlatb',
  loopz: 'loope',
  loopnz: 'loopne',
  retn: 'ret',
  pushfw: 'pushf',
  popfw: 'popf',
  pushaw: 'pusha',
  popaw: 'popa',
};

/** Mnemonics whose plain spelling means "the mode's operand size": [16-bit, 32-bit, 64-bit] names. */
const DEFAULT_SIZE_SPELLINGS: Readonly<Record<string, readonly [string, string, string]>> = {
  pushf: ['pushf', 'pushfd', 'pushfq'],
  popf: ['popf', 'popfd', 'popfq'],
  pusha: ['pusha', 'pushad', 'pushad'],
  popa: ['popa', 'popad', 'popad'],
};

function buildConditionAliases(): Map<string, string> {
  const aliases = new Map<string, string>();
  const templates = new Set<string>();
  for (const forms of formsByMnemonic().values()) {
    for (const form of forms) if (form.conditionCode !== null) templates.add(form.family.mnemonic);
  }
  for (const template of templates) {
    for (const condition of conditionCodes) {
      const canonical = template.replace('{cc}', condition.suffix);
      for (const alias of condition.aliases) aliases.set(template.replace('{cc}', alias), canonical);
    }
  }
  return aliases;
}

let conditionAliasTable: Map<string, string> | null = null;
/** Built on first use, like the catalog it reads (import stays cheap). */
function conditionAliases(): Map<string, string> {
  conditionAliasTable ??= buildConditionAliases();
  return conditionAliasTable;
}

/**
 * Mnemonics the encoder accepts beyond the catalog's own: `movabs` (GNU as) is `mov` with 64-bit
 * fields; `movs`, `cmps`, `stos`, `lods`, `scas` take explicit operands that give the element size;
 * `pushw`/`pushd`/`jmpq`… are GNU as's size-suffixed spellings.
 */
const EXTRA_MNEMONICS = new Set([
  'movabs',
  'movs',
  'cmps',
  'stos',
  'lods',
  'scas',
  ...['push', 'pop', 'jmp', 'call'].flatMap((stem) => [`${stem}w`, `${stem}d`, `${stem}q`]),
]);

/** True when `mnemonic` (lower case) names an instruction the encoder knows. */
export function isKnownMnemonic(mnemonic: string): boolean {
  return (
    formsByMnemonic().has(mnemonic) ||
    mnemonic in SPELLING_ALIASES ||
    conditionAliases().has(mnemonic) ||
    EXTRA_MNEMONICS.has(mnemonic)
  );
}

/** The catalog mnemonic a written mnemonic stands for in `mode`. */
export function canonicalMnemonic(mnemonic: string, mode: Mode): string {
  const spelled = SPELLING_ALIASES[mnemonic] ?? conditionAliases().get(mnemonic) ?? mnemonic;
  if (spelled !== mnemonic && mnemonic.endsWith('w') && spelled in DEFAULT_SIZE_SPELLINGS) return spelled;
  const bySize = DEFAULT_SIZE_SPELLINGS[spelled];
  if (bySize && mnemonic === spelled) return bySize[mode === 16 ? 0 : mode === 32 ? 1 : 2];
  return spelled === 'movabs' ? 'mov' : spelled;
}

/** The forms of a catalog mnemonic (empty when there are none). */
export function formsOf(mnemonic: string): readonly InstructionForm[] {
  return formsByMnemonic().get(mnemonic) ?? [];
}
