import { parseExplainArguments } from '../../lib/explain/explain-arguments';
import { argumentShape, shownArgument, shownFlag } from '../../lib/explain/shown-argument';

const TOKEN = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

describe('parseExplainArguments', () => {
  test('reads claims, role, source address and context, as --flag value or --flag=value', () => {
    expect(parseExplainArguments(['--claims', 'c.json', '--role=Deploy', '--source-ip', '203.0.113.9', '-c', 'workspace=acme-corp', '--context=repositories=a=b'])).toEqual({
      ok: true,
      value: { claimsFrom: 'c.json', role: 'Deploy', sourceIp: '203.0.113.9', context: { workspace: 'acme-corp', repositories: 'a=b' } },
    });
  });

  test('- is standard input, not a missing value', () => {
    const result = parseExplainArguments(['--claims', '-']);
    expect(result.ok && 'claimsFrom' in result.value && result.value.claimsFrom).toBe('-');
  });

  test('reports every problem at once', () => {
    const result = parseExplainArguments(['--source-ip', 'host', '-c', 'novalue', '--verbose', '--role', 'A', '--role', 'B', 'stray']);
    expect(result.ok ? [] : result.problems.map((line) => line.split(':')[0])).toEqual(['-c', '--verbose', '--role', '"stray"', '--source-ip', '--claims']);
  });

  test('a flag followed by the next flag is missing its value; the next flag is not swallowed silently', () => {
    expect(parseExplainArguments(['--claims', '--role', 'Deploy'])).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^--claims: missing its value; usage:/), expect.stringMatching(/^"Deploy": unexpected argument; usage:/)],
    });
  });

  test('-- ends nothing here: refused rather than reading what follows as something else', () => {
    const result = parseExplainArguments(['--claims', 'c.json', '--', '--role', 'Deploy']);
    expect(result.ok ? [] : result.problems.map((line) => line.split(';')[0])).toEqual(['--: unexpected', '"--role": unexpected argument', '"Deploy": unexpected argument']);
  });

  test('a token in any position is never echoed', () => {
    for (const argv of [[TOKEN], [`--${TOKEN}`], ['--claims', 'c.json', '-c', TOKEN], ['--claims', 'c.json', '--source-ip', TOKEN]]) {
      const result = parseExplainArguments(argv);
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toContain('eyJ');
    }
  });

  test('--help wins over every other argument, even bad ones', () => {
    expect(parseExplainArguments(['--bogus', '-c', 'x', '-h'])).toEqual({ ok: true, value: { help: true } });
  });
});

describe('shownArgument: a value is shown in an error only when it cannot be a secret', () => {
  test.each<[string, string, ReturnType<typeof argumentShape>]>([
    ['a token', TOKEN, 'token'],
    ['a token after whitespace', `  ${TOKEN}\n`, 'token'],
    ["a token's payload alone", 'eyJzdWIiOiJ4In0xxxxxxxx', 'token'],
    ['claims as JSON', '{"sub":"x"}', 'json'],
    ['an app password', 'ATBBq7Xz9KpL2mN8vR4tW7zC1dF6gH0jK5', 'secret'],
    ['an access key pair', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'secret'],
    ['a very long value', 'a/'.repeat(200), 'secret'],
    ['a relative path', 'steps/claims.json', 'plain'],
    ['a path with UUIDs', '/tmp/{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}-claims.json', 'plain'],
    ['a dotted file name', 'my.step.claims.json', 'plain'],
  ])('%s', (_what, value, shape) => {
    expect(argumentShape(value)).toBe(shape);
  });

  test('shows a plain value quoted and escaped, and says what the others look like', () => {
    expect(shownArgument('claims\n.json')).toBe('"claims\\n.json"');
    expect(shownArgument(TOKEN)).toBe('a value that looks like a token (not shown)');
    expect(shownArgument('{"sub":"x"}')).toBe('a value that looks like JSON (not shown)');
    expect(shownArgument('ATBBq7Xz9KpL2mN8vR4tW7zC1dF6gH0jK5')).toBe('a value of 34 characters that could be a secret (not shown)');
  });

  test('a flag is bare only when it is an ordinary flag name', () => {
    expect(shownFlag('--verbose')).toBe('--verbose');
    expect(shownFlag('--x\u001b[2J')).toBe('"--x\\u001b[2J"');
    expect(shownFlag(`--${TOKEN}`)).toBe('a value that looks like a token (not shown)');
  });
});
