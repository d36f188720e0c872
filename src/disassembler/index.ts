/** The disassembler: Intel syntax in NASM and GNU (objdump -M intel) flavours, and listings. */
export {
  type DisassembleOptions,
  disassemble,
  type ListingLine,
  labelName,
  renderListing,
} from './disassembler.js';
export { branchTargetOf, type FormatOptions, formatInstruction, type Syntax } from './format.js';
