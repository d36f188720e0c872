/**
 * Calling guest functions by ABI: place the arguments where the convention says, push a return
 * sentinel so the function's own `ret` ends the call, run, and check what the callee promised the
 * caller (callee-saved registers, the stack pointer, DF clear).
 *
 * Sources: System V AMD64 psABI §3.2 (registers, 16-byte alignment at the call), Microsoft x64
 * calling convention (RCX RDX R8 R9, 32-byte shadow space, RDI/RSI non-volatile), i386 System V
 * ABI §2.2 and the MSVC stdcall/fastcall rules (callee pops its stack arguments).
 */

import { decodeInstruction } from '../decoder/decoder.js';
import type { FlagBit } from '../ir/expression.js';
import { doublewordRegisters, quadwordRegisters } from '../isa/registers.js';
import type { FlagName } from '../isa/spec.js';
import { Value } from '../value/value.js';
import { integerPattern, littleEndian } from './guest-memory.js';
import type { Machine, Stop } from './machine.js';

/** A calling convention `call` can use. */
export type CallingConvention = 'sysv' | 'ms64' | 'cdecl' | 'stdcall' | 'fastcall';

/** An argument: an integer or pointer (negative numbers are passed as two's complement). */
export type CallArgument = number | bigint;

/** Options of `Machine.call`. */
export interface CallOptions {
  /** Default: `sysv` in 64-bit mode, `cdecl` in 32-bit mode. */
  readonly convention?: CallingConvention;
  /** Step limit for this call (default: the machine's). */
  readonly maxSteps?: number;
  /** Size of the stack vial maps when the test has none (default 1 MiB). */
  readonly stackSize?: number;
  /**
   * The registers that are not arguments, at entry. `'undefined'` (default in `track`/`strict`):
   * caller-saved registers and status flags are undefined (a callee that reads one before writing
   * it is caught: real callers leave garbage there) and callee-saved registers hold distinct
   * canaries, so a clobbered one cannot look restored by coincidence. (In `zero` policy undefined
   * reads as 0, as everywhere in that policy.) `'keep'`: every register and flag stays as the test
   * set it, except DF, which the ABI says is clear at a call.
   */
  readonly scratch?: 'undefined' | 'keep';
}

/** What a convention says, as data. */
interface ConventionRules {
  readonly mode: 32 | 64;
  /** Registers for the first arguments, in order. */
  readonly argumentRegisters: readonly string[];
  /** Bytes the caller reserves above the return address for the callee (ms64: 32). */
  readonly shadowSpace: number;
  /** The callee removes its stack arguments (`ret n`). */
  readonly calleePops: boolean;
  /** Registers the callee must restore (the stack pointer is checked separately). */
  readonly calleeSaved: readonly string[];
}

const conventions: Readonly<Record<CallingConvention, ConventionRules>> = {
  sysv: {
    mode: 64,
    argumentRegisters: ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'],
    shadowSpace: 0,
    calleePops: false,
    calleeSaved: ['rbx', 'rbp', 'r12', 'r13', 'r14', 'r15'],
  },
  ms64: {
    mode: 64,
    argumentRegisters: ['rcx', 'rdx', 'r8', 'r9'],
    shadowSpace: 32,
    calleePops: false,
    calleeSaved: ['rbx', 'rbp', 'rdi', 'rsi', 'r12', 'r13', 'r14', 'r15'],
  },
  cdecl: {
    mode: 32,
    argumentRegisters: [],
    shadowSpace: 0,
    calleePops: false,
    calleeSaved: i386CalleeSaved(),
  },
  stdcall: {
    mode: 32,
    argumentRegisters: [],
    shadowSpace: 0,
    calleePops: true,
    calleeSaved: i386CalleeSaved(),
  },
  fastcall: {
    mode: 32,
    argumentRegisters: ['ecx', 'edx'],
    shadowSpace: 0,
    calleePops: true,
    calleeSaved: i386CalleeSaved(),
  },
};

function i386CalleeSaved(): string[] {
  return ['ebx', 'esi', 'edi', 'ebp'];
}

const allRegisters: Readonly<Record<32 | 64, readonly string[]>> = {
  64: quadwordRegisters,
  32: doublewordRegisters.slice(0, 8),
};
const statusFlags: readonly FlagBit[] = ['CF', 'PF', 'AF', 'ZF', 'SF', 'OF'];

/** Where the return sentinel points when the machine has none: unmapped, below the stack. */
export const CALL_RETURN_SENTINEL = 0x7e570000n;

/** Thrown when `call` cannot pass an argument: which one, and why. */
export class CallArgumentError extends RangeError {
  override readonly name = 'CallArgumentError';
  constructor(
    /** Index of the argument (0-based). */
    readonly argumentIndex: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** Thrown for a convention that does not exist or does not fit the machine's mode. */
export class CallConventionError extends RangeError {
  override readonly name = 'CallConventionError';
}

/** A broken promise of the callee, found after it returned. */
export interface AbiViolation {
  readonly kind: 'callee-saved' | 'stack-pointer' | 'direction-flag';
  /** The register or flag concerned (`'rbx'`, `'rsp'`, `'DF'`). */
  readonly register: string;
  /** What it held before the call (callee-saved) or should hold now (stack pointer, DF). */
  readonly expected: Value;
  /** What it holds after the return. */
  readonly actual: Value;
  /** A sentence for people. */
  readonly message: string;
}

/** Options of {@link CallResult.expectReturn}. */
export interface ExpectReturnOptions {
  /** How many low bits of RAX/EAX are the result (e.g. 32 for a C `int` in 64-bit code). Default: all. */
  readonly width?: number;
  /** Interpret them as two's complement. */
  readonly signed?: boolean;
}

/** Thrown by the happy-path helpers when a call did not return cleanly. */
export class CallError extends Error {
  override readonly name = 'CallError';
  /** Where the machine stopped. */
  readonly address: bigint;
  /** The instruction there in NASM syntax, when it can be decoded. */
  readonly disassembly: string | null;

  constructor(
    /** The result that failed. */
    readonly result: CallResult,
    detail?: string,
  ) {
    super(detail ?? result.describe());
    this.address = result.stop.address;
    this.disassembly = result.stopDisassembly;
  }

  /** The machine's stop. */
  get stop(): Stop {
    return this.result.stop;
  }

  /** The ABI violations found (empty when the call did not return). */
  get violations(): readonly AbiViolation[] {
    return this.result.violations;
  }
}

/**
 * The outcome of a call: never thrown, so a test can assert on faults, strict stops and
 * violations as easily as on return values. `expectReturn()` is the happy path.
 */
export class CallResult {
  constructor(
    /** The function, as the test named it (symbol, or hexadecimal address). */
    readonly target: string,
    readonly convention: CallingConvention,
    /** Why the machine stopped: `return` when the function returned to the sentinel. */
    readonly stop: Stop,
    /** The instruction at the stop address (for faults and strict stops: the offending one). */
    readonly stopDisassembly: string | null,
    /** RAX (64-bit) or EAX (32-bit) after the call. */
    readonly value: Value,
    /** RDX or EDX after the call: the high half of a double-width result. */
    readonly high: Value,
    /** Broken ABI promises (only checked when the function returned). */
    readonly violations: readonly AbiViolation[],
    /**
     * For a `strict` stop: the flags the offending instruction reads that were undefined (e.g.
     * `['CF']` for a `jc` after `div`). Empty otherwise, or when a register or memory was the cause.
     */
    readonly undefinedFlags: readonly FlagBit[] = [],
  ) {}

  /** True when the function returned and kept every ABI promise. */
  get ok(): boolean {
    return this.returned && this.violations.length === 0;
  }

  /** True when the function returned (its `ret` reached the sentinel). */
  get returned(): boolean {
    return this.stop.reason === 'return';
  }

  /** RDX:RAX (or EDX:EAX) as one double-width integer, with its undefined mask. */
  get wide(): { readonly bits: bigint; readonly undefinedMask: bigint; readonly width: number } {
    const shift = BigInt(this.value.width);
    return {
      bits: (this.high.bits << shift) | this.value.bits,
      undefinedMask: (this.high.undefinedMask << shift) | this.value.undefinedMask,
      width: this.value.width * 2,
    };
  }

  /** Throws {@link CallError} unless {@link ok}; returns this result for chaining. */
  expectOk(): this {
    if (!this.ok) throw new CallError(this);
    return this;
  }

  /**
   * The return value as a bigint (the low `width` bits of RAX/EAX, signed if asked). Throws
   * {@link CallError} when the call did not return cleanly or any of those bits is undefined.
   */
  expectReturn(options: ExpectReturnOptions = {}): bigint {
    this.expectOk();
    const width = options.width ?? this.value.width;
    if (!Number.isInteger(width) || width < 1 || width > this.value.width) {
      throw new RangeError(`expectReturn width ${width}: expected 1..${this.value.width}`);
    }
    const result = this.value.extract(0, width);
    if (!result.isDefined) {
      throw new CallError(
        this,
        `${this.target} returned ${result.toString()}: bits of the ${width}-bit result are undefined`,
      );
    }
    return options.signed ? BigInt.asIntN(width, result.bits) : result.bits;
  }

  /** One paragraph saying how the call ended. */
  describe(): string {
    const where = `0x${this.stop.address.toString(16)}${this.stopDisassembly ? ` (${this.stopDisassembly})` : ''}`;
    if (!this.returned) {
      const flags =
        this.undefinedFlags.length > 0
          ? ` — it reads ${this.undefinedFlags.join(', ')}, which ${this.undefinedFlags.length > 1 ? 'are' : 'is'} undefined here`
          : '';
      return `${this.convention} call to ${this.target} did not return: ${this.stop.reason} at ${where}: ${this.stop.message}${flags}`;
    }
    if (this.violations.length > 0) {
      return `${this.convention} call to ${this.target} broke the ABI: ${this.violations.map((v) => v.message).join('; ')}`;
    }
    return `${this.convention} call to ${this.target} returned ${this.value.toString()}`;
  }
}

/** The convention `call` uses when none is given. */
export function defaultConvention(mode: 32 | 64): CallingConvention {
  return mode === 64 ? 'sysv' : 'cdecl';
}

/** What a call needs beyond the machine: the resolved target and the stack to use. */
export interface CallSite {
  readonly address: bigint;
  /** How the test named the target (for messages). */
  readonly name: string;
  /** Top of the stack the arguments go below. */
  readonly stackTop: bigint;
}

/** Validates the convention and arguments, then runs the call. See {@link CallResult}. */
export function performCall(
  machine: Machine,
  site: CallSite,
  args: readonly CallArgument[],
  options: CallOptions,
): CallResult {
  const convention = options.convention ?? defaultConvention(machine.mode);
  const rules = conventions[convention];
  if (!rules) {
    throw new CallConventionError(
      `unknown calling convention '${convention}': use ${Object.keys(conventions).join(', ')}`,
    );
  }
  if (rules.mode !== machine.mode) {
    const fitting = Object.entries(conventions)
      .filter(([, other]) => other.mode === machine.mode)
      .map(([name]) => name);
    throw new CallConventionError(
      `the ${convention} convention is for ${rules.mode}-bit code; this machine runs ${machine.mode}-bit code (use ${fitting.join(', ')})`,
    );
  }
  if (!Array.isArray(args))
    throw new CallArgumentError(-1, `call arguments must be an array, not ${typeof args}`);
  const pointerBits = machine.mode;
  const pointerBytes = pointerBits / 8;
  const patterns = args.map((argument, index) => {
    try {
      return integerPattern(argument, pointerBits, () => `argument ${index} of ${site.name}`);
    } catch (error) {
      throw new CallArgumentError(index, (error as Error).message);
    }
  });
  const registerArguments = patterns.slice(0, rules.argumentRegisters.length);
  const stackArguments = patterns.slice(rules.argumentRegisters.length);

  // Frame, from the entry stack pointer S up: return address, shadow space, stack arguments.
  // S + pointerBytes is 16-byte aligned: in 64-bit code that is RSP+8 ≡ 0 (mod 16) at entry, in
  // 32-bit code ESP ≡ 0 (mod 16) just before the call, as gcc assumes.
  const above = rules.shadowSpace + stackArguments.length * pointerBytes;
  const base = ((site.stackTop - BigInt(above) - 128n) / 16n) * 16n;
  const entryStack = base - BigInt(pointerBytes);
  const sentinel = machine.returnSentinel ?? CALL_RETURN_SENTINEL;
  machine.returnSentinel = sentinel;
  machine.memory.writeBytes(entryStack, littleEndian(sentinel, pointerBytes));
  if (rules.shadowSpace > 0) {
    // The callee owns the shadow space; what is in it is garbage to the callee.
    const size = rules.shadowSpace;
    machine.memory.writeBytes(base, new Uint8Array(size), new Uint8Array(size).fill(0xff));
  }
  stackArguments.forEach((pattern, index) => {
    const slot = base + BigInt(rules.shadowSpace + index * pointerBytes);
    machine.memory.writeBytes(slot, littleEndian(pattern, pointerBytes));
  });

  const stackRegister = pointerBits === 64 ? 'rsp' : 'esp';
  const keepScratch = options.scratch === 'keep';
  for (const register of allRegisters[machine.mode]) {
    if (register === stackRegister || rules.calleeSaved.includes(register)) continue;
    if (!keepScratch) machine.setRegister(register, Value.unknown(pointerBits));
  }
  if (!keepScratch) for (const flag of statusFlags) machine.setFlag(flag, Value.unknown(1));
  machine.setFlag('DF', 0);
  if (!keepScratch) {
    // Fresh, distinct canaries: a clobbered register cannot look restored by coincidence (a value
    // left by an earlier call, 0 → 0 in zero policy, or one undefined value replaced by another).
    rules.calleeSaved.forEach((register, index) => {
      machine.setRegister(register, canary(pointerBits, index));
    });
  }
  registerArguments.forEach((pattern, index) => {
    machine.setRegister(rules.argumentRegisters[index], pattern);
  });
  machine.setRegister(stackRegister, entryStack);
  machine.setRegister(pointerBits === 64 ? 'rip' : 'eip', site.address);

  const saved = rules.calleeSaved.map((register) => ({ register, before: machine.getRegister(register) }));
  const stop = machine.run(options.maxSteps ?? machine.maxSteps);

  const violations: AbiViolation[] = [];
  if (stop.reason === 'return') {
    for (const { register, before } of saved) {
      const after = machine.getRegister(register);
      if (!after.equals(before)) {
        violations.push({
          kind: 'callee-saved',
          register,
          expected: before,
          actual: after,
          message: `callee-saved ${register} was ${before.toString()} before the call and ${after.toString()} after it`,
        });
      }
    }
    const popped = rules.calleePops ? stackArguments.length * pointerBytes : 0;
    const expectedStack = Value.of(entryStack + BigInt(pointerBytes + popped), pointerBits);
    const actualStack = machine.getRegister(stackRegister);
    if (!actualStack.equals(expectedStack)) {
      const offBy = actualStack.isDefined ? actualStack.bits - expectedStack.bits : null;
      const popRule = rules.calleePops
        ? `${convention} callee must pop its ${popped} bytes of stack arguments (ret ${popped})`
        : `${convention} callee must not pop its arguments (plain ret)`;
      violations.push({
        kind: 'stack-pointer',
        register: stackRegister,
        expected: expectedStack,
        actual: actualStack,
        message:
          `${stackRegister} is ${actualStack.toString()} after the return, expected ${expectedStack.toString()}` +
          `${offBy === null ? '' : ` (off by ${offBy})`}: ${popRule}`,
      });
    }
    const direction = machine.getFlag('DF');
    if (!direction.equals(Value.of(0, 1))) {
      violations.push({
        kind: 'direction-flag',
        register: 'DF',
        expected: Value.of(0, 1),
        actual: direction,
        message: `DF is ${direction.toString()} after the return: the ABI requires it clear (cld before ret)`,
      });
    }
  }
  const stopDisassembly = stop.disassembly ?? machine.disassembleAt(stop.address);
  return new CallResult(
    site.name,
    convention,
    stop,
    stopDisassembly,
    machine.getRegister(pointerBits === 64 ? 'rax' : 'eax'),
    machine.getRegister(pointerBits === 64 ? 'rdx' : 'edx'),
    violations,
    stop.reason === 'strict' ? undefinedFlagsReadAt(machine, stop.address) : [],
  );
}

const flagBitOfName: Partial<Record<FlagName, FlagBit>> = {
  o: 'OF',
  s: 'SF',
  z: 'ZF',
  a: 'AF',
  p: 'PF',
  c: 'CF',
  d: 'DF',
};

/** The flags the instruction at `address` reads that are undefined now (a strict stop's usual cause). */
export function undefinedFlagsReadAt(machine: Machine, address: bigint): FlagBit[] {
  const bytes = new Uint8Array(15);
  const scratch = new Uint8Array(2);
  let available = 0;
  while (available < 15 && machine.memory.readByte(Number(address) + available, 'execute', scratch)) {
    bytes[available++] = scratch[0];
  }
  const decoded = decodeInstruction(bytes, 0, machine.mode, available);
  if (decoded.status !== 'ok') return [];
  return decoded.form.flags.read
    .map((name) => flagBitOfName[name])
    .filter((flag): flag is FlagBit => flag !== undefined && !machine.getFlag(flag).isDefined);
}

/** A recognisable, distinct value per callee-saved register (0x5a5a…01, 0x5a5a…02, …). */
function canary(bits: number, index: number): bigint {
  const pattern = bits === 64 ? 0x5a5a5a5a5a5a5a00n : 0x5a5a5a00n;
  return pattern + BigInt(index + 1);
}
