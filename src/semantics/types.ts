import type { SemanticsContext } from './context.js';

/** Builds the IR of one instruction family into the context (SDM Vol. 2 "Operation" sections). */
export type SemanticsFunction = (context: SemanticsContext) => void;
