/**
 * The seed's coarse `Undefined`: one frozen singleton that stands for "this value is architecturally
 * undefined" and absorbs every operation applied to it.
 *
 * This is exactly the `_UndefinedNumber` of the document vial grew out of, in TypeScript terms.
 * Its caveats hold on purpose — `Undefined * 0` is `Undefined` and `Undefined - Undefined` is
 * `Undefined`, although every real CPU computes 0 for both. The precise, bit-by-bit domain
 * (`Value`, and the kernels in `./kernels`) fixes them; use this view only to *report* a value
 * ("is any bit unknown?") or where the seed's behaviour is wanted.
 */

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** The type of the {@link Undefined} singleton. There is exactly one instance. */
export class UndefinedValue {
  /** Only one instance may exist; the constructor refuses a second. */
  constructor() {
    if (created) throw new TypeError('Undefined is a singleton: use the exported `Undefined`');
    created = true;
  }

  /** `Undefined` equals only itself (the seed's `__eq__`). */
  equals(other: unknown): boolean {
    return other === this;
  }

  /** The negation of {@link equals} (the seed's `__ne__`). */
  notEquals(other: unknown): boolean {
    return !this.equals(other);
  }

  /** Any binary operation with `Undefined` on either side is `Undefined`. */
  add(_other: Coarse): UndefinedValue {
    return this;
  }
  sub(_other: Coarse): UndefinedValue {
    return this;
  }
  mul(_other: Coarse): UndefinedValue {
    return this;
  }
  div(_other: Coarse): UndefinedValue {
    return this;
  }
  floordiv(_other: Coarse): UndefinedValue {
    return this;
  }
  mod(_other: Coarse): UndefinedValue {
    return this;
  }
  pow(_other: Coarse): UndefinedValue {
    return this;
  }
  and(_other: Coarse): UndefinedValue {
    return this;
  }
  xor(_other: Coarse): UndefinedValue {
    return this;
  }
  or(_other: Coarse): UndefinedValue {
    return this;
  }
  lshift(_other: Coarse): UndefinedValue {
    return this;
  }
  rshift(_other: Coarse): UndefinedValue {
    return this;
  }
  /** Any unary operation on `Undefined` is `Undefined`. */
  neg(): UndefinedValue {
    return this;
  }
  pos(): UndefinedValue {
    return this;
  }
  abs(): UndefinedValue {
    return this;
  }
  invert(): UndefinedValue {
    return this;
  }

  /** Prints as `Undefined` (the seed's `__str__`/`__repr__`). */
  toString(): string {
    return 'Undefined';
  }
  /** `JSON.stringify` writes the string `"Undefined"`. */
  toJSON(): string {
    return 'Undefined';
  }
  /** Node's `util.inspect` (and so `console.log`) prints `Undefined`. */
  [inspectSymbol](): string {
    return 'Undefined';
  }
  get [Symbol.toStringTag](): string {
    return 'Undefined';
  }
}

let created = false;

/** The singleton undefined value. */
export const Undefined: UndefinedValue = Object.freeze(new UndefinedValue());

/** A value in the coarse view: a number or bigint, or {@link Undefined}. */
export type Coarse = number | bigint | UndefinedValue;

/** True when `value` is the {@link Undefined} singleton. */
export function isUndefined(value: unknown): value is UndefinedValue {
  return value === Undefined;
}

type Defined = number | bigint;

/** Lifts a JavaScript operator: Undefined absorbs; numbers and bigints must not be mixed. */
function binary(operation: (a: Defined, b: Defined) => Defined) {
  return (a: Coarse, b: Coarse): Coarse => {
    if (isUndefined(a) || isUndefined(b)) return Undefined;
    sameKind(a, b);
    return operation(a, b);
  };
}

function unary(operation: (a: Defined) => Defined) {
  return (a: Coarse): Coarse => (isUndefined(a) ? Undefined : operation(a));
}

function sameKind(a: Defined, b: Defined): void {
  if (typeof a !== typeof b) {
    throw new TypeError(`cannot mix ${typeof a} and ${typeof b} (convert one side first)`);
  }
}

/** Floor division with Python's sign rule (the seed's `//`), for numbers and bigints. */
function floorDivide(a: Defined, b: Defined): Defined {
  if (typeof a === 'number') return Math.floor(a / (b as number));
  const quotient = a / (b as bigint);
  return a % (b as bigint) !== 0n && a < 0n !== (b as bigint) < 0n ? quotient - 1n : quotient;
}

/** Modulo with Python's sign rule (the result takes the divisor's sign), pairing with floordiv. */
function floorModulo(a: Defined, b: Defined): Defined {
  if (typeof a === 'number') {
    const remainder = a % (b as number);
    return remainder !== 0 && remainder < 0 !== (b as number) < 0 ? remainder + (b as number) : remainder;
  }
  const remainder = a % (b as bigint);
  return remainder !== 0n && remainder < 0n !== (b as bigint) < 0n ? remainder + (b as bigint) : remainder;
}

/**
 * The seed's operators as functions over `number | bigint | Undefined`, since TypeScript has no
 * operator overloading. With `Undefined` on either side the result is `Undefined`; otherwise the
 * ordinary JavaScript operation is applied (numbers and bigints cannot be mixed, as in JavaScript).
 * `div` is JavaScript's `/` (truncating for bigints); `floordiv` and `mod` follow Python's floor rule
 * like the seed's `//` and `%`; `lshift`/`rshift` are `<<` and `>>` (`>>>` has no Python equivalent).
 */
export const ops = Object.freeze({
  add: binary((a, b) => (a as number) + (b as number)),
  sub: binary((a, b) => (a as number) - (b as number)),
  mul: binary((a, b) => (a as number) * (b as number)),
  div: binary((a, b) => (a as number) / (b as number)),
  floordiv: binary(floorDivide),
  mod: binary(floorModulo),
  pow: binary((a, b) => (a as number) ** (b as number)),
  and: binary((a, b) => (a as number) & (b as number)),
  xor: binary((a, b) => (a as number) ^ (b as number)),
  or: binary((a, b) => (a as number) | (b as number)),
  lshift: binary((a, b) => (a as number) << (b as number)),
  rshift: binary((a, b) => (a as number) >> (b as number)),
  neg: unary((a) => -a),
  pos: unary((a) => a),
  abs: unary((a) => (a < 0 ? -a : a)),
  invert: unary((a) => ~a),
  /** Equality in the seed's sense: `Undefined` equals only itself. */
  equals: (a: Coarse, b: Coarse): boolean => a === b,
  notEquals: (a: Coarse, b: Coarse): boolean => a !== b,
});
