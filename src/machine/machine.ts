/**
 * The machine: x86 registers, flags and memory over the precise value domain, executing the IR of
 * decoded instructions. State lives in one typed-array frame (a slot per register and flag), so the
 * compiled path of the performance issue can use it directly.
 */
import { decodeInstruction } from '../decoder/decoder.js';
import { formatInstruction } from '../disassembler/format.js';
import type { EvaluationOutcome, MachineAccess } from '../ir/evaluate.js';
import { type FlagBit, flagBitPosition, type Location } from '../ir/expression.js';
import { registerInfo } from '../isa/registers.js';
import type { CompiledBlock } from '../jit/block.js';
import { MemoryPort } from '../jit/memory-port.js';
import { HIGH_WORD_MASK, LOW_WORD_MASK, SLOT_WORDS } from '../value/layout.js';
import type { Coarse } from '../value/undefined.js';
import { Value } from '../value/value.js';
import { type CallArgument, type CallOptions, type CallResult, performCall } from './abi.js';
import { BlockCache } from './block-cache.js';
import { type CpuProfile, cpuidOf, defaultCpuProfile } from './cpu-profile.js';
import {
  type AllocOptions,
  type ElementBits,
  GuestMemory,
  type IntegerTypedArray,
  type ReadArrayOptions,
  type ReadOptions,
} from './guest-memory.js';
import { type DecodedInstruction, decodedInstruction } from './instruction-cache.js';
import { Memory, type MemoryFault, PAGE_SIZE } from './memory.js';
import {
  type Address,
  type AssembleProgramOptions,
  type LoadBytesOptions,
  type LoadedProgram,
  type PlacedProgram,
  placeAssembly,
  placeBytes,
  SymbolNotFoundError,
  toAddress,
} from './program.js';
import {
  FLAG_ORDER,
  FLAG_SLOT,
  FS_BASE_SLOT,
  GPR_COUNT,
  GS_BASE_SLOT,
  IP_SLOT,
  STATE_SLOTS,
  stateSlotOf,
} from './state-layout.js';

/** What the machine does with architecturally undefined results (see docs/value-domain.md). */
export type UndefinedPolicy = 'zero' | 'track' | 'strict';

/** Every reason the machine can stop for. */
export const stopReasons = [
  'end',
  'hlt',
  'int3',
  'syscall',
  'fault',
  'limit',
  'strict',
  'breakpoint',
  'return',
] as const;

/** Why the machine stopped (one of {@link stopReasons}). */
export type StopReason = (typeof stopReasons)[number];

/** A structured stop: never a JavaScript exception escaping to the user. */
export interface Stop {
  readonly reason: StopReason;
  /** RIP/EIP at the stop (for faults and strict violations: the offending instruction). */
  readonly address: bigint;
  /** The exception vector for `fault`. */
  readonly fault: '#DE' | '#UD' | '#GP' | '#PF' | '#BR' | '#OF' | '#BP' | null;
  /** For a page fault: the address and access that failed. */
  readonly pageFault: MemoryFault | null;
  /** The offending instruction's form name, when there is one. */
  readonly instruction: string | null;
  /** The offending instruction in NASM syntax (`div ecx`), when there is one. */
  readonly disassembly: string | null;
  /** A sentence for people. */
  readonly message: string;
}

/** Options of a {@link Machine}. */
export interface MachineOptions {
  readonly mode?: 32 | 64;
  readonly policy?: UndefinedPolicy;
  /** Default step limit of {@link Machine.run} (a guest cannot hang the host). */
  readonly maxSteps?: number;
  /** Most bytes of guest memory that may be mapped. */
  readonly maxMappedBytes?: number;
  /** What CPUID answers (default: the features vial implements, see `cpu-profile.ts`). */
  readonly cpu?: CpuProfile;
  /**
   * `compiled` (default): `run()` compiles basic blocks to JavaScript (`src/jit/`); `interpreted`:
   * every instruction goes through the IR interpreter, the reference the compiled path is tested
   * against. `strict` machines, single steps and runs with breakpoints always interpret.
   */
  readonly execution?: 'compiled' | 'interpreted';
  /**
   * How many times the dispatcher meets an address before a block is compiled from there
   * (default 2): code that runs once is cheaper to interpret than to compile; loops compile on
   * their second iteration.
   */
  readonly compileThreshold?: number;
}

/** Most steps one call of a compiled block may run (see `run`). */
const BLOCK_CALL_STEPS = 65_536;

/** An x86 machine for 32- or 64-bit code. */
export class Machine implements MachineAccess {
  /**
   * The execution of machines created without an `execution` option. vial's own CI sets it to
   * `interpreted` for a second pass of its machine-level tests on the reference interpreter.
   */
  static defaultExecution: 'compiled' | 'interpreted' = 'compiled';
  readonly mode: 32 | 64;
  readonly policy: UndefinedPolicy;
  readonly memory: Memory;
  readonly maxSteps: number;
  /** What CPUID answers. */
  readonly cpu: CpuProfile;
  /** Registers, RIP, flags and segment bases: one slot each (layout in `value/layout.ts`). */
  readonly state = new Uint32Array(STATE_SLOTS * SLOT_WORDS);
  /** Where loaded code ends: reaching it stops the machine with reason `end`. */
  codeEnd: bigint | null = null;
  /** A return address that stops the machine with reason `return` (pushed by `call`-style helpers). */
  returnSentinel: bigint | null = null;
  readonly breakpoints = new Set<bigint>();
  /** Instructions executed so far. */
  steps = 0;
  /** Of {@link steps}, how many ran as compiled blocks (the others went through the interpreter). */
  compiledSteps = 0;

  private readonly cache = new Map<number, DecodedInstruction>();
  private readonly codePages = new Set<number>();
  /** False for strict mode and `execution: 'interpreted'`: every instruction is interpreted. */
  private readonly compiledExecution: boolean;
  private readonly blockCache: BlockCache;
  private readonly port: MemoryPort;
  private strictMessage: string | null = null;
  /** Set when the last access used a non-canonical address (#GP, SDM Vol. 1 §3.3.7.1). */
  private nonCanonical: bigint | null = null;
  private readonly fetchBuffer = new Uint8Array(15);
  private readonly byteScratch = new Uint8Array(2);

  constructor(options: MachineOptions = {}) {
    this.mode = options.mode ?? 64;
    this.policy = options.policy ?? 'track';
    this.maxSteps = options.maxSteps ?? 10_000_000;
    this.cpu = options.cpu ?? defaultCpuProfile;
    this.memory = new Memory(options.maxMappedBytes, this.policy !== 'zero');
    this.memory.onWrite = (page) => {
      // Self-modifying code: forget every decoded instruction and compiled block when a code page changes.
      if (this.codePages.has(page)) {
        this.cache.clear();
        this.codePages.clear();
        this.blockCache.forget();
      }
    };
    this.compiledExecution =
      (options.execution ?? Machine.defaultExecution) === 'compiled' && this.policy !== 'strict';
    this.port = new MemoryPort(this.memory, this.policy !== 'zero', (page) => this.codePages.has(page));
    this.memory.onMap = () => this.port.flush();
    this.blockCache = new BlockCache(
      {
        mode: this.mode,
        keepUndefined: this.policy !== 'zero',
        layout: { slotOf: stateSlotOf },
        instructionPointerOffset: IP_SLOT * SLOT_WORDS,
      },
      (address) => {
        const fetched = this.fetch(address);
        if ('reason' in fetched) return null;
        return {
          id: fetched.id,
          address,
          length: fetched.instruction.length,
          statements: fetched.statements,
        };
      },
      Math.max(1, options.compileThreshold ?? 2),
    );
    const initiallyUndefined = this.policy !== 'zero';
    for (let slot = 0; slot < STATE_SLOTS; slot++) {
      const width = slot < GPR_COUNT || slot === IP_SLOT || slot >= FS_BASE_SLOT ? 64 : 1;
      const o = slot * SLOT_WORDS;
      this.state[o + 2] =
        initiallyUndefined && slot !== IP_SLOT && slot < FS_BASE_SLOT ? LOW_WORD_MASK[width] : 0;
      this.state[o + 3] =
        initiallyUndefined && slot !== IP_SLOT && slot < FS_BASE_SLOT ? HIGH_WORD_MASK[width] : 0;
    }
    // DF starts as a defined 0 (the ABI requires it clear at calls).
    this.state[FLAG_SLOT.DF * SLOT_WORDS + 2] = 0;
  }

  // ---- registers and flags, for people ----------------------------------------------------------

  private gprLocation(name: string): { slot: number; lowBit: number; width: number } {
    const info = registerInfo(name.toLowerCase());
    if (!info?.class.startsWith('gpr')) throw new RangeError(`unknown general register '${name}'`);
    if (this.mode === 32 && (info.needsRex || info.width === 64)) {
      throw new RangeError(`register '${name}' does not exist in 32-bit mode`);
    }
    const container = registerInfo(info.container)!;
    return { slot: container.number, lowBit: info.bitOffset, width: info.width };
  }

  /** A general register (`'eax'`, `'ah'`, `'r8d'`…), or `'rip'`/`'eip'`, as a precise value. */
  getRegister(name: string): Value {
    const lower = name.toLowerCase();
    if (lower === 'rip' || lower === 'eip')
      return Value.fromFrame(this.state, IP_SLOT * SLOT_WORDS, this.mode);
    const { slot, lowBit, width } = this.gprLocation(lower);
    return Value.fromFrame(this.state, slot * SLOT_WORDS, 64).extract(lowBit, width);
  }

  /** Sets a register (aliasing applies: writing AH changes bits 8..15 of RAX only; EAX does not zero-extend here). */
  setRegister(name: string, value: bigint | number | Value): void {
    const lower = name.toLowerCase();
    if (lower === 'rip' || lower === 'eip') {
      this.writeSlot(IP_SLOT, 0, this.mode, value);
      return;
    }
    const { slot, lowBit, width } = this.gprLocation(lower);
    this.writeSlot(slot, lowBit, width, value);
  }

  private writeSlot(slot: number, lowBit: number, width: number, value: bigint | number | Value): void {
    const precise =
      value instanceof Value
        ? value.zeroExtend(Math.max(value.width, width)).extract(0, width)
        : Value.of(value, width);
    const scratch = new Uint32Array(SLOT_WORDS);
    precise.writeTo(scratch, 0);
    this.mergeIntoSlot(slot * SLOT_WORDS, lowBit, width, scratch, 0);
  }

  /** A flag (`'CF'`…`'DF'`) as a 1-bit precise value. */
  getFlag(flag: FlagBit): Value {
    return Value.fromFrame(this.state, FLAG_SLOT[flag] * SLOT_WORDS, 1);
  }

  setFlag(flag: FlagBit, value: number | Value): void {
    this.writeSlot(FLAG_SLOT[flag], 0, 1, value instanceof Value ? value : value & 1);
  }

  /** RFLAGS/EFLAGS as a precise value: the modelled flags, bit 1 and IF (bit 9) set, the rest 0. */
  getFlags(): Value {
    let bits = (1n << 1n) | (1n << 9n);
    let mask = 0n;
    for (const flag of FLAG_ORDER) {
      const value = this.getFlag(flag);
      bits |= value.bits << BigInt(flagBitPosition[flag]);
      mask |= value.undefinedMask << BigInt(flagBitPosition[flag]);
    }
    return Value.of(bits, this.mode, mask);
  }

  /** Sets the modelled flags from an RFLAGS image (other bits are ignored). */
  setFlags(image: bigint | Value): void {
    const value = image instanceof Value ? image : Value.of(image, 64);
    for (const flag of FLAG_ORDER) this.setFlag(flag, value.extract(flagBitPosition[flag], 1));
  }

  /** FS or GS base (64-bit mode). */
  setSegmentBase(segment: 'fs' | 'gs', base: bigint): void {
    this.writeSlot(segment === 'fs' ? FS_BASE_SLOT : GS_BASE_SLOT, 0, 64, base);
  }

  // ---- loading --------------------------------------------------------------------------------

  /** Maps `code` at `address` (read+execute) and points RIP at it; reaching its end stops the machine. */
  loadCode(code: Uint8Array, address: bigint): void {
    this.memory.map(address, Math.max(code.length, 1), 0b101, 'zero');
    this.memory.writeBytes(address, code);
    this.codeEnd = address + BigInt(code.length);
    this.setRegister(this.mode === 64 ? 'rip' : 'eip', address);
  }

  // ---- execution ------------------------------------------------------------------------------

  private get ip(): bigint {
    return BigInt(this.ipNumber);
  }

  /** RIP as a number (user addresses fit in 48 bits): the hot path avoids BigInt. */
  private get ipNumber(): number {
    const o = IP_SLOT * SLOT_WORDS;
    return this.state[o + 1] * 2 ** 32 + this.state[o];
  }

  private stop(reason: StopReason, message: string, extra: Partial<Stop> = {}): Stop {
    return {
      reason,
      address: this.ip,
      fault: null,
      pageFault: null,
      instruction: null,
      disassembly: null,
      message,
      ...extra,
    };
  }

  /** Decodes (once, then from the cache) the instruction at RIP; a Stop when that is impossible. */
  private fetch(key: number): DecodedInstruction | Stop {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const address = BigInt(key);
    let available = 0;
    for (; available < 15; available++) {
      if (!this.memory.readByte(key + available, 'execute', this.byteScratch)) break;
      if (this.byteScratch[1] !== 0 && this.policy === 'strict') {
        return this.stop(
          'strict',
          `instruction bytes at 0x${(address + BigInt(available)).toString(16)} are undefined`,
        );
      }
      this.fetchBuffer[available] = this.byteScratch[0];
    }
    if (available === 0) {
      return this.stop('fault', `page fault: cannot execute at 0x${address.toString(16)}`, {
        fault: '#PF',
        pageFault: this.memory.lastFault,
      });
    }
    const decoded = decodeInstruction(this.fetchBuffer, 0, this.mode, available);
    if (decoded.status !== 'ok') {
      if (decoded.status === 'truncated' && available < 15) {
        return this.stop(
          'fault',
          `page fault: instruction at 0x${address.toString(16)} runs into unmapped or non-executable memory`,
          {
            fault: '#PF',
            pageFault: this.memory.lastFault,
          },
        );
      }
      const bytes = Array.from(this.fetchBuffer.subarray(0, Math.max(1, decoded.length)), (b) =>
        b.toString(16).padStart(2, '0'),
      ).join(' ');
      if (decoded.status === 'invalid')
        return this.stop('fault', `invalid instruction (#UD) at 0x${address.toString(16)}: ${bytes}`, {
          fault: '#UD',
        });
      return this.stop('fault', `${decoded.message} at 0x${address.toString(16)}: ${bytes}`, {
        fault: '#UD',
      });
    }
    let entry: DecodedInstruction;
    try {
      entry = decodedInstruction(this.mode, key, decoded, this.fetchBuffer);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return this.stop(
        'fault',
        `unsupported instruction ${decoded.mnemonic} (${decoded.form.name}) at 0x${address.toString(16)}: ${message}`,
        {
          fault: '#UD',
          instruction: decoded.form.name,
        },
      );
    }
    this.cache.set(key, entry);
    for (
      let page = Math.floor(key / PAGE_SIZE);
      page <= Math.floor((key + decoded.length - 1) / PAGE_SIZE);
      page++
    ) {
      if (this.codePages.has(page)) continue;
      this.codePages.add(page);
      // Compiled stores must not reach this page through the port's cached write page.
      this.port.flush();
    }
    return entry;
  }

  /** The instruction at `address` in NASM syntax, or null when it cannot be fetched or decoded. */
  disassembleAt(address: bigint): string | null {
    const fetched = this.fetch(Number(address));
    if ('reason' in fetched) return null;
    return formatInstruction(fetched.instruction, { syntax: 'nasm', address });
  }

  /** Executes one instruction. Returns a Stop when the machine must stop, else null. */
  step(): Stop | null {
    const ip = this.ipNumber;
    const fetched = this.fetch(ip);
    if ('reason' in fetched) return fetched;
    const { instruction, compiled } = fetched;
    this.strictMessage = null;
    this.nonCanonical = null;
    const outcome: EvaluationOutcome = compiled.evaluate(this);
    if (outcome.kind === 'ok') {
      this.steps++;
      if (!compiled.assignsInstructionPointer) this.advance(ip, instruction.length);
      return null;
    }
    const address = BigInt(ip);
    const disassembly = formatInstruction(instruction, { syntax: 'nasm', address });
    const name = instruction.form.name;
    const where = `0x${address.toString(16)}: ${disassembly}`;
    const about = { instruction: name, disassembly };
    switch (outcome.kind) {
      case 'memoryFault': {
        if (this.strictMessage) return this.stop('strict', `${this.strictMessage} at ${where}`, about);
        // (Set by load/canStore during evaluate; TypeScript cannot see that.)
        const nonCanonical = this.nonCanonical as bigint | null;
        if (nonCanonical !== null) {
          const address = `0x${nonCanonical.toString(16)}`;
          return this.stop('fault', `#GP at ${where} (${name}): non-canonical address ${address}`, {
            fault: '#GP',
            instruction: name,
          });
        }
        const fault = this.memory.lastFault;
        const what = fault
          ? `${fault.access} of 0x${fault.address.toString(16)} (${fault.reason})`
          : 'memory access';
        return this.stop('fault', `page fault at ${where} (${name}): ${what}`, {
          fault: '#PF',
          pageFault: fault,
          instruction: name,
        });
      }
      case 'strictViolation':
        return this.stop(
          'strict',
          `${this.strictMessage ?? 'undefined value decides control flow'} at ${where} (${name})`,
          { instruction: name },
        );
      case 'exception':
        return this.stop('fault', `${outcome.vector} at ${where} (${name})`, {
          fault: outcome.vector,
          instruction: name,
        });
      case 'stop': {
        this.advance(ip, instruction.length);
        this.steps++;
        const reason = outcome.reason === 'interrupt' ? 'syscall' : outcome.reason;
        return this.stop(reason, `${disassembly} at 0x${address.toString(16)}`, about);
      }
    }
  }

  /** RIP := address + length (wrapping at 4 GiB in 32-bit mode), without allocating. */
  private advance(address: number, length: number): void {
    let next = address + length;
    if (this.mode === 32) next %= 2 ** 32;
    const o = IP_SLOT * SLOT_WORDS;
    this.state[o] = next % 2 ** 32;
    this.state[o + 1] = Math.floor(next / 2 ** 32);
  }

  /** Runs until a stop: end of code, hlt, a fault, a breakpoint, the return sentinel or the step limit. */
  run(maxSteps = this.maxSteps): Stop {
    const limit = this.steps + maxSteps;
    // Numbers, not bigints, inside the loop: these do not change while it runs.
    const end = this.codeEnd === null ? -1 : Number(this.codeEnd);
    const sentinel = this.returnSentinel === null ? -1 : Number(this.returnSentinel);
    const checkBreakpoints = this.breakpoints.size > 0;
    // Blocks never run past a breakpoint check, so runs with breakpoints interpret.
    const useBlocks = this.compiledExecution && !checkBreakpoints;
    if (useBlocks) this.blockCache.setBounds(end, sentinel);
    let first = true;
    // The block run last (its dispatch cache saves a lookup), and whether the next instruction must
    // be interpreted because a block left early before it (a fault, a raise, an unusual access).
    let previous: CompiledBlock | null = null;
    let interpretNext = false;
    const state = this.state;
    const ipOffset = IP_SLOT * SLOT_WORDS;
    for (;;) {
      const ip = state[ipOffset + 1] * 2 ** 32 + state[ipOffset];
      if (ip === end) return this.stop('end', 'reached the end of the code');
      if (ip === sentinel) return this.stop('return', 'returned to the caller');
      if (checkBreakpoints && !first && this.breakpoints.has(BigInt(ip))) {
        return this.stop('breakpoint', `breakpoint at 0x${ip.toString(16)}`);
      }
      if (this.steps >= limit) return this.stop('limit', `stopped after ${maxSteps} steps (the step limit)`);
      first = false;
      if (useBlocks && !interpretNext) {
        // Two successors remembered per block (a branch's two ways, a return's two callers).
        let block: CompiledBlock | null;
        if (previous === null) block = this.blockCache.at(ip);
        else if (previous.nextStart === ip) block = previous.next;
        else if (previous.otherStart === ip) block = previous.other;
        else {
          block = this.blockCache.at(ip);
          // Only blocks are remembered: a successor not compiled yet must come back here to heat up.
          if (block !== null) {
            previous.other = previous.next;
            previous.otherStart = previous.nextStart;
            previous.next = block;
            previous.nextStart = ip;
          }
        }
        const budget = limit - this.steps;
        if (block !== null && budget >= block.length) {
          // At most ~64 K steps per call: a long loop returns now and then, so V8 runs the block's
          // regularly optimised code rather than its on-stack-replacement entry, whose loop-carried
          // values come in boxed.
          const executed = block.run(state, this.port, Math.min(budget, BLOCK_CALL_STEPS));
          if (executed >= 0) {
            this.steps += executed;
            this.compiledSteps += executed;
            previous = block;
            continue;
          }
          this.steps += -executed - 1;
          this.compiledSteps += -executed - 1;
          interpretNext = true;
          previous = null;
          continue;
        }
      }
      // The interpreter: single instructions, and whatever a block leaves to it.
      interpretNext = false;
      previous = null;
      const stop = this.step();
      if (stop) return stop;
    }
  }

  /**
   * Why compiling to JavaScript failed, if it did (e.g. a browser page whose Content Security
   * Policy forbids `new Function`); the machine then interprets everything. Null normally.
   */
  get compilationError(): Error | null {
    return this.blockCache.error;
  }

  // ---- MachineAccess: what the IR evaluator reads and writes --------------------------------------

  readLocation(location: Location, frame: Uint32Array, dst: number): void {
    const state = this.state;
    let o: number;
    let lowBit = 0;
    let width: number;
    switch (location.kind) {
      case 'gpr':
        o = location.index * SLOT_WORDS;
        lowBit = location.lowBit;
        width = location.width;
        break;
      case 'flag':
        o = FLAG_SLOT[location.flag] * SLOT_WORDS;
        width = 1;
        break;
      case 'ip':
        o = IP_SLOT * SLOT_WORDS;
        width = location.width;
        break;
      case 'segmentBase':
        o = (location.segment === 'fs' ? FS_BASE_SLOT : GS_BASE_SLOT) * SLOT_WORDS;
        width = 64;
        break;
      case 'processorInfo':
        return this.readProcessorInfo(location.output, frame, dst);
      case 'timestampCounter':
        // Deterministic: the number of instructions executed so far.
        frame[dst] = this.steps % 2 ** 32;
        frame[dst + 1] = Math.floor(this.steps / 2 ** 32);
        frame[dst + 2] = frame[dst + 3] = 0;
        return;
    }
    const lowMask = LOW_WORD_MASK[width],
      highMask = HIGH_WORD_MASK[width];
    if (lowBit === 0) {
      frame[dst] = state[o] & lowMask;
      frame[dst + 1] = state[o + 1] & highMask;
      frame[dst + 2] = state[o + 2] & lowMask;
      frame[dst + 3] = state[o + 3] & highMask;
    } else {
      frame[dst] = (state[o] >>> lowBit) & lowMask;
      frame[dst + 1] = 0;
      frame[dst + 2] = (state[o + 2] >>> lowBit) & lowMask;
      frame[dst + 3] = 0;
    }
  }

  /** One CPUID output for the leaf in EAX and the subleaf in ECX; undefined when they are. */
  private readProcessorInfo(output: 'eax' | 'ebx' | 'ecx' | 'edx', frame: Uint32Array, dst: number): void {
    const eax = 0 * SLOT_WORDS,
      ecx = 1 * SLOT_WORDS;
    const state = this.state;
    frame[dst + 1] = frame[dst + 3] = 0;
    const leaf = state[eax];
    const usesSubleaf = this.cpu.cpuid.some((entry) => entry.leaf === leaf && entry.subleaf !== null);
    if (state[eax + 2] !== 0 || (usesSubleaf && state[ecx + 2] !== 0)) {
      // An undefined leaf (or subleaf, for leaves that have them): the answer could be anything.
      frame[dst] = 0;
      frame[dst + 2] = 0xffffffff;
      return;
    }
    const answer = cpuidOf(this.cpu, state[eax], state[ecx]);
    frame[dst] = answer[['eax', 'ebx', 'ecx', 'edx'].indexOf(output)];
    frame[dst + 2] = 0;
  }

  /** Writes `width` bits of slot `src` into bits lowBit.. of the state slot at `o`. */
  private mergeIntoSlot(o: number, lowBit: number, width: number, frame: Uint32Array, src: number): void {
    const state = this.state;
    const keepUndefined = this.policy !== 'zero';
    if (width === 64) {
      state[o] = frame[src];
      state[o + 1] = frame[src + 1];
      state[o + 2] = keepUndefined ? frame[src + 2] : 0;
      state[o + 3] = keepUndefined ? frame[src + 3] : 0;
      return;
    }
    // Widths below 64 live in the low word, at lowBit (0 or 8).
    const mask = (LOW_WORD_MASK[width] << lowBit) >>> 0;
    state[o] = (state[o] & ~mask) | ((frame[src] << lowBit) & mask);
    state[o + 2] = (state[o + 2] & ~mask) | (keepUndefined ? (frame[src + 2] << lowBit) & mask : 0);
  }

  writeLocation(location: Location, frame: Uint32Array, src: number): void {
    switch (location.kind) {
      case 'gpr':
        return this.mergeIntoSlot(location.index * SLOT_WORDS, location.lowBit, location.width, frame, src);
      case 'flag':
        return this.mergeIntoSlot(FLAG_SLOT[location.flag] * SLOT_WORDS, 0, 1, frame, src);
      case 'ip':
        return this.mergeIntoSlot(IP_SLOT * SLOT_WORDS, 0, 64, frame, src);
      case 'segmentBase':
        return this.mergeIntoSlot(
          (location.segment === 'fs' ? FS_BASE_SLOT : GS_BASE_SLOT) * SLOT_WORDS,
          0,
          64,
          frame,
          src,
        );
      case 'processorInfo':
      case 'timestampCounter':
        throw new Error(`${location.kind} is read-only`);
    }
  }

  /** The linear address in slot `address` plus an FS/GS base; -1 when strict refuses undefined bits. */
  private linearAddress(frame: Uint32Array, address: number, segment: 'fs' | 'gs' | null): number {
    if ((frame[address + 2] | frame[address + 3]) !== 0 && this.policy === 'strict') {
      this.strictMessage = 'memory address depends on undefined bits';
      return -1;
    }
    let linear = frame[address + 1] * 2 ** 32 + frame[address];
    if (segment) {
      const o = (segment === 'fs' ? FS_BASE_SLOT : GS_BASE_SLOT) * SLOT_WORDS;
      linear = (linear + this.state[o + 1] * 2 ** 32 + this.state[o]) % 2 ** 64;
    }
    if (this.mode === 32) return linear % 2 ** 32;
    // 64-bit addresses must be canonical: bits 63..47 all equal (48-bit linear addresses).
    const top = frame[address + 1] >>> 15;
    if (!segment && top !== 0 && top !== 0x1ffff) {
      this.nonCanonical = (BigInt(frame[address + 1]) << 32n) | BigInt(frame[address]);
      return -1;
    }
    return linear;
  }

  load(
    frame: Uint32Array,
    dst: number,
    address: number,
    width: number,
    segment: 'fs' | 'gs' | null,
  ): boolean {
    const linear = this.linearAddress(frame, address, segment);
    if (linear < 0) return false;
    const bytes = width / 8;
    let low = 0,
      high = 0,
      undefLow = 0,
      undefHigh = 0;
    for (let i = 0; i < bytes; i++) {
      if (!this.memory.readByte(linear + i, 'read', this.byteScratch)) return false;
      const value = this.byteScratch[0];
      const unknown = this.policy === 'zero' ? 0 : this.byteScratch[1];
      if (i < 4) {
        low |= value << (8 * i);
        undefLow |= unknown << (8 * i);
      } else {
        high |= value << (8 * (i - 4));
        undefHigh |= unknown << (8 * (i - 4));
      }
    }
    frame[dst] = low;
    frame[dst + 1] = high;
    frame[dst + 2] = undefLow;
    frame[dst + 3] = undefHigh;
    return true;
  }

  canStore(frame: Uint32Array, address: number, width: number, segment: 'fs' | 'gs' | null): boolean {
    const linear = this.linearAddress(frame, address, segment);
    return linear >= 0 && this.memory.check(linear, width / 8, 'write');
  }

  store(
    frame: Uint32Array,
    address: number,
    value: number,
    width: number,
    segment: 'fs' | 'gs' | null,
  ): void {
    const linear = this.linearAddress(frame, address, segment);
    const keepUndefined = this.policy !== 'zero';
    for (let i = 0; i < width / 8; i++) {
      const word = i < 4 ? 0 : 1;
      const shift = 8 * (i % 4);
      const byte = (frame[value + word] >>> shift) & 0xff;
      const unknown = keepUndefined ? (frame[value + 2 + word] >>> shift) & 0xff : 0;
      this.memory.writeByteUnchecked(linear + i, byte, unknown);
    }
  }

  checkDefined(frame: Uint32Array, slot: number, what: string): boolean {
    if (this.policy !== 'strict' || (frame[slot + 2] | frame[slot + 3]) === 0) return true;
    this.strictMessage = `${what} depends on undefined bits`;
    return false;
  }

  // ---- testing API (issue 5) ----------------------------------------------------------------------
  // Thin doors to program.ts, abi.ts and guest-memory.ts (see docs/testing-api.md).

  /** Programs loaded through {@link assemble}/{@link loadBytes}, oldest first. */
  private readonly loadedPrograms: LoadedProgram[] = [];
  private guestMemory: GuestMemory | null = null;

  private get guest(): GuestMemory {
    this.guestMemory ??= new GuestMemory(this);
    return this.guestMemory;
  }

  private adoptProgram(placed: PlacedProgram): LoadedProgram {
    this.loadedPrograms.push(placed.program);
    this.codeEnd = placed.codeEnd;
    this.setRegister(this.mode === 64 ? 'rip' : 'eip', placed.entry);
    return placed.program;
  }

  /**
   * Assembles `source` for this machine's mode, maps it (code r-x, data rw-, read-only data r--)
   * at `address` or the next free place, points RIP at its code and returns where it went.
   */
  assemble(source: string, options: AssembleProgramOptions = {}): LoadedProgram {
    return this.adoptProgram(placeAssembly(this, source, options));
  }

  /** Maps code bytes read+execute at `address` (default: the next free place) and points RIP at them. */
  loadBytes(bytes: Uint8Array, address?: Address, options: LoadBytesOptions = {}): LoadedProgram {
    return this.adoptProgram(placeBytes(this, bytes, address, options));
  }

  /** The address of a label of a loaded program (the latest wins); throws {@link SymbolNotFoundError}. */
  symbol(name: string): bigint {
    for (let index = this.loadedPrograms.length - 1; index >= 0; index--) {
      const address = this.loadedPrograms[index].symbols.get(name);
      if (address !== undefined) return address;
    }
    throw new SymbolNotFoundError(
      name,
      this.loadedPrograms.flatMap((program) => [...program.symbols.keys()]),
    );
  }

  /** A symbol name or an address, as an address. */
  resolve(target: string | Address): bigint {
    return typeof target === 'string' ? this.symbol(target) : toAddress(target, 'target address');
  }

  /**
   * Calls the function at `target` with `args` placed by the calling convention, and runs until it
   * returns (or faults, stops, hits the step limit). Never throws for what the guest does: see
   * {@link CallResult} (`ok`, `stop`, `violations`, `expectReturn()`). Throws for bad arguments
   * ({@link CallArgumentError}), conventions ({@link CallConventionError}) and unknown symbols.
   */
  call(target: string | Address, args: readonly CallArgument[] = [], options: CallOptions = {}): CallResult {
    const address = this.resolve(target);
    const name = typeof target === 'string' ? target : `0x${address.toString(16)}`;
    const stackTop = this.guest.ensureStack(
      this.getRegister(this.mode === 64 ? 'rsp' : 'esp'),
      options.stackSize,
    );
    return performCall(this, { address, name, stackTop }, args, options);
  }

  /** {@link call}, throwing {@link CallError} unless the function returned and kept the ABI. */
  callOrThrow(
    target: string | Address,
    args: readonly CallArgument[] = [],
    options: CallOptions = {},
  ): CallResult {
    return this.call(target, args, options).expectOk();
  }

  /** Allocates guest memory (defined zeros unless `fill` says otherwise); returns its address. */
  alloc(size: number, options: AllocOptions = {}): bigint {
    return this.guest.alloc(size, options);
  }

  /** Copies bytes into mapped guest memory. */
  writeBytes(address: Address, bytes: Uint8Array | readonly number[]): void {
    this.guest.writeBytes(address, bytes);
  }

  /** Reads guest bytes; throws {@link UndefinedMemoryError} on undefined bits unless allowed. */
  readBytes(address: Address, length: number, options: ReadOptions = {}): Uint8Array {
    return this.guest.readBytes(address, length, options);
  }

  /** Writes a NUL-terminated UTF-8 string at `address` or in a new block; returns the address. */
  writeString(text: string, address?: Address): bigint {
    return this.guest.writeString(text, address);
  }

  /** Reads a NUL-terminated UTF-8 string. */
  readString(address: Address, options: ReadOptions & { maxLength?: number } = {}): string {
    return this.guest.readString(address, options);
  }

  /** Writes integers as an array of `elementBits` elements at `target` or in a new block (`'alloc'`). */
  writeArray(
    target: Address | 'alloc',
    values: readonly (number | bigint)[] | IntegerTypedArray,
    elementBits?: ElementBits,
  ): bigint {
    return this.guest.writeArray(target, values, elementBits);
  }

  /** Reads `count` elements (numbers, bigints for 64 bits, `Undefined` where any bit is undefined). */
  readArray(
    address: Address,
    count: number,
    elementBits: ElementBits,
    options: ReadArrayOptions = {},
  ): Coarse[] {
    return this.guest.readArray(address, count, elementBits, options);
  }

  /** Adds a breakpoint at a symbol or address; returns the address. */
  addBreakpoint(target: string | Address): bigint {
    const address = this.resolve(target);
    this.breakpoints.add(address);
    return address;
  }

  /** Removes a breakpoint set at a symbol or address. */
  removeBreakpoint(target: string | Address): void {
    this.breakpoints.delete(this.resolve(target));
  }

  /**
   * Runs until RIP reaches `target` (a symbol or address) or any other stop. A temporary breakpoint:
   * as with all breakpoints, the instruction RIP is on when the run starts does not stop it.
   */
  runUntil(target: string | Address, maxSteps = this.maxSteps): Stop {
    const address = this.resolve(target);
    const temporary = !this.breakpoints.has(address);
    this.breakpoints.add(address);
    try {
      return this.run(maxSteps);
    } finally {
      if (temporary) this.breakpoints.delete(address);
    }
  }

  /** {@link getRegister} in the coarse view: a number (bigint above 32 bits), or `Undefined`. */
  registerCoarse(name: string): Coarse {
    return this.getRegister(name).toCoarse();
  }

  /** {@link getFlag} in the coarse view: 0, 1 or `Undefined`. */
  flagCoarse(flag: FlagBit): Coarse {
    return this.getFlag(flag).toCoarse();
  }
}
