/**
 * The encoder's own API: operands in, bytes and the chosen catalog form out. (Coverage of every form
 * comes from the nasm / GNU as differential tests; these pin the API and the error messages.)
 */
import { describe, expect, it } from 'vitest';
import {
  type EncodeRequest,
  type EncoderArgument,
  EncodingError,
  encodeInstruction,
  isKnownMnemonic,
} from '../../src/encoder/index.js';

const register = (name: string): EncoderArgument => ({ kind: 'register', name: name as never });
const immediate = (
  value: bigint,
  extra: Partial<Extract<EncoderArgument, { kind: 'immediate' }>> = {},
): EncoderArgument => ({
  kind: 'immediate',
  value,
  size: undefined,
  strict: false,
  wide: false,
  provisional: false,
  distance: undefined,
  ...extra,
});
const memory = (base: string, displacement = 0n, size?: number): EncoderArgument => ({
  kind: 'memory',
  size,
  segment: undefined,
  base: base as never,
  index: undefined,
  scale: 1,
  displacement,
  wideDisplacement: false,
  displacementSize: undefined,
  ripRelative: false,
  literalDisplacement: false,
  absolute: false,
});

function encode(mnemonic: string, operands: EncoderArgument[], extra: Partial<EncodeRequest> = {}) {
  return encodeInstruction({
    mnemonic,
    prefixes: [],
    operands,
    mode: 64,
    address: 0n,
    style: 'nasm',
    longBranch: false,
    ...extra,
  });
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe('encodeInstruction', () => {
  it('returns the bytes and the catalog form it used', () => {
    const result = encode('add', [register('eax'), immediate(5n)]);
    expect(hex(result.bytes)).toBe('83c005');
    expect(result.form.name).toMatch(/^ADD_rm32_imm8/);
    expect(result.branch).toBeNull();
  });

  it('encodes VEX (BMI) forms with the C4 prefix, REX-extended registers included', () => {
    expect(hex(encode('andn', [register('r8'), register('r9'), memory('r10', 8n)]).bytes)).toBe(
      'c442b0f24208',
    );
    expect(hex(encode('rorx', [register('eax'), register('ebx'), immediate(3n)]).bytes)).toBe('c4e37bf0c303');
  });

  it('reports short and long branches for relaxation', () => {
    expect(encode('jne', [immediate(0x10n)], { address: 0n }).branch).toBe('short');
    const far = encode('jne', [immediate(0x1000n)], { address: 0n });
    expect(far.branch).toBe('long');
    expect(hex(far.bytes)).toBe('0f85fa0f0000');
    expect(hex(encode('jmp', [immediate(2n)], { longBranch: true }).bytes)).toBe('e9fdffffff');
  });

  it('uses 16-bit addressing in 16-bit code and a 67 prefix for other widths', () => {
    expect(hex(encode('mov', [register('ax'), memory('bp')], { mode: 16 }).bytes)).toBe('8b4600');
    expect(hex(encode('mov', [register('eax'), memory('ebx')], { mode: 64 }).bytes)).toBe('678b03');
  });

  it('throws EncodingError with an explanation and the operand at fault', () => {
    expect(() => encode('mov', [register('ah'), register('r8b')])).toThrow(
      /cannot be used in an instruction that needs a REX prefix/,
    );
    expect(() => encode('mov', [register('al'), immediate(0x1234n)])).toThrow(EncodingError);
    try {
      encode('mov', [register('al'), immediate(0x1234n)]);
    } catch (error) {
      expect((error as EncodingError).operandIndex).toBe(1);
    }
    expect(() => encode('lock', [])).toThrow(/unknown instruction/);
    expect(() => encode('add', [register('eax'), register('ebx')], { prefixes: ['lock'] })).toThrow(
      /`lock` is only allowed with a memory destination/,
    );
    expect(() => encode('inc', [register('r8d')], { mode: 32 })).toThrow(/exists only in 64-bit mode/);
  });

  it('knows the assembler spellings: condition aliases, sal, movabs, string stems', () => {
    for (const mnemonic of ['jz', 'cmovnae', 'setpe', 'sal', 'movabs', 'movs', 'xlat', 'pushfq']) {
      expect(isKnownMnemonic(mnemonic)).toBe(true);
    }
    expect(isKnownMnemonic('mvo')).toBe(false);
    expect(hex(encode('sal', [register('eax'), immediate(1n)]).bytes)).toBe('d1e0');
  });
});
