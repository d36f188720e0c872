/**
 * Shared helpers for the host-CPU oracle tests.
 */
import { describe } from 'vitest';
import { type OracleMode, probeHostOracle } from '../../src/oracle/index.js';
import { describeWithTool } from '../support/tools.js';

/** Machine code from hex text such as `'0f 0b'`. */
export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

/** Status flags (OF SF ZF AF PF CF) of an RFLAGS value. */
export const STATUS_FLAGS = 0x8d5n;
export const CF = 0x1n;
export const PF = 0x4n;
export const AF = 0x10n;
export const ZF = 0x40n;
export const SF = 0x80n;
export const DF = 0x400n;
export const OF = 0x800n;

/**
 * `describe` for tests that run code on the host CPU. A missing toolchain skips (and fails under
 * CI=true, like every external tool). A host that cannot run the mode at all — not x86-64 Linux, or,
 * for 32-bit, a kernel without 32-bit user mode — skips with the reason printed, even under CI: no
 * install step can fix that.
 */
export async function describeWithHostOracle(
  mode: OracleMode,
  name: string,
  body: () => void,
): Promise<void> {
  const availability = await probeHostOracle(mode);
  const unfixable = availability.cause === 'platform' || (mode === 32 && availability.cause === 'kernel');
  if (!availability.available && unfixable) {
    console.warn(`[skip] ${name}: ${availability.reason}`);
    describe.skip(name, body);
    return;
  }
  describeWithTool(
    `the ${mode}-bit host-CPU oracle (${availability.reason ?? 'available'})`,
    availability.available,
    name,
    body,
  );
}
