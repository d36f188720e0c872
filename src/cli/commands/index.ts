import type { CliCommand } from '../command.js';
import { asmCommand } from './asm.js';
import { checkCommand } from './check.js';
import { demoCommand } from './demo.js';
import { disasmCommand } from './disasm.js';
import { execCommand, runCommand } from './exec.js';
import { leakCommand } from './leak.js';
import { liftCommand } from './lift.js';
import { testCommand } from './test.js';
import { traceCommand } from './trace.js';
import { verifyCommand } from './verify.js';

/** Every sub-command, in the order `vial --help` lists them. */
export const commands: readonly CliCommand[] = [
  demoCommand,
  asmCommand,
  disasmCommand,
  liftCommand,
  execCommand,
  runCommand,
  traceCommand,
  verifyCommand,
  testCommand,
  checkCommand,
  leakCommand,
];
