/**
 * Every proper prefix of a valid instruction is `truncated` (never another instruction, never a
 * crash), as iced-x86 says too (its NoMoreBytes error); and `decodeInstruction` never reads past `end`.
 */
import { Decoder, DecoderOptions } from 'iced-x86';
import { expect, it } from 'vitest';
import { decodeInstruction } from '../../src/decoder/index.js';
import { randomGenerator } from '../support/forms.js';

it('reports every cut-short instruction as truncated, as iced does', () => {
  const problems: string[] = [];
  for (const mode of [64, 32, 16] as const) {
    const next = randomGenerator(0x7c ^ mode);
    const candidate = new Uint8Array(16);
    let checked = 0;
    while (checked < 1500) {
      for (let i = 0; i < 16; i++) candidate[i] = next() & 0xff;
      const whole = decodeInstruction(candidate, 0, mode);
      if (whole.status !== 'ok') continue;
      checked++;
      for (let cut = 0; cut < whole.length; cut++) {
        // Bytes after `end` are poison: the decoder must not look at them.
        const buffer = candidate.slice();
        buffer.fill(0x0f, cut);
        const ours = decodeInstruction(buffer, 0, mode, cut);
        const decoder = new Decoder(mode, candidate.slice(0, cut), DecoderOptions.None);
        const instruction = decoder.decode();
        const icedTruncated = instruction.isInvalid && decoder.lastError === 2;
        instruction.free();
        decoder.free();
        const hex = Array.from(candidate.subarray(0, whole.length), (byte) =>
          byte.toString(16).padStart(2, '0'),
        ).join('');
        if (ours.status !== 'truncated' || !icedTruncated) {
          problems.push(
            `mode ${mode} ${hex} cut at ${cut}: vial ${ours.status}, iced ${icedTruncated ? 'truncated' : 'other'}`,
          );
        }
      }
    }
  }
  expect(problems.slice(0, 20).join('\n')).toBe('');
});
