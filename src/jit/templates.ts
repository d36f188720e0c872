/**
 * Plain JavaScript for IR operations on *defined* values — the inline templates of the compiled
 * path (`expressions.ts` decides when they apply). Each is the defined-input case of the value
 * domain's kernel of the same name; the differential tests in `test/jit/` hold them to the kernels.
 * Values are 32-bit words as JS numbers (uint32); a template returns setup lines and the result's
 * low and high words.
 */
import type { Expression } from '../ir/expression.js';
import { HIGH_WORD_MASK, LOW_WORD_MASK } from '../value/layout.js';
import type { GeneratedValue } from './expressions.js';

/** The literal for a statically zero word or mask. */
export const ZERO = '0';
/** A 32-bit word as a hexadecimal literal. */
export const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;
/** The bits of the low / high word that belong to a `width`-bit value. */
export const lowMask = (width: number) => LOW_WORD_MASK[width];
export const highMask = (width: number) => HIGH_WORD_MASK[width];

/** Plain-arithmetic code for an operation on defined values: setup lines, then the two words. */
export interface Template {
  readonly setup: string[];
  readonly low: string;
  readonly high: string;
}

let templateTemporaries = 0;
const temporary = () => `q${templateTemporaries++}`;
/**
 * Starts the temporaries' names over for a new block function: names need only be unique within one
 * function, and equal blocks must give equal sources (block functions are shared by source).
 */
export function restartTemplateTemporaries(): void {
  templateTemporaries = 0;
}

/** The inline template of an operation, or null when only the kernel handles it. */
export function concreteTemplate(
  node: Expression & { kind: 'operation' },
  args: GeneratedValue[],
): Template | null {
  const width = node.width;
  const operandWidth = node.args[0]?.width ?? width;
  const [a, b, c] = args;
  const word = (code: string) => ({ setup: [], low: code, high: ZERO });
  const truncate = (code: string, w: number) =>
    w >= 32 ? `(${code}) >>> 0` : `(${code}) & ${hex(lowMask(w))}`;
  const carry = c ? ` + ${c.low}` : '';
  const wide = operandWidth > 32;
  switch (node.operation) {
    case 'and':
    case 'or':
    case 'xor': {
      const op = node.operation === 'and' ? '&' : node.operation === 'or' ? '|' : '^';
      return { setup: [], low: `(${a.low} ${op} ${b.low}) >>> 0`, high: `(${a.high} ${op} ${b.high}) >>> 0` };
    }
    case 'not':
      return {
        setup: [],
        low: truncate(`~${a.low}`, width),
        high: `(~${a.high} & ${hex(highMask(width))}) >>> 0`,
      };
    case 'add':
    case 'addCarry':
    case 'addOverflow':
    case 'addAuxiliaryCarry':
    case 'subtract':
    case 'subtractBorrow':
    case 'subtractOverflow':
    case 'subtractAuxiliaryBorrow':
      return addOrSubtract(node.operation, operandWidth, a, b, carry);
    case 'negate':
      if (!wide) return word(truncate(`-${a.low}`, width));
      return { setup: [], low: `(-${a.low}) >>> 0`, high: `(~${a.high} + (${a.low} === 0 ? 1 : 0)) >>> 0` };
    case 'multiplyLow':
      if (!wide) return word(truncate(`Math.imul(${a.low}, ${b.low})`, width));
      if (isSmallConstant(node.args[1])) {
        // imul r64, r/m64, imm: a.low · imm stays below 2^53, so its high word is a plain division.
        return {
          setup: [],
          low: `Math.imul(${a.low}, ${b.low}) >>> 0`,
          high: `(Math.floor((${a.low} * ${b.low}) / 4294967296) + Math.imul(${a.high}, ${b.low})) >>> 0`,
        };
      }
      return {
        setup: [],
        low: `Math.imul(${a.low}, ${b.low}) >>> 0`,
        high: `(R.multiplyHighUnsigned32(${a.low}, ${b.low}) + Math.imul(${a.low}, ${b.high}) + Math.imul(${a.high}, ${b.low})) >>> 0`,
      };
    case 'multiplyHighUnsigned':
      if (width === 32) return word(`R.multiplyHighUnsigned32(${a.low}, ${b.low})`);
      return width < 32 ? word(`(${a.low} * ${b.low}) >>> ${width}`) : null;
    case 'multiplyHighSigned': {
      if (width === 32) return word(`R.multiplyHighSigned32(${a.low}, ${b.low})`);
      if (width > 32) return null;
      const s = 32 - width;
      return word(
        `((((${a.low} << ${s}) >> ${s}) * ((${b.low} << ${s}) >> ${s})) >> ${width}) & ${hex(lowMask(width))}`,
      );
    }
    case 'shiftLeft':
    case 'shiftRight':
    case 'shiftRightArithmetic':
      return shift(node.operation, width, a, b, node.args[1]);
    case 'rotateLeft':
    case 'rotateRight': {
      if (wide) return null;
      const n = temporary();
      const left = node.operation === 'rotateLeft' ? n : `(${width} - ${n}) % ${width}`;
      const l = temporary();
      return {
        setup: [`const ${n} = ${countOf(b, node.args[1])} % ${width};`, `const ${l} = ${left};`],
        low: `${l} === 0 ? ${a.low} : ${truncate(`(${a.low} << ${l}) | (${a.low} >>> (${width} - ${l}))`, width)}`,
        high: ZERO,
      };
    }
    case 'testBit': {
      const n = temporary();
      const bit = wide
        ? `${n} < 32 ? (${a.low} >>> ${n}) & 1 : (${a.high} >>> (${n} - 32)) & 1`
        : `(${a.low} >>> ${n}) & 1`;
      return {
        setup: [`const ${n} = ${countOf(b, node.args[1])};`],
        low: `${n} >= ${operandWidth} ? 0 : ${bit}`,
        high: ZERO,
      };
    }
    case 'extract':
      return extract(a, node.parameters[0], width);
    case 'concat':
      return concat(a, b, node.parameters[0], width);
    case 'zeroExtend':
      if (width < operandWidth) return extract(a, 0, width);
      return { setup: [], low: a.low, high: a.high };
    case 'signExtend': {
      const from = node.parameters[0];
      if (from > 32) return null;
      const s = temporary();
      const shiftBy = 32 - from;
      return {
        setup: [`const ${s} = ${shiftBy === 0 ? `${a.low} | 0` : `(${a.low} << ${shiftBy}) >> ${shiftBy}`};`],
        low: truncate(s, width),
        high: `((${s} >> 31) & ${hex(highMask(width))}) >>> 0`,
      };
    }
    case 'populationCount':
      return word(
        wide
          ? `R.populationCount32(${a.low}) + R.populationCount32(${a.high})`
          : `R.populationCount32(${a.low})`,
      );
    case 'countLeadingZeros':
      return word(`R.countLeadingZeros64(${a.low}, ${a.high}, ${operandWidth})`);
    case 'countTrailingZeros':
      return word(`R.countTrailingZeros64(${a.low}, ${a.high}, ${operandWidth})`);
    case 'evenParity':
      if (operandWidth <= 8) return word(`E[${a.low}]`);
      return word(`(R.populationCount32(${a.low}) + R.populationCount32(${a.high}) + 1) & 1`);
    case 'isZero':
      return word(`(${a.low} | ${a.high}) === 0 ? 1 : 0`);
    case 'equal':
      return word(`${a.low} === ${b.low} && ${a.high} === ${b.high} ? 1 : 0`);
    case 'lessUnsigned':
      return word(
        wide
          ? `${a.high} < ${b.high} || (${a.high} === ${b.high} && ${a.low} < ${b.low}) ? 1 : 0`
          : `${a.low} < ${b.low} ? 1 : 0`,
      );
    case 'lessSigned': {
      if (wide)
        return word(
          `(${a.high} | 0) < (${b.high} | 0) || (${a.high} === ${b.high} && ${a.low} < ${b.low}) ? 1 : 0`,
        );
      const s = 32 - operandWidth;
      return word(`(${a.low} << ${s}) < (${b.low} << ${s}) ? 1 : 0`);
    }
    default:
      // Division, rotations through carry, 64-bit high multiplies and rotations, pdep/pext, crc32.
      return null;
  }
}

/** A constant below 2^21: multiplying a 32-bit word by it is exact in a double. */
function isSmallConstant(node: Expression): boolean {
  return node.kind === 'constant' && node.value < 1n << 21n;
}

/** A shift or rotate count as a JS number, saturated at 255 like the kernels' `readCount`. */
function countOf(count: GeneratedValue, node: Expression): string {
  if (node.kind === 'constant') return String(Math.min(Number(node.value), 255));
  if (node.width <= 8) return count.low;
  if (node.width <= 32) return `(${count.low} > 255 ? 255 : ${count.low})`;
  return `(${count.high} !== 0 || ${count.low} > 255 ? 255 : ${count.low})`;
}

function addOrSubtract(
  operation: string,
  width: number,
  a: GeneratedValue,
  b: GeneratedValue,
  carry: string,
): Template {
  const subtracting = operation.startsWith('subtract');
  const op = subtracting ? '-' : '+';
  const setup: string[] = [];
  // The result's words: `sum` (low, exact as a double) and, for 64-bit operands, the high word.
  const sum = temporary();
  setup.push(`const ${sum} = ${a.low} ${op} ${b.low}${carry.replace('+', op)};`);
  let resultLow: string, resultHigh: string, outOfWord: string;
  if (width > 32) {
    const high = temporary();
    const borrowOrCarry = subtracting ? `(${sum} < 0 ? 1 : 0)` : `(${sum} > 0xffffffff ? 1 : 0)`;
    setup.push(`const ${high} = ${a.high} ${op} ${b.high} ${op} ${borrowOrCarry};`);
    resultLow = `(${sum} >>> 0)`;
    resultHigh = `(${high} >>> 0)`;
    outOfWord = subtracting ? `${high} < 0 ? 1 : 0` : `${high} > 0xffffffff ? 1 : 0`;
  } else {
    resultLow = width === 32 ? `(${sum} >>> 0)` : `(${sum} & ${hex(lowMask(width))})`;
    resultHigh = ZERO;
    outOfWord = subtracting
      ? `${sum} < 0 ? 1 : 0`
      : width === 32
        ? `${sum} > 0xffffffff ? 1 : 0`
        : `(${sum} >>> ${width}) & 1`;
  }
  const signWord = width > 32 ? 'high' : 'low';
  const signShift = (width > 32 ? width - 32 : width) - 1;
  const [aSign, bSign, rSign] = [a[signWord], b[signWord], width > 32 ? resultHigh : resultLow];
  switch (operation) {
    case 'add':
    case 'subtract':
      return { setup, low: resultLow, high: resultHigh };
    case 'addCarry':
    case 'subtractBorrow':
      return { setup, low: outOfWord, high: ZERO };
    case 'addOverflow':
      return {
        setup,
        low: `((~(${aSign} ^ ${bSign}) & (${aSign} ^ ${rSign})) >>> ${signShift}) & 1`,
        high: ZERO,
      };
    case 'subtractOverflow':
      return {
        setup,
        low: `(((${aSign} ^ ${bSign}) & (${aSign} ^ ${rSign})) >>> ${signShift}) & 1`,
        high: ZERO,
      };
    default:
      // Auxiliary carry/borrow: the carry into bit 4.
      return { setup, low: `((${a.low} ^ ${b.low} ^ ${resultLow}) >>> 4) & 1`, high: ZERO };
  }
}

function shift(
  operation: string,
  width: number,
  a: GeneratedValue,
  count: GeneratedValue,
  countNode: Expression,
): Template | null {
  const constant = countNode.kind === 'constant' ? Math.min(Number(countNode.value), 255) : null;
  if (width <= 32) {
    const n = constant === null ? temporary() : String(constant);
    const setup = constant === null ? [`const ${n} = ${countOf(count, countNode)};`] : [];
    const truncate = (code: string) =>
      width === 32 ? `(${code}) >>> 0` : `(${code}) & ${hex(lowMask(width))}`;
    if (operation === 'shiftLeft')
      return { setup, low: `${n} >= ${width} ? 0 : ${truncate(`${a.low} << ${n}`)}`, high: ZERO };
    if (operation === 'shiftRight')
      return { setup, low: `${n} >= ${width} ? 0 : ${a.low} >>> ${n}`, high: ZERO };
    const s = 32 - width;
    const signed = s === 0 ? `(${a.low} | 0)` : `((${a.low} << ${s}) >> ${s})`;
    return { setup, low: truncate(`${signed} >> (${n} > 31 ? 31 : ${n})`), high: ZERO };
  }
  // 64-bit: constant counts inline (address scaling, shifts by immediates); others use the kernel.
  if (constant === null) return null;
  const n = constant;
  if (n === 0) return { setup: [], low: a.low, high: a.high };
  if (operation === 'shiftLeft') {
    if (n >= 64) return { setup: [], low: ZERO, high: ZERO };
    if (n >= 32) return { setup: [], low: ZERO, high: `(${a.low} << ${n - 32}) >>> 0` };
    return {
      setup: [],
      low: `(${a.low} << ${n}) >>> 0`,
      high: `((${a.high} << ${n}) | (${a.low} >>> ${32 - n})) >>> 0`,
    };
  }
  if (operation === 'shiftRight') {
    if (n >= 64) return { setup: [], low: ZERO, high: ZERO };
    if (n >= 32) return { setup: [], low: `${a.high} >>> ${n - 32}`, high: ZERO };
    return {
      setup: [],
      low: `((${a.low} >>> ${n}) | (${a.high} << ${32 - n})) >>> 0`,
      high: `${a.high} >>> ${n}`,
    };
  }
  if (n >= 32) {
    return {
      setup: [],
      low: `(${a.high} >> ${Math.min(n - 32, 31)}) >>> 0`,
      high: `(${a.high} >> 31) >>> 0`,
    };
  }
  return {
    setup: [],
    low: `((${a.low} >>> ${n}) | (${a.high} << ${32 - n})) >>> 0`,
    high: `(${a.high} >> ${n}) >>> 0`,
  };
}

function extract(a: GeneratedValue, lowBit: number, width: number): Template {
  const mask = (code: string) => (width >= 32 ? `(${code}) >>> 0` : `(${code}) & ${hex(lowMask(width))}`);
  if (lowBit >= 32) return { setup: [], low: mask(`${a.high} >>> ${lowBit - 32}`), high: ZERO };
  if (lowBit + width <= 32)
    return {
      setup: [],
      low: lowBit === 0 && width === 32 ? a.low : mask(`${a.low} >>> ${lowBit}`),
      high: ZERO,
    };
  const low = lowBit === 0 ? a.low : mask(`(${a.low} >>> ${lowBit}) | (${a.high} << ${32 - lowBit})`);
  const high = width > 32 ? `((${a.high} >>> ${lowBit}) & ${hex(highMask(width))}) >>> 0` : ZERO;
  return { setup: [], low, high };
}

function concat(high: GeneratedValue, low: GeneratedValue, lowWidth: number, width: number): Template {
  if (width <= 32) return { setup: [], low: `((${high.low} << ${lowWidth}) | ${low.low}) >>> 0`, high: ZERO };
  if (lowWidth === 32) return { setup: [], low: low.low, high: high.low };
  if (lowWidth < 32) {
    return {
      setup: [],
      low: `((${high.low} << ${lowWidth}) | ${low.low}) >>> 0`,
      high: `(((${high.low} >>> ${32 - lowWidth}) | (${high.high} << ${lowWidth})) & ${hex(highMask(width))}) >>> 0`,
    };
  }
  return {
    setup: [],
    low: low.low,
    high: `((${low.high} | (${high.low} << ${lowWidth - 32})) & ${hex(highMask(width))}) >>> 0`,
  };
}
