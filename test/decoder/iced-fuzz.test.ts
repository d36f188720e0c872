/**
 * Differential test of the decoder against iced-x86 on random byte strings (DESIGN.md: oracles we did
 * not write). Fixed seed in CI; `VIAL_FUZZ_CASES=5000000 VIAL_FUZZ_SEED=123 npx vitest run
 * test/decoder/iced-fuzz.test.ts` for more. The seed is printed on failure.
 */
import { describe, expect, it } from 'vitest';
import { IcedBatch } from '../support/iced.js';

const totalCases = Number(process.env.VIAL_FUZZ_CASES ?? 210_000);
const seed = Number(process.env.VIAL_FUZZ_SEED ?? 0x5eed_1234);
const stride = 16;
const batchSize = 10_000;

/** xorshift32: small, fast and reproducible. */
function randomGenerator(initial: number): () => number {
  let x = initial >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Interesting first bytes: prefixes, escapes and VEX, so random cases reach every opcode map. */
const leadBytes = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x64, 0x0f, 0xc4, 0xc5, 0x48, 0x41, 0x4c];

function fillCases(data: Uint8Array, next: () => number): void {
  for (let offset = 0; offset < data.length; offset += stride) {
    for (let i = 0; i < stride; i += 4) {
      const word = next();
      data[offset + i] = word;
      data[offset + i + 1] = word >>> 8;
      data[offset + i + 2] = word >>> 16;
      data[offset + i + 3] = word >>> 24;
    }
    // Half of the cases start with one or two interesting bytes.
    const shape = next() & 3;
    if (shape === 1) data[offset] = leadBytes[next() % leadBytes.length];
    if (shape === 2) {
      data[offset] = leadBytes[next() % leadBytes.length];
      data[offset + 1] = next() & 1 ? 0x0f : leadBytes[next() % leadBytes.length];
    }
  }
}

describe('decoder vs iced-x86 on random bytes', () => {
  for (const mode of [64, 32, 16] as const) {
    const cases = mode === 64 ? Math.ceil(totalCases * 0.6) : Math.ceil(totalCases * 0.2);
    it(`${cases} random cases in ${mode}-bit mode agree (seed ${seed})`, () => {
      const next = randomGenerator(seed ^ mode);
      const failures: string[] = [];
      const tally = new Map<string, number>();
      let failureCount = 0;
      for (let done = 0; done < cases; done += batchSize) {
        const count = Math.min(batchSize, cases - done);
        const data = new Uint8Array(count * stride);
        fillCases(data, next);
        const batch = new IcedBatch(mode, data, stride);
        try {
          for (let index = 0; index < count; index++) {
            const difference = batch.compare(index, tally);
            if (difference !== null) {
              failureCount++;
              if (failures.length < 40) failures.push(difference);
            }
          }
        } finally {
          batch.free();
        }
      }
      // Not an assertion: shows the mix, so a generator that stopped reaching real instructions is visible.
      console.log(`${mode}-bit: ${[...tally].map(([key, count]) => `${key} ${count}`).join(', ')}`);
      expect(tally.get('ok') ?? 0, 'most random cases should be in-scope instructions').toBeGreaterThan(
        cases / 3,
      );
      if (failureCount > 0) {
        console.error(`seed ${seed}: ${failureCount} disagreements, first ones:\n${failures.join('\n')}`);
      }
      expect(failureCount, `seed ${seed} (VIAL_FUZZ_SEED to reproduce)`).toBe(0);
    });
  }
});
