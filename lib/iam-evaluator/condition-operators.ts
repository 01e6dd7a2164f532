import { BlockList, isIPv4, isIPv6 } from 'net';

/**
 * IAM's condition operators, with IAM's documented semantics: string operators are
 * case-sensitive unless named IgnoreCase; StringLike's `*` matches any run of characters
 * (colons included, possibly none) and `?` exactly one; a key with several policy values
 * matches when any value does; a key missing from the request matches no positive
 * operator and every negated one. Qualifiers: `...IfExists` holds when the key is
 * missing; `ForAnyValue:` holds for no missing key, `ForAllValues:` for every one; the
 * keys this project evaluates carry one value, so otherwise both reduce to the operator.
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
    if (operator.ifExists || operator.set === 'ForAllValues') return true;
    if (operator.set === 'ForAnyValue') return false;
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

/** IAM's StringLike: `*` any run of characters, `?` one character, everything else literal and case-sensitive. */
export function stringLike(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '[\\s\\S]*' : char === '?' ? '[\\s\\S]' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(value);
}

/** A CIDR (or a single address, which IAM reads as /32 or /128) contains the address. */
export function inRange(range: string, address: string): boolean {
  const [network, prefixText] = range.split('/');
  const family = isIPv4(network) ? 'ipv4' : isIPv6(network) ? 'ipv6' : undefined;
  if (family === undefined) return false;
  const prefix = prefixText === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefixText);
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  const addressFamily = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  return addressFamily === family && list.check(address, family);
}
