/**
 * Semantics of the stack instructions that move more than one value or the flags: PUSHF/POPF,
 * PUSHA/POPA and ENTER (SDM Vol. 2B "PUSHF/PUSHFD/PUSHFQ", "POPF/POPFD/POPFQ", "PUSHA/PUSHAD",
 * "POPA/POPAD"; Vol. 2A "ENTER"). PUSH, POP and LEAVE are in `datamove.ts`.
 *
 * Reads see the state before the instruction, so an instruction that pushes several values computes
 * every slot's address from the original stack pointer instead of calling `push` repeatedly.
 */
import type { Expression } from '../ir/expression.js';
import { flagBitPosition } from '../ir/expression.js';
import { type SemanticsContext, SemanticsError } from './context.js';
import type { SemanticsFunction } from './types.js';

/** The stack pointer plus `offset` bytes (negative: below it), at the stack pointer's width. */
function stackAddress(c: SemanticsContext, offset: number): Expression {
  const sp = c.readRegister(c.stackPointer);
  return offset === 0 ? sp : c.ir.add(sp, c.ir.constant(offset, sp.width));
}

/** Writes the stack pointer moved by `offset` bytes. */
function moveStackPointer(c: SemanticsContext, offset: number): void {
  c.writeRegister(c.stackPointer, stackAddress(c, offset));
}

/**
 * The RFLAGS image PUSHF stores, `width` bits: the modelled flags CF PF AF ZF SF DF OF in place,
 * bit 1 (always 1) and IF (user code runs with interrupts enabled) set; TF, IOPL, NT, AC, ID and
 * the reserved bits 0; RF and VM are never copied (SDM "PUSHF": "the VM and RF flags … are not
 * copied; instead, the values for these flags are cleared in the EFLAGS image").
 */
function flagsImage(c: SemanticsContext, width: number): Expression {
  const ir = c.ir;
  const fixedOnes = (1 << 1) | (1 << 9);
  let image = ir.constant(fixedOnes, width);
  for (const [flag, position] of Object.entries(flagBitPosition) as [
    keyof typeof flagBitPosition,
    number,
  ][]) {
    const bit = ir.shiftLeft(ir.zeroExtend(c.flag(flag), width), ir.constant(position, 8));
    image = ir.or(image, bit);
  }
  return image;
}

/** PUSHF/PUSHFD/PUSHFQ: push the flags image at the operand size (16, 32, or 64 in 64-bit mode). */
const pushFlags: SemanticsFunction = (c) => c.push(flagsImage(c, c.operandSize));

/**
 * POPF/POPFD/POPFQ: CF PF AF ZF SF DF OF from the popped value. The other bits are ignored: IF and
 * IOPL cannot change at CPL 3 with IOPL 0 (SDM "POPF" Table 4-17), and TF, NT, AC, ID are not
 * modelled. Undefined popped bits make those flags undefined.
 */
const popFlags: SemanticsFunction = (c) => {
  const value = c.pop(c.operandSize);
  for (const [flag, position] of Object.entries(flagBitPosition) as [
    keyof typeof flagBitPosition,
    number,
  ][]) {
    c.setFlag(flag, c.ir.extract(value, position, 1));
  }
};

/** The eight registers PUSHA pushes, in push order (SDM "PUSHA": EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI). */
const PUSHA_ORDER = [0, 1, 2, 3, 4, 5, 6, 7] as const;

/** PUSHA/PUSHAD (32-bit mode only): push the eight general registers; the ESP pushed is the original. */
const pushAll: SemanticsFunction = (c) => {
  const width = c.operandSize as 16 | 32;
  const bytes = width / 8;
  for (const number of PUSHA_ORDER) {
    const value = c.readRegister(c.register(number, width));
    c.store(stackAddress(c, -bytes * (number + 1)), value);
  }
  moveStackPointer(c, -bytes * PUSHA_ORDER.length);
};

/** POPA/POPAD (32-bit mode only): pop EDI, ESI, EBP, (skip ESP), EBX, EDX, ECX, EAX. */
const popAll: SemanticsFunction = (c) => {
  const width = c.operandSize as 16 | 32;
  const bytes = width / 8;
  for (const number of PUSHA_ORDER) {
    if (number === 4) continue; // the stored ESP is skipped (SDM "POPA": "ESP ← ESP + 4 (* Skip *)")
    const slot = PUSHA_ORDER.length - 1 - number;
    c.writeRegister(c.register(number, width), c.ir.load(stackAddress(c, bytes * slot), width));
  }
  moveStackPointer(c, bytes * PUSHA_ORDER.length);
};

/** The value of immediate operand `index`. */
function immediate(c: SemanticsContext, index: number): number {
  const operand = c.operand(index);
  if (operand.kind !== 'immediate')
    throw new SemanticsError(`${c.instruction.form.name}: operand ${index} is not an immediate`);
  return Number(operand.value);
}

/**
 * ENTER size, level (SDM Vol. 2A "ENTER" Operation): push rBP; FrameTemp := rSP; for a nesting
 * level L > 0 (taken mod 32), copy L-1 frame pointers from [rBP - k·size] (k = 1..L-1) and push
 * FrameTemp; then rBP := FrameTemp (BP only for a 16-bit operand size) and rSP := rSP - size.
 */
const enter: SemanticsFunction = (c) => {
  const ir = c.ir;
  const width = c.operandSize;
  const bytes = width / 8;
  const allocation = immediate(c, 0);
  const level = immediate(c, 1) % 32;
  const framePointer = c.register(5, width);
  const pushed = bytes * (level > 0 ? level + 1 : 1);
  // "#PF if … a write using the final value of the stack pointer … would cause a page fault" (SDM
  // "ENTER" Protected Mode Exceptions): probe it by writing back what is there, before the pushes
  // (which may land on the same bytes) so they win.
  const finalStackPointer = stackAddress(c, -pushed - allocation);
  c.store(finalStackPointer, ir.load(finalStackPointer, width));
  c.store(stackAddress(c, -bytes), c.readRegister(framePointer));
  const frameTemp = stackAddress(c, -bytes);
  if (level > 0) {
    const oldFramePointer = c.readRegister(c.mode === 64 ? 'rbp' : 'ebp');
    for (let k = 1; k < level; k++) {
      const source = ir.subtract(oldFramePointer, ir.constant(k * bytes, oldFramePointer.width));
      c.store(stackAddress(c, -bytes * (k + 1)), ir.load(source, width));
    }
    c.store(stackAddress(c, -bytes * (level + 1)), ir.extract(frameTemp, 0, width));
  }
  c.writeRegister(framePointer, ir.extract(frameTemp, 0, width));
  c.writeRegister(c.stackPointer, finalStackPointer);
};

/** Semantics of the stack families, by family name. */
export const stackSemantics: Readonly<Record<string, SemanticsFunction>> = {
  pushf: pushFlags,
  popf: popFlags,
  pusha: pushAll,
  popa: popAll,
  enter,
};
