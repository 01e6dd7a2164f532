import { MAX_SHOWN, quoted, shownKey } from '../../lib/problems/quoted';

describe('quoted: a value on one terminal line', () => {
  test.each([
    ['a newline, so no line can be forged', 'main\nRoleArn: ADMITTED', '"main\\nRoleArn: ADMITTED"'],
    ['an ANSI escape sequence', '\u001b[2J\u001b[32mok', '"\\u001b[2J\\u001b[32mok"'],
    ['DEL and a C1 control (CSI)', 'a\u007fb\u009bc', '"a\\u007fb\\u009bc"'],
    ['the line separator', 'a\u2028b', '"a\\u2028b"'],
    ['a right-to-left override', 'abc\u202edef', '"abc\\u202edef"'],
    ['a quote and a backslash', 'say "hi" \\', '"say \\"hi\\" \\\\"'],
  ])('escapes %s', (_what, value, expected) => {
    expect(quoted(value)).toBe(expected);
  });

  test('shows other values as JSON, escaped alike inside them', () => {
    expect(quoted({ branch: 'x\u001by' })).toBe('{"branch":"x\\u001by"}');
    expect(quoted(42)).toBe('42');
    expect(quoted(undefined)).toBe('undefined');
  });

  test('cuts a long value and says how long it was', () => {
    const shown = quoted('w'.repeat(10_000));
    expect(shown).toBe(`"${'w'.repeat(MAX_SHOWN - 1)}… (10002 characters)`);
  });

  test('never splits a character made of two code units', () => {
    const shown = quoted('😀'.repeat(200), 10);
    expect(shown.startsWith(`"${'😀'.repeat(9)}…`)).toBe(true);
  });
});

describe('shownKey: a context key in a problem line', () => {
  test.each([
    ['a plain key, as written', 'roleName', 'roleName'],
    ["CDK's own shapes, as written", '@aws-cdk/core:x', '@aws-cdk/core:x'],
    ['a key with a space, quoted', 'role name', '"role name"'],
    ['a key with a newline, quoted and escaped', 'a\nb', '"a\\nb"'],
  ])('%s', (_what, key, shown) => {
    expect(shownKey(key)).toBe(shown);
  });

  test('a long key is quoted and cut', () => {
    expect(shownKey('k'.repeat(65))).toBe(`"${'k'.repeat(63)}… (67 characters)`);
  });
});
