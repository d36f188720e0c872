/** The decoder's public API on small, hand-checked cases (the oracles cover the rest). */
import { describe, expect, it } from 'vitest';
import { decodeAll, decodeInstruction } from '../../src/decoder/index.js';
import { immediateBits, relativeTarget } from '../../src/isa/index.js';

const bytesOf = (hex: string) => Uint8Array.from(hex.match(/../g)!, (byte) => Number.parseInt(byte, 16));

describe('decodeInstruction', () => {
  it('reports form, sizes, prefixes and operands', () => {
    const result = decodeInstruction(bytesOf('f0664183440810ff'), 0, 64);
    if (result.status !== 'ok') throw new Error(result.message);
    expect(result).toMatchObject({
      mnemonic: 'add',
      length: 8,
      operandSize: 16,
      addressSize: 64,
      lock: true,
      operandSizePrefix: true,
      rex: 0x41,
      vex: null,
    });
    expect(result.form.name).toBe('ADD_rm16_imm8');
    expect(result.operands[0]).toMatchObject({
      kind: 'memory',
      base: 'r8',
      index: 'rcx',
      scale: 1,
      displacement: 0x10,
      size: 16,
    });
    const immediate = result.operands[1];
    if (immediate.kind !== 'immediate') throw new Error('expected an immediate');
    expect(immediate).toMatchObject({ value: -1, size: 16, encodedSize: 8, signExtended: true });
    expect(immediateBits(immediate)).toBe(0xffffn);
  });

  it('reads at an offset and stops at end', () => {
    const bytes = bytesOf('90e9fbffffff');
    const jump = decodeInstruction(bytes, 1, 64);
    if (jump.status !== 'ok') throw new Error(jump.message);
    const target = jump.operands[0];
    if (target.kind !== 'relative') throw new Error('expected a relative operand');
    expect(relativeTarget(target, 0x1000n + BigInt(jump.length), 64)).toBe(0x1000n);
    expect(decodeInstruction(bytes, 1, 64, 4)).toMatchObject({ status: 'truncated' });
  });

  it('tells invalid from unsupported, with a mnemonic and length where it can', () => {
    expect(decodeInstruction(bytesOf('0fffc0'), 0, 64)).toMatchObject({
      status: 'unsupported',
      mnemonic: 'ud0',
      length: 3,
    });
    expect(decodeInstruction(bytesOf('0fff'), 0, 64)).toMatchObject({ status: 'truncated' });
    expect(decodeInstruction(bytesOf('660f58c1'), 0, 64)).toMatchObject({
      status: 'unsupported',
      mnemonic: 'addpd',
      length: 4,
      lengthKnown: true,
    });
    expect(decodeInstruction(bytesOf('c4e27cf2c1'), 0, 64)).toMatchObject({ status: 'invalid' });
    expect(decodeInstruction(bytesOf('06'), 0, 64)).toMatchObject({ status: 'invalid' });
    expect(decodeInstruction(bytesOf('06'), 0, 32)).toMatchObject({ status: 'ok', mnemonic: 'push' });
    // In 32-bit code C5 is LDS unless the next byte has mod = 11 (then it is VEX, here cut short).
    expect(decodeInstruction(bytesOf('c500'), 0, 32)).toMatchObject({
      status: 'unsupported',
      mnemonic: 'lds',
      length: 2,
    });
    expect(decodeInstruction(bytesOf('c5f8'), 0, 32)).toMatchObject({ status: 'truncated' });
  });
});

describe('decodeAll', () => {
  it('walks instructions, skipping one byte after invalid bytes and whole unsupported instructions', () => {
    const steps = [...decodeAll(bytesOf('90060f58c1c3'), 64)].map(([offset, result]) => [
      offset,
      result.status,
    ]);
    expect(steps).toEqual([
      [0, 'ok'],
      [1, 'invalid'],
      [2, 'unsupported'],
      [5, 'ok'],
    ]);
  });
});
