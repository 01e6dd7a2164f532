import { BlockList, isIPv4, isIPv6 } from 'net';
import { ContextValue, isChosenByCaller } from './request-context';
import { StringPattern } from './string-language';

/**
 * IAM's condition operators, with IAM's documented semantics: string operators are
 * case-sensitive unless named IgnoreCase; StringLike's `*` matches any run of characters
 * (colons included, possibly none) and `?` exactly one; a key with several policy values
 * matches when any value does; a key missing from the request matches no positive
 * operator and every negated one. Qualifiers: `ForAnyValue:` holds for no missing key,
 * with or without `IfExists` (AWS, "Single-valued vs. multivalued context keys": a
 * ForAnyValue condition on a key absent from the request is false); `ForAllValues:` holds
 * for every missing key; otherwise `...IfExists` holds when the key is missing. The keys
 * this project evaluates carry one value, so otherwise both reduce to the operator.
 */
const BASE_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'IpAddress',
  'NotIpAddress',
  'Bool',
  'Null',
] as const;
type BaseOperator = (typeof BASE_OPERATORS)[number];

const NEGATED: readonly BaseOperator[] = ['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'NotIpAddress'];

interface Operator {
  readonly base: BaseOperator;
  readonly set?: 'ForAnyValue' | 'ForAllValues';
  readonly ifExists: boolean;
}

export const SUPPORTED_OPERATORS = `${BASE_OPERATORS.join(', ')}, each with IfExists or a ForAnyValue:/ForAllValues: prefix (Null without IfExists)`;

function parseOperator(text: string): Operator | undefined {
  const match = /^(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?$/.exec(text);
  const base = BASE_OPERATORS.find((operator) => operator === match?.[2]);
  if (match === null || base === undefined || (base === 'Null' && match[3] !== undefined)) return undefined;
  return { base, set: match[1] as Operator['set'], ifExists: match[3] !== undefined };
}

export function isSupportedOperator(operator: string): boolean {
  return parseOperator(operator) !== undefined;
}

/** Whether one condition key holds: `actual` is the request's value, undefined when absent. */
export function conditionHolds(operatorText: string, policyValues: readonly string[], actual: string | undefined): boolean {
  const operator = parseOperator(operatorText);
  if (operator === undefined) throw new Error(`condition operator ${operatorText} is not supported (supported: ${SUPPORTED_OPERATORS})`);
  if (operator.base === 'Null') return policyValues.some((value) => value.toLowerCase() === String(actual === undefined));
  if (actual === undefined) {
    // The set qualifier decides first: IfExists does not rescue ForAnyValue on a missing key.
    if (operator.set === 'ForAnyValue') return false;
    if (operator.ifExists || operator.set === 'ForAllValues') return true;
    return NEGATED.includes(operator.base);
  }
  return baseHolds(operator.base, policyValues, actual);
}

function baseHolds(operator: Exclude<BaseOperator, 'Null'>, policyValues: readonly string[], actual: string): boolean {
  switch (operator) {
    case 'StringEquals':
      return policyValues.some((value) => value === actual);
    case 'StringNotEquals':
      return policyValues.every((value) => value !== actual);
    case 'StringEqualsIgnoreCase':
      return policyValues.some((value) => value.toLowerCase() === actual.toLowerCase());
    case 'StringNotEqualsIgnoreCase':
      return policyValues.every((value) => value.toLowerCase() !== actual.toLowerCase());
    case 'StringLike':
      return policyValues.some((pattern) => stringLike(pattern, actual));
    case 'StringNotLike':
      return policyValues.every((pattern) => !stringLike(pattern, actual));
    case 'IpAddress':
      return policyValues.some((range) => inRange(range, actual));
    case 'NotIpAddress':
      return policyValues.every((range) => !inRange(range, actual));
    case 'Bool':
      return policyValues.some((value) => value.toLowerCase() === actual.toLowerCase());
  }
}

const compiled = new Map<string, RegExp>();

/** IAM's StringLike: `*` any run of characters, `?` one character, everything else literal and case-sensitive. */
export function stringLike(pattern: string, value: string): boolean {
  let expression = compiled.get(pattern);
  if (expression === undefined) {
    const source = pattern
      .split('')
      .map((char) => (char === '*' ? '[\\s\\S]*' : char === '?' ? '[\\s\\S]' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    expression = new RegExp(`^${source}$`);
    compiled.set(pattern, expression);
  }
  return expression.test(value);
}

/** An IPv4 or IPv6 address, optionally with a `/prefix` of its family's length or less, as IAM accepts in an address condition. */
export function isAddressRange(range: string): boolean {
  const parts = range.split('/');
  if (parts.length > 2) return false;
  const [network, prefixText] = parts;
  const bits = isIPv4(network) ? 32 : isIPv6(network) ? 128 : undefined;
  if (bits === undefined) return false;
  return prefixText === undefined || (/^\d{1,3}$/.test(prefixText) && Number(prefixText) <= bits);
}

/** A CIDR (or a single address, which IAM reads as /32 or /128) contains the address. */
export function inRange(range: string, address: string): boolean {
  if (!isAddressRange(range)) return false;
  const [network, prefixText] = range.split('/');
  const family = isIPv4(network) ? 'ipv4' : 'ipv6';
  const prefix = prefixText === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefixText);
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  const addressFamily = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  return addressFamily === family && list.check(address, family);
}

/**
 * How a condition key meets a request: `holds` or `fails` for a concrete value (or an
 * absent key); for a value the caller chooses, `holds` when every value it could send
 * satisfies the condition, `fails` when none does, `depends` when some do.
 */
export type ConditionOutcome = 'holds' | 'fails' | 'depends';

export function conditionOutcome(operatorText: string, policyValues: readonly string[], value: ContextValue | undefined): ConditionOutcome {
  if (!isChosenByCaller(value)) return conditionHolds(operatorText, policyValues, value) ? 'holds' : 'fails';
  const operator = parseOperator(operatorText);
  if (operator === undefined) throw new Error(`condition operator ${operatorText} is not supported (supported: ${SUPPORTED_OPERATORS})`);
  const candidates: Array<string | undefined> = [...(value.mayBeAbsent ? [undefined] : []), ...witnesses(operator.base, policyValues)];
  const results = candidates.map((candidate) => conditionHolds(operatorText, policyValues, candidate));
  return results.every(Boolean) ? 'holds' : results.some(Boolean) ? 'depends' : 'fails';
}

/**
 * Values that between them take every branch an operator can take for these policy
 * values, so that "some value satisfies it" and "some value does not" are decided exactly.
 */
function witnesses(operator: BaseOperator, policyValues: readonly string[]): string[] {
  switch (operator) {
    case 'Null':
      return ['present'];
    case 'Bool':
      return ['true', 'false', ...policyValues];
    case 'IpAddress':
    case 'NotIpAddress':
      return [...addressWitnesses(policyValues), 'not-an-address'];
    default:
      return stringWitnesses(policyValues);
  }
}

/**
 * Each policy value as written and as one instance of its pattern (`*` empty, `?` one
 * character), plus strings of a character no value contains at every length up to one
 * past the longest value: those match exactly the patterns made of wildcards alone that
 * allow their length, which is all a string can do against such patterns.
 */
function stringWitnesses(policyValues: readonly string[]): string[] {
  const fresh = ['~', '#', '§', '¤', '¶', '\u2603'].find((char) => policyValues.every((value) => !value.includes(char))) ?? '\u2604';
  const longest = Math.max(0, ...policyValues.map((value) => value.length));
  const strangers = Array.from({ length: longest + 2 }, (_, length) => fresh.repeat(length));
  return [...policyValues, ...policyValues.map((value) => value.replace(/\*/g, '').replace(/\?/g, 'a')), ...strangers];
}

interface Family {
  readonly bits: number;
  readonly parse: (address: string) => bigint;
  readonly format: (value: bigint) => string;
}

const IPV4: Family = {
  bits: 32,
  parse: (address) => address.split('.').reduce((sum, part) => sum * 256n + BigInt(part), 0n),
  format: (value) => [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.'),
};

const IPV6: Family = {
  bits: 128,
  parse: (address) => {
    const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
    const groups = (text: string | undefined) => (text === undefined || text === '' ? [] : text.split(':'));
    const expanded = [...groups(head), ...Array.from({ length: 8 - groups(head).length - groups(tail).length }, () => '0'), ...groups(tail)];
    return expanded.reduce((sum, group) => sum * 65536n + BigInt(`0x${group}`), 0n);
  },
  format: (value) => Array.from({ length: 8 }, (_, index) => ((value >> BigInt(112 - 16 * index)) & 0xffffn).toString(16)).join(':'),
};

/**
 * The edges of every range and the addresses just outside them, and each family's first
 * and last address: any gap between the ranges starts or ends at one of these.
 */
function addressWitnesses(policyValues: readonly string[]): string[] {
  const found: string[] = [];
  for (const family of [IPV4, IPV6]) {
    const last = (1n << BigInt(family.bits)) - 1n;
    const points = new Set<bigint>([0n, last]);
    for (const range of policyValues) {
      const [network, prefixText] = range.split('/');
      if (!(family === IPV4 ? isIPv4(network) : isIPv6(network) && !network.includes('.'))) continue;
      const prefix = prefixText === undefined ? family.bits : Number(prefixText);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > family.bits) continue;
      const size = 1n << BigInt(family.bits - prefix);
      const start = (family.parse(network) / size) * size;
      const end = start + size - 1n;
      for (const point of [start - 1n, start, end, end + 1n]) if (point >= 0n && point <= last) points.add(point);
    }
    found.push(...[...points].map(family.format));
  }
  return found;
}

/**
 * One condition on a key that is present with one value, as the set of values that satisfy
 * it: `always` (it holds, or fails, whatever the value), or the values matching one of
 * `patterns` (none of them when `negated`). For a present single-valued key, `IfExists` and
 * the set qualifiers reduce to the operator itself. Address operators on such a key are not
 * decided over its values (`notModelled`).
 */
export type ValueClause =
  | { readonly always: boolean }
  | { readonly negated: boolean; readonly patterns: readonly StringPattern[] }
  | { readonly notModelled: string };

export function valueClause(operatorText: string, policyValues: readonly string[]): ValueClause {
  const operator = parseOperator(operatorText);
  if (operator === undefined) return { notModelled: `condition operator ${operatorText} is not modelled` };
  const of = (kind: StringPattern['kind']) => policyValues.map((value) => ({ kind, value }));
  switch (operator.base) {
    case 'Null':
      return { always: policyValues.some((value) => value.toLowerCase() === 'false') };
    case 'StringEquals':
    case 'StringNotEquals':
      return { negated: operator.base === 'StringNotEquals', patterns: of('equals') };
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
    case 'Bool':
      return { negated: operator.base === 'StringNotEqualsIgnoreCase', patterns: of('equals-ignore-case') };
    case 'StringLike':
    case 'StringNotLike':
      return { negated: operator.base === 'StringNotLike', patterns: of('like') };
    case 'IpAddress':
    case 'NotIpAddress':
      return { notModelled: `${operatorText} on this key is not decided over its values` };
  }
}

/** Whether one value matches a pattern of a clause. */
export function patternMatches(pattern: StringPattern, value: string): boolean {
  if (pattern.kind === 'like') return stringLike(pattern.value, value);
  if (pattern.kind === 'equals') return pattern.value === value;
  return pattern.value.toLowerCase() === value.toLowerCase();
}
