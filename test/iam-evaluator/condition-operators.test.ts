import { conditionHolds, inRange, stringLike } from '../../lib/iam-evaluator/condition-operators';

describe("StringLike follows IAM's wildcard rules", () => {
  test.each([
    ['{abc}:*', '{abc}:{step}', true],
    ['{abc}:*', '{abc}:', true],
    ['{abc}:*', '{abc}:{env}:{step}', true],
    ['{abc}:*', '{ABC}:{step}', false],
    ['{abc}:*', '{abcd}:{step}', false],
    ['{abc}:*', 'x{abc}:{step}', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'abbc', false],
    ['a.c', 'abc', false],
    ['a+(b)', 'a+(b)', true],
    ['*', '', true],
  ])('%s against %s: %s', (pattern, value, expected) => {
    expect(stringLike(pattern, value)).toBe(expected);
  });
});

describe('operators', () => {
  test.each([
    ['StringEquals', ['a', 'b'], 'b', true],
    ['StringEquals', ['a'], 'A', false],
    ['StringEquals', ['a'], undefined, false],
    ['StringNotEquals', ['a'], 'b', true],
    ['StringNotEquals', ['a', 'b'], 'b', false],
    ['StringNotEquals', ['a'], undefined, true],
    ['StringLike', ['x*', 'y*'], 'yes', true],
    ['StringLike', ['x*'], undefined, false],
    ['StringNotLike', ['x*'], 'yes', true],
    ['StringNotLike', ['y*'], 'yes', false],
    ['IpAddress', ['203.0.113.0/25'], '203.0.113.127', true],
    ['IpAddress', ['203.0.113.0/25'], '203.0.113.128', false],
    ['IpAddress', ['203.0.113.0/25'], undefined, false],
    ['NotIpAddress', ['203.0.113.0/25'], '198.51.100.1', true],
    ['NotIpAddress', ['203.0.113.0/25'], '203.0.113.1', false],
    ['StringEqualsIgnoreCase', ['ABC'], 'abc', true],
    ['StringNotEqualsIgnoreCase', ['ABC'], 'abc', false],
    ['StringLikeIfExists', ['x*'], undefined, true],
    ['StringLikeIfExists', ['x*'], 'yes', false],
    ['ForAnyValue:StringLike', ['x*'], 'xy', true],
    ['ForAnyValue:StringLike', ['x*'], undefined, false],
    ['ForAllValues:StringLike', ['x*'], undefined, true],
    ['ForAllValues:StringLike', ['x*'], 'yes', false],
    ['Null', ['true'], undefined, true],
    ['Null', ['true'], 'present', false],
    ['Null', ['false'], 'present', true],
    ['Bool', ['true'], 'TRUE', true],
  ] as const)('%s %j with %s: %s', (operator, values, actual, expected) => {
    expect(conditionHolds(operator, values, actual)).toBe(expected);
  });

  test.each([
    ['198.51.100.7', '198.51.100.7', true],
    ['198.51.100.7', '198.51.100.8', false],
    ['2001:db8::/32', '2001:db8:1::5', true],
    ['2001:db8::/32', '2001:db9::5', false],
    ['203.0.113.0/24', '2001:db8::1', false],
    ['not-an-address', '203.0.113.1', false],
  ])('range %s contains %s: %s', (range, address, expected) => {
    expect(inRange(range, address)).toBe(expected);
  });
});
