/**
 * The catalog: every family in scope, and every concrete form expanded from them. This is the one
 * place the decoder, encoder, assembler and printers get instruction facts from.
 */
import { arithmeticFamilies } from './families/arithmetic.js';
import { bitFamilies } from './families/bits.js';
import { bmiFamilies } from './families/bmi.js';
import { controlFamilies } from './families/control.js';
import { dataMovementFamilies } from './families/datamove.js';
import { miscFamilies } from './families/misc.js';
import { shiftFamilies } from './families/shifts.js';
import { stackFamilies } from './families/stack.js';
import { stringFamilies } from './families/string.js';
import { assignUniqueNames, expandForm } from './notation.js';
import type { InstructionFamilyDeclaration, InstructionForm } from './spec.js';

/** Every instruction family in scope (general-purpose integer instructions of IA-32 and x86-64). */
export const instructionFamilies: readonly InstructionFamilyDeclaration[] = [
  ...arithmeticFamilies,
  ...shiftFamilies,
  ...bitFamilies,
  ...bmiFamilies,
  ...dataMovementFamilies,
  ...stackFamilies,
  ...controlFamilies,
  ...stringFamilies,
  ...miscFamilies,
];

interface ExpandedCatalog {
  readonly forms: readonly InstructionForm[];
  readonly byName: ReadonlyMap<string, InstructionForm>;
  readonly byMnemonic: ReadonlyMap<string, readonly InstructionForm[]>;
}

let expanded: ExpandedCatalog | null = null;

/**
 * Expands the families into forms on first use rather than at import: expansion costs ~10 ms on a
 * cold start, which `import('vial')` should not pay (the performance issue's budget is 50 ms).
 */
function catalog(): ExpandedCatalog {
  if (expanded === null) {
    const forms = assignUniqueNames(
      instructionFamilies.flatMap((family) => family.forms.flatMap((form) => expandForm(family, form))),
    );
    expanded = {
      forms,
      byName: new Map(forms.map((form) => [form.name, form])),
      byMnemonic: groupByMnemonic(forms),
    };
  }
  return expanded;
}

/** Every concrete form, in declaration order, with unique stable names. */
export function instructionForms(): readonly InstructionForm[] {
  return catalog().forms;
}

/** Forms by stable name (`ADD_rm32_r32`). */
export function formsByName(): ReadonlyMap<string, InstructionForm> {
  return catalog().byName;
}

/** Forms by mnemonic (`add` → all ADD forms), in declaration order: the assembler's lookup. */
export function formsByMnemonic(): ReadonlyMap<string, readonly InstructionForm[]> {
  return catalog().byMnemonic;
}

function groupByMnemonic(forms: readonly InstructionForm[]): Map<string, InstructionForm[]> {
  const groups = new Map<string, InstructionForm[]>();
  for (const form of forms) {
    const group = groups.get(form.mnemonic);
    if (group) group.push(form);
    else groups.set(form.mnemonic, [form]);
  }
  return groups;
}
