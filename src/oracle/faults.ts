/**
 * Turns the signal Linux delivered to the runner into the processor exception behind it.
 *
 * The trap number in the signal context (REG_TRAPNO) is the vector itself, so it decides; the
 * signal only serves when the trap number is missing. How Linux maps vectors to signals
 * (arch/x86/kernel/traps.c): #DE → SIGFPE; #UD → SIGILL; #BP, #DB → SIGTRAP; #GP, #PF, #OF, #BR,
 * #TS → SIGSEGV; #SS, #NP, #AC → SIGBUS; #MF, #XM → SIGFPE.
 */
import type { FaultVector, NativeFault } from './types.js';

const VECTOR_BY_TRAP_NUMBER: Readonly<Record<number, FaultVector>> = {
  0: '#DE',
  1: '#DB',
  3: '#BP',
  4: '#OF',
  5: '#BR',
  6: '#UD',
  7: '#NM',
  10: '#TS',
  11: '#NP',
  12: '#SS',
  13: '#GP',
  14: '#PF',
  16: '#MF',
  17: '#AC',
  19: '#XM',
};

const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  4: 'SIGILL',
  5: 'SIGTRAP',
  7: 'SIGBUS',
  8: 'SIGFPE',
  11: 'SIGSEGV',
  26: 'SIGVTALRM',
  31: 'SIGSYS',
};

/** Used only when the trap number is not a known vector. */
const VECTOR_BY_SIGNAL: Readonly<Record<string, FaultVector>> = {
  SIGFPE: '#DE',
  SIGILL: '#UD',
  SIGTRAP: '#BP',
  SIGSEGV: '#GP',
  SIGBUS: '#AC',
};

/** Page-fault error code bits (Intel SDM Vol. 3A, 4.7). */
const PAGE_FAULT_WRITE = 0x2;
const PAGE_FAULT_INSTRUCTION_FETCH = 0x10;

/** Instruction encodings that raise a trap-class exception, by vector: the CPU reports the address after them. */
const TRAP_ENCODINGS: Partial<Record<FaultVector, readonly (readonly number[])[]>> = {
  '#DB': [[0xf1]], // icebp; a single-step #DB has no instruction of its own and stays at rip
  '#BP': [[0xcc], [0xcd, 0x03]],
  '#OF': [[0xce], [0xcd, 0x04]],
};

/** Name of a Linux x86 signal number. */
export function signalName(signal: number): string {
  return SIGNAL_NAMES[signal] ?? `signal ${signal}`;
}

/** The raw facts about a delivered signal. */
export interface SignalReport {
  readonly signal: number;
  readonly signalCode: number;
  readonly trapNumber: number;
  readonly errorCode: number;
  /** Where the CPU stopped. */
  readonly ip: bigint;
  readonly cr2: bigint;
}

/**
 * Classifies a fault.
 * @param initialByte reads the case's code or memory as it was before the run, to find the start of
 *   a trap-class instruction that ended just before `ip`.
 */
export function classifyFault(
  report: SignalReport,
  initialByte: (address: bigint) => number | undefined,
): NativeFault {
  const signal = signalName(report.signal);
  const vector = VECTOR_BY_TRAP_NUMBER[report.trapNumber] ?? VECTOR_BY_SIGNAL[signal] ?? '#GP';
  const base = {
    vector,
    address: instructionAddress(vector, report.ip, initialByte),
    errorCode: report.errorCode,
    signal,
    signalCode: report.signalCode,
    trapNumber: report.trapNumber,
  };
  if (vector !== '#PF') return base;
  const access =
    report.errorCode & PAGE_FAULT_INSTRUCTION_FETCH
      ? 'execute'
      : report.errorCode & PAGE_FAULT_WRITE
        ? 'write'
        : 'read';
  return { ...base, pageFaultAddress: report.cr2, access };
}

function instructionAddress(
  vector: FaultVector,
  ip: bigint,
  initialByte: (address: bigint) => number | undefined,
): bigint {
  for (const encoding of TRAP_ENCODINGS[vector] ?? []) {
    const start = ip - BigInt(encoding.length);
    if (encoding.every((byte, index) => initialByte(start + BigInt(index)) === byte)) return start;
  }
  return ip;
}
