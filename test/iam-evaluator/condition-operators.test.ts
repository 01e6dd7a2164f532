import { conditionHolds, conditionOutcome, inRange, stringLike } from '../../lib/iam-evaluator/condition-operators';
import { chosenByCaller } from '../../lib/iam-evaluator/request-context';

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
    // AWS: ForAnyValue on a key absent from the request is false, IfExists or not.
    ['ForAnyValue:StringEqualsIfExists', ['x'], undefined, false],
    ['ForAnyValue:StringNotEqualsIfExists', ['x'], undefined, false],
    ['ForAllValues:StringEqualsIfExists', ['x'], undefined, true],
    ['ForAnyValue:StringEqualsIfExists', ['x'], 'x', true],
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

describe('a value the caller chooses: holds for all, fails for none, or depends', () => {
  const present = chosenByCaller('the caller');
  const optional = chosenByCaller('the caller', true);
  test.each([
    // Only the values STS always sends can be required.
    ['Null', ['true'], present, 'fails'],
    ['Null', ['true'], optional, 'depends'],
    ['Null', ['false'], present, 'holds'],
    ['Bool', ['false'], present, 'depends'],
    ['StringEquals', ['a'], present, 'depends'],
    ['StringLike', ['*'], present, 'holds'],
    ['StringLike', ['*'], optional, 'depends'],
    ['StringLikeIfExists', ['*'], optional, 'holds'],
    ['StringNotLike', ['*'], present, 'fails'],
    ['StringLike', ['?*'], present, 'depends'],
    // Only wildcards: what a string can do against them is its length, so every length up to the longest is tried.
    ['StringLike', ['???*', '', '?'], present, 'depends'],
    ['StringNotLike', ['?*', ''], present, 'fails'],
    ['StringNotEqualsIgnoreCase', ['A'], present, 'depends'],
    ['IpAddress', ['0.0.0.0/0'], present, 'depends'],
    ['IpAddress', ['0.0.0.0/0', '::/0'], present, 'depends'],
    ['NotIpAddress', ['0.0.0.0/0', '::/0'], present, 'depends'],
    ['NotIpAddress', ['203.0.113.0/24'], present, 'depends'],
    ['IpAddress', ['203.0.113.7'], present, 'depends'],
    ['ForAnyValue:StringLikeIfExists', ['*'], optional, 'depends'],
  ] as const)('%s %j: %s', (operator, values, value, expected) => {
    expect(conditionOutcome(operator, values, value)).toBe(expected);
  });

  test('a concrete value is decided as before', () => {
    expect(conditionOutcome('StringLike', ['x*'], 'xy')).toBe('holds');
    expect(conditionOutcome('StringLike', ['x*'], undefined)).toBe('fails');
  });

  test('the witnesses find the one address outside a set of ranges', () => {
    // Every IPv4 address but 10.0.0.0 is covered: only that one satisfies NotIpAddress among IPv4s.
    const ranges = ['0.0.0.0/5', '8.0.0.0/7', '10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/30', '10.0.0.8/29', '10.0.0.16/28', '10.0.0.32/27', '10.0.0.64/26', '10.0.0.128/25', '10.0.1.0/24', '10.0.2.0/23', '10.0.4.0/22', '10.0.8.0/21', '10.0.16.0/20', '10.0.32.0/19', '10.0.64.0/18', '10.0.128.0/17', '10.1.0.0/16', '10.2.0.0/15', '10.4.0.0/14', '10.8.0.0/13', '10.16.0.0/12', '10.32.0.0/11', '10.64.0.0/10', '10.128.0.0/9', '11.0.0.0/8', '12.0.0.0/6', '16.0.0.0/4', '32.0.0.0/3', '64.0.0.0/2', '128.0.0.0/1', '::/0'];
    expect(conditionOutcome('NotIpAddress', ranges, present)).toBe('depends');
    expect(conditionOutcome('NotIpAddress', [...ranges, '10.0.0.0'], present)).toBe('depends');
  });
});
