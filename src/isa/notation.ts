/**
 * Expands family declarations (SDM notation) into concrete {@link InstructionForm}s.
 *
 * A declaration such as `{ opcode: '01 /r', operands: ['Ev', 'Gv'] }` becomes three forms
 * (`ADD_rm16_r16`, `ADD_rm32_r32`, `ADD_rm64_r64`), each with its operand size, the modes it exists in,
 * and fully resolved operands. Operand-size rules follow SDM Vol. 1 §3.6.1 Table 3-4 and
 * Vol. 2A §2.2.1.7 (default 64-bit operand size).
 */
import { conditionCodes } from './conditions.js';
import type { OperandSpec, OperandTemplate } from './operands.js';
import type {
  FlagEffects,
  FlagName,
  FormDeclaration,
  InstructionFamilyDeclaration,
  InstructionForm,
  MandatoryPrefix,
  Mode,
  OpcodeMap,
  OperandSizeRule,
} from './spec.js';
import { allModes } from './spec.js';

/** What the opcode column of one declaration says, before operand-size expansion. */
export interface ParsedOpcode {
  readonly space: 'legacy' | 'vex';
  readonly map: OpcodeMap;
  readonly opcode: number;
  readonly plusRegister: boolean;
  readonly plusCondition: boolean;
  readonly modrm: InstructionForm['modrm'];
  readonly modrmReg: number | null;
  readonly modrmFixed: number | null;
  readonly mandatoryPrefix: MandatoryPrefix;
  readonly operandSize: 16 | 32 | 64 | null;
  readonly addressSize: 16 | 32 | 64 | null;
  readonly vexL: 0 | 1 | null;
  readonly vexW: 0 | 1 | null;
}

function parseHexByte(token: string, text: string): number {
  if (!/^[0-9A-F]{2}$/.test(token)) throw new Error(`bad opcode token '${token}' in '${text}'`);
  return Number.parseInt(token, 16);
}

function parseVexHeader(token: string, text: string) {
  const parts = token.split('.').slice(1);
  let vexL: 0 | 1 | null = null;
  let vexW: 0 | 1 | null = null;
  let mandatoryPrefix: MandatoryPrefix = 'NP';
  let map: OpcodeMap | undefined;
  for (const part of parts) {
    if (part === 'LZ' || part === 'L0' || part === '128') vexL = 0;
    else if (part === 'L1' || part === '256') vexL = 1;
    else if (part === 'LIG') vexL = null;
    else if (part === '66' || part === 'F2' || part === 'F3') mandatoryPrefix = part;
    else if (part === '0F' || part === '0F38' || part === '0F3A') map = part;
    else if (part === 'W0') vexW = 0;
    else if (part === 'W1') vexW = 1;
    else if (part !== 'WIG') throw new Error(`bad VEX field '${part}' in '${text}'`);
  }
  if (!map) throw new Error(`VEX header without map in '${text}'`);
  return { vexL, vexW, mandatoryPrefix, map };
}

/** Parses the opcode column of a declaration (see {@link FormDeclaration.opcode} for the grammar). */
export function parseOpcode(text: string): ParsedOpcode {
  const tokens = text.split(/\s+/).filter((token) => token !== '' && token !== '+');
  let position = 0;
  let mandatoryPrefix: MandatoryPrefix = 'none';
  let operandSize: 16 | 32 | 64 | null = null;
  let addressSize: 16 | 32 | 64 | null = null;
  let space: 'legacy' | 'vex' = 'legacy';
  let map: OpcodeMap = 'legacy';
  let vexL: 0 | 1 | null = null;
  let vexW: 0 | 1 | null = null;
  const isPrefixToken = (token: string) => /^(NP|NFx|66|F2|F3|REX\.W|o16|o32|o64|a16|a32|a64)$/.test(token);
  while (position < tokens.length && isPrefixToken(tokens[position]) && position < tokens.length - 1) {
    const token = tokens[position];
    // A bare `66`/`F2`/`F3` is a mandatory prefix only when an opcode follows it.
    if (token === 'NP' || token === 'NFx' || token === '66' || token === 'F2' || token === 'F3')
      mandatoryPrefix = token;
    else if (token === 'REX.W' || token === 'o64') operandSize = 64;
    else if (token === 'o16') operandSize = 16;
    else if (token === 'o32') operandSize = 32;
    else addressSize = Number(token.slice(1)) as 16 | 32 | 64;
    position++;
  }
  if (tokens[position]?.startsWith('VEX.')) {
    const header = parseVexHeader(tokens[position], text);
    space = 'vex';
    map = header.map;
    vexL = header.vexL;
    vexW = header.vexW;
    mandatoryPrefix = header.mandatoryPrefix;
    position++;
  } else if (tokens[position] === '0F') {
    position++;
    if (tokens[position] === '38' || tokens[position] === '3A') {
      map = tokens[position] === '38' ? '0F38' : '0F3A';
      position++;
    } else {
      map = '0F';
    }
  }
  let opcodeToken = tokens[position++];
  if (opcodeToken === undefined) throw new Error(`no opcode byte in '${text}'`);
  let plusRegister = false;
  let plusCondition = false;
  if (opcodeToken.endsWith('+r')) {
    plusRegister = true;
    opcodeToken = opcodeToken.slice(0, -2);
  } else if (opcodeToken.endsWith('+cc')) {
    plusCondition = true;
    opcodeToken = opcodeToken.slice(0, -3);
  }
  const opcode = parseHexByte(opcodeToken, text);
  let modrm: InstructionForm['modrm'] = 'none';
  let modrmReg: number | null = null;
  let modrmFixed: number | null = null;
  const modrmToken = tokens[position];
  if (modrmToken === '/r') {
    modrm = 'register';
    position++;
  } else if (modrmToken !== undefined && /^\/[0-7]$/.test(modrmToken)) {
    modrm = 'opcodeExtension';
    modrmReg = Number(modrmToken.slice(1));
    position++;
  } else if (modrmToken !== undefined) {
    modrmFixed = parseHexByte(modrmToken, text);
    modrm = 'opcodeExtension';
    modrmReg = (modrmFixed >> 3) & 7;
    position++;
  }
  if (position !== tokens.length) throw new Error(`trailing tokens in opcode '${text}'`);
  return {
    space,
    map,
    opcode,
    plusRegister,
    plusCondition,
    modrm,
    modrmReg,
    modrmFixed,
    mandatoryPrefix,
    operandSize,
    addressSize,
    vexL,
    vexW,
  };
}

const flagLetters: readonly FlagName[] = ['o', 's', 'z', 'a', 'p', 'c', 'd', 'i', 't'];

/**
 * Splits `oszapc` into flags. Every status flag is one letter, so `oac` is O, A and C; the alignment
 * check flag, whose iced name `ac` would be ambiguous inside such a run, is written `AC` (upper case).
 */
function splitFlagLetters(letters: string, text: string): FlagName[] {
  const result: FlagName[] = [];
  let rest = letters;
  while (rest.length > 0) {
    if (rest.startsWith('AC')) {
      result.push('ac');
      rest = rest.slice(2);
      continue;
    }
    const flag = flagLetters.find((candidate) => rest.startsWith(candidate));
    if (!flag) throw new Error(`bad flag letters '${letters}' in '${text}'`);
    result.push(flag);
    rest = rest.slice(flag.length);
  }
  return result;
}

const parsedFlags = new Map<string, FlagEffects>();

/** Parses iced-style flag letters: `r=c w=oszapc 0=c 1=d u=a` (read, written, cleared, set, undefined). */
export function parseFlags(text: string | undefined): FlagEffects {
  // Families share a handful of flag strings; parse each once (the catalog is expanded at start-up).
  const known = parsedFlags.get(text ?? '');
  if (known) return known;
  const effects = {
    read: [] as FlagName[],
    written: [] as FlagName[],
    set: [] as FlagName[],
    cleared: [] as FlagName[],
    undefined: [] as FlagName[],
  };
  for (const part of (text ?? '').split(/\s+/).filter(Boolean)) {
    const [key, letters] = part.split('=');
    const flags = splitFlagLetters(letters ?? '', text ?? '');
    if (key === 'r') effects.read.push(...flags);
    else if (key === 'w') effects.written.push(...flags);
    else if (key === '1') effects.set.push(...flags);
    else if (key === '0') effects.cleared.push(...flags);
    else if (key === 'u') effects.undefined.push(...flags);
    else throw new Error(`bad flag key '${key}' in '${text}'`);
  }
  parsedFlags.set(text ?? '', effects);
  return effects;
}

type Size = 16 | 32 | 64;

/** Operand sizes a template takes: v = 16/32/64, y = 32/64, z = 16/32; null = fixed. */
function templateSizes(template: OperandTemplate): readonly Size[] | null {
  if (
    template === 'rAX' ||
    template === 'Xv' ||
    template === 'Yv' ||
    template === 'Ov' ||
    template === 'Jz'
  ) {
    return [16, 32, 64];
  }
  if (template === 'Ma' || template === 'Iz' || template === 'Gz') return [16, 32, 64];
  if (template.length === 2 && template[1] === 'v') return [16, 32, 64];
  if (template.length === 2 && template[1] === 'y') return [32, 64];
  return null;
}

const implicitRegisters: Partial<Record<OperandTemplate, OperandSpec>> = {
  AL: { encoding: 'implicitRegister', size: 8, register: 'al', name: 'AL' },
  CL: { encoding: 'implicitRegister', size: 8, register: 'cl', name: 'CL' },
  DX: { encoding: 'implicitRegister', size: 16, register: 'dx', name: 'DX' },
  ES: { encoding: 'implicitRegister', size: 16, register: 'es', name: 'ES' },
  CS: { encoding: 'implicitRegister', size: 16, register: 'cs', name: 'CS' },
  SS: { encoding: 'implicitRegister', size: 16, register: 'ss', name: 'SS' },
  DS: { encoding: 'implicitRegister', size: 16, register: 'ds', name: 'DS' },
  FS: { encoding: 'implicitRegister', size: 16, register: 'fs', name: 'FS' },
  GS: { encoding: 'implicitRegister', size: 16, register: 'gs', name: 'GS' },
  '1': { encoding: 'constantOne', size: 8, name: '1' },
};

const fixedSizes: Record<string, 8 | 16 | 32 | 64> = { b: 8, w: 16, d: 32, q: 64 };

/** Resolves one operand template at an operand size (null for size-independent forms). */
export function expandOperand(template: OperandTemplate, size: Size | null): OperandSpec {
  const implicit = implicitRegisters[template];
  if (implicit) return implicit;
  const variable = size ?? 32;
  switch (template) {
    case 'rAX': {
      const register = variable === 16 ? 'ax' : variable === 32 ? 'eax' : 'rax';
      return { encoding: 'implicitRegister', size: variable, register, name: register.toUpperCase() };
    }
    case 'M':
      return { encoding: 'modrmRmMemory', size: 0, name: 'm' };
    case 'Mdq':
      return { encoding: 'modrmRmMemory', size: 128, name: 'm128' };
    case 'Ma':
      return { encoding: 'modrmRmMemory', size: variable === 16 ? 32 : 64, name: `m${variable}${variable}` };
    case 'Sw':
      return { encoding: 'modrmReg', size: 16, segmentRegister: true, name: 'Sreg' };
    case 'Ib':
      return { encoding: 'immediate', size: 8, encodedSize: 8, name: 'imm8' };
    case 'Ibs':
      return { encoding: 'immediate', size: variable, encodedSize: 8, signExtended: true, name: 'imm8' };
    case 'Iw':
      return { encoding: 'immediate', size: 16, encodedSize: 16, name: 'imm16' };
    case 'Iz':
      return variable === 16
        ? { encoding: 'immediate', size: 16, encodedSize: 16, name: 'imm16' }
        : {
            encoding: 'immediate',
            size: variable,
            encodedSize: 32,
            signExtended: variable === 64,
            name: 'imm32',
          };
    case 'Iv':
      return { encoding: 'immediate', size: variable, encodedSize: variable, name: `imm${variable}` };
    case 'Jb':
      return { encoding: 'relative', size: variable, encodedSize: 8, name: 'rel8' };
    case 'Jz':
      return variable === 16
        ? { encoding: 'relative', size: 16, encodedSize: 16, name: 'rel16' }
        : { encoding: 'relative', size: variable, encodedSize: 32, name: 'rel32' };
    case 'Gz':
      return { encoding: 'modrmReg', size: variable === 16 ? 16 : 32, name: variable === 16 ? 'r16' : 'r32' };
  }
  const letter = template[0];
  const sizeLetter = template.slice(1);
  const width = sizeLetter === 'v' || sizeLetter === 'y' ? variable : fixedSizes[sizeLetter];
  if (width === undefined) throw new Error(`unknown operand template '${template}'`);
  switch (letter) {
    case 'E':
      return { encoding: 'modrmRm', size: width, name: `rm${width}` };
    case 'G':
      return { encoding: 'modrmReg', size: width, name: `r${width}` };
    case 'R':
      return { encoding: 'modrmRmRegister', size: width, name: `r${width}` };
    case 'M':
      return { encoding: 'modrmRmMemory', size: width, name: `m${width}` };
    case 'Z':
      return { encoding: 'opcodeRegister', size: width, name: `r${width}` };
    case 'B':
      return { encoding: 'vexRegister', size: width, name: `r${width}` };
    case 'O':
      return { encoding: 'memoryOffset', size: width, name: `moffs${width}` };
    case 'X':
      return { encoding: 'stringSource', size: width, name: `m${width}` };
    case 'Y':
      return { encoding: 'stringDestination', size: width, name: `m${width}` };
  }
  throw new Error(`unknown operand template '${template}'`);
}

/** Modes in which an operand size can be selected under a rule (SDM Vol. 1 Table 3-4). */
function modesForSize(size: Size | null, rule: OperandSizeRule): readonly Mode[] {
  if (size === 64) return [64];
  if (size === 32 && (rule === 'default64' || rule === 'force64')) return [16, 32];
  if (size === 16 && rule === 'force64') return [16, 32];
  return allModes;
}

function nameOperands(operands: readonly OperandSpec[]): string {
  return operands.map((operand) => `_${operand.name}`).join('');
}

/**
 * Expands one declared form into concrete forms (one per operand size and condition code). Names are
 * made unique across the catalog by {@link assignUniqueNames}.
 */
export function expandForm(
  family: InstructionFamilyDeclaration,
  declaration: FormDeclaration,
): InstructionForm[] {
  const parsed = parseOpcode(declaration.opcode);
  const hasVariable = declaration.operands.some((template) => templateSizes(template) !== null);
  const onlyWide = declaration.operands.some((template) => templateSizes(template)?.length === 2);
  const rule: OperandSizeRule = declaration.operandSizeRule ?? (onlyWide ? 'wOnly' : 'normal');
  let sizes: readonly (Size | null)[];
  if (parsed.operandSize !== null) sizes = [parsed.operandSize];
  else if (parsed.space === 'vex' && parsed.vexW !== null && onlyWide) sizes = [parsed.vexW === 1 ? 64 : 32];
  else if (onlyWide) sizes = [32, 64];
  else if (hasVariable || rule === 'default64' || rule === 'force64') sizes = [16, 32, 64];
  else sizes = [null];
  const conditions = parsed.plusCondition ? conditionCodes : [null];
  const familyModes = declaration.modes ?? family.modes ?? allModes;
  const flags = parseFlags(declaration.flags ?? family.flags);
  const forms: InstructionForm[] = [];
  for (const condition of conditions) {
    for (const size of sizes) {
      const modes = familyModes.filter((mode) => modesForSize(size, rule).includes(mode));
      if (modes.length === 0) continue;
      const operands = declaration.operands.map((template) => expandOperand(template, size));
      let mnemonic = declaration.mnemonic ?? family.mnemonic;
      let formFlags = flags;
      if (condition) {
        mnemonic = mnemonic.replace('{cc}', condition.suffix);
        formFlags = { ...flags, read: [...new Set([...flags.read, ...condition.reads])] };
      }
      const modrmMod = operands.some((operand) => operand.encoding === 'modrmRmRegister')
        ? 'register'
        : operands.some((operand) => operand.encoding === 'modrmRmMemory')
          ? 'memory'
          : parsed.modrmFixed !== null && parsed.modrmFixed >= 0xc0
            ? 'register'
            : 'any';
      forms.push({
        name:
          declaration.name ??
          `${mnemonic.toUpperCase()}${nameOperands(operands)}${declaration.nameSuffix ?? ''}`,
        mnemonic,
        family,
        opcodeText: declaration.opcode,
        space: parsed.space,
        map: parsed.map,
        opcode: parsed.opcode + (condition ? condition.number : 0),
        opcodeRegister: parsed.plusRegister,
        modrm: parsed.modrm,
        modrmReg: parsed.modrmReg,
        modrmFixed: parsed.modrmFixed,
        modrmMod,
        mandatoryPrefix: parsed.mandatoryPrefix,
        operandSize: size,
        operandSizeRule: rule,
        addressSize: parsed.addressSize,
        vex: parsed.space === 'vex' ? { l: parsed.vexL, w: onlyWide ? null : parsed.vexW } : null,
        operands,
        modes,
        feature: declaration.feature ?? family.feature ?? null,
        flags: formFlags,
        lockable: declaration.lockable ?? family.lockable ?? false,
        repeat: declaration.repeat ?? null,
        requiresNoRexB: declaration.requiresNoRexB ?? false,
        conditionCode: condition ? condition.number : null,
      });
    }
  }
  return forms;
}

/**
 * Makes form names unique: where two forms share a derived name (same mnemonic and operand names,
 * different operand or address size), each gets its size appended, iced style (`JMP_rel32_32`,
 * `JMP_rel32_64`, `RET_16`).
 */
export function assignUniqueNames(forms: InstructionForm[]): InstructionForm[] {
  const counts = new Map<string, number>();
  for (const form of forms) counts.set(form.name, (counts.get(form.name) ?? 0) + 1);
  const renamed = forms.map((form) => {
    if ((counts.get(form.name) ?? 0) < 2) return form;
    const suffix = form.operandSize ?? form.addressSize;
    return suffix === null ? form : { ...form, name: `${form.name}_${suffix}` };
  });
  const seen = new Set<string>();
  for (const form of renamed) {
    if (seen.has(form.name)) throw new Error(`duplicate instruction form name ${form.name}`);
    seen.add(form.name);
  }
  return renamed;
}
