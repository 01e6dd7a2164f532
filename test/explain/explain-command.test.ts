import { runExplain } from '../../lib/explain/explain-command';
import { parseExplainArguments } from '../../lib/explain/explain-arguments';
import { parseTokenClaims } from '../../lib/bitbucket/token-claims';
import { AUDIENCE, ENV_PROD, REPO_A, REPO_B } from '../support/synth';

const ISSUER = 'https://api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const STEP = '{5e3c1a9b-7d2f-4e8a-9c6b-1a2b3c4d5e6f}';
const SIGNATURE = 'c2VjcmV0LXNpZ25hdHVyZS1tdXN0LW5vdC1sZWFr';
const CONTEXT = ['-c', 'workspace=acme-corp', '-c', `audience=${AUDIENCE}`, '-c', `repositories=${REPO_A}`, '-c', `environments=${ENV_PROD}`];

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = (sub: string) => ({ iss: ISSUER, aud: AUDIENCE, sub, repositoryUuid: REPO_A, branchName: 'main' });
const token = (sub: string) => `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims(sub))}.${SIGNATURE}`;

/** The command as bin/explain-access.ts runs it, with files and standard input given here. */
function explain(args: string[], stdin: string, files: Record<string, string> = {}) {
  return runExplain(args, { readFile: (path) => files[path], readStdin: () => stdin });
}

describe('npm run explain (in process; test/e2e runs it as a process)', () => {
  test('an admitted step: exit 0, ADMITTED, every condition ok', () => {
    const run = explain(['--claims', '-', ...CONTEXT], JSON.stringify(claims(`${REPO_A}:${ENV_PROD}:${STEP}`)));
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('RoleArn (PipelineRole');
    expect(run.stdout).toMatch(/: ADMITTED\n/);
    expect(run.stdout).not.toContain('FAIL');
  });

  test('a refused token: exit 1, names the failing condition and what it expected, never prints the token', () => {
    const run = explain(['--claims', '-', ...CONTEXT], token(`${REPO_B}:${STEP}`));
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/: REFUSED\n/);
    const failing = run.stdout.split('\n').filter((line) => line.includes('FAIL'));
    expect(failing).toEqual([
      `  FAIL StringLike api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc:sub: expected "${REPO_A}:${ENV_PROD}:*"; the request has "${REPO_B}:${STEP}"`,
    ]);
    expect(run.stdout + run.stderr).not.toContain(SIGNATURE);
    expect(run.stdout + run.stderr).not.toContain(token(`${REPO_B}:${STEP}`).split('.')[1]);
  });

  test('malformed input: exit 2, one clear line, and the input is not echoed', () => {
    const run = explain(['--claims', '-', ...CONTEXT], 'not a token at all');
    expect([run.exitCode, run.stdout, run.stderr]).toEqual([2, '', 'claims: expected a JSON object of claims or a token of three base64url parts separated by dots\n']);
  });

  test('context from cdk.json, then cdk.context.json, then -c; claims from a file', () => {
    const files = {
      'cdk.json': JSON.stringify({ context: { workspace: 'acme-corp', audience: AUDIENCE, repositories: REPO_B } }),
      'cdk.context.json': JSON.stringify({ repositories: REPO_A }),
      'claims.json': JSON.stringify(claims(`${REPO_A}:${STEP}`)),
    };
    expect(explain(['--claims', 'claims.json'], '', files).exitCode).toBe(0);
    expect(explain(['--claims', 'claims.json', '-c', `repositories=${REPO_B}`], '', files).exitCode).toBe(1);
  });

  test('a claims file that cannot be read, and bad context: exit 2, one line each', () => {
    expect(explain(['--claims', 'missing.json', ...CONTEXT], '')).toEqual({ exitCode: 2, stdout: '', stderr: '--claims: cannot read "missing.json"\n' });
    const bad = explain(['--claims', '-', '-c', 'workspace=acme-corp'], '{}');
    expect([bad.exitCode, bad.stderr.split('\n')[0]]).toEqual([2, 'Invalid context:']);
    expect(bad.stderr).toContain('  audience: missing;');
  });
});

describe('parseTokenClaims', () => {
  test('decodes only the payload of a token; no signature needed', () => {
    expect(parseTokenClaims(`${encode({ alg: 'none' })}.${encode(claims('x'))}.`)).toEqual({
      ok: true,
      value: { iss: ISSUER, aud: AUDIENCE, sub: 'x', repositoryUuid: REPO_A, deploymentEnvironmentUuid: undefined, branchName: 'main' },
    });
  });

  test('accepts a one-element aud list and the deploymentEnvironment spelling', () => {
    const result = parseTokenClaims(JSON.stringify({ iss: ISSUER, aud: [AUDIENCE], sub: 's', deploymentEnvironment: ENV_PROD }));
    expect(result.ok && [result.value.aud, result.value.deploymentEnvironmentUuid]).toEqual([AUDIENCE, ENV_PROD]);
  });

  test.each([
    ['JSON that is not an object', '[1,2]', ['claims: expected a JSON object of claims or a token of three base64url parts separated by dots']],
    ['broken JSON', '{"iss":', ['claims: the claims are not valid JSON']],
    ['a payload that is not JSON', `a.${Buffer.from('nope').toString('base64url')}.c`, ["claims: the token's payload is not base64url-encoded JSON"]],
    [
      'missing claims',
      JSON.stringify({ iss: 'http://insecure', aud: 3 }),
      ['claims: iss must be the https:// issuer URL', 'claims: aud must be a string', 'claims: sub must be a string'],
    ],
    ['several audiences', JSON.stringify({ iss: ISSUER, aud: ['a', 'b'], sub: 's' }), ['claims: aud holds several audiences; give the claims of a step that asks for one audience']],
  ])('refuses %s', (_label, input, problems) => {
    expect(parseTokenClaims(input)).toEqual({ ok: false, problems });
  });
});

describe('parseExplainArguments', () => {
  test('reads claims, source address and context', () => {
    expect(parseExplainArguments(['--claims', 'c.json', '--source-ip', '203.0.113.9', '-c', 'workspace=acme-corp', '-c', 'repositories=a=b'])).toEqual({
      ok: true,
      value: { claimsFrom: 'c.json', sourceIp: '203.0.113.9', context: { workspace: 'acme-corp', repositories: 'a=b' } },
    });
  });

  test('reports every problem at once', () => {
    const result = parseExplainArguments(['--source-ip', 'host', '-c', 'novalue', '--verbose']);
    expect(result.ok ? [] : result.problems.map((line) => line.split(':')[0])).toEqual(['--source-ip', '-c', '--verbose', '--claims']);
  });
});
