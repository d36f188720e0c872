/**
 * Every declared form, encoded from its own declaration with random registers, addressing and
 * immediates, must decode back to that form, and iced-x86 must decode the same bytes identically.
 */
import { describe, expect, it } from 'vitest';
import { decodeInstruction } from '../../src/decoder/index.js';
import { type InstructionForm, instructionForms } from '../../src/isa/index.js';
import { randomGenerator, sampleBytes, sampleLength } from '../support/forms.js';
import { IcedBatch } from '../support/iced.js';

const stride = sampleLength;
const samplesPerForm = 12;

describe('every declared form round-trips through our decoder and matches iced-x86', () => {
  for (const mode of [64, 32, 16] as const) {
    it(`${mode}-bit mode`, () => {
      const next = randomGenerator(0xf0e1 ^ mode);
      const forms = instructionForms().filter((form) => form.modes.includes(mode));
      const data = new Uint8Array(forms.length * samplesPerForm * stride);
      const expectedForms: InstructionForm[] = [];
      let caseIndex = 0;
      for (const form of forms) {
        for (let sample = 0; sample < samplesPerForm; sample++) {
          data.set(sampleBytes(form, mode, next), caseIndex * stride);
          expectedForms.push(form);
          caseIndex++;
        }
      }
      const batch = new IcedBatch(mode, data, stride);
      const problems: string[] = [];
      try {
        for (let index = 0; index < caseIndex; index++) {
          const bytes = batch.bytes(index);
          const ours = decodeInstruction(bytes, 0, mode);
          const expected = expectedForms[index].name;
          const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
          if (ours.status !== 'ok' || ours.form.name !== expected) {
            const got = ours.status === 'ok' ? ours.form.name : ours.message;
            problems.push(`mode ${mode} ${hex}: expected ${expected}, decoded ${got}`);
            continue;
          }
          const difference = batch.compare(index);
          if (difference) problems.push(`${expected}: ${difference}`);
        }
      } finally {
        batch.free();
      }
      expect(problems.slice(0, 30).join('\n')).toBe('');
      expect(forms.length).toBeGreaterThan(300);
    });
  }
});
