/**
 * Runs a {@link CheckCase} on the VM (track policy) and compares it with what the CPU did, on every
 * bit the VM calls defined. Browser-safe; the CPU side arrives as plain data.
 */
import { generalRegister } from '../isa/registers.js';
import { Machine, type UndefinedPolicy } from '../machine/machine.js';
import { type CheckCase, CODE_ADDRESS, DATA_ADDRESS, DATA_SIZE } from './generate.js';

/** What the CPU did, in the shape the comparison needs (the host oracle's result maps onto it). */
export interface CpuOutcome {
  /** Exception vector, or null when the code ran to its end. */
  readonly fault: string | null;
  /** Registers by 64-bit name (`rax`…), zero-extended in 32-bit mode. */
  readonly registers: Readonly<Record<string, bigint>>;
  readonly rflags: bigint;
  readonly data: Uint8Array;
}

/** One disagreement on defined bits. */
export interface Mismatch {
  readonly where: string;
  readonly vm: string;
  readonly cpu: string;
}

/** The outcome of comparing one case. */
export interface Comparison {
  readonly mismatches: readonly Mismatch[];
  /** Bits compared, and bits skipped because the VM calls them undefined. */
  readonly comparedBits: number;
  readonly undefinedBits: number;
}

const STATUS_FLAGS: readonly [string, number][] = [
  ['CF', 0],
  ['PF', 2],
  ['AF', 4],
  ['ZF', 6],
  ['SF', 7],
  ['OF', 11],
  ['DF', 10],
];

/** Builds the VM for a case: the code, the data block, the registers and flags, all defined. */
export function machineForCase(testCase: CheckCase, policy: UndefinedPolicy = 'track'): Machine {
  const machine = new Machine({ mode: testCase.mode, policy, maxSteps: 100 });
  machine.loadCode(testCase.code, CODE_ADDRESS);
  machine.memory.map(DATA_ADDRESS, DATA_SIZE, 0b011, 'zero');
  machine.memory.writeBytes(DATA_ADDRESS, testCase.data);
  for (const [name, value] of testCase.registers) machine.setRegister(name, value);
  // rSP: defined, pointing into the data block (never used as an operand by the generator).
  machine.setRegister(testCase.mode === 64 ? 'rsp' : 'esp', DATA_ADDRESS + BigInt(DATA_SIZE));
  machine.setFlags(testCase.rflags);
  return machine;
}

const hex = (value: bigint) => `0x${value.toString(16)}`;

/** Number of 1 bits. */
export function popcount(value: bigint): number {
  let count = 0;
  for (let v = value; v !== 0n; v &= v - 1n) count++;
  return count;
}

/** One observable piece of the final state: the VM's value and undefined mask, and the CPU's value. */
export interface Observation {
  readonly where: string;
  readonly width: number;
  readonly bits: bigint;
  readonly undefinedMask: bigint;
  readonly cpu: (outcome: CpuOutcome) => bigint;
}

/** Everything `check` compares: the registers but rSP, the six status flags and DF, the data block. */
export function observe(machine: Machine): Observation[] {
  const observations: Observation[] = [];
  const mode = machine.mode;
  for (let number = 0; number < (mode === 64 ? 16 : 8); number++) {
    if (number === 4) continue;
    const name = generalRegister(number, mode, false);
    const value = machine.getRegister(name);
    const cpuName = generalRegister(number, 64, false);
    observations.push({
      where: name,
      width: mode,
      bits: value.bits,
      undefinedMask: value.undefinedMask,
      cpu: (outcome) => BigInt.asUintN(mode, outcome.registers[cpuName] ?? 0n),
    });
  }
  const flags = machine.getFlags();
  for (const [name, bit] of STATUS_FLAGS) {
    const position = BigInt(bit);
    observations.push({
      where: name,
      width: 1,
      bits: (flags.bits >> position) & 1n,
      undefinedMask: (flags.undefinedMask >> position) & 1n,
      cpu: (outcome) => (outcome.rflags >> position) & 1n,
    });
  }
  const { bytes, undefinedBits } = machine.memory.readBytes(DATA_ADDRESS, DATA_SIZE);
  for (let i = 0; i < DATA_SIZE; i++) {
    observations.push({
      where: `[${hex(DATA_ADDRESS + BigInt(i))}]`,
      width: 8,
      bits: BigInt(bytes[i]),
      undefinedMask: BigInt(undefinedBits[i]),
      cpu: (outcome) => BigInt(outcome.data[i]),
    });
  }
  return observations;
}

/** Runs the case on the VM and compares every defined bit with the CPU's outcome. */
export function compareWithCpu(testCase: CheckCase, cpu: CpuOutcome): Comparison {
  const machine = machineForCase(testCase);
  const stop = machine.run();
  const mismatches: Mismatch[] = [];
  let comparedBits = 0;
  let undefinedBits = 0;
  const vmFault = stop.reason === 'fault' ? stop.fault : null;
  if (stop.reason !== 'end' && stop.reason !== 'fault') {
    mismatches.push({ where: 'stop', vm: `${stop.reason}: ${stop.message}`, cpu: cpu.fault ?? 'completed' });
    return { mismatches, comparedBits, undefinedBits };
  }
  if ((vmFault ?? null) !== cpu.fault) {
    mismatches.push({ where: 'fault', vm: vmFault ?? `none (${stop.message})`, cpu: cpu.fault ?? 'none' });
    return { mismatches, comparedBits, undefinedBits };
  }
  for (const observation of observe(machine)) {
    const all = (1n << BigInt(observation.width)) - 1n;
    const defined = ~observation.undefinedMask & all;
    const cpuBits = observation.cpu(cpu);
    comparedBits += popcount(defined);
    undefinedBits += popcount(observation.undefinedMask & all);
    if (((observation.bits ^ cpuBits) & defined) !== 0n) {
      mismatches.push({
        where: observation.where,
        vm: `${hex(observation.bits)} (undefined ${hex(observation.undefinedMask)})`,
        cpu: hex(cpuBits),
      });
    }
  }
  return { mismatches, comparedBits, undefinedBits };
}

/** A `vial exec` command line that reproduces the case on the VM. */
export function reproduction(testCase: CheckCase): string {
  const hexBytes = Array.from(testCase.code, (byte) => byte.toString(16).padStart(2, '0')).join('');
  const sets = [...testCase.registers].map(([name, value]) => `--set ${name}=${hex(value)}`);
  const data = Array.from(testCase.data, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return [
    'vial exec',
    `--mode ${testCase.mode}`,
    `--origin ${hex(CODE_ADDRESS)}`,
    `--hex ${hexBytes}`,
    ...sets,
    `--set ${testCase.mode === 64 ? 'rsp' : 'esp'}=${hex(DATA_ADDRESS + BigInt(DATA_SIZE))}`,
    `--set rflags=${hex(testCase.rflags)}`,
    `--mem ${hex(DATA_ADDRESS)}=${data}`,
    `--dump ${hex(DATA_ADDRESS)}:${DATA_SIZE}`,
  ].join(' ');
}
