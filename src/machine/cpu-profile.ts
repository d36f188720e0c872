/**
 * The CPU a machine claims to be, as CPUID reports it (SDM Vol. 2A "CPUID"). The default profile
 * advertises exactly the features vial implements, so code that checks CPUID before using BMI2 or
 * POPCNT takes the paths vial can run. Configurable per machine (`new Machine({ cpu })`).
 */

/** CPUID outputs for one (leaf, subleaf); subleaf null means "any subleaf". */
export interface CpuidEntry {
  readonly leaf: number;
  readonly subleaf: number | null;
  readonly eax: number;
  readonly ebx: number;
  readonly ecx: number;
  readonly edx: number;
}

/** A CPU profile: CPUID answers; leaves not listed answer zeros. */
export interface CpuProfile {
  readonly name: string;
  readonly cpuid: readonly CpuidEntry[];
}

/** Packs a 12-character vendor string into EBX, EDX, ECX (in that order, as CPUID leaf 0 does). */
function vendorWords(vendor: string): { ebx: number; edx: number; ecx: number } {
  const bytes = new TextEncoder().encode(vendor.padEnd(12).slice(0, 12));
  const word = (at: number) =>
    (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
  return { ebx: word(0), edx: word(4), ecx: word(8) };
}

const bit = (n: number) => 2 ** n;

/**
 * The default profile: vendor "VialVirtCPU ", family 6, and the feature bits of what vial executes —
 * leaf 1: CX8, CMOV, TSC (EDX); CX16, SSE4.2 (for CRC32), MOVBE, POPCNT (ECX);
 * leaf 7: BMI1, BMI2, ADX (EBX); leaf 0x80000001: LAHF/SAHF, LZCNT (ECX), SYSCALL, LM (EDX).
 */
export const defaultCpuProfile: CpuProfile = {
  name: 'vial default (the features vial implements)',
  cpuid: [
    { leaf: 0, subleaf: null, eax: 7, ...vendorWords('VialVirtCPU ') },
    {
      leaf: 1,
      subleaf: null,
      eax: 0x000306a9, // family 6, model 0x3a, stepping 9: a plausible, fixed signature
      ebx: 0,
      ecx: bit(13) + bit(20) + bit(22) + bit(23),
      edx: bit(4) + bit(8) + bit(15),
    },
    { leaf: 7, subleaf: 0, eax: 0, ebx: bit(3) + bit(8) + bit(19), ecx: 0, edx: 0 },
    { leaf: 0x80000000, subleaf: null, eax: 0x80000001, ebx: 0, ecx: 0, edx: 0 },
    { leaf: 0x80000001, subleaf: null, eax: 0, ebx: 0, ecx: bit(0) + bit(5), edx: bit(11) + bit(29) },
  ],
};

/** The CPUID answer of `profile` for (leaf, subleaf): EAX, EBX, ECX, EDX. */
export function cpuidOf(
  profile: CpuProfile,
  leaf: number,
  subleaf: number,
): readonly [number, number, number, number] {
  const entry =
    profile.cpuid.find((e) => e.leaf === leaf && e.subleaf === subleaf) ??
    profile.cpuid.find((e) => e.leaf === leaf && e.subleaf === null);
  return entry ? [entry.eax, entry.ebx, entry.ecx, entry.edx] : [0, 0, 0, 0];
}
