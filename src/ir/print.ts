/**
 * Prints IR for people — the original vial's "disassembler that outputs expression trees":
 * `EAX := trunc32(udiv(EDX:EAX, ECX))`, `CF := UNKNOWN()`, `raise #DE if divfails(EDX, EAX, ECX)`.
 * A non-trivial subexpression used more than once is printed once, as a temporary (`t1 := …`).
 */
import type { Expression, Location, Operation, Statement } from './expression.js';

/** How each operation prints: a function name, or an infix operator. */
const operationNames: Readonly<Record<Operation, string>> = {
  and: '&',
  or: '|',
  xor: '^',
  not: 'not',
  add: 'add',
  addCarry: 'carry_add',
  addOverflow: 'overflow_add',
  addAuxiliaryCarry: 'auxcarry_add',
  subtract: 'sub',
  subtractBorrow: 'borrow_sub',
  subtractOverflow: 'overflow_sub',
  subtractAuxiliaryBorrow: 'auxborrow_sub',
  negate: 'neg',
  multiplyLow: 'mul',
  multiplyHighUnsigned: 'mulhi_u',
  multiplyHighSigned: 'mulhi_s',
  quotientUnsigned: 'udiv',
  remainderUnsigned: 'urem',
  divisionFailsUnsigned: 'udiv_fails',
  quotientSigned: 'sdiv',
  remainderSigned: 'srem',
  divisionFailsSigned: 'sdiv_fails',
  shiftLeft: 'shl',
  shiftRight: 'shr',
  shiftRightArithmetic: 'sar',
  rotateLeft: 'rol',
  rotateRight: 'ror',
  rotateCarryLeft: 'rcl',
  rotateCarryLeftCarryOut: 'rcl_carry',
  rotateCarryRight: 'rcr',
  rotateCarryRightCarryOut: 'rcr_carry',
  testBit: 'bit',
  extract: 'extract',
  concat: ':',
  zeroExtend: 'zext',
  signExtend: 'sext',
  select: 'ite',
  populationCount: 'popcnt',
  countLeadingZeros: 'lzcnt',
  countTrailingZeros: 'tzcnt',
  evenParity: 'parity',
  isZero: 'is_zero',
  equal: '==',
  lessUnsigned: '<u',
  lessSigned: '<s',
  parallelDeposit: 'pdep',
  parallelExtract: 'pext',
  crc32c: 'crc32c',
};

const infix = new Set<Operation>(['and', 'or', 'xor', 'equal', 'lessUnsigned', 'lessSigned']);
/** Division operations take a double-width dividend, printed `high:low` as the SDM writes `EDX:EAX`. */
const division = new Set<Operation>([
  'quotientUnsigned',
  'remainderUnsigned',
  'divisionFailsUnsigned',
  'quotientSigned',
  'remainderSigned',
  'divisionFailsSigned',
]);

/** The name of a location as the SDM writes it (upper case). */
export function locationName(location: Location): string {
  switch (location.kind) {
    case 'gpr':
      return location.name.toUpperCase();
    case 'flag':
      return location.flag;
    case 'ip':
      return location.width === 64 ? 'RIP' : 'EIP';
    case 'segmentBase':
      return `${location.segment.toUpperCase()}.base`;
    case 'processorInfo':
      return `CPUID(EAX, ECX).${location.output.toUpperCase()}`;
    case 'timestampCounter':
      return 'TSC';
  }
}

function hex(value: bigint): string {
  return value < 10n ? value.toString() : `0x${value.toString(16)}`;
}

/** Counts how often each node is referenced, to decide which become temporaries. */
function countUses(statements: readonly Statement[]): Map<Expression, number> {
  const uses = new Map<Expression, number>();
  const visit = (node: Expression) => {
    const count = (uses.get(node) ?? 0) + 1;
    uses.set(node, count);
    if (count > 1) return;
    if (node.kind === 'operation') node.args.forEach(visit);
    if (node.kind === 'load') {
      visit(node.address);
      if (node.condition) visit(node.condition);
    }
  };
  for (const statement of statements) {
    if (statement.kind === 'assign') visit(statement.value);
    if (statement.kind === 'store') {
      visit(statement.address);
      visit(statement.value);
      if (statement.condition) visit(statement.condition);
    }
    if (statement.kind === 'raise') visit(statement.condition);
  }
  return uses;
}

/** Prints a statement list, one effect per line. */
export function printStatements(statements: readonly Statement[]): string[] {
  const uses = countUses(statements);
  const temporaries = new Map<Expression, string>();
  const lines: string[] = [];

  const show = (node: Expression): string => {
    const name = temporaries.get(node);
    if (name) return name;
    const text = render(node);
    const shared = (uses.get(node) ?? 0) > 1 && node.kind === 'operation';
    if (!shared) return text;
    const temporary = `t${temporaries.size + 1}`;
    temporaries.set(node, temporary);
    lines.push(`${temporary} := ${text}`);
    return temporary;
  };

  const render = (node: Expression): string => {
    switch (node.kind) {
      case 'constant':
        return hex(node.value);
      case 'unknown':
        return 'UNKNOWN()';
      case 'read':
        return locationName(node.location);
      case 'load': {
        const access = `mem${node.width}[${node.segment ? `${node.segment}:` : ''}${show(node.address)}]`;
        return node.condition ? `(${access} if ${show(node.condition)})` : access;
      }
      case 'operation': {
        const args = node.args.map((arg) => show(arg));
        const name = operationNames[node.operation];
        if (infix.has(node.operation)) return `(${args[0]} ${name} ${args[1]})`;
        if (node.operation === 'concat') return `${args[0]}:${args[1]}`;
        if (node.operation === 'extract') {
          const low = node.parameters[0];
          if (low === 0) return `trunc${node.width}(${args[0]})`;
          return node.width === 1 ? `${args[0]}[${low}]` : `${args[0]}[${low + node.width - 1}:${low}]`;
        }
        if (division.has(node.operation)) return `${name}(${args[0]}:${args[1]}, ${args[2]})`;
        if (node.operation === 'zeroExtend' || node.operation === 'signExtend')
          return `${name}${node.width}(${args[0]})`;
        return `${name}(${args.join(', ')})`;
      }
    }
  };

  for (const statement of statements) {
    switch (statement.kind) {
      case 'assign':
        lines.push(`${locationName(statement.location)} := ${show(statement.value)}`);
        break;
      case 'store': {
        const guard = statement.condition ? `if ${show(statement.condition)}: ` : '';
        const target = `mem${statement.value.width}[${statement.segment ? `${statement.segment}:` : ''}${show(statement.address)}]`;
        lines.push(`${guard}${target} := ${show(statement.value)}`);
        break;
      }
      case 'raise':
        lines.push(`raise ${statement.vector} if ${show(statement.condition)}`);
        break;
      case 'stop':
        lines.push(
          `stop ${statement.reason}${statement.reason === 'interrupt' ? ` ${hex(BigInt(statement.detail))}` : ''}`,
        );
        break;
    }
  }
  return lines;
}
