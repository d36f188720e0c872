// The six VM benchmark workloads: their NASM sources (assembled by vial itself), their exact
// instruction counts by construction, and a JavaScript model of each that computes the expected
// result for any iteration count (the self-check where the host cannot run the code natively).
//
// Calling convention shared by every runner (vial, native, qemu-user, Unicorn, v86): ECX holds the
// iteration count, ESI/RSI points at a writable buffer of at least BUFFER_BYTES, ESP/RSP at a usable
// stack; the code is position-independent, uses no syscalls and ends by falling off its last byte
// with the result in EAX/RAX.
import { readFileSync } from 'node:fs';
import { assembleOrThrow } from '../../dist/index.js';

/** Bytes the mem workloads need at ESI/RSI (32 dwords and the saved PRNG state, rounded up). */
export const BUFFER_BYTES = 4096;

const MASK64 = 0xffff_ffff_ffff_ffffn;

/** alu32 in JavaScript: the same 32-bit operations, step by step. */
function alu32(iterations) {
  let a = 0;
  let s = 0x7f4a7c15;
  let b = 1;
  for (let i = 0; i < iterations; i++) {
    s = (Math.imul(s, 0x2545f491) + b) >>> 0;
    s = (s ^ (s << 13)) >>> 0;
    a = (a + s) >>> 0;
    const carry = a < s ? 1 : 0;
    b = (b + 1 + carry) >>> 0;
    a = (a ^ b) >>> 0;
  }
  return BigInt(a);
}

/** alu64 in JavaScript (BigInt: slow, used only at vial's iteration counts or without a native CPU). */
function alu64(iterations) {
  let a = 0n;
  let s = 0x9e3779b97f4a7c15n;
  let b = 1n;
  for (let i = 0; i < iterations; i++) {
    s = (s * 0x2545f491n + b) & MASK64;
    s ^= (s << 13n) & MASK64;
    a = (a + s) & MASK64;
    b = (b + (a < s ? 2n : 1n)) & MASK64;
    a ^= b;
  }
  return a;
}

/** mem32 and mem64 in JavaScript: both compute the same 32-bit result. */
function mem(iterations) {
  const data = new Int32Array(32);
  let state = 12345;
  let sum = 0;
  for (let i = 0; i < iterations; i++) {
    for (let k = 0; k < 32; k++) {
      state = (Math.imul(state, 1103515245) + 12345) | 0;
      data[k] = state;
    }
    data.sort();
    for (let k = 0; k < 32; k++) sum = ((Math.imul(sum, 31) + data[k]) ^ k) | 0;
  }
  return BigInt(sum >>> 0);
}

/** call32 in JavaScript: the recursion unrolled into the order its levels return in (depth 1 first). */
function call32(iterations) {
  let acc = 0;
  for (let iteration = iterations; iteration > 0; iteration--) {
    for (let depth = 1; depth <= 20; depth++) {
      acc = (Math.imul(acc, 7) + depth + iteration) >>> 0;
      acc = (Math.floor(acc / 1000003) + (acc % 1000003)) >>> 0;
    }
  }
  return BigInt(acc);
}

/** call64 in JavaScript (BigInt), like call32 with 64-bit registers and divisor. */
function call64(iterations) {
  let acc = 0n;
  for (let iteration = BigInt(iterations); iteration > 0n; iteration--) {
    for (let depth = 1n; depth <= 20n; depth++) {
      acc = (acc * 7n + depth + iteration) & MASK64;
      acc = (acc / 0x100000001b3n + (acc % 0x100000001b3n)) & MASK64;
    }
  }
  return acc;
}

/**
 * A benchmark workload: `kind` alu/mem/call, `mode` 64/32, its machine code, the exact number of
 * guest instructions for n iterations, and `model(n)`: the expected result (unsigned, as a bigint).
 * `modelIsFast` says whether the model is cheap enough for the anchors' large iteration counts.
 */
function workload(kind, mode, prologue, perIteration, model, modelIsFast, anchorInstructions) {
  const name = `${kind}${mode}`;
  const sourcePath = new URL(`./${name}.asm`, import.meta.url);
  const { bytes } = assembleOrThrow(readFileSync(sourcePath, 'utf8'), { mode, origin: 0 });
  return {
    name,
    kind,
    mode,
    sourcePath,
    bytes,
    instructions: (iterations) => prologue + perIteration * iterations,
    perIteration,
    model,
    modelIsFast,
    /** Iterations for the fast anchors (native, qemu-user, Unicorn, v86): a few hundred million instructions. */
    anchorIterations: Math.round(anchorInstructions / perIteration),
  };
}

/** All six workloads, 64-bit first. */
export const workloads = [
  workload('alu', 64, 5, 11, alu64, false, 300e6),
  workload('mem', 64, 5, 5444, mem, true, 300e6),
  workload('call', 64, 6, 267, call64, false, 200e6),
  workload('alu', 32, 5, 11, alu32, true, 300e6),
  workload('mem', 32, 5, 5444, mem, true, 300e6),
  workload('call', 32, 6, 267, call32, true, 200e6),
];
