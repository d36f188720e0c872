/**
 * Sets a machine up from command-line options (`exec`, `run`, `trace` share it): code, stack, a
 * return sentinel, `--set`, `--map`, `--mem`; and reports its final state as data.
 */
import { doublewordRegisters, quadwordRegisters } from '../isa/registers.js';
import { Machine, type Stop, type UndefinedPolicy } from '../machine/machine.js';
import { MemoryMapError, parsePermissions } from '../machine/memory.js';
import { Value } from '../value/value.js';
import { type CodeInput, parseHexBytes, parseNumber } from './code-input.js';
import { UsageError } from './command.js';

/** Option definitions for the state a run starts from (node:util parseArgs format). */
export const stateOptions = {
  undefined: { type: 'string', default: 'track' },
  set: { type: 'string', multiple: true },
  map: { type: 'string', multiple: true },
  mem: { type: 'string', multiple: true },
  dump: { type: 'string', multiple: true },
  'max-steps': { type: 'string' },
} as const;

/** Where the stack is: [STACK_TOP - STACK_SIZE, STACK_TOP), below 4 GiB so 32-bit code can use it. */
export const STACK_TOP = 0x7fff0000n;
export const STACK_SIZE = 0x10000;
/** The return address pushed before the code runs: a top-level `ret` stops with reason `return`. */
export const RETURN_SENTINEL = 0x7e570000n;

/** The general registers reported for each mode, in encoding order. */
export const reportedRegisters: Readonly<Record<32 | 64, readonly string[]>> = {
  64: quadwordRegisters,
  32: doublewordRegisters.slice(0, 8),
};

interface StateValues {
  undefined?: string;
  set?: string[];
  map?: string[];
  mem?: string[];
  'max-steps'?: string;
}

/** Parses `--undefined`. */
export function parsePolicy(text: string): UndefinedPolicy {
  if (text !== 'zero' && text !== 'track' && text !== 'strict') {
    throw new UsageError(`--undefined must be zero, track or strict, not '${text}'`);
  }
  return text;
}

/** Builds a machine with the code loaded, a stack, the sentinel pushed and the requested state. */
export function setUpMachine(code: CodeInput, values: StateValues): Machine {
  const policy = parsePolicy(values.undefined ?? 'track');
  const maxSteps = values['max-steps'] ? Number(parseNumber(values['max-steps'], '--max-steps')) : undefined;
  if (maxSteps !== undefined && maxSteps < 1) throw new UsageError('--max-steps must be at least 1');
  const machine = new Machine({ mode: code.mode, policy, maxSteps });
  try {
    machine.memory.map(
      STACK_TOP - BigInt(STACK_SIZE),
      STACK_SIZE,
      parsePermissions('rw'),
      policy === 'zero' ? 'zero' : 'undefined',
    );
    for (const spec of values.map ?? []) {
      const [address, length, permissions = 'rw'] = spec.split(':');
      if (length === undefined) throw new UsageError(`--map ${spec}: expected ADDR:LEN[:rwx]`);
      machine.memory.map(
        parseNumber(address, '--map address'),
        Number(parseNumber(length, '--map length')),
        parsePermissions(permissions),
        'zero',
      );
    }
    for (const spec of values.mem ?? []) {
      const [address, hex] = spec.split('=');
      if (hex === undefined) throw new UsageError(`--mem ${spec}: expected ADDR=HEX`);
      const bytes = parseHexBytes(hex, `--mem ${spec}`);
      const start = parseNumber(address, '--mem address');
      if (bytes.length === 0) continue;
      if (!machine.memory.isMapped(start, bytes.length))
        machine.memory.map(start, bytes.length, parsePermissions('rw'), 'zero');
      machine.memory.writeBytes(start, bytes);
    }
    if (code.bytes.length > 0) machine.loadCode(code.bytes, code.origin);
    else machine.setRegister(code.mode === 64 ? 'rip' : 'eip', code.origin);
  } catch (error) {
    if (error instanceof MemoryMapError) throw new UsageError(error.message);
    throw error;
  }
  // The return sentinel sits on top of the stack, like a caller's return address.
  const pointerBytes = code.mode / 8;
  const stackPointer = STACK_TOP - 0x100n - BigInt(pointerBytes);
  const sentinel = new Uint8Array(pointerBytes);
  for (let i = 0; i < pointerBytes; i++) sentinel[i] = Number((RETURN_SENTINEL >> BigInt(8 * i)) & 0xffn);
  machine.memory.writeBytes(stackPointer, sentinel);
  machine.returnSentinel = RETURN_SENTINEL;
  machine.setRegister(code.mode === 64 ? 'rsp' : 'esp', stackPointer);
  for (const assignment of values.set ?? []) applySet(machine, assignment);
  return machine;
}

/** `--set REG=VALUE` (VALUE may be `?` for undefined); `rflags`/`eflags` set the flags. */
function applySet(machine: Machine, assignment: string): void {
  const [name, text] = assignment.split('=');
  if (text === undefined || name === '') throw new UsageError(`--set ${assignment}: expected REG=VALUE`);
  const lower = name.toLowerCase();
  if (lower === 'rflags' || lower === 'eflags') {
    machine.setFlags(text === '?' ? Value.unknown(64) : parseNumber(text, `--set ${name}`));
    return;
  }
  try {
    const current = machine.getRegister(lower);
    machine.setRegister(
      lower,
      text === '?'
        ? Value.unknown(current.width)
        : Value.of(parseNumber(text, `--set ${name}`), current.width),
    );
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(`--set ${assignment}: ${error.message}`);
    throw error;
  }
}

const hex = (value: bigint) => `0x${value.toString(16)}`;

/** A precise value as the JSON contract writes it. */
export function valueJson(value: Value): { value: string; undefined: string } {
  return { value: hex(value.bits), undefined: hex(value.undefinedMask) };
}

/** The final state as the `vial exec --json` contract describes it. */
export function machineStateJson(machine: Machine, stop: Stop, dumps: readonly string[]) {
  const registers: Record<string, { value: string; undefined: string }> = {};
  for (const name of reportedRegisters[machine.mode]) registers[name] = valueJson(machine.getRegister(name));
  registers[machine.mode === 64 ? 'rip' : 'eip'] = valueJson(
    machine.getRegister(machine.mode === 64 ? 'rip' : 'eip'),
  );
  const memory = dumps.map((spec) => {
    const [address, length] = spec.split(':');
    if (length === undefined) throw new UsageError(`--dump ${spec}: expected ADDR:LEN`);
    const start = parseNumber(address, '--dump address');
    try {
      const { bytes, undefinedBits } = machine.memory.readBytes(
        start,
        Number(parseNumber(length, '--dump length')),
      );
      const toHex = (data: Uint8Array) =>
        Array.from(data, (byte) => byte.toString(16).padStart(2, '0')).join('');
      return { address: hex(start), bytes: toHex(bytes), undefined: toHex(undefinedBits) };
    } catch (error) {
      throw new UsageError(`--dump ${spec}: ${(error as Error).message}`);
    }
  });
  return {
    mode: machine.mode,
    stop: { reason: stop.reason, address: hex(stop.address), fault: stop.fault, message: stop.message },
    steps: machine.steps,
    registers,
    [machine.mode === 64 ? 'rflags' : 'eflags']: valueJson(machine.getFlags()),
    memory,
  };
}
