import { BlockList, isIPv4, isIPv6 } from 'net';

/**
 * IAM's condition operators that trust policies of this app use, with IAM's
 * documented semantics: string operators are case-sensitive; StringLike's `*`
 * matches any run of characters (colons included, possibly none) and `?` exactly
 * one; a key with several values matches when any value does; a key missing from
 * the request matches no positive operator and every negated one.
 */
export type ConditionOperator = 'StringEquals' | 'StringNotEquals' | 'StringLike' | 'StringNotLike' | 'IpAddress' | 'NotIpAddress';

export const SUPPORTED_OPERATORS: readonly ConditionOperator[] = ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'IpAddress', 'NotIpAddress'];

export function isSupportedOperator(operator: string): operator is ConditionOperator {
  return (SUPPORTED_OPERATORS as readonly string[]).includes(operator);
}

/** Whether one condition key holds: `actual` is the request's value, undefined when absent. */
export function conditionHolds(operator: ConditionOperator, policyValues: readonly string[], actual: string | undefined): boolean {
  switch (operator) {
    case 'StringEquals':
      return actual !== undefined && policyValues.some((value) => value === actual);
    case 'StringNotEquals':
      return actual === undefined || policyValues.every((value) => value !== actual);
    case 'StringLike':
      return actual !== undefined && policyValues.some((pattern) => stringLike(pattern, actual));
    case 'StringNotLike':
      return actual === undefined || policyValues.every((pattern) => !stringLike(pattern, actual));
    case 'IpAddress':
      return actual !== undefined && policyValues.some((range) => inRange(range, actual));
    case 'NotIpAddress':
      return actual === undefined || policyValues.every((range) => !inRange(range, actual));
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
