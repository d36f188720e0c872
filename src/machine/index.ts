/** The machine: registers, flags and paged memory, executing the IR of decoded instructions. */

export { type CpuidEntry, type CpuProfile, cpuidOf, defaultCpuProfile } from './cpu-profile.js';
export { Machine, type MachineOptions, type Stop, type StopReason, type UndefinedPolicy } from './machine.js';
export {
  type AccessKind,
  Memory,
  type MemoryFault,
  MemoryMapError,
  PAGE_SIZE,
  Permission,
  parsePermissions,
} from './memory.js';
