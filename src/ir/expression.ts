/**
 * The IR: instruction semantics as expression trees over the precise value domain.
 *
 * A semantics function (see `src/semantics/`) builds, with an {@link IrBuilder}, a short list of
 * {@link Statement}s — assignments to registers and flags, memory stores, conditional exceptions,
 * jumps — whose values are {@link Expression} trees. The same trees are printed for people
 * (`vial lift`, `print.ts`) and evaluated by the machine (`evaluate.ts`), in every undefined policy.
 * Undefined outputs are ordinary expressions (`unknown(width)`), and conditional undefinedness is a
 * `select`, so it is exact rather than a static superset.
 */

/** A machine location an expression can read and a statement can write. */
export type Location =
  /** Bits `lowBit .. lowBit+width-1` of general register `index` (0 = rAX .. 15 = r15). */
  | {
      readonly kind: 'gpr';
      readonly index: number;
      readonly lowBit: 0 | 8;
      readonly width: 8 | 16 | 32 | 64;
      readonly name: string;
    }
  /** One RFLAGS bit, by its SDM name. */
  | { readonly kind: 'flag'; readonly flag: FlagBit }
  /** The instruction pointer (RIP/EIP), `width` bits. */
  | { readonly kind: 'ip'; readonly width: 32 | 64 }
  /** The FS or GS segment base (64-bit mode). */
  | { readonly kind: 'segmentBase'; readonly segment: 'fs' | 'gs' }
  /** Read-only: one CPUID output for the leaf in EAX and subleaf in ECX, from the machine's CPU profile. */
  | { readonly kind: 'processorInfo'; readonly output: 'eax' | 'ebx' | 'ecx' | 'edx' }
  /** Read-only: the time-stamp counter RDTSC reads (vial's is deterministic: instructions executed). */
  | { readonly kind: 'timestampCounter' };

/** The RFLAGS bits the VM models: the six status flags and DF (SDM Vol. 1 §3.4.3). */
export type FlagBit = 'CF' | 'PF' | 'AF' | 'ZF' | 'SF' | 'OF' | 'DF';

/** RFLAGS bit positions (SDM Vol. 1 Figure 3-8). */
export const flagBitPosition: Readonly<Record<FlagBit, number>> = {
  CF: 0,
  PF: 2,
  AF: 4,
  ZF: 6,
  SF: 7,
  OF: 11,
  DF: 10,
};

/** Operations on values. Each maps to one kernel of the value domain (`src/value/kernels.ts`). */
export type Operation =
  | 'and'
  | 'or'
  | 'xor'
  | 'not'
  | 'add'
  | 'addCarry'
  | 'addOverflow'
  | 'addAuxiliaryCarry'
  | 'subtract'
  | 'subtractBorrow'
  | 'subtractOverflow'
  | 'subtractAuxiliaryBorrow'
  | 'negate'
  | 'multiplyLow'
  | 'multiplyHighUnsigned'
  | 'multiplyHighSigned'
  | 'quotientUnsigned'
  | 'remainderUnsigned'
  | 'divisionFailsUnsigned'
  | 'quotientSigned'
  | 'remainderSigned'
  | 'divisionFailsSigned'
  | 'shiftLeft'
  | 'shiftRight'
  | 'shiftRightArithmetic'
  | 'rotateLeft'
  | 'rotateRight'
  | 'rotateCarryLeft'
  | 'rotateCarryLeftCarryOut'
  | 'rotateCarryRight'
  | 'rotateCarryRightCarryOut'
  | 'testBit'
  | 'extract'
  | 'concat'
  | 'zeroExtend'
  | 'signExtend'
  | 'select'
  | 'populationCount'
  | 'countLeadingZeros'
  | 'countTrailingZeros'
  | 'evenParity'
  | 'isZero'
  | 'equal'
  | 'lessUnsigned'
  | 'lessSigned'
  | 'parallelDeposit'
  | 'parallelExtract'
  | 'crc32c';

/** An expression node. Nodes are hash-consed per builder: equal trees are the same object. */
export type Expression =
  | { readonly kind: 'constant'; readonly width: number; readonly value: bigint; readonly id: number }
  | { readonly kind: 'unknown'; readonly width: number; readonly id: number }
  | { readonly kind: 'read'; readonly width: number; readonly location: Location; readonly id: number }
  | {
      readonly kind: 'load';
      readonly width: number;
      readonly address: Expression;
      readonly segment: 'fs' | 'gs' | null;
      /** A 1-bit guard: when it is 0 the load does not happen (no fault) and reads as 0. */
      readonly condition: Expression | null;
      readonly id: number;
    }
  | {
      readonly kind: 'operation';
      readonly width: number;
      readonly operation: Operation;
      readonly args: readonly Expression[];
      /** Static parameters: the low bit of `extract`, the source width of `signExtend`, … */
      readonly parameters: readonly number[];
      readonly id: number;
    };

/** Exception vectors a statement can raise (SDM Vol. 3A Table 6-1). */
export type ExceptionVector = '#DE' | '#UD' | '#GP' | '#BR' | '#OF' | '#BP';

/** One effect of an instruction. Statements take effect in order; reads see the state before the instruction. */
export type Statement =
  /** `location := value`. Reads in later statements still see the old value (parallel assignment). */
  | { readonly kind: 'assign'; readonly location: Location; readonly value: Expression }
  /** Writes `value` (its width in bits, a multiple of 8) to memory at `address`, when `condition` (if any) is 1. */
  | {
      readonly kind: 'store';
      readonly address: Expression;
      readonly value: Expression;
      readonly segment: 'fs' | 'gs' | null;
      readonly condition: Expression | null;
    }
  /** Raises `vector` when the 1-bit `condition` is 1; the instruction then has no other effect. */
  | { readonly kind: 'raise'; readonly vector: ExceptionVector; readonly condition: Expression }
  /** Stops the machine (hlt, syscall, int n, int3) with a reason, before any later statement. */
  | {
      readonly kind: 'stop';
      readonly reason: 'hlt' | 'syscall' | 'int3' | 'interrupt';
      readonly detail: number;
    };
