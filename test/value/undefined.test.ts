import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isUndefined, ops, Undefined, UndefinedValue } from '../../src/index.js';

const binaryNames = [
  'add',
  'sub',
  'mul',
  'div',
  'floordiv',
  'mod',
  'pow',
  'and',
  'xor',
  'or',
  'lshift',
  'rshift',
] as const;
const unaryNames = ['neg', 'pos', 'abs', 'invert'] as const;

describe("the seed's coarse Undefined", () => {
  it('is one frozen singleton', () => {
    expect(Object.isFrozen(Undefined)).toBe(true);
    expect(() => new UndefinedValue()).toThrow(/singleton/);
    expect(Undefined).toBeInstanceOf(UndefinedValue);
  });

  for (const name of binaryNames) {
    it(`${name}: Undefined on either side gives Undefined (functions and methods)`, () => {
      for (const other of [0, 1, -7, 2.5, 0n, 5n, Undefined]) {
        expect(ops[name](Undefined, other)).toBe(Undefined);
        expect(ops[name](other, Undefined)).toBe(Undefined);
        expect(Undefined[name](other)).toBe(Undefined);
      }
    });
  }

  for (const name of unaryNames) {
    it(`${name}: Undefined gives Undefined`, () => {
      expect(ops[name](Undefined)).toBe(Undefined);
      expect(Undefined[name]()).toBe(Undefined);
    });
  }

  it("keeps the seed's caveats: Undefined * 0 and Undefined - Undefined are Undefined", () => {
    expect(ops.mul(Undefined, 0)).toBe(Undefined);
    expect(ops.mul(0, Undefined)).toBe(Undefined);
    expect(ops.sub(Undefined, Undefined)).toBe(Undefined);
  });

  it('equals only itself', () => {
    expect(Undefined.equals(Undefined)).toBe(true);
    expect(Undefined.notEquals(Undefined)).toBe(false);
    for (const other of [0, 1, null, undefined, 'Undefined', Number.NaN, {}]) {
      expect(Undefined.equals(other)).toBe(false);
      expect(Undefined.notEquals(other)).toBe(true);
    }
    expect(ops.equals(Undefined, Undefined)).toBe(true);
    expect(ops.equals(Undefined, 0)).toBe(false);
    expect(ops.notEquals(0, Undefined)).toBe(true);
  });

  it('prints as Undefined', () => {
    expect(String(Undefined)).toBe('Undefined');
    expect(`${Undefined}`).toBe('Undefined');
    expect(inspect(Undefined)).toBe('Undefined');
    expect(inspect({ cf: Undefined })).toBe('{ cf: Undefined }');
    expect(JSON.stringify({ cf: Undefined })).toBe('{"cf":"Undefined"}');
    expect(Object.prototype.toString.call(Undefined)).toBe('[object Undefined]');
  });

  it('isUndefined recognises only the singleton', () => {
    expect(isUndefined(Undefined)).toBe(true);
    for (const other of [undefined, null, 0, 'Undefined', {}]) expect(isUndefined(other)).toBe(false);
  });

  it('applies the ordinary operation to defined numbers and bigints', () => {
    expect(ops.add(2, 3)).toBe(5);
    expect(ops.sub(2n, 3n)).toBe(-1n);
    expect(ops.mul(6, 7)).toBe(42);
    expect(ops.div(7, 2)).toBe(3.5);
    expect(ops.div(7n, 2n)).toBe(3n);
    expect(ops.floordiv(-7, 2)).toBe(-4);
    expect(ops.floordiv(-7n, 2n)).toBe(-4n);
    expect(ops.floordiv(7n, -2n)).toBe(-4n);
    expect(ops.mod(-7, 2)).toBe(1);
    expect(ops.mod(7n, -2n)).toBe(-1n);
    expect(ops.mod(6, 3)).toBe(0);
    expect(ops.pow(2, 10)).toBe(1024);
    expect(ops.and(0b1100, 0b1010)).toBe(0b1000);
    expect(ops.or(0b1100, 0b1010)).toBe(0b1110);
    expect(ops.xor(0b1100, 0b1010)).toBe(0b0110);
    expect(ops.lshift(1n, 40n)).toBe(1n << 40n);
    expect(ops.rshift(-8, 1)).toBe(-4);
    expect(ops.neg(5)).toBe(-5);
    expect(ops.pos(5n)).toBe(5n);
    expect(ops.abs(-5n)).toBe(5n);
    expect(ops.invert(0)).toBe(-1);
  });

  it('refuses to mix numbers and bigints, as JavaScript does', () => {
    expect(() => ops.add(1, 1n)).toThrow(TypeError);
  });
});
