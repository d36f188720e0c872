/**
 * The registers that general-purpose integer instructions name, with their encodings, widths and
 * aliasing. Intel SDM Vol. 1 §3.4 (basic execution registers) and §3.7.2.1 (64-bit mode registers);
 * Vol. 2A §2.1.5 Table 2-2 / §2.2.1.2 Table 3-1 for the register numbers used in ModRM, SIB and REX.
 *
 * Registers are named by their lower-case assembler names (`'eax'`, `'r8b'`, `'spl'`). Names are
 * interned strings, so comparing two registers is as cheap as comparing numbers.
 */

/** Kinds of register, as the SDM groups them. */
export type RegisterClass =
  /** AL..R15B, including SPL/BPL/SIL/DIL, which need a REX prefix. */
  | 'gpr8'
  /** AH, CH, DH, BH: bits 8..15 of RAX..RBX; not encodable in an instruction with a REX prefix. */
  | 'gpr8high'
  | 'gpr16'
  | 'gpr32'
  | 'gpr64'
  /** ES, CS, SS, DS, FS, GS (SDM Vol. 1 §3.4.2). */
  | 'segment'
  /** RIP/EIP/IP: only usable as the base of RIP-relative addressing (SDM Vol. 2A §2.2.1.6). */
  | 'instructionPointer';

/** 8-bit general-purpose registers in encoding order without REX (SDM Vol. 2A Table 2-2). */
export const legacyByteRegisters = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;
/** 8-bit general-purpose registers in encoding order with any REX prefix (SDM Vol. 2A Table 3-1). */
export const rexByteRegisters = [
  'al',
  'cl',
  'dl',
  'bl',
  'spl',
  'bpl',
  'sil',
  'dil',
  'r8b',
  'r9b',
  'r10b',
  'r11b',
  'r12b',
  'r13b',
  'r14b',
  'r15b',
] as const;
/** 16-bit general-purpose registers in encoding order (number 0..15). */
export const wordRegisters = [
  'ax',
  'cx',
  'dx',
  'bx',
  'sp',
  'bp',
  'si',
  'di',
  'r8w',
  'r9w',
  'r10w',
  'r11w',
  'r12w',
  'r13w',
  'r14w',
  'r15w',
] as const;
/** 32-bit general-purpose registers in encoding order (number 0..15). */
export const doublewordRegisters = [
  'eax',
  'ecx',
  'edx',
  'ebx',
  'esp',
  'ebp',
  'esi',
  'edi',
  'r8d',
  'r9d',
  'r10d',
  'r11d',
  'r12d',
  'r13d',
  'r14d',
  'r15d',
] as const;
/** 64-bit general-purpose registers in encoding order (number 0..15). */
export const quadwordRegisters = [
  'rax',
  'rcx',
  'rdx',
  'rbx',
  'rsp',
  'rbp',
  'rsi',
  'rdi',
  'r8',
  'r9',
  'r10',
  'r11',
  'r12',
  'r13',
  'r14',
  'r15',
] as const;
/** Segment registers in the order of the ModRM.reg field of `mov Sreg` (SDM Vol. 2A §3.1.1.3 "Sreg"). */
export const segmentRegisters = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
/** Instruction-pointer registers, by address size 16/32/64. */
export const instructionPointerRegisters = ['ip', 'eip', 'rip'] as const;

/** Name of any 8-bit register (low or high byte). */
export type ByteRegister = (typeof rexByteRegisters)[number] | (typeof legacyByteRegisters)[number];
/** Name of a 16-bit general-purpose register. */
export type WordRegister = (typeof wordRegisters)[number];
/** Name of a 32-bit general-purpose register. */
export type DoublewordRegister = (typeof doublewordRegisters)[number];
/** Name of a 64-bit general-purpose register. */
export type QuadwordRegister = (typeof quadwordRegisters)[number];
/** Name of a segment register. */
export type SegmentRegister = (typeof segmentRegisters)[number];
/** Name of an instruction-pointer register. */
export type InstructionPointerRegister = (typeof instructionPointerRegisters)[number];
/** Name of a general-purpose register of any width. */
export type GeneralRegister = ByteRegister | WordRegister | DoublewordRegister | QuadwordRegister;
/** Name of any register a general-purpose integer instruction can name. */
export type RegisterName = GeneralRegister | SegmentRegister | InstructionPointerRegister;

/** Everything we know about one register. */
export interface RegisterInfo {
  readonly name: RegisterName;
  readonly class: RegisterClass;
  /** Width in bits. */
  readonly width: 8 | 16 | 32 | 64;
  /**
   * Number used in ModRM/SIB/opcode+r encodings: 0..15 for general registers (bit 3 comes from REX
   * or VEX), 4..7 for AH..BH (which share numbers with SPL..DIL), 0..5 for segment registers.
   */
  readonly number: number;
  /**
   * The 64-bit register this one is part of (`'ah'` → `'rax'`); segment and instruction-pointer
   * registers name themselves (`'eip'` → `'rip'`).
   */
  readonly container: RegisterName;
  /** Lowest bit of {@link container} this register occupies (8 for AH..BH, else 0). */
  readonly bitOffset: 0 | 8;
  /** True for SPL/BPL/SIL/DIL and R8..R15 in any width: encodable only with a REX (or VEX) prefix. */
  readonly needsRex: boolean;
  /** True for AH/CH/DH/BH: not encodable in an instruction that has a REX prefix (SDM Vol. 2A §2.2.1.2). */
  readonly forbidsRex: boolean;
}

function buildRegisterTable(): Map<RegisterName, RegisterInfo> {
  const table = new Map<RegisterName, RegisterInfo>();
  const add = (info: RegisterInfo) => table.set(info.name, info);
  rexByteRegisters.forEach((name, number) => {
    add({
      name,
      class: 'gpr8',
      width: 8,
      number,
      container: quadwordRegisters[number],
      bitOffset: 0,
      needsRex: number >= 4,
      forbidsRex: false,
    });
  });
  legacyByteRegisters.slice(4).forEach((name, index) => {
    add({
      name,
      class: 'gpr8high',
      width: 8,
      number: index + 4,
      container: quadwordRegisters[index],
      bitOffset: 8,
      needsRex: false,
      forbidsRex: true,
    });
  });
  const wide = [
    [wordRegisters, 'gpr16', 16],
    [doublewordRegisters, 'gpr32', 32],
    [quadwordRegisters, 'gpr64', 64],
  ] as const;
  for (const [names, registerClass, width] of wide) {
    names.forEach((name, number) => {
      add({
        name,
        class: registerClass,
        width,
        number,
        container: quadwordRegisters[number],
        bitOffset: 0,
        needsRex: number >= 8,
        forbidsRex: false,
      });
    });
  }
  segmentRegisters.forEach((name, number) => {
    add({
      name,
      class: 'segment',
      width: 16,
      number,
      container: name,
      bitOffset: 0,
      needsRex: false,
      forbidsRex: false,
    });
  });
  instructionPointerRegisters.forEach((name, index) => {
    add({
      name,
      class: 'instructionPointer',
      width: ([16, 32, 64] as const)[index],
      number: 0,
      container: 'rip',
      bitOffset: 0,
      needsRex: false,
      forbidsRex: false,
    });
  });
  return table;
}

/** Every register, by name. */
export const registers: ReadonlyMap<RegisterName, RegisterInfo> = buildRegisterTable();

/** Looks up a register by name (case-insensitive); undefined when there is no such register. */
export function registerInfo(name: string): RegisterInfo | undefined {
  return registers.get(name.toLowerCase() as RegisterName);
}

/** True when `name` is a register name vial knows. */
export function isRegisterName(name: string): name is RegisterName {
  return registers.has(name as RegisterName);
}

/**
 * The general register with encoding `number` (0..15) and `width` bits. For 8-bit registers,
 * `rexPresent` selects SPL..DIL (true) or AH..BH (false) for numbers 4..7 (SDM Vol. 2A §2.2.1.2).
 */
export function generalRegister(
  number: number,
  width: 8 | 16 | 32 | 64,
  rexPresent: boolean,
): GeneralRegister {
  switch (width) {
    case 8:
      return rexPresent || number >= 8 ? rexByteRegisters[number] : legacyByteRegisters[number];
    case 16:
      return wordRegisters[number];
    case 32:
      return doublewordRegisters[number];
    case 64:
      return quadwordRegisters[number];
  }
}
