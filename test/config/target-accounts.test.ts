import { parseOidcConfig } from '../../lib/config/parse-oidc-config';

const AUDIENCE = 'ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';
const REPO_A = '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}';
const BASE = { workspace: 'acme-corp', audience: AUDIENCE, repositories: REPO_A };
const STAGING = '111111111111';
const PRODUCTION = '222222222222';

function targetAccounts(context: Record<string, unknown>): Array<readonly string[] | undefined> {
  const result = parseOidcConfig(context);
  if (!result.ok) throw new Error(`expected a valid configuration, got:\n${result.problems.join('\n')}`);
  return result.value.roles.map((role) => role.targetAccounts);
}

function problems(context: Record<string, unknown>): readonly string[] {
  const result = parseOidcConfig(context);
  if (result.ok) throw new Error('expected problems, got a valid configuration');
  return result.problems;
}

describe('targetAccounts is read as a flat key and as a key of a roles entry', () => {
  test.each([
    ['comma-separated on the command line', `${STAGING},${PRODUCTION}`],
    ['with spaces around the commas', ` ${STAGING} , ${PRODUCTION} `],
    ['a JSON array on the command line', `["${STAGING}","${PRODUCTION}"]`],
    ['a native array (cdk.json)', [STAGING, PRODUCTION]],
  ])('flat: %s', (_label, raw) => {
    expect(targetAccounts({ ...BASE, targetAccounts: raw })).toEqual([[STAGING, PRODUCTION]]);
  });

  test('left out: undefined, the stack\'s own account', () => {
    expect(targetAccounts(BASE)).toEqual([undefined]);
  });

  test('per entry of roles, each role its own list', () => {
    const roles = [
      { id: 'Preview', repositories: [REPO_A], cdkAccess: 'lookup', targetAccounts: [STAGING, PRODUCTION] },
      { id: 'DeployStaging', repositories: [REPO_A], targetAccounts: [STAGING] },
      { id: 'DeployProduction', repositories: [REPO_A], targetAccounts: PRODUCTION },
      { id: 'Local', repositories: [REPO_A] },
    ];
    expect(targetAccounts({ workspace: 'acme-corp', audience: AUDIENCE, roles })).toEqual([[STAGING, PRODUCTION], [STAGING], [PRODUCTION], undefined]);
  });

  test('with lookup access too', () => {
    expect(targetAccounts({ ...BASE, cdkAccess: 'lookup', targetAccounts: STAGING })).toEqual([[STAGING]]);
  });
});

describe('targetAccounts refused, one line each, no configuration', () => {
  const example = 'example: targetAccounts=111111111111,222222222222';
  test.each([
    ['11 digits', '11111111111', 'targetAccounts: got "11111111111"; expected a 12-digit AWS account ID; ' + example],
    ['an account alias', 'staging', 'targetAccounts: got "staging"; expected a 12-digit AWS account ID; ' + example],
    ['a number in cdk.json', [111111111111], 'targetAccounts: got [111111111111]; expected a comma-separated list or a JSON array of strings; ' + example],
    ['*', '*', 'targetAccounts: got "*"; expected a 12-digit AWS account ID, not a wildcard: * would reach the bootstrap roles of every account that trusts this one; ' + example],
    ['an empty list', [], "targetAccounts: got []; expected at least one 12-digit AWS account ID: leave the key out for the stack's own account; " + example],
    ['an empty string', '', "targetAccounts: got \"\"; expected at least one 12-digit AWS account ID: leave the key out for the stack's own account; " + example],
    ['an empty JSON array', '[]', "targetAccounts: got \"[]\"; expected at least one 12-digit AWS account ID: leave the key out for the stack's own account; " + example],
    ['a repeat', `${STAGING},${STAGING}`, `targetAccounts[1]: got "${STAGING}"; expected each entry once, but it repeats "${STAGING}"; example: remove one of the two`],
  ])('%s', (_label, raw, line) => {
    expect(problems({ ...BASE, targetAccounts: raw })).toEqual([line]);
  });

  test('with cdkAccess=none', () => {
    expect(problems({ ...BASE, cdkAccess: 'none', targetAccounts: STAGING })).toEqual([
      'targetAccounts: got "111111111111"; expected no targetAccounts on a role with cdkAccess=none: it reaches no CDK bootstrap roles in any account; example: cdkAccess=deploy (or lookup), or drop targetAccounts',
    ]);
  });

  test('with cdkQualifier=none', () => {
    expect(problems({ ...BASE, cdkQualifier: 'none', targetAccounts: STAGING })).toEqual([
      'targetAccounts: got "111111111111"; expected no targetAccounts: cdkQualifier=none leaves every role without CDK bootstrap roles to reach in any account; example: drop cdkQualifier=none, or drop targetAccounts',
    ]);
  });

  test('a long value is quoted and cut', () => {
    const [line] = problems({ ...BASE, targetAccounts: `${'9'.repeat(200)}` });
    expect(line).toMatch(/^targetAccounts: got "9{100,}… \(202 characters\); expected a 12-digit AWS account ID;/);
  });

  test('every problem at once, each naming its entry: a bad ID beside a wildcard, a repeat, a contradiction and other keys\' problems', () => {
    const roles = [
      { id: 'Deploy', repositories: [REPO_A], targetAccounts: [STAGING, '*', '12345', STAGING] },
      { id: 'Audit', repositories: [REPO_A], cdkAccess: 'none', targetAccounts: [PRODUCTION] },
      { id: 'Preview', repositories: 'not-a-uuid', cdkAccess: 'lookup', targetAccounts: [] },
    ];
    expect(problems({ workspace: 'acme-corp', audience: AUDIENCE, roles }).map((line) => line.split(';')[0])).toEqual([
      'roles[0].targetAccounts[1]: got "*"',
      'roles[0].targetAccounts[2]: got "12345"',
      'roles[0].targetAccounts[3]: got "111111111111"',
      'roles[1].targetAccounts: got ["222222222222"]',
      expect.stringMatching(/^roles\[2\]\.repositories: got "not-a-uuid"/),
      'roles[2].targetAccounts: got []',
    ]);
  });

  test('any targetAccounts with cdkQualifier=none, in every entry that has it', () => {
    const roles = [
      { id: 'A', repositories: [REPO_A], targetAccounts: [STAGING] },
      { id: 'B', repositories: [REPO_A] },
      { id: 'C', repositories: [REPO_A], cdkAccess: 'none', targetAccounts: [PRODUCTION] },
    ];
    expect(problems({ workspace: 'acme-corp', audience: AUDIENCE, cdkQualifier: 'false', roles }).map((line) => line.split(': got')[0])).toEqual(['roles[0].targetAccounts', 'roles[2].targetAccounts']);
  });
});
