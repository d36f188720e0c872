/**
 * The encoder: instruction + operands → bytes, with tables derived from the ISA catalog (`src/isa`).
 * It follows NASM's or GNU as's choices where several encodings are valid (see docs/assembler.md).
 */
export { type EncodedInstruction, encodeInstruction } from './encode.js';
export { EncodingError } from './errors.js';
export { isKnownMnemonic } from './forms.js';
export type {
  EncodeRequest,
  EncoderArgument,
  EncodingStyle,
  ImmediateArgument,
  MemoryArgument,
  RegisterArgument,
} from './request.js';
