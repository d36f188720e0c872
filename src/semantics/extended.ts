/**
 * Semantics of later extensions to the integer instruction set: ADCX/ADOX (ADX), CMPXCHG8B and
 * CMPXCHG16B, PDEP/PEXT (BMI2) and CRC32 (SSE4.2) (SDM Vol. 2A "ADCX", "ADOX", "CMPXCHG8B/CMPXCHG16B",
 * "CRC32"; Vol. 2B "PDEP", "PEXT"). No flag changes in PDEP, PEXT or CRC32.
 */
import type { Expression, FlagBit } from '../ir/expression.js';
import type { MemoryOperand } from '../isa/operands.js';
import { type SemanticsContext, SemanticsError } from './context.js';
import type { SemanticsFunction } from './types.js';

/**
 * ADCX (carry through CF) / ADOX (carry through OF): dst := dst + src + flag, and the flag := the
 * unsigned carry out. No other flag changes (SDM "ADCX": "other flags are unmodified").
 */
function addWithCarryFlag(flag: FlagBit & ('CF' | 'OF')): SemanticsFunction {
  return (c) => {
    const ir = c.ir;
    const destination = c.read(0);
    const source = c.read(1, destination.width);
    const carry = c.flag(flag);
    c.write(0, ir.add(destination, source, carry));
    c.setFlag(flag, ir.addCarry(destination, source, carry));
  };
}

function memoryOperand(c: SemanticsContext): MemoryOperand {
  const operand = c.operand(0);
  if (operand.kind !== 'memory')
    throw new SemanticsError(`${c.instruction.form.name} needs a memory operand`);
  return operand;
}

/**
 * CMPXCHG8B m64: if EDX:EAX = m64 then ZF := 1, m64 := ECX:EBX, else ZF := 0, EDX:EAX := m64. The
 * destination is written either way (SDM: "the destination operand is written back if the comparison
 * fails"), so a read-only destination faults even then. EAX and EDX are written only on failure (and
 * then, in 64-bit mode, zero-extended).
 */
const compareExchange8Bytes: SemanticsFunction = (c) => {
  const ir = c.ir;
  const operand = memoryOperand(c);
  const address = c.effectiveAddress(operand);
  const segment = c.segmentOf(operand);
  const old = ir.load(address, 64, segment);
  const expected = ir.concat(c.readRegister('edx'), c.readRegister('eax'));
  const equal = ir.equal(expected, old);
  c.store(address, ir.select(equal, ir.concat(c.readRegister('ecx'), c.readRegister('ebx')), old), segment);
  const failed = ir.not(equal);
  c.writeRegisterWhen(failed, 'eax', ir.extract(old, 0, 32));
  c.writeRegisterWhen(failed, 'edx', ir.extract(old, 32, 32));
  c.setFlag('ZF', equal);
};

/**
 * CMPXCHG16B m128: CMPXCHG8B with RDX:RAX, RCX:RBX and 16 bytes; #GP(0) when the operand is not
 * 16-byte aligned (SDM "CMPXCHG16B" 64-bit Mode Exceptions) — then no memory is touched.
 */
const compareExchange16Bytes: SemanticsFunction = (c) => {
  const ir = c.ir;
  const operand = memoryOperand(c);
  const address = c.effectiveAddress(operand);
  const segment = c.segmentOf(operand);
  const misaligned = ir.not(ir.isZero(ir.extract(address, 0, 4)));
  c.raise('#GP', misaligned);
  const aligned = ir.not(misaligned);
  const highAddress = ir.add(address, ir.constant(8, address.width));
  const oldLow = ir.load(address, 64, segment, aligned);
  const oldHigh = ir.load(highAddress, 64, segment, aligned);
  const equal = ir.and(ir.equal(c.readRegister('rax'), oldLow), ir.equal(c.readRegister('rdx'), oldHigh));
  const storeHalf = (at: Expression, replacement: Expression, old: Expression) =>
    c.store(at, ir.select(equal, replacement, old), segment);
  storeHalf(address, c.readRegister('rbx'), oldLow);
  storeHalf(highAddress, c.readRegister('rcx'), oldHigh);
  const failed = ir.not(equal);
  c.writeRegisterWhen(failed, 'rax', oldLow);
  c.writeRegisterWhen(failed, 'rdx', oldHigh);
  c.setFlag('ZF', equal);
};

/** PDEP/PEXT dst, src1 (VEX.vvvv), mask (r/m): SDM "PDEP"/"PEXT" take the bits of SRC1 under SRC2. */
function parallelBits(operation: 'parallelDeposit' | 'parallelExtract'): SemanticsFunction {
  return (c) => {
    const source = c.read(1);
    c.write(0, c.ir[operation](source, c.read(2, source.width)));
  };
}

/**
 * CRC32 r32/r64, r/m8..64: accumulate CRC-32C over the source into the low 32 bits of the destination;
 * a 64-bit destination gets the 32-bit result zero-extended (SDM "CRC32": "DEST[63:32] ← 00000000H").
 */
const crc32: SemanticsFunction = (c) => {
  const ir = c.ir;
  const destination = c.read(0);
  const crc = ir.crc32c(ir.extract(destination, 0, 32), c.read(1));
  c.write(0, ir.zeroExtend(crc, destination.width));
};

/** Semantics of the ADX, CMPXCHG8B/16B, PDEP/PEXT and CRC32 families, by family name. */
export const extendedSemantics: Readonly<Record<string, SemanticsFunction>> = {
  adcx: addWithCarryFlag('CF'),
  adox: addWithCarryFlag('OF'),
  cmpxchg8b: compareExchange8Bytes,
  cmpxchg16b: compareExchange16Bytes,
  pdep: parallelBits('parallelDeposit'),
  pext: parallelBits('parallelExtract'),
  crc32,
};
