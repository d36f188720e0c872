import type { CliCommand } from '../command.js';
import { demoCommand } from './demo.js';

/** Every sub-command, in the order `vial --help` lists them. */
export const commands: readonly CliCommand[] = [demoCommand];
