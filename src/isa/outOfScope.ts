/**
 * Valid x86 opcodes that are outside vial's current scope (x87, SSE/AVX, I/O, far transfers, system
 * instructions). The decoder reports them as "unsupported instruction" with a mnemonic hint and, where
 * the encoding tells, the instruction's length — never as invalid, never mis-decoded. Later issues move
 * entries from here into `families/`.
 *
 * Sources: SDM Vol. 2D Appendix A, Tables A-2 (one-byte map) and A-3 (two-byte map).
 */
import type { Mode, OpcodeMap } from './spec.js';

/** Immediate bytes after ModRM: a count, or `z` (2 or 4 by operand size), or `farPointer` (2 + 2/4). */
export type OutOfScopeImmediate = 0 | 1 | 2 | 4 | 'z' | 'farPointer';

/** One out-of-scope opcode (or run of opcodes). */
export interface OutOfScopeOpcode {
  readonly map: OpcodeMap;
  /** First opcode byte of the run. */
  readonly first: number;
  /** Last opcode byte of the run (same as first for one opcode). */
  readonly last: number;
  /** Mnemonic hint for messages (`fld…` style families are named by their group). */
  readonly mnemonic: string;
  /** What kind of instruction, for the message: `x87`, `sse`, `io`, `far`, `system`, … */
  readonly group: string;
  readonly modrm: boolean;
  readonly immediate: OutOfScopeImmediate;
  /** Modes where the opcode is valid (default all). */
  readonly modes?: readonly Mode[];
  /** Only these ModRM.reg values (default any). */
  readonly modrmRegs?: readonly number[];
  /** Only with ModRM.mod = 11 (`register`) or != 11 (`memory`). */
  readonly modrmMod?: 'register' | 'memory';
  /** Only with this mandatory prefix (the last of F2/F3, else 66, else none = `NP`). */
  readonly prefix?: 'NP' | '66' | 'F2' | 'F3';
  /**
   * A catch-all for a whole map whose individual opcodes are not listed: it applies only to opcodes
   * with no in-scope form at all, never to an in-scope opcode's invalid variants.
   */
  readonly wholeMap?: boolean;
  /** ModRM.mod is ignored and r/m is always a register (MOV to/from CR/DR, SDM "MOV—Move to/from Control Registers"). */
  readonly modrmAlwaysRegister?: boolean;
}

const legacy = 'legacy' as const;
const twoByte = '0F' as const;
const notIn64: readonly Mode[] = [16, 32];

function one(
  map: OpcodeMap,
  opcode: number,
  mnemonic: string,
  group: string,
  modrm: boolean,
  immediate: OutOfScopeImmediate = 0,
  extra: Partial<OutOfScopeOpcode> = {},
): OutOfScopeOpcode {
  return { map, first: opcode, last: opcode, mnemonic, group, modrm, immediate, ...extra };
}

/** The out-of-scope opcode table. Earlier entries win. */
export const outOfScopeOpcodes: readonly OutOfScopeOpcode[] = [
  // One-byte map.
  one(legacy, 0x6c, 'insb', 'io', false),
  one(legacy, 0x6d, 'ins', 'io', false),
  one(legacy, 0x6e, 'outsb', 'io', false),
  one(legacy, 0x6f, 'outs', 'io', false),
  one(legacy, 0x9a, 'call far', 'far', false, 'farPointer', { modes: notIn64 }),
  one(legacy, 0x9b, 'wait', 'x87', false),
  one(legacy, 0xc4, 'les', 'far', true, 0, { modes: notIn64, modrmMod: 'memory' }),
  one(legacy, 0xc5, 'lds', 'far', true, 0, { modes: notIn64, modrmMod: 'memory' }),
  one(legacy, 0xc6, 'xabort', 'tsx', true, 1, { modrmRegs: [7], modrmMod: 'register' }),
  one(legacy, 0xc7, 'xbegin', 'tsx', true, 'z', { modrmRegs: [7], modrmMod: 'register' }),
  one(legacy, 0xca, 'retf', 'far', false, 2),
  one(legacy, 0xcb, 'retf', 'far', false),
  one(legacy, 0xcf, 'iret', 'far', false),
  one(legacy, 0xd6, 'salc', 'undocumented', false, 0, { modes: notIn64 }),
  { map: legacy, first: 0xd8, last: 0xdf, mnemonic: 'x87', group: 'x87', modrm: true, immediate: 0 },
  one(legacy, 0xe4, 'in', 'io', false, 1),
  one(legacy, 0xe5, 'in', 'io', false, 1),
  one(legacy, 0xe6, 'out', 'io', false, 1),
  one(legacy, 0xe7, 'out', 'io', false, 1),
  one(legacy, 0xea, 'jmp far', 'far', false, 'farPointer', { modes: notIn64 }),
  one(legacy, 0xec, 'in', 'io', false),
  one(legacy, 0xed, 'in', 'io', false),
  one(legacy, 0xee, 'out', 'io', false),
  one(legacy, 0xef, 'out', 'io', false),
  one(legacy, 0xf1, 'int1', 'system', false),
  one(legacy, 0xfa, 'cli', 'system', false),
  one(legacy, 0xfb, 'sti', 'system', false),
  one(legacy, 0xff, 'call far', 'far', true, 0, { modrmRegs: [3], modrmMod: 'memory' }),
  one(legacy, 0xff, 'jmp far', 'far', true, 0, { modrmRegs: [5], modrmMod: 'memory' }),
  // Two-byte map: system instructions without ModRM.
  one(twoByte, 0x06, 'clts', 'system', false),
  one(twoByte, 0x07, 'sysret', 'system', false),
  one(twoByte, 0x08, 'invd', 'system', false),
  one(twoByte, 0x09, 'wbinvd', 'system', false),
  one(twoByte, 0x30, 'wrmsr', 'system', false),
  one(twoByte, 0x32, 'rdmsr', 'system', false),
  one(twoByte, 0x33, 'rdpmc', 'system', false),
  one(twoByte, 0x35, 'sysexit', 'system', false),
  one(twoByte, 0x37, 'getsec', 'system', false),
  one(twoByte, 0x77, 'emms', 'mmx', false),
  one(twoByte, 0xaa, 'rsm', 'system', false),
  // VIA PadLock (xstore, xcrypt*, xsha*, montmul): ModRM-shaped byte, always a register form.
  one(twoByte, 0xa6, 'padlock', 'padlock', true, 0, { modrmAlwaysRegister: true }),
  one(twoByte, 0xa7, 'padlock', 'padlock', true, 0, { modrmAlwaysRegister: true }),
  // Two-byte map: with ModRM (and an imm8 where noted).
  { map: twoByte, first: 0x00, last: 0x03, mnemonic: 'system', group: 'system', modrm: true, immediate: 0 },
  one(twoByte, 0x0d, 'prefetch', 'hint', true),
  { map: twoByte, first: 0x10, last: 0x17, mnemonic: 'sse', group: 'sse', modrm: true, immediate: 0 },
  { map: twoByte, first: 0x18, last: 0x1f, mnemonic: 'hint nop', group: 'hint', modrm: true, immediate: 0 },
  {
    map: twoByte,
    first: 0x20,
    last: 0x23,
    mnemonic: 'mov cr/dr',
    group: 'system',
    modrm: true,
    immediate: 0,
    modrmAlwaysRegister: true,
  },
  one(twoByte, 0x0e, 'femms', '3dnow', false),
  // 3DNow! puts its opcode in a trailing byte where an imm8 would be.
  one(twoByte, 0x0f, '3dnow', '3dnow', true, 1),
  { map: twoByte, first: 0x28, last: 0x2f, mnemonic: 'sse', group: 'sse', modrm: true, immediate: 0 },
  { map: twoByte, first: 0x50, last: 0x6f, mnemonic: 'sse', group: 'sse', modrm: true, immediate: 0 },
  { map: twoByte, first: 0x70, last: 0x73, mnemonic: 'sse', group: 'sse', modrm: true, immediate: 1 },
  { map: twoByte, first: 0x74, last: 0x76, mnemonic: 'sse', group: 'sse', modrm: true, immediate: 0 },
  { map: twoByte, first: 0x78, last: 0x79, mnemonic: 'vmx', group: 'system', modrm: true, immediate: 0 },
  { map: twoByte, first: 0x7c, last: 0x7f, mnemonic: 'sse', group: 'sse', modrm: true, immediate: 0 },
  one(twoByte, 0xae, 'fence/fxsave', 'system', true),
  one(twoByte, 0xb2, 'lss', 'far', true, 0, { modrmMod: 'memory' }),
  one(twoByte, 0xb4, 'lfs', 'far', true, 0, { modrmMod: 'memory' }),
  one(twoByte, 0xb5, 'lgs', 'far', true, 0, { modrmMod: 'memory' }),
  one(twoByte, 0xb9, 'ud1', 'undefined', true),
  one(twoByte, 0xc2, 'sse', 'sse', true, 1),
  one(twoByte, 0xc3, 'movnti', 'sse', true, 0, { modrmMod: 'memory' }),
  { map: twoByte, first: 0xc4, last: 0xc6, mnemonic: 'sse', group: 'sse', modrm: true, immediate: 1 },
  // Group 9 besides CMPXCHG8B/16B (/1): xrstors, xsavec, xsaves, vmptrld, vmptrst (memory, /3../7),
  // rdrand, rdseed, rdpid (register, /6 /7).
  one(twoByte, 0xc7, 'system', 'system', true, 0, { modrmRegs: [3, 4, 5, 6, 7], modrmMod: 'memory' }),
  one(twoByte, 0xc7, 'rdrand/rdseed', 'system', true, 0, { modrmRegs: [6, 7], modrmMod: 'register' }),
  { map: twoByte, first: 0xd0, last: 0xfe, mnemonic: 'sse', group: 'sse', modrm: true, immediate: 0 },
  one(twoByte, 0xff, 'ud0', 'undefined', true),
  // Three-byte maps: SSSE3/SSE4 and others; every 0F 3A instruction has an imm8.
  // CET shadow-stack stores sharing 0F 38 F5/F6 with in-scope ADCX/ADOX/BMI-free slots.
  one('0F38', 0xf5, 'wruss', 'system', true, 0, { prefix: '66', modrmMod: 'memory' }),
  one('0F38', 0xf6, 'wrss', 'system', true, 0, { prefix: 'NP', modrmMod: 'memory' }),
  {
    map: '0F38',
    first: 0x00,
    last: 0xff,
    mnemonic: 'sse',
    group: 'sse',
    modrm: true,
    immediate: 0,
    wholeMap: true,
  },
  {
    map: '0F3A',
    first: 0x00,
    last: 0xff,
    mnemonic: 'sse',
    group: 'sse',
    modrm: true,
    immediate: 1,
    wholeMap: true,
  },
];

/**
 * Mnemonics of common SSE/SSE2 two-byte opcodes, for "unsupported instruction" messages only
 * (SDM Vol. 2D Table A-3). Each entry lists the mnemonic without prefix, with 66, with F3, with F2
 * (`-` where that prefix selects nothing common); a later issue replaces this with real declarations.
 */
const sseMnemonicTable: Readonly<Record<number, string>> = {
  16: 'movups movupd movss movsd',
  17: 'movups movupd movss movsd',
  18: 'movlps movlpd movsldup movddup',
  19: 'movlps movlpd - -',
  20: 'unpcklps unpcklpd - -',
  21: 'unpckhps unpckhpd - -',
  22: 'movhps movhpd movshdup -',
  23: 'movhps movhpd - -',
  40: 'movaps movapd - -',
  41: 'movaps movapd - -',
  42: 'cvtpi2ps cvtpi2pd cvtsi2ss cvtsi2sd',
  43: 'movntps movntpd - -',
  44: 'cvttps2pi cvttpd2pi cvttss2si cvttsd2si',
  45: 'cvtps2pi cvtpd2pi cvtss2si cvtsd2si',
  46: 'ucomiss ucomisd - -',
  47: 'comiss comisd - -',
  80: 'movmskps movmskpd - -',
  81: 'sqrtps sqrtpd sqrtss sqrtsd',
  84: 'andps andpd - -',
  85: 'andnps andnpd - -',
  86: 'orps orpd - -',
  87: 'xorps xorpd - -',
  88: 'addps addpd addss addsd',
  89: 'mulps mulpd mulss mulsd',
  90: 'cvtps2pd cvtpd2ps cvtss2sd cvtsd2ss',
  91: 'cvtdq2ps cvtps2dq cvttps2dq -',
  92: 'subps subpd subss subsd',
  93: 'minps minpd minss minsd',
  94: 'divps divpd divss divsd',
  95: 'maxps maxpd maxss maxsd',
  96: 'punpcklbw punpcklbw - -',
  97: 'punpcklwd punpcklwd - -',
  98: 'punpckldq punpckldq - -',
  102: 'pcmpgtd pcmpgtd - -',
  108: '- punpcklqdq - -',
  109: '- punpckhqdq - -',
  110: 'movd movd - -',
  111: 'movq movdqa movdqu -',
  112: 'pshufw pshufd pshufhw pshuflw',
  116: 'pcmpeqb pcmpeqb - -',
  117: 'pcmpeqw pcmpeqw - -',
  118: 'pcmpeqd pcmpeqd - -',
  126: 'movd movd movq -',
  127: 'movq movdqa movdqu -',
  194: 'cmpps cmppd cmpss cmpsd',
  198: 'shufps shufpd - -',
  212: 'paddq paddq - -',
  214: '- movq - -',
  215: 'pmovmskb pmovmskb - -',
  218: 'pminub pminub - -',
  219: 'pand pand - -',
  223: 'pandn pandn - -',
  231: 'movntq movntdq - -',
  235: 'por por - -',
  239: 'pxor pxor - -',
  244: 'pmuludq pmuludq - -',
  250: 'psubd psubd - -',
  251: 'psubq psubq - -',
  254: 'paddd paddd - -',
};

/**
 * The mnemonic of a two-byte SSE opcode with its mandatory prefix (`NP`, `66`, `F3`, `F2`), when
 * `sseMnemonicTable` knows it; for messages about unsupported instructions.
 */
export function sseMnemonic(opcode: number, prefix: 'NP' | '66' | 'F3' | 'F2'): string | null {
  const mnemonic = sseMnemonicRows.get(opcode)?.[['NP', '66', 'F3', 'F2'].indexOf(prefix)];
  return mnemonic && mnemonic !== '-' ? mnemonic : null;
}

const sseMnemonicRows = new Map(
  Object.entries(sseMnemonicTable).map(([opcode, row]) => [Number(opcode), row.split(' ')]),
);
