import { CLAIMS_MAX_BYTES, runExplain } from '../../lib/explain/explain-command';
import { FileText } from '../../lib/explain/project-context';
import { parseTokenClaims } from '../../lib/bitbucket/token-claims';
import { AUDIENCE, ENV_PROD, ENV_STAGING, REPO_A, REPO_B } from '../support/synth';

const ISSUER = 'https://api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const STEP = '{5e3c1a9b-7d2f-4e8a-9c6b-1a2b3c4d5e6f}';
const SIGNATURE = 'c2VjcmV0LXNpZ25hdHVyZS1tdXN0LW5vdC1sZWFr';
const WORKSPACE = ['-c', 'workspace=acme-corp', '-c', `audience=${AUDIENCE}`];
const CONTEXT = [...WORKSPACE, '-c', `repositories=${REPO_A}`, '-c', `environments=${ENV_PROD}`];
/** The README's recommended layout: Preview for every step, Deploy only through production. */
const LAYOUT = [
  ...WORKSPACE,
  '-c',
  `roles=${JSON.stringify([
    { id: 'Preview', repositories: [REPO_A], cdkAccess: 'lookup' },
    { id: 'Deploy', repositories: [REPO_A], environments: [ENV_PROD] },
  ])}`,
];
const PULL_REQUEST = `${REPO_A}:${STEP}`;
const PRODUCTION = `${REPO_A}:${ENV_PROD}:${STEP}`;

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = (sub: string, extra: object = {}) => ({ iss: ISSUER, aud: AUDIENCE, sub, repositoryUuid: REPO_A, branchName: 'main', ...extra });
const token = (sub: string) => `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims(sub))}.${SIGNATURE}`;

/** What a terminal acts on, bar the newline that ends each line: none of it may reach stdout or stderr. */
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A fake file system: a file is missing, too large for the bound the command asks for, or its text. */
function within(text: string | undefined, maxBytes: number): FileText {
  if (text === undefined) return { missing: true, reason: 'no such file' };
  return Buffer.byteLength(text) > maxBytes ? { missing: false, reason: `over ${maxBytes} bytes` } : text;
}

/** The command as bin/explain-access.ts runs it, with files and standard input given here. */
function explain(args: string[], stdin: string, files: Record<string, string> = {}) {
  return runExplain(args, { readFile: (path, maxBytes) => within(files[path], maxBytes), readStdin: (maxBytes) => within(stdin, maxBytes) });
}

const titles = (stdout: string) => stdout.split('\n').filter((line) => /^\S+ \(\S+\): (ADMITTED|REFUSED)$/.test(line));

describe('npm run explain (in process; test/e2e runs it as a process)', () => {
  test('an admitted step: exit 0, ADMITTED, every condition ok', () => {
    const run = explain(['--claims', '-', ...CONTEXT], JSON.stringify(claims(PRODUCTION)));
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('RoleArn (PipelineRole');
    expect(run.stdout).toMatch(/: ADMITTED\n/);
    expect(run.stdout).not.toContain('FAIL');
  });

  test('a role with allowedIpRanges and no --source-ip: ADMITTED with a note, exit 0 (the verdict is for some address in range)', () => {
    const ranged = [...CONTEXT, '-c', 'allowedIpRanges=203.0.113.0/25'];
    const run = explain(['--claims', '-', ...ranged], JSON.stringify(claims(PRODUCTION)));
    expect([run.exitCode, titles(run.stdout).map((line) => line.replace(/^.*: /, ''))]).toEqual([0, ['ADMITTED']]);
    expect(run.stdout).toContain('  note admitted only from some source addresses');
    const outside = explain(['--claims', '-', ...ranged, '--source-ip', '198.51.100.7'], JSON.stringify(claims(PRODUCTION)));
    expect([outside.exitCode, outside.stdout.includes('  note admitted only')]).toEqual([1, false]);
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

  test('bad context and bad claims: exit 2, every problem at once', () => {
    const bad = explain(['--claims', '-', '-c', 'workspace=acme-corp'], '{}');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('Invalid context:');
    expect(bad.stderr).toContain('  audience: missing;');
    expect(bad.stderr).toContain('claims: sub must be a string');
  });

  test('every value shown is quoted: claims, the source address, trusted principals, actions and expected values', () => {
    const run = explain(['--claims', '-', ...CONTEXT, '--source-ip', '203.0.113.9'], JSON.stringify(claims(PRODUCTION, { deploymentEnvironmentUuid: ENV_PROD })));
    const lines = run.stdout.split('\n');
    expect(lines.slice(0, 8)).toEqual([
      'Token claims (the token itself is not shown):',
      `  iss "${ISSUER}"`,
      `  aud "${AUDIENCE}"`,
      `  sub "${PRODUCTION}"`,
      `  repositoryUuid "${REPO_A}"`,
      `  deploymentEnvironmentUuid "${ENV_PROD}"`,
      '  branchName "main"',
      '  source address "203.0.113.9"',
    ]);
    expect(lines).toContain(`  ok   Allow statement trusts provider "arn:aws:iam::123456789012:oidc-provider/${ISSUER.slice(8)}"`);
    expect(lines).toContain('  ok   action "sts:AssumeRoleWithWebIdentity"');
  });
});

describe('--help', () => {
  test.each([['--help'], ['-h'], ['--claims', 'x.json', '--bogus', '--help']])('%s: usage on stdout, exit 0, whatever else is given', (...args) => {
    const run = explain(args, '');
    expect([run.exitCode, run.stderr]).toEqual([0, '']);
    expect(run.stdout.split('\n')[0]).toMatch(/^usage: npm run explain -- --claims /);
    for (const flag of ['--claims <path | ->', '--role <name>', '--source-ip <address>', '-c, --context key=value', '-h, --help']) expect(run.stdout).toContain(`  ${flag}`);
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 {2}admitted.*\n {2}1 {2}refused.*\n {2}2 {2}bad input/);
    expect(run.stdout).toContain('npm run -s explain -- --claims claims.json --role Deploy');
  });

  test('--help=yes is refused: the flag takes no value', () => {
    expect(explain(['--help=yes'], '').exitCode).toBe(2);
  });
});

describe('--role: one role, and its verdict is the exit code', () => {
  const pullRequest = JSON.stringify(claims(PULL_REQUEST, { branchName: 'feature/x' }));

  test('without --role, a pull request that Preview admits exits 0, and a summary line says Deploy refused it', () => {
    const run = explain(['--claims', '-', ...LAYOUT], pullRequest);
    expect(run.exitCode).toBe(0);
    expect(titles(run.stdout).map((line) => line.replace(/PipelineRole\w+\)/, 'PipelineRole…)'))).toEqual(['PreviewRoleArn (PreviewPipelineRole…): ADMITTED', 'DeployRoleArn (DeployPipelineRole…): REFUSED']);
    expect(run.stdout.trimEnd().split('\n').pop()).toBe(
      '1 of 2 roles admit this token (PreviewRoleArn); refused by DeployRoleArn. The exit code says whether any role admits; --role <name> asks about one.',
    );
  });

  test.each([['Deploy'], ['DeployRoleArn'], ['--role=Deploy']])('the pull request asked about %s: exit 1, only that role shown, and why', (name) => {
    const run = explain(['--claims', '-', ...LAYOUT, ...(name.startsWith('--') ? [name] : ['--role', name])], pullRequest);
    expect(run.exitCode).toBe(1);
    expect(titles(run.stdout)).toEqual([expect.stringMatching(/^DeployRoleArn \(DeployPipelineRole\w+\): REFUSED$/)]);
    expect(run.stdout).toContain(`  why  this step has no \`deployment:\`; the role admits only steps deploying to "${ENV_PROD}"`);
    expect(run.stdout).not.toContain('roles admit this token');
  });

  test('by logical ID too, and the production step: Deploy exit 0; Preview admits the pull request: exit 0', () => {
    const logicalId = /DeployRoleArn \((\w+)\)/.exec(explain(['--claims', '-', ...LAYOUT], pullRequest).stdout)?.[1] ?? '';
    expect(logicalId).toMatch(/^DeployPipelineRole/);
    expect(explain(['--claims', '-', ...LAYOUT, '--role', logicalId], pullRequest).exitCode).toBe(1);
    expect(explain(['--claims', '-', ...LAYOUT, '--role', logicalId], JSON.stringify(claims(PRODUCTION))).exitCode).toBe(0);
    expect(explain(['--claims', '-', ...LAYOUT, '--role', 'Preview'], pullRequest).exitCode).toBe(0);
  });

  test('the single role of the flat keys is RoleArn', () => {
    expect(explain(['--claims', '-', ...CONTEXT, '--role', 'RoleArn'], JSON.stringify(claims(PRODUCTION))).exitCode).toBe(0);
  });

  test('an unknown role: exit 2, one line listing the roles there are', () => {
    const run = explain(['--claims', '-', ...LAYOUT, '--role', 'Deplyo'], pullRequest);
    expect([run.exitCode, run.stdout]).toEqual([2, '']);
    expect(run.stderr).toMatch(
      /^--role: got "Deplyo"; expected one of this stack's roles by id, output name or logical ID: Preview \(PreviewRoleArn, PreviewPipelineRole\w+\), Deploy \(DeployRoleArn, DeployPipelineRole\w+\); example: --role Deploy\n$/,
    );
  });

  test('an unknown role that is a pasted token is not echoed', () => {
    const run = explain(['--claims', '-', ...LAYOUT, '--role', token(PULL_REQUEST)], pullRequest);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^--role: got a value that looks like a token \(not shown\); expected one of/);
  });
});

describe('hostile input: nothing from a token, a file or the context reaches the terminal raw', () => {
  test.each([
    ['a token', token(PULL_REQUEST), '--claims: the value looks like a token, not a file (not shown); write the token to a file and pass its path, or pipe it in with --claims -'],
    ['claims as JSON', JSON.stringify(claims(PULL_REQUEST)), '--claims: the value looks like JSON claims, not a file (not shown); save them to a file and pass its path, or pipe them in with --claims -'],
    ['an app password', 'ATBBq7Xz9KpL2mN8vR4tW7zC1dF6gH0jK5', '--claims: cannot read a value of 34 characters that could be a secret (not shown): no such file; expected a claims file, a token file or - for standard input; example: --claims claims.json'],
    ['a path', 'steps/claims.json', '--claims: cannot read "steps/claims.json": no such file; expected a claims file, a token file or - for standard input; example: --claims claims.json'],
  ])('--claims given %s that is not a file: one line, the value shown only when it looks like a path', (_what, value, line) => {
    const run = explain(['--claims', value, ...CONTEXT], '');
    expect([run.exitCode, run.stdout, run.stderr]).toEqual([2, '', `${line}\n`]);
  });

  test('a token pasted where no flag expects it is not echoed either, and the line says what to do', () => {
    const run = explain([token(PULL_REQUEST), ...CONTEXT], '');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^a value that looks like a token \(not shown\): unexpected argument: to ask about a token, write it to a file and pass --claims <file>, or pipe it in with --claims -;/);
    expect(run.stderr).not.toContain(SIGNATURE);
  });

  test('a branch name that tries to forge an ADMITTED line, and escape sequences in every claim, stay inside their quotes', () => {
    const forged = `main\nDeployRoleArn (DeployPipelineRole0000): ADMITTED\n  ok   everything`;
    const hostile = claims(PULL_REQUEST, {
      branchName: forged,
      repositoryUuid: '\u001b[2J\u001b[32m',
      deploymentEnvironmentUuid: '\u009b31m\u202eevil',
      aud: `${AUDIENCE}\u001b]0;title\u0007\u202e`,
    });
    const run = explain(['--claims', '-', ...LAYOUT, '--role', 'Deploy'], JSON.stringify(hostile));
    expect(run.exitCode).toBe(1);
    expect(run.stdout + run.stderr).not.toMatch(TERMINAL_CONTROL);
    expect(titles(run.stdout)).toEqual([expect.stringMatching(/^DeployRoleArn \(DeployPipelineRole\w+\): REFUSED$/)]);
    expect(run.stdout).toContain(`  branchName ${JSON.stringify(forged)}`);
    expect(run.stdout).toContain('  repositoryUuid "\\u001b[2J\\u001b[32m"');
    expect(run.stdout).toContain('  deploymentEnvironmentUuid "\\u009b31m\\u202eevil"');
  });

  test("an issuer with an escape sequence: the token's provider ARN is quoted too", () => {
    const run = explain(['--claims', '-', ...CONTEXT], JSON.stringify(claims(PRODUCTION, { iss: `${ISSUER}\u001b[8m` })));
    expect(run.exitCode).toBe(1);
    expect(run.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(run.stdout).toContain(`the token's issuer is provider "arn:aws:iam::123456789012:oidc-provider/${ISSUER.slice(8)}\\u001b[8m"`);
  });

  test('a long claim is cut on its line, not printed whole', () => {
    const run = explain(['--claims', '-', ...CONTEXT], JSON.stringify(claims(PRODUCTION, { branchName: 'b'.repeat(50_000) })));
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('… (50002 characters)');
    expect(run.stdout.length).toBeLessThan(5_000);
  });

  test('claims or a token past the bound are refused unread', () => {
    const huge = JSON.stringify(claims(PRODUCTION, { branchName: 'b'.repeat(CLAIMS_MAX_BYTES) }));
    expect(explain(['--claims', '-', ...CONTEXT], huge)).toEqual({ exitCode: 2, stdout: '', stderr: `--claims -: cannot read standard input: over ${CLAIMS_MAX_BYTES} bytes\n` });
    expect(explain(['--claims', 'claims.json', ...CONTEXT], '', { 'claims.json': huge }).stderr).toMatch(/^--claims: cannot read "claims\.json": over \d+ bytes;/);
  });

  test.each([
    ['cdk.json', '{\n  "context": {\n    "workspace": "acme-corp",\n  }\n}', 'cdk.json: not valid JSON (line 4, column 3); expected a JSON object; example:'],
    ['cdk.json', '{"context": ', 'cdk.json: not valid JSON'],
    ['cdk.json', 'null', 'cdk.json: got null; expected a JSON object; example:'],
    ['cdk.json', '[{"context": {}}]', 'cdk.json: got [{"context":{}}]; expected a JSON object; example:'],
    ['cdk.json', '"context"', 'cdk.json: got "context"; expected a JSON object; example:'],
    ['cdk.json', '{"context": null}', 'cdk.json: context: got null; expected an object of context keys and values; example:'],
    ['cdk.json', '{"context": ["workspace=acme-corp"]}', 'cdk.json: context: got ["workspace=acme-corp"]; expected an object of context keys and values; example:'],
    ['cdk.json', '{"context": "\\u001b[31m"}', 'cdk.json: context: got "\\u001b[31m"; expected an object'],
    ['cdk.context.json', '{', 'cdk.context.json: not valid JSON'],
    ['cdk.context.json', 'null', 'cdk.context.json: got null; expected a JSON object; example:'],
    ['cdk.context.json', '[]', 'cdk.context.json: got []; expected a JSON object; example:'],
  ])('%s holding %j: one line naming the file, exit 2 (not 1, which means refused)', (file, text, start) => {
    const run = explain(['--claims', '-', ...CONTEXT], JSON.stringify(claims(PRODUCTION)), { [file]: text });
    expect([run.exitCode, run.stdout]).toEqual([2, '']);
    expect(run.stderr.split('\n')).toEqual([expect.stringMatching(/^\S+/), '']);
    expect(run.stderr.startsWith(start)).toBe(true);
    expect(run.stderr).not.toMatch(TERMINAL_CONTROL);
  });

  test('a cdk.json that cannot be read, and a claims file that cannot: both named, both said', () => {
    const run = runExplain(['--claims', 'claims.json', ...CONTEXT], {
      readFile: (path) => (path === 'cdk.context.json' ? { missing: true, reason: 'no such file' } : { missing: false, reason: 'permission denied' }),
      readStdin: () => '',
    });
    expect(run).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: 'cdk.json: cannot read it: permission denied\n--claims: cannot read "claims.json": permission denied; expected a claims file, a token file or - for standard input; example: --claims claims.json\n',
    });
  });

  test('a -c value over two lines is refused: the CDK CLI would keep only its first line', () => {
    const run = explain(['--claims', '-', ...WORKSPACE, '-c', `repositories=${REPO_A}\n${REPO_B}`], JSON.stringify(claims(PRODUCTION)));
    expect([run.exitCode, run.stderr.split('\n').length]).toEqual([2, 2]);
    expect(run.stderr).toMatch(/^-c "repositories": the value holds a line break/);
  });

  test('a context the CDK refuses while building the app (a CDK v1 feature flag): one line, exit 2', () => {
    const run = explain(['--claims', '-', ...CONTEXT, '-c', '@aws-cdk/core:enableStackNameDuplicates=true'], JSON.stringify(claims(PRODUCTION)));
    expect([run.exitCode, run.stdout]).toEqual([2, '']);
    expect(run.stderr).toMatch(/^the stack would not synthesize from this context: "Unsupported feature flag '@aws-cdk\/core:enableStackNameDuplicates'.*\n$/);
  });

  test('a StackSet whose member template is over CloudFormation limit: the synth error, one line, exit 2', () => {
    const roles = Array.from({ length: 20 }, (_, role) => ({
      id: `Team${role}`,
      repositories: Array.from({ length: 10 }, (_, repo) => `{${(role * 100 + repo).toString(16).padStart(8, '0')}-1111-4222-8333-444444444444}`),
    }));
    const stackSet = ['-c', 'stackSetOrganizationalUnits=ou-ab12-34cd56ef', '-c', 'stackSetRegion=eu-west-1'];
    const run = explain(['--claims', '-', ...WORKSPACE, '-c', `roles=${JSON.stringify(roles)}`, ...stackSet], JSON.stringify(claims(PRODUCTION)));
    expect([run.exitCode, run.stdout]).toEqual([2, '']);
    expect(run.stderr).toMatch(/^roles: 20 roles make a member template of \d+ bytes, over CloudFormation's 51200 for a StackSet's template.*\n$/);
  });
});

describe('which template and which account', () => {
  test('a StackSet rollout: the roles of the member template the StackSet carries', () => {
    const stackSet = ['-c', 'stackSetOrganizationalUnits=ou-ab12-34cd56ef', '-c', 'stackSetRegion=eu-west-1', '-c', 'account=111122223333'];
    const admitted = explain(['--claims', '-', ...CONTEXT, ...stackSet], JSON.stringify(claims(PRODUCTION)));
    expect(admitted.exitCode).toBe(0);
    expect(admitted.stdout).toContain("Roles: as the StackSet's template gives them to every member account");
    expect(titles(admitted.stdout)).toEqual([expect.stringMatching(/^RoleArn \(PipelineRole\w+\): ADMITTED$/)]);
    expect(explain(['--claims', '-', ...CONTEXT, ...stackSet], JSON.stringify(claims(`${REPO_A}:${ENV_STAGING}:${STEP}`))).exitCode).toBe(1);
  });

  test("an imported provider is in its own account: without account=, the token's issuer is named there too, and a note says its audiences are not seen", () => {
    const providerArn = `providerArn=arn:aws:iam::111122223333:oidc-provider/${ISSUER.slice(8)}`;
    const run = explain(['--claims', '-', ...CONTEXT, '-c', providerArn], JSON.stringify(claims(PRODUCTION)));
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`  note the provider is not in this template (providerArn): STS also requires the token's audience "${AUDIENCE}" among its audiences`);
    // Pinned to another account than its provider's, the role could admit no token: the context is refused, as cdk synth refuses it.
    const elsewhere = explain(['--claims', '-', ...CONTEXT, '-c', providerArn, '-c', 'account=444455556666'], JSON.stringify(claims(PRODUCTION)));
    expect([elsewhere.exitCode, elsewhere.stdout]).toEqual([2, '']);
    expect(elsewhere.stderr).toContain('expected a provider of workspace "acme-corp", account "444455556666" (pinned by account), not of account "111122223333"');
  });

  test("a token from another workspace: no provider of the template is for its issuer, and that check fails", () => {
    const other = 'https://api.bitbucket.org/2.0/workspaces/rival-corp/pipelines-config/identity/oidc';
    const run = explain(['--claims', '-', ...CONTEXT], JSON.stringify(claims(PRODUCTION, { iss: other })));
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`  FAIL no provider of this template is for the token's issuer "${other}" (it has "${ISSUER}"): STS finds no provider for it`);
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
    ['nothing (an empty file or standard input)', ' \n', ['claims: the input is empty; expected a JSON object of claims or a token']],
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
