/**
 * Encodes sample instructions straight from a form's declaration (test-only; the real encoder is
 * src/encoder). Used to reach every declared form in the differential and golden tests.
 */
import type { InstructionForm, Mode } from '../../src/isa/index.js';

/** Bytes per sample: longer than any instruction. */
export const sampleLength = 16;

/** xorshift32: small, fast, reproducible. */
export function randomGenerator(initial: number): () => number {
  let x = initial >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/**
 * Bytes that select `form` in `mode`: the prefixes and opcode its declaration implies, random
 * registers, addressing, displacement and immediates; padded with random bytes to {@link sampleLength}.
 */
export function sampleBytes(form: InstructionForm, mode: Mode, next: () => number): number[] {
  const bytes: number[] = [];
  const size = form.operandSize;
  const rule = form.operandSizeRule;
  let wide = false;
  if (size !== null && rule !== 'wOnly') {
    if (mode === 64) {
      if (size === 16) bytes.push(0x66);
      if (size === 64 && rule === 'normal') wide = true;
    } else if ((size === 16) !== (mode === 16)) {
      bytes.push(0x66);
    }
  }
  if (size === 64 && rule === 'wOnly') wide = true;
  const address = form.addressSize;
  if (address !== null && address !== mode) bytes.push(0x67);
  if (form.mandatoryPrefix === '66' || form.mandatoryPrefix === 'F2' || form.mandatoryPrefix === 'F3') {
    if (form.space === 'legacy') bytes.push(Number.parseInt(form.mandatoryPrefix, 16));
  }
  const segmentOperand = form.operands.findIndex((operand) => operand.segmentRegister);
  let reg = form.modrmReg ?? next() & 7;
  if (segmentOperand >= 0) {
    reg = next() % 6;
    if (segmentOperand === 0 && reg === 1) reg = 0;
  }
  const usesVvvv = form.operands.some((operand) => operand.encoding === 'vexRegister');
  const extension = mode === 64 ? next() & 7 : 0;
  let opcode = form.opcode;
  // 90 with register 0 and no REX.B is NOP, not XCHG: pick another register for 90+r.
  if (form.opcodeRegister) opcode |= form.opcode === 0x90 ? 1 + (next() % 7) : next() & 7;
  const rexB = form.requiresNoRexB ? 0 : extension & 1;
  if (form.space === 'vex') {
    const mapSelect = form.map === '0F' ? 1 : form.map === '0F38' ? 2 : 3;
    const inverted = mode === 64 ? (~extension & 7) << 5 : 0xe0;
    const vvvv = usesVvvv ? next() & (mode === 64 ? 15 : 7) : 0;
    const pp = { none: 0, NP: 0, NFx: 0, '66': 1, F3: 2, F2: 3 }[form.mandatoryPrefix];
    bytes.push(0xc4, inverted | mapSelect, (wide ? 0x80 : 0) | ((~vvvv & 15) << 3) | pp);
  } else {
    const rex = (wide ? 8 : 0) | (extension & 6) | rexB;
    if (mode === 64 && (rex !== 0 || next() & 1)) bytes.push(0x40 | rex);
    if (form.map !== 'legacy') bytes.push(0x0f);
    if (form.map === '0F38') bytes.push(0x38);
    if (form.map === '0F3A') bytes.push(0x3a);
  }
  bytes.push(opcode);
  if (form.modrmFixed !== null) bytes.push(form.modrmFixed);
  else if (form.modrm !== 'none') {
    let mod = next() & 3;
    if (form.modrmMod === 'register') mod = 3;
    if (form.modrmMod === 'memory' && mod === 3) mod = next() % 3;
    bytes.push((mod << 6) | (reg << 3) | (next() & 7));
  }
  while (bytes.length < sampleLength) bytes.push(next() & 0xff);
  return bytes;
}
