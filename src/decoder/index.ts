/** The x86 decoder: bytes to {@link Instruction}s of the spec. */
export { decodeAll, decodeInstruction, maximumInstructionLength } from './decoder.js';
export type {
  DecodeFailure,
  DecodeFailureStatus,
  DecodeResult,
  Instruction,
  VexPrefix,
} from './instruction.js';
