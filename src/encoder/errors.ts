/**
 * The encoder's error: an instruction that has no encoding (wrong operand types or sizes, a register
 * that cannot be used, a value out of range). The message says what was wrong; `hint` says what would
 * be accepted; `operandIndex` points at the operand at fault when there is one.
 */
export class EncodingError extends Error {
  override readonly name = 'EncodingError';
  readonly operandIndex: number | undefined;
  readonly hint: string | undefined;

  constructor(message: string, operandIndex?: number, hint?: string) {
    super(message);
    this.operandIndex = operandIndex;
    this.hint = hint;
  }
}
