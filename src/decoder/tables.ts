/**
 * Decoder tables, derived from the spec catalog (never written by hand), one opcode slot at a time
 * when an instruction first decodes through it.
 *
 * Forms are bucketed by (encoding space, opcode map, opcode byte). A bucket whose forms use ModRM is
 * further split by ModRM.reg, so a `/digit` group is one array index away. Within a list, candidates
 * are ordered most specific first; the decoder takes the first whose requirements hold.
 */
import { formsWithOpcode } from '../isa/catalog.js';
import type { InstructionForm, OpcodeMap } from '../isa/spec.js';

/** Numeric codes for a form's mandatory prefix, so matching compares small integers. */
export const mandatoryPrefixCode = { none: 0, NP: 1, '66': 2, F2: 3, F3: 4, NFx: 5 } as const;
/** Numeric codes for operand-size rules (index into the decoder's effective-size computation). */
export const operandSizeRuleCode = { normal: 0, default64: 1, force64: 2, wOnly: 3 } as const;

/** A form with its requirements pre-digested into numbers for the decoder's hot loop. */
export interface DecodeCandidate {
  readonly form: InstructionForm;
  readonly mandatoryPrefix: number;
  /** 0 when the form does not depend on the operand size. */
  readonly operandSize: number;
  readonly operandSizeRule: number;
  /** 0 when any. */
  readonly addressSize: number;
  /** 0 any, 1 register (mod = 11), 2 memory. */
  readonly modrmMod: number;
  /** -1 when not fixed. */
  readonly modrmFixed: number;
  readonly requiresNoRexB: boolean;
  /** -1 when VEX.L is ignored. */
  readonly vexL: number;
  /** -1 when VEX.W is ignored or selects the operand size. */
  readonly vexW: number;
  /** The form uses VEX.vvvv (otherwise it must be 1111b). */
  readonly usesVvvv: boolean;
  /** The first operand is a segment register written by the form (MOV Sreg: CS is #UD). */
  readonly writesSegmentRegister: boolean;
}

/** The forms that share one (space, map, opcode) slot. */
export interface DecodeBucket {
  /** True when the slot's forms have a ModRM byte (all of them do, or none). */
  readonly needsModrm: boolean;
  /**
   * Candidates valid in a mode for each ModRM.reg value, at index `modeIndex(mode) * 8 + reg`
   * (ModRM buckets), or eight copies of one list per mode (no ModRM).
   */
  readonly candidatesByModeAndReg: readonly (readonly DecodeCandidate[])[];
}

/** Index of a mode in {@link DecodeBucket.candidatesByModeAndReg}: 0, 1, 2 for 16, 32, 64. */
export function modeIndex(mode: 16 | 32 | 64): number {
  return mode === 16 ? 0 : mode === 32 ? 1 : 2;
}

function toCandidate(form: InstructionForm): DecodeCandidate {
  return {
    form,
    mandatoryPrefix: mandatoryPrefixCode[form.mandatoryPrefix],
    operandSize: form.operandSize ?? 0,
    operandSizeRule: operandSizeRuleCode[form.operandSizeRule],
    addressSize: form.addressSize ?? 0,
    modrmMod: form.modrmMod === 'any' ? 0 : form.modrmMod === 'register' ? 1 : 2,
    modrmFixed: form.modrmFixed ?? -1,
    requiresNoRexB: form.requiresNoRexB,
    vexL: form.vex?.l ?? -1,
    vexW: form.vex?.w ?? -1,
    usesVvvv: form.operands.some((operand) => operand.encoding === 'vexRegister'),
    writesSegmentRegister: form.operands[0]?.segmentRegister === true,
  };
}

/** Index of an opcode map in the bucket arrays. */
export const mapIndex: Readonly<Record<OpcodeMap, number>> = { legacy: 0, '0F': 1, '0F38': 2, '0F3A': 3 };

/** How specific a form's requirements are: more specific forms are tried first. */
function specificity(form: InstructionForm): number {
  return (
    (form.modrmFixed !== null ? 16 : 0) +
    (form.mandatoryPrefix !== 'none' ? 8 : 0) +
    (form.requiresNoRexB ? 4 : 0) +
    (form.addressSize !== null ? 2 : 0) +
    (form.operandSize !== null ? 1 : 0)
  );
}

const mapsByIndex: readonly OpcodeMap[] = ['legacy', '0F', '0F38', '0F3A'];

/** Built buckets by space and `mapIndex[map] * 256 + opcode`; null where no form has that opcode. */
const buckets = {
  legacy: new Map<number, DecodeBucket | null>(),
  vex: new Map<number, DecodeBucket | null>(),
};

/**
 * The bucket of an opcode slot (`mapIndex[map] * 256 + opcode`), or undefined when no form has that
 * opcode. Built when an instruction first decodes through it, from the catalog's forms with that
 * opcode only (start-up: decoding one instruction must not expand the whole catalog).
 */
export function bucketAt(space: 'legacy' | 'vex', slot: number): DecodeBucket | undefined {
  let bucket = buckets[space].get(slot);
  if (bucket === undefined) {
    const forms = formsWithOpcode(space, mapsByIndex[slot >> 8], slot & 0xff);
    bucket = null;
    if (forms.length > 0) {
      const needsModrm = forms[0].modrm !== 'none';
      if (forms.some((form) => (form.modrm !== 'none') !== needsModrm)) {
        throw new Error(`opcode slot ${slot.toString(16)} mixes forms with and without ModRM`);
      }
      bucket = new LazyBucket(needsModrm, forms);
    }
    buckets[space].set(slot, bucket);
  }
  return bucket ?? undefined;
}

/** A bucket whose candidate lists are built when an instruction first decodes through it. */
class LazyBucket implements DecodeBucket {
  private lists: (readonly DecodeCandidate[])[] | null = null;

  constructor(
    readonly needsModrm: boolean,
    private readonly forms: readonly InstructionForm[],
  ) {}

  get candidatesByModeAndReg(): readonly (readonly DecodeCandidate[])[] {
    this.lists ??= candidateLists(this.forms);
    return this.lists;
  }
}

function candidateLists(forms: readonly InstructionForm[]): (readonly DecodeCandidate[])[] {
  const candidates = [...forms].sort((a, b) => specificity(b) - specificity(a)).map(toCandidate);
  return Array.from({ length: 24 }, (_, index) => {
    const mode = ([16, 32, 64] as const)[index >> 3];
    const reg = index & 7;
    return candidates.filter(
      ({ form }) => form.modes.includes(mode) && (form.modrmReg === null || form.modrmReg === reg),
    );
  });
}
