/**
 * Judging undefinedness *by propagation* against the CPU. A probe takes a case, makes some bits of one
 * input register undefined on the VM, and runs the CPU several times with those bits re-randomised.
 *  - Soundness: every bit the VM still calls defined must be the same in every CPU run.
 *  - Over-approximation: bits the VM calls undefined only because of the undefined input (not the
 *    SDM's UNKNOWN() outputs, which stay undefined with all inputs defined) that never changed on the
 *    CPU — places where the domain could have been more precise (a sampled estimate).
 */
import { generalRegister, type RegisterName } from '../isa/registers.js';
import { Value } from '../value/value.js';
import { type CpuOutcome, type Mismatch, machineForCase, observe, popcount } from './compare.js';
import type { CheckCase, CheckRandom } from './generate.js';
import { DATA_ADDRESS } from './generate.js';

/** A case with some input bits undefined, and CPU variants with those bits re-randomised. */
export interface PropagationProbe {
  readonly testCase: CheckCase;
  readonly register: RegisterName;
  readonly mask: bigint;
  readonly variants: readonly CheckCase[];
}

/** What one probe found. */
export interface PropagationVerdict {
  /** Bits undefined on the VM because of the undefined input. */
  readonly propagatedBits: number;
  /** Of those, bits that did not change on the CPU across the variants. */
  readonly overApproximatedBits: number;
  /** Defined bits that differed on the CPU: soundness failures. */
  readonly mismatches: readonly Mismatch[];
}

/** Builds a probe: an undefined byte-run in one general register (never rSP or the data pointer). */
export function makeProbe(rng: CheckRandom, testCase: CheckCase, variants: number): PropagationProbe | null {
  const candidates = [...testCase.registers.keys()].filter(
    (name) =>
      testCase.registers.get(name) !== DATA_ADDRESS && name !== generalRegister(4, testCase.mode, false),
  );
  if (candidates.length === 0) return null;
  const register = rng.pick(candidates);
  const width = testCase.mode;
  const start = 8 * rng.below(width / 8);
  const length = 8 * (1 + rng.below(Math.min(2, (width - start) / 8)));
  const mask = BigInt.asUintN(width, ((1n << BigInt(length)) - 1n) << BigInt(start));
  const value = testCase.registers.get(register)!;
  const copies = Array.from({ length: variants }, () => {
    const noise = BigInt.asUintN(width, (BigInt(rng.next()) << 32n) | BigInt(rng.next())) & mask;
    const registers = new Map(testCase.registers);
    registers.set(register, (value & ~mask) | noise);
    return { ...testCase, registers };
  });
  return { testCase, register, mask, variants: copies };
}

/** Judges a probe given the CPU's outcome for each variant. */
export function judgeProbe(probe: PropagationProbe, cpu: readonly CpuOutcome[]): PropagationVerdict {
  const none: PropagationVerdict = { propagatedBits: 0, overApproximatedBits: 0, mismatches: [] };
  // Only cases that complete everywhere say something about propagation into the final state.
  if (cpu.some((outcome) => outcome.fault !== null)) return none;
  const allDefined = machineForCase(probe.testCase);
  if (allDefined.run().reason !== 'end') return none;
  // Strict: when a branch, an address or an exception depends on the undefined bits, the final state
  // is not a function of the defined inputs alone (track mode follows one path), so there is nothing
  // to judge.
  const partial = machineForCase(probe.testCase, 'strict');
  const value = probe.testCase.registers.get(probe.register)!;
  partial.setRegister(probe.register, Value.of(value, probe.testCase.mode, probe.mask));
  if (partial.run().reason !== 'end') return none;
  const architectural = observe(allDefined);
  const propagated = observe(partial);
  let propagatedBits = 0;
  let overApproximatedBits = 0;
  const mismatches: Mismatch[] = [];
  propagated.forEach((observation, index) => {
    const all = (1n << BigInt(observation.width)) - 1n;
    const values = cpu.map((outcome) => observation.cpu(outcome));
    let changed = 0n;
    for (const v of values) changed |= v ^ values[0];
    const defined = ~observation.undefinedMask & all;
    const unsound = values.find((v) => ((v ^ observation.bits) & defined) !== 0n);
    if (unsound !== undefined) {
      mismatches.push({
        where: `${observation.where} (with ${probe.register} bits 0x${probe.mask.toString(16)} undefined)`,
        vm: `0x${observation.bits.toString(16)} (undefined 0x${observation.undefinedMask.toString(16)})`,
        cpu: `0x${unsound.toString(16)}`,
      });
    }
    const byPropagation = observation.undefinedMask & ~architectural[index].undefinedMask & all;
    propagatedBits += popcount(byPropagation);
    overApproximatedBits += popcount(byPropagation & ~changed);
  });
  return { propagatedBits, overApproximatedBits, mismatches };
}
