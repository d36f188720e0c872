/**
 * The compiled path (src/jit/) against the interpreter (ir/evaluate.ts), the reference: random
 * programs built from every instruction form `vial check` can generate, wrapped in a loop, run from
 * random states (some registers and memory undefined) in `zero` and `track` mode, with random step
 * limits. Both must stop the same way at the same step with the same registers, flags, undefined
 * masks and memory. The seed is printed on failure; VIAL_SEED / VIAL_CASES run more.
 */
import { describe, expect, it } from 'vitest';
import { assembleOrThrow } from '../../src/assembler/index.js';
import { CheckRandom, DATA_ADDRESS, DATA_SIZE, generateCase } from '../../src/check/generate.js';
import { instructionForms } from '../../src/isa/index.js';
import { doublewordRegisters, quadwordRegisters } from '../../src/isa/registers.js';
import { Machine, type UndefinedPolicy } from '../../src/machine/index.js';
import { semanticsByFamily } from '../../src/semantics/index.js';
import { caseCount, testSeed } from '../support/random.js';

const CODE = 0x10000n;
const COUNTER = 0x30000n;
let compiledStepsSeen = 0;
const FLAGS = ['CF', 'PF', 'AF', 'ZF', 'SF', 'OF', 'DF'] as const;

function registersOf(mode: 32 | 64): string[] {
  return mode === 64 ? [...quadwordRegisters, 'rip'] : [...doublewordRegisters.slice(0, 8), 'eip'];
}

interface Program {
  readonly code: Uint8Array;
  readonly registers: Map<string, bigint>;
  readonly rflags: bigint;
  readonly data: Uint8Array;
  readonly undefinedData: Uint8Array;
  readonly iterations: number;
  readonly maxSteps: number;
  readonly listing: string;
}

/** A loop around random instructions; rBX is reloaded before each so memory operands hit the data block. */
function randomProgram(rng: CheckRandom, mode: 32 | 64): Program {
  const forms = instructionForms().filter(
    (form) => form.modes.includes(mode) && semanticsByFamily.has(form.family.family),
  );
  const body: number[] = [];
  const names: string[] = [];
  const reloadBase = assembleOrThrow(`bits ${mode}\nmov ${mode === 64 ? 'rbx' : 'ebx'}, ${DATA_ADDRESS}`, {
    mode,
  }).bytes;
  let first: ReturnType<typeof generateCase> | null = null;
  const count = 1 + rng.below(10);
  const chunks: number[][] = [];
  while (names.length < count) {
    const form = rng.pick(forms);
    const generated = generateCase(rng, form, mode);
    if ('skipped' in generated) continue;
    first ??= generated;
    chunks.push([...reloadBase, ...generated.code]);
    names.push(form.name);
  }
  // Conditional branches (jcc rel32) between the chunks, forward or backward, so compiled traces
  // follow one arm and leave by the other; a backward one may loop until the step limit.
  const branchAfter = new Map<number, { condition: number; target: number }>();
  for (let index = 0; index < chunks.length; index++) {
    if (rng.below(3) === 0)
      branchAfter.set(index, { condition: rng.below(16), target: rng.below(chunks.length + 1) });
  }
  const chunkStart: number[] = [];
  let offset = 0;
  chunks.forEach((chunk, index) => {
    chunkStart.push(offset);
    offset += chunk.length + (branchAfter.has(index) ? 6 : 0);
  });
  chunkStart.push(offset);
  chunks.forEach((chunk, index) => {
    body.push(...chunk);
    const branch = branchAfter.get(index);
    if (!branch) return;
    const rel = chunkStart[branch.target] - (body.length + 6);
    body.push(
      0x0f,
      0x80 | branch.condition,
      rel & 0xff,
      (rel >> 8) & 0xff,
      (rel >> 16) & 0xff,
      (rel >>> 24) & 0xff,
    );
    names.push(`j${branch.condition}→${branch.target}`);
  });
  // The loop counter lives in memory, out of reach of the random operands.
  const decrement = assembleOrThrow(`bits ${mode}\nsub dword [${COUNTER}], 1`, { mode }).bytes;
  // jnz rel32 back to the loop start.
  const loopLength = body.length + decrement.length + 6;
  const rel = -loopLength;
  const branch = [0x0f, 0x85, rel & 0xff, (rel >> 8) & 0xff, (rel >> 16) & 0xff, (rel >>> 24) & 0xff];
  const code = Uint8Array.from([...body, ...decrement, ...branch]);
  if (!first || 'skipped' in first) throw new Error('no case generated');
  const registers = new Map<string, bigint>(first.registers);
  registers.set(mode === 64 ? 'rbx' : 'ebx', DATA_ADDRESS);
  const undefinedData = Uint8Array.from({ length: DATA_SIZE }, () =>
    rng.below(4) === 0 ? rng.next() & 0xff : 0,
  );
  return {
    code,
    registers,
    rflags: first.rflags,
    data: first.data,
    undefinedData,
    iterations: 1 + rng.below(40),
    maxSteps: rng.below(3) === 0 ? 1 + rng.below(200) : 100_000,
    listing: names.join('; '),
  };
}

function machineFor(
  program: Program,
  mode: 32 | 64,
  policy: UndefinedPolicy,
  execution: 'compiled' | 'interpreted',
  rng: CheckRandom,
) {
  const machine = new Machine({ mode, policy, execution, maxSteps: program.maxSteps, compileThreshold: 1 });
  machine.loadCode(program.code, CODE);
  machine.memory.map(DATA_ADDRESS, DATA_SIZE, 0b011, 'zero');
  machine.memory.writeBytes(DATA_ADDRESS, program.data, program.undefinedData);
  machine.memory.map(COUNTER, 4, 0b011, 'zero');
  machine.memory.writeBytes(COUNTER, Uint8Array.of(program.iterations, 0, 0, 0));
  for (const [name, value] of program.registers) {
    // In track mode leave some registers undefined (the same ones for both machines: same rng draws).
    if (rng.below(5) === 0 && name !== 'rbx' && name !== 'ebx') continue;
    machine.setRegister(name, value);
  }
  machine.setRegister(mode === 64 ? 'rsp' : 'esp', DATA_ADDRESS + BigInt(DATA_SIZE));
  machine.setFlags(program.rflags);
  return machine;
}

function finalState(machine: Machine, mode: 32 | 64) {
  const stop = machine.run();
  compiledStepsSeen += machine.compiledSteps;
  // A code-generation bug would fall back to the interpreter silently: make it loud here.
  if (machine.compilationError) throw machine.compilationError;
  const registers = registersOf(mode).map((name) => `${name}=${machine.getRegister(name).toString()}`);
  const flags = FLAGS.map((flag) => `${flag}=${machine.getFlag(flag).toString()}`);
  const memory = [DATA_ADDRESS, COUNTER].map((address) => {
    const { bytes, undefinedBits } = machine.memory.readBytes(address, address === COUNTER ? 4 : DATA_SIZE);
    return `${Buffer.from(bytes).toString('hex')}/${Buffer.from(undefinedBits).toString('hex')}`;
  });
  return {
    stop: `${stop.reason} ${stop.fault ?? ''} at 0x${stop.address.toString(16)}`,
    steps: machine.steps,
    registers,
    flags,
    memory,
  };
}

describe('compiled blocks agree with the interpreter', () => {
  for (const mode of [64, 32] as const) {
    for (const policy of ['zero', 'track'] as const) {
      it(`on random looping programs (${mode}-bit, ${policy}; seed ${testSeed})`, () => {
        const programs = caseCount(120);
        const rng = new CheckRandom(testSeed ^ (mode * 7 + (policy === 'zero' ? 1 : 2)));
        let compiledSteps = 0;
        compiledStepsSeen = 0;
        for (let index = 0; index < programs; index++) {
          const program = randomProgram(rng, mode);
          const stateSeed = rng.next();
          const interpreted = finalState(
            machineFor(program, mode, policy, 'interpreted', new CheckRandom(stateSeed)),
            mode,
          );
          const compiled = finalState(
            machineFor(program, mode, policy, 'compiled', new CheckRandom(stateSeed)),
            mode,
          );
          compiledSteps += compiled.steps;
          if (process.env.VIAL_JIT_TRACE && index === Number(process.env.VIAL_JIT_TRACE)) {
            // Debugging aid: the first step count at which the two paths disagree, and the blocks.
            for (const limit of [
              ...Array.from({ length: interpreted.steps + 1 }, (_, k) => k + 1),
              program.maxSteps,
            ]) {
              const run = (execution: 'interpreted' | 'compiled') => {
                const m = machineFor(
                  { ...program, maxSteps: limit },
                  mode,
                  policy,
                  execution,
                  new CheckRandom(stateSeed),
                );
                return { state: finalState(m, mode), machine: m };
              };
              const a = run('interpreted');
              const b = run('compiled');
              if (JSON.stringify(a.state) !== JSON.stringify(b.state)) {
                console.log(
                  'first difference after',
                  limit,
                  'steps',
                  JSON.stringify(a.state),
                  JSON.stringify(b.state),
                );
                for (const [address, block] of (
                  b.machine as unknown as { blocks: Map<number, { source: string } | null> }
                ).blocks) {
                  console.log(`block 0x${address.toString(16)}\n${block?.source}`);
                }
                break;
              }
            }
          }
          expect(
            compiled,
            `program ${index} (seed ${testSeed}): ${program.listing}\n${Buffer.from(program.code).toString('hex')}`,
          ).toEqual(interpreted);
        }
        // The programs must really run (not all fault at once).
        expect(compiledSteps).toBeGreaterThan(programs * 20);
        // …and mostly as compiled blocks, not through the interpreter fallback.
        expect(compiledStepsSeen / compiledSteps).toBeGreaterThan(0.5);
        console.log(
          `${mode}-bit ${policy}: ${compiledSteps} steps, ${((100 * compiledStepsSeen) / compiledSteps).toFixed(1)}% compiled`,
        );
      });
    }
  }
});

describe('compiled blocks agree with the interpreter on the benchmark workloads', () => {
  it('alu, mem and call, 32- and 64-bit, zero and track', async () => {
    const workloadsModule = '../../bench/workloads/index.mjs'; // plain JavaScript, typed here
    const { workloads } = (await import(workloadsModule)) as {
      workloads: { name: string; mode: 32 | 64; bytes: Uint8Array; perIteration: number }[];
    };
    expect(workloads.length).toBe(6);
    for (const workload of workloads) {
      for (const policy of ['zero', 'track'] as const) {
        const states = (['interpreted', 'compiled'] as const).map((execution) => {
          const machine = new Machine({
            mode: workload.mode,
            policy,
            execution,
            maxSteps: 60_000,
            compileThreshold: 1,
          });
          machine.loadCode(workload.bytes, CODE);
          machine.memory.map(0x100000n, 4096, 0b011, 'zero');
          machine.memory.map(0x200000n, 0x10000, 0b011, 'zero');
          // (finalState also reads the random programs' data and counter blocks.)
          machine.memory.map(DATA_ADDRESS, DATA_SIZE, 0b011, 'zero');
          machine.memory.map(COUNTER, 4, 0b011, 'zero');
          const wide = workload.mode === 64;
          machine.setRegister(wide ? 'rcx' : 'ecx', 3);
          machine.setRegister(wide ? 'rsi' : 'esi', 0x100000n);
          machine.setRegister(wide ? 'rsp' : 'esp', 0x20ffc0n);
          const state = finalState(machine, workload.mode);
          return { ...state, compiledSteps: execution === 'compiled' ? machine.compiledSteps : null };
        });
        const [interpreted, compiled] = states;
        expect({ ...compiled, compiledSteps: null }, `${workload.name} ${policy}`).toEqual(interpreted);
        expect(interpreted.stop).toMatch(/^end/);
        expect(compiled.compiledSteps).toBeGreaterThan(compiled.steps * 0.9);
      }
    }
  });
});

describe('when JavaScript cannot be compiled', () => {
  it('falls back to the interpreter (a page whose CSP forbids new Function)', () => {
    const original = globalThis.Function;
    const refusing = function refusing() {
      throw new EvalError('Refused to evaluate a string as JavaScript (Content Security Policy)');
    } as unknown as FunctionConstructor;
    globalThis.Function = refusing;
    try {
      const machine = new Machine({ mode: 64, policy: 'zero' });
      machine.loadCode(
        assembleOrThrow('mov ecx, 100\nnext: add eax, ecx\nsub ecx, 1\njnz next', { mode: 64 }).bytes,
        CODE,
      );
      machine.setRegister('rax', 0n);
      expect(machine.run().reason).toBe('end');
      expect(machine.getRegister('eax').toCoarse()).toBe(5050);
      expect(machine.compiledSteps).toBe(0);
      expect(machine.compilationError).toBeInstanceOf(EvalError);
    } finally {
      globalThis.Function = original;
    }
  });
});
