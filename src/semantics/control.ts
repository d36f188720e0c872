/**
 * Semantics of control transfer and of the instructions that stop the machine (SDM Vol. 2: Jcc, JMP,
 * CALL, RET, LOOP/LOOPcc, JrCXZ, INT3, INT n, INTO, BOUND, UD2, HLT, SYSCALL, SYSENTER, NOP, PAUSE,
 * ENDBR32/64).
 */
import type { SemanticsContext } from './context.js';
import type { SemanticsFunction } from './types.js';

/** The branch target of operand 0 (relative, register or memory) at the address width. */
function target(c: SemanticsContext) {
  return c.read(0, c.addressWidth);
}

const jumpIf: SemanticsFunction = (c) => {
  const ir = c.ir;
  const taken = c.condition(c.instruction.form.conditionCode ?? 0);
  c.jump(ir.select(taken, target(c), ir.constant(c.nextAddress, c.addressWidth)));
};

const jump: SemanticsFunction = (c) => c.jump(target(c));

/** CALL: push the return address, then jump. The target is read before RSP changes (`call [rsp]`). */
const call: SemanticsFunction = (c) => {
  const destination = target(c);
  c.push(c.ir.constant(c.nextAddress, c.addressWidth));
  c.jump(destination);
};

/** RET [imm16]: pop the return address, then release imm16 more bytes. */
const ret: SemanticsFunction = (c) => {
  const ir = c.ir;
  const width = c.addressWidth;
  const sp = c.readRegister(c.stackPointer);
  const returnAddress = ir.load(sp, width);
  const immediate = c.instruction.operands[0];
  const release = immediate?.kind === 'immediate' ? Number(immediate.value) : 0;
  c.writeRegister(c.stackPointer, ir.add(sp, ir.constant(width / 8 + release, sp.width)));
  c.jump(returnAddress);
};

/** The count register LOOP and JrCXZ use: by address size. */
function countRegister(c: SemanticsContext) {
  const size = c.instruction.addressSize === 16 ? 16 : c.instruction.addressSize;
  return c.register(1, size);
}

/** LOOP/LOOPE/LOOPNE: decrement rCX (no flags) and branch while it is nonzero (and ZF matches). */
const loop: SemanticsFunction = (c) => {
  const ir = c.ir;
  const name = countRegister(c);
  const count = ir.subtract(c.readRegister(name), ir.constant(1, c.readRegister(name).width));
  c.writeRegister(name, count);
  let taken = ir.not(ir.isZero(count));
  if (c.instruction.mnemonic === 'loope') taken = ir.and(taken, c.flag('ZF'));
  if (c.instruction.mnemonic === 'loopne') taken = ir.and(taken, ir.not(c.flag('ZF')));
  c.jump(ir.select(taken, target(c), ir.constant(c.nextAddress, c.addressWidth)));
};

const jumpIfCountZero: SemanticsFunction = (c) => {
  const ir = c.ir;
  const taken = ir.isZero(c.readRegister(countRegister(c)));
  c.jump(ir.select(taken, target(c), ir.constant(c.nextAddress, c.addressWidth)));
};

const nothing: SemanticsFunction = () => {};

/** Semantics of the control-transfer families, by family name. */
export const controlSemantics: Readonly<Record<string, SemanticsFunction>> = {
  jcc: jumpIf,
  jmp: jump,
  call,
  ret,
  loop,
  jcxz: jumpIfCountZero,
  int3: (c) => c.statements.push({ kind: 'stop', reason: 'int3', detail: 3 }),
  int: (c) => {
    const operand = c.operand(0);
    c.statements.push({
      kind: 'stop',
      reason: 'interrupt',
      detail: operand.kind === 'immediate' ? Number(operand.value) : 0,
    });
  },
  into: (c) => c.raise('#OF', c.flag('OF')),
  bound: (c) => {
    const ir = c.ir;
    const index = c.read(0);
    const operand = c.operand(1);
    if (operand.kind !== 'memory') throw new Error('bound needs a memory operand');
    const address = c.effectiveAddress(operand);
    const lower = ir.load(address, index.width);
    const upper = ir.load(ir.add(address, ir.constant(index.width / 8, address.width)), index.width);
    c.raise('#BR', ir.or(ir.lessSigned(index, lower), ir.lessSigned(upper, index)));
  },
  ud2: (c) => c.raise('#UD'),
  hlt: (c) => c.statements.push({ kind: 'stop', reason: 'hlt', detail: 0 }),
  syscall: (c) => c.statements.push({ kind: 'stop', reason: 'syscall', detail: 0 }),
  sysenter: (c) => c.statements.push({ kind: 'stop', reason: 'syscall', detail: 0 }),
  /** CPUID: EAX, EBX, ECX, EDX from the machine's CPU profile for leaf EAX, subleaf ECX. */
  cpuid: (c) => {
    for (const output of ['eax', 'ebx', 'ecx', 'edx'] as const) {
      c.writeRegister(output, c.ir.read({ kind: 'processorInfo', output }));
    }
  },
  /** RDTSC: EDX:EAX := the time-stamp counter (deterministic in vial: instructions executed). */
  rdtsc: (c) => {
    const counter = c.ir.read({ kind: 'timestampCounter' });
    c.writeRegister('edx', c.ir.extract(counter, 32, 32));
    c.writeRegister('eax', c.ir.extract(counter, 0, 32));
  },
  nop: nothing,
  pause: nothing,
  endbr: nothing,
};
