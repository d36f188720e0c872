/**
 * Runs a loop over a table of operand pairs (8 bytes each, at TABLE, one pair per 16 bytes) that
 * writes its results to OUT — the harness of the compiled-vs-interpreter tests of single operations.
 */
import { Machine, type UndefinedPolicy } from '../../src/machine/index.js';

export const CODE = 0x40_0000n;
export const TABLE = 0x50_0000n;
export const OUT = 0x60_0000n;

/** `body` reads a pair from [r8], [r8+8] and writes to [r9]; the loop steps r8 by 16 and r9 by `outStride`. */
export function runOverTable(
  body: string,
  pairs: readonly (readonly bigint[])[],
  outStride: number,
  policy: UndefinedPolicy,
  execution: 'compiled' | 'interpreted',
) {
  const machine = new Machine({ mode: 64, policy, execution });
  machine.assemble(
    `mov r8, ${TABLE}\nmov r9, ${OUT}\nmov r10d, ${pairs.length}\nxor r11d, r11d\nnext:\n${body}\nadd r8, 16\nadd r9, ${outStride}\ndec r10d\njnz next`,
    { address: CODE },
  );
  machine.setRegister('rip', CODE);
  const table = new BigUint64Array(pairs.flat());
  machine.memory.map(TABLE, table.byteLength, 0b011, 'zero');
  machine.writeBytes(TABLE, new Uint8Array(table.buffer));
  machine.memory.map(OUT, pairs.length * outStride, 0b011, 'zero');
  const stop = machine.run();
  return {
    stop: { reason: stop.reason, fault: stop.fault, address: stop.address },
    steps: machine.steps,
    compiled: machine.compiledSteps,
    out: machine.readBytes(OUT, pairs.length * outStride),
    machine,
  };
}
