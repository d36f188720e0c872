/**
 * Printing precise values for people: hexadecimal in groups of four digits, `?` for a digit whose
 * four bits are all undefined, and the digit's bits in brackets when only some are (`0x0000_00?[1?01]`).
 */

/**
 * Formats `bits` with `undefinedMask` as a `width`-bit hexadecimal number, e.g. `0x0000_00??`.
 * Digits are grouped by four from the right with `_`; a fully undefined digit prints as `?`; a digit
 * with both defined and undefined bits prints its bits, most significant first, in brackets.
 */
export function formatValue(bits: bigint, undefinedMask: bigint, width: number): string {
  const digits: string[] = [];
  const digitCount = Math.ceil(width / 4);
  for (let index = 0; index < digitCount; index++) {
    const digitWidth = Math.min(4, width - index * 4);
    const digitMask = (1n << BigInt(digitWidth)) - 1n;
    const shift = BigInt(index * 4);
    const value = Number((bits >> shift) & digitMask);
    const unknown = Number((undefinedMask >> shift) & digitMask);
    if (unknown === 0) {
      digits.push(value.toString(16));
    } else if (unknown === Number(digitMask)) {
      digits.push('?');
    } else {
      let binary = '';
      for (let bit = digitWidth - 1; bit >= 0; bit--) {
        binary += (unknown >> bit) & 1 ? '?' : String((value >> bit) & 1);
      }
      digits.push(`[${binary}]`);
    }
  }
  const groups: string[] = [];
  for (let index = 0; index < digits.length; index += 4) {
    groups.unshift(
      digits
        .slice(index, index + 4)
        .reverse()
        .join(''),
    );
  }
  return `0x${groups.join('_')}`;
}
