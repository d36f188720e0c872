// VM baseline: millions of guest instructions per second (MIPS) of a simple ALU loop on the IR
// interpreter, in zero and track policy, 64- and 32-bit. Instructions are counted by the machine's
// own step counter. (The performance issue replaces this with the full workload suite and anchors.)
import { assembleOrThrow, Machine } from '../../dist/index.js';

const ITERATIONS = 200_000;
const loop = (mode) => `bits ${mode}
  mov ecx, ${ITERATIONS}
  xor eax, eax
  mov edx, 1
next:
  add eax, edx
  xor edx, eax
  shl edx, 1
  imul eax, eax, 3
  sub ecx, 1
  jnz next
`;

function measure(mode, policy) {
  const { bytes } = assembleOrThrow(loop(mode), { mode, origin: 0x1000 });
  const times = [];
  let steps = 0;
  for (let run = 0; run < 5; run++) {
    const machine = new Machine({ mode, policy, maxSteps: 1e9 });
    machine.loadCode(bytes, 0x1000n);
    const start = process.hrtime.bigint();
    const stop = machine.run();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (stop.reason !== 'end') throw new Error(`unexpected stop: ${stop.message}`);
    steps = machine.steps;
  }
  times.sort((a, b) => a - b);
  return steps / times[2] / 1e6;
}

console.log('workload: ALU loop (add/xor/shl/imul/sub/jnz), median of 5 runs');
console.log('mode   policy  MIPS');
for (const mode of [64, 32]) {
  for (const policy of ['zero', 'track']) {
    console.log(`${String(mode).padEnd(6)} ${policy.padEnd(7)} ${measure(mode, policy).toFixed(2)}`);
  }
}
