/** The machine: registers, flags and paged memory, executing the IR of decoded instructions. */

export {
  type AbiViolation,
  CALL_RETURN_SENTINEL,
  type CallArgument,
  CallArgumentError,
  CallConventionError,
  CallError,
  type CallingConvention,
  type CallOptions,
  CallResult,
  defaultConvention,
  type ExpectReturnOptions,
} from './abi.js';
export { type CpuidEntry, type CpuProfile, cpuidOf, defaultCpuProfile } from './cpu-profile.js';
export {
  type AllocOptions,
  DEFAULT_STACK_SIZE,
  type ElementBits,
  HEAP_BASE,
  HEAP_LIMIT,
  type IntegerTypedArray,
  MAX_STACK_SIZE,
  type ReadArrayOptions,
  type ReadOptions,
  STACK_TOP,
  UndefinedMemoryError,
} from './guest-memory.js';
export {
  Machine,
  type MachineOptions,
  type Stop,
  type StopReason,
  stopReasons,
  type UndefinedPolicy,
} from './machine.js';
export {
  type AccessKind,
  Memory,
  type MemoryFault,
  MemoryMapError,
  PAGE_SIZE,
  Permission,
  parsePermissions,
} from './memory.js';
export {
  type Address,
  type AssembleProgramOptions,
  DEFAULT_CODE_BASE,
  type LoadBytesOptions,
  LoadedProgram,
  SymbolNotFoundError,
} from './program.js';
export {
  type DiffOptions,
  diffStates,
  type Expectation,
  ExpectationError,
  type ExpectedBytes,
  type ExpectedFlag,
  type ExpectedState,
  type ExpectedValue,
  isMachineSnapshot,
  type MachineSnapshot,
  type MemoryRegionSnapshot,
  MODELLED_FLAGS,
  restoreSnapshot,
  type StateDifference,
  type StateSource,
  snapshotMachine,
} from './snapshot.js';
