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
import { assignUniqueNames, expandForm, parseOpcode } from './notation.js';
import type { FormDeclaration, InstructionFamilyDeclaration, InstructionForm, OpcodeMap } from './spec.js';

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

/** One declared form of a family, expanded into concrete forms on first use. */
interface Declaration {
  readonly family: InstructionFamilyDeclaration;
  readonly form: FormDeclaration;
  expanded: readonly InstructionForm[] | null;
}

const declarations: readonly Declaration[] = instructionFamilies.flatMap((family) =>
  family.forms.map((form) => ({ family, form, expanded: null })),
);

/**
 * The concrete forms of one declaration. Names are made unique per declaration: forms that share a
 * derived name (sizes of one declaration) always come from the same declaration, and
 * {@link instructionForms} checks that names are unique across the catalog.
 */
function formsOf(declaration: Declaration): readonly InstructionForm[] {
  declaration.expanded ??= assignUniqueNames(expandForm(declaration.family, declaration.form));
  return declaration.expanded;
}

interface ExpandedCatalog {
  readonly forms: readonly InstructionForm[];
  readonly byName: ReadonlyMap<string, InstructionForm>;
  readonly byMnemonic: ReadonlyMap<string, readonly InstructionForm[]>;
}

let expanded: ExpandedCatalog | null = null;

/**
 * Expands the families into forms on first use rather than at import: the whole catalog costs ~10 ms
 * on a cold start, which `import('vial')` should not pay (the performance issue's budget is 50 ms),
 * and decoding one instruction needs only the declarations of its opcode ({@link formsWithOpcode}).
 */
function catalog(): ExpandedCatalog {
  if (expanded === null) {
    const forms = declarations.flatMap(formsOf);
    const byName = new Map<string, InstructionForm>();
    for (const form of forms) {
      if (byName.has(form.name)) throw new Error(`duplicate instruction form name ${form.name}`);
      byName.set(form.name, form);
    }
    expanded = { forms, byName, byMnemonic: groupByMnemonic(forms) };
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

/** Declarations by the opcode slots their forms occupy (`space:map:opcode`), built on first use. */
let declarationsBySlot: Map<string, Declaration[]> | null = null;

function slotKey(space: string, map: OpcodeMap, opcode: number): string {
  return `${space}:${map}:${opcode}`;
}

/**
 * The forms whose opcode byte is `opcode` in `map` of `space` — `+r` forms on all eight bytes they
 * cover, `+cc` forms on their condition's byte — in catalog order. Expands only the declarations
 * that can have such forms, so the decoder's first instruction does not expand the whole catalog.
 */
export function formsWithOpcode(space: 'legacy' | 'vex', map: OpcodeMap, opcode: number): InstructionForm[] {
  if (declarationsBySlot === null) {
    declarationsBySlot = new Map();
    for (const declaration of declarations) {
      const parsed = parseOpcode(declaration.form.opcode);
      const span = parsed.plusCondition ? 16 : parsed.plusRegister ? 8 : 1;
      for (let offset = 0; offset < span; offset++) {
        const key = slotKey(parsed.space, parsed.map, parsed.opcode + offset);
        const list = declarationsBySlot.get(key);
        if (list) list.push(declaration);
        else declarationsBySlot.set(key, [declaration]);
      }
    }
  }
  const covers = (form: InstructionForm) =>
    form.space === space &&
    form.map === map &&
    opcode >= form.opcode &&
    opcode < form.opcode + (form.opcodeRegister ? 8 : 1);
  return (declarationsBySlot.get(slotKey(space, map, opcode)) ?? []).flatMap((declaration) =>
    formsOf(declaration).filter(covers),
  );
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
