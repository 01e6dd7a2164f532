import { parseOidcConfig } from '../../lib/config/parse-oidc-config';

const AUDIENCE = 'ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';
const REPO_A = '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}';
const REPO_B = '{0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a}';
const ENV_PROD = '{c0ffee00-1234-4abc-8def-0123456789ab}';
const BASE = { workspace: 'acme-corp', audience: AUDIENCE, repositories: REPO_A };

function config(context: Record<string, unknown>) {
  const result = parseOidcConfig(context);
  if (!result.ok) throw new Error(`expected a valid configuration, got:\n${result.problems.join('\n')}`);
  return result.value;
}

function problems(context: Record<string, unknown>): readonly string[] {
  const result = parseOidcConfig(context);
  if (result.ok) throw new Error('expected problems, got a valid configuration');
  return result.problems;
}

describe('valid context is normalised', () => {
  test('the minimal command line gives one role with the secure defaults', () => {
    expect(config(BASE)).toEqual({
      workspace: 'acme-corp',
      audience: AUDIENCE,
      providerArn: undefined,
      cdkQualifier: 'hnb659fds',
      stackName: 'BitbucketOidc-acme-corp',
      account: undefined,
      region: undefined,
      trustPolicySizeQuota: 2048,
      managedPoliciesQuota: 10,
      roles: [
        {
          id: undefined,
          repositories: [REPO_A],
          environments: [],
          policies: [],
          sessionDurationSeconds: 3600,
          roleName: undefined,
          permissionsBoundary: undefined,
          allowedIpRanges: [],
          cdkAccess: 'deploy',
        },
      ],
    });
  });

  test.each([
    ['the full audience', AUDIENCE],
    ['the bare UUID', '8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c'],
    ['the UUID in braces, upper case', '{8A9B5C3E-1F2D-4E6A-9B7C-0D1E2F3A4B5C}'],
    ['the full audience with braces', 'ari:cloud:bitbucket::workspace/{8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c}'],
    ['surrounding spaces', `  ${AUDIENCE} `],
  ])('audience given as %s', (_label, audience) => {
    expect(config({ ...BASE, audience }).audience).toBe(AUDIENCE);
  });

  test.each([
    ['one UUID without braces, upper case', '3F1C2B4A-5D6E-4F70-8192-A3B4C5D6E7F8', [REPO_A]],
    ['comma-separated with spaces', `${REPO_A}, 0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a`, [REPO_A, REPO_B]],
    ['a JSON array string from the command line', `["${REPO_A}","${REPO_B}"]`, [REPO_A, REPO_B]],
    ['a native array from cdk.json', [REPO_A, '{0F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A}'], [REPO_A, REPO_B]],
    ['* for the whole workspace', '*', '*'],
  ])('repositories as %s', (_label, repositories, expected) => {
    expect(config({ ...BASE, repositories }).roles[0].repositories).toEqual(expected);
  });

  test('environments are normalised like repositories', () => {
    expect(config({ ...BASE, environments: 'C0FFEE00-1234-4ABC-8DEF-0123456789AB' }).roles[0].environments).toEqual([ENV_PROD]);
  });

  test.each([
    ['1h', 3600],
    ['12h', 43200],
    ['90m', 5400],
    ['2h30m', 9000],
    ['PT2H', 7200],
    ['pt1h30m', 5400],
    ['3600s', 3600],
  ])('sessionDuration %s is %i seconds', (sessionDuration, seconds) => {
    expect(config({ ...BASE, sessionDuration }).roles[0].sessionDurationSeconds).toBe(seconds);
  });

  test('policies: AWS managed names, AWS managed ARNs in any partition, customer managed ARNs', () => {
    const policies = 'ReadOnlyAccess,job-function/ViewOnlyAccess,arn:aws-cn:iam::aws:policy/AWSCloudFormationReadOnlyAccess,arn:aws:iam::123456789012:policy/team/DeployApp';
    expect(config({ ...BASE, policies }).roles[0].policies).toEqual([
      { awsManagedName: 'ReadOnlyAccess' },
      { awsManagedName: 'job-function/ViewOnlyAccess' },
      { awsManagedName: 'AWSCloudFormationReadOnlyAccess' },
      { arn: 'arn:aws:iam::123456789012:policy/team/DeployApp' },
    ]);
  });

  test.each([
    ['false', false],
    ['none', false],
    [false, false],
    ['myqual', 'myqual'],
  ])('cdkQualifier %p', (cdkQualifier, expected) => {
    expect(config({ ...BASE, cdkQualifier }).cdkQualifier).toBe(expected);
  });

  test.each([
    [{}, 'deploy'],
    [{ cdkAccess: 'lookup' }, 'lookup'],
    [{ cdkAccess: ' NONE ' }, 'none'],
    [{ cdkQualifier: 'none' }, 'none'],
    [{ cdkQualifier: false, cdkAccess: 'none' }, 'none'],
  ])('cdkAccess with %p is %s', (override, expected) => {
    expect(config({ ...BASE, ...override }).roles[0].cdkAccess).toBe(expected);
  });

  test('providerArn of the same workspace, role name, account and region', () => {
    const providerArn = 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
    const parsed = config({ ...BASE, providerArn, roleName: 'bitbucket-deploy', account: '123456789012', region: 'eu-west-1' });
    expect([parsed.providerArn, parsed.roles[0].roleName, parsed.account, parsed.region]).toEqual([
      providerArn,
      'bitbucket-deploy',
      '123456789012',
      'eu-west-1',
    ]);
  });

  test('allowedIpRanges: IPv4 and IPv6 CIDRs and single addresses; permissionsBoundary like a policy', () => {
    const [role] = config({ ...BASE, allowedIpRanges: '203.0.113.0/25, 198.51.100.7,2001:db8::/32', permissionsBoundary: 'arn:aws:iam::123456789012:policy/Boundary' }).roles;
    expect(role.allowedIpRanges).toEqual(['203.0.113.0/25', '198.51.100.7', '2001:db8::/32']);
    expect(role.permissionsBoundary).toEqual({ arn: 'arn:aws:iam::123456789012:policy/Boundary' });
    expect(config({ ...BASE, permissionsBoundary: 'PowerUserAccess' }).roles[0].permissionsBoundary).toEqual({ awsManagedName: 'PowerUserAccess' });
  });

  test('underscores in the workspace become dashes in the stack name', () => {
    expect(config({ ...BASE, workspace: 'acme_corp' }).stackName).toBe('BitbucketOidc-acme-corp');
  });

  test('CDK feature flags and other context keys are ignored', () => {
    expect(config({ ...BASE, '@aws-cdk/core:newStyleStackSynthesis': true, 'aws:cdk:enable-path-metadata': true }).workspace).toBe('acme-corp');
  });
});

describe('bad context is refused with one line per problem', () => {
  test('every missing required key is reported at once', () => {
    expect(problems({})).toEqual([
      'workspace: missing; expected the workspace ID (slug) from bitbucket.org/<workspace>: lowercase letters, digits, - and _, at most 100 characters; example: workspace=acme-corp',
      'audience: missing; expected ari:cloud:bitbucket::workspace/<workspace UUID>, or the bare workspace UUID; example: audience=ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c. Copy it from Repository settings > Pipelines > OpenID Connect > Audience',
      'repositories: missing; expected a comma-separated list or a JSON array of strings; example: repositories={8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c},{0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a} (or repositories=* to trust every repository of the workspace)',
    ]);
  });

  test.each([
    ['a workspace URL', { workspace: 'https://bitbucket.org/acme-corp/' }, 'workspace: got "https://bitbucket.org/acme-corp/"', 'did you mean "acme-corp"?'],
    ['the issuer URL', { workspace: 'https://api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc' }, 'workspace: got', 'did you mean "acme-corp"?'],
    ['a workspace UUID', { workspace: '{8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c}' }, 'workspace: got "{8a9b5c3e', 'The workspace UUID belongs in audience'],
    ['an upper-case slug', { workspace: 'Acme' }, 'workspace: got "Acme"', 'did you mean "acme"?'],
    ['a malformed audience', { audience: 'ari:cloud:bitbucket::workspace/acme-corp' }, 'audience: got "ari:cloud:bitbucket::workspace/acme-corp"; expected ari:cloud:bitbucket::workspace/<workspace UUID>', 'Audience'],
    ['unbalanced braces', { audience: '{8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c' }, 'audience: got "{8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c"', 'example: audience='],
    ['a repository slug', { repositories: 'my-service' }, 'repositories: got "my-service"; expected a repository UUID (braces optional)', 'A repository name or slug is not in the token'],
    ['* mixed with UUIDs', { repositories: `*,${REPO_A}` }, 'repositories: got', '* alone (every repository) or a list of repository UUIDs, not both'],
    ['an empty list', { repositories: '' }, 'repositories: got ""; expected at least one entry', 'example: repositories='],
    ['an empty JSON array', { repositories: [] }, 'repositories: got []; expected at least one entry', 'example: repositories='],
    ['a stray comma', { repositories: `${REPO_A},` }, 'repositories: got', 'no empty entries'],
    ['a number instead of a list', { repositories: 42 }, 'repositories: got 42; expected a comma-separated list or a JSON array of strings', 'example:'],
    ['an environment slug', { environments: 'production' }, 'environments: got "production"; expected a deployment environment UUID', 'not in the token'],
    ['an empty environments list', { environments: '' }, 'environments: got ""; expected at least one entry', 'example:'],
    ['an unknown AWS managed path', { policies: 'team/DeployApp' }, 'policies: got "team/DeployApp"', 'give a customer managed policy by its full ARN'],
    ['a malformed policy ARN', { policies: 'arn:aws:iam:123456789012:policy/DeployApp' }, 'policies: got "arn:aws:iam:123456789012:policy/DeployApp"; expected a policy ARN', 'example:'],
    ['a policy name with spaces', { policies: 'Read Only' }, 'policies: got "Read Only"; expected an AWS managed policy name', 'example:'],
    ['a bare number of seconds', { sessionDuration: '3600' }, 'sessionDuration: got "3600"', 'A bare number has no unit'],
    ['a native number', { sessionDuration: 7200 }, 'sessionDuration: got 7200', 'A bare number has no unit'],
    ['too short a session', { sessionDuration: '30m' }, 'sessionDuration: got "30m"; expected a duration from 1h to 12h, in hours, minutes or ISO 8601 (IAM allows 3600 to 43200 seconds; this is 1800)', 'example:'],
    ['too long a session', { sessionDuration: '13h' }, 'sessionDuration: got "13h"', 'this is 46800'],
    ['a word for a session', { sessionDuration: 'two hours' }, 'sessionDuration: got "two hours"', 'example: sessionDuration=2h'],
    ['another workspace\'s provider', { providerArn: 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/other/pipelines-config/identity/oidc' }, 'providerArn: got', 'expected a provider of workspace "acme-corp", not of workspace "other"; example: providerArn=arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/'],
    ['a GitHub provider', { providerArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' }, 'providerArn: got', 'not a Bitbucket Pipelines provider'],
    ['a role ARN as provider', { providerArn: 'arn:aws:iam::123456789012:role/deploy' }, 'providerArn: got "arn:aws:iam::123456789012:role/deploy"; expected the ARN of this workspace\'s IAM OIDC provider', 'IAM console'],
    ['a too-long qualifier', { cdkQualifier: 'muchtoolongqualifier' }, 'cdkQualifier: got "muchtoolongqualifier"', 'example: cdkQualifier=hnb659fds'],
    ['a role name with a slash', { roleName: 'team/deploy' }, 'roleName: got "team/deploy"; expected an IAM role name', 'example:'],
    ['a short account', { account: '1234' }, 'account: got "1234"; expected a 12-digit AWS account ID', 'example:'],
    ['a region name', { region: 'Ireland' }, 'region: got "Ireland"; expected an AWS region code', 'example: region=eu-west-1'],
    ['a CIDR with too long a prefix', { allowedIpRanges: '203.0.113.0/33' }, 'allowedIpRanges: got "203.0.113.0/33"; expected an IPv4 or IPv6 CIDR, or a single address', 'example: allowedIpRanges='],
    ['a host name as range', { allowedIpRanges: 'bitbucket.org' }, 'allowedIpRanges: got "bitbucket.org"', 'CIDR'],
    ['an empty range list', { allowedIpRanges: '' }, 'allowedIpRanges: got ""; expected at least one entry', 'example:'],
    ['a malformed boundary', { permissionsBoundary: 'arn:aws:iam::123:policy/Boundary' }, 'permissionsBoundary: got "arn:aws:iam::123:policy/Boundary"; expected a policy ARN', 'example:'],
    ['a misspelt key', { enviroments: ENV_PROD }, 'enviroments: got', 'expected a key this app reads, here likely environments'],
    ['a singular key', { policy: 'ReadOnlyAccess' }, 'policy: got "ReadOnlyAccess"', 'here likely policies'],
    ['an unknown cdkAccess', { cdkAccess: 'read' }, 'cdkAccess: got "read"; expected deploy (the four bootstrap roles: cdk deploy), lookup (only the lookup role: cdk synth with lookups, cdk diff --method=template) or none', 'example: cdkAccess=lookup'],
    ['cdkAccess that cdkQualifier=none contradicts', { cdkQualifier: 'none', cdkAccess: 'lookup' }, 'cdkAccess: got "lookup"; expected none (or no cdkAccess): cdkQualifier=none leaves every role without CDK bootstrap access', 'example: drop cdkQualifier=none, or cdkAccess=none'],
  ])('%s', (_label, override, start, mentions) => {
    const lines = problems({ ...BASE, ...override });
    expect(lines).toHaveLength(1);
    expect(lines[0].slice(0, start.length)).toBe(start);
    expect(lines[0]).toContain(mentions);
  });

  test.each([
    ['repositories', `${REPO_A},3F1C2B4A-5D6E-4F70-8192-A3B4C5D6E7F8`, 'repositories[1]: got "3F1C2B4A-5D6E-4F70-8192-A3B4C5D6E7F8"; expected each entry once, but it repeats "{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}"'],
    ['environments', `${ENV_PROD},${ENV_PROD}`, 'environments[1]: got "{c0ffee00-1234-4abc-8def-0123456789ab}"; expected each entry once'],
    ['policies', 'ReadOnlyAccess,arn:aws:iam::aws:policy/ReadOnlyAccess', 'policies[1]: got "arn:aws:iam::aws:policy/ReadOnlyAccess"; expected each entry once, but it repeats "ReadOnlyAccess"'],
  ])('duplicate %s after normalisation', (key, value, line) => {
    expect(problems({ ...BASE, [key]: value })[0]).toMatch(new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  test('problems in several keys are all reported, each naming its key', () => {
    const lines = problems({ workspace: 'Acme Corp', audience: 'x', repositories: 'svc', sessionDuration: '99h', policies: 'a b' });
    expect(lines.map((line) => line.split(':')[0])).toEqual(['workspace', 'audience', 'repositories', 'policies', 'sessionDuration']);
  });

  test('long values are cut when shown', () => {
    const [line] = problems({ ...BASE, roleName: 'x'.repeat(500) });
    expect(line.length).toBeLessThan(300);
    expect(line).toContain('…');
  });
});

describe('roles: several roles sharing the provider', () => {
  const ROLES = [
    { id: 'Deploy', repositories: [REPO_A], environments: [ENV_PROD], sessionDuration: '2h' },
    { id: 'ReadOnly', repositories: '*', policies: 'ReadOnlyAccess', roleName: 'bitbucket-readonly', cdkAccess: 'Lookup' },
  ];

  test('native JSON from cdk.json and a JSON string from the command line give the same roles', () => {
    const native = config({ workspace: 'acme-corp', audience: AUDIENCE, roles: ROLES });
    const fromString = config({ workspace: 'acme-corp', audience: AUDIENCE, roles: JSON.stringify(ROLES) });
    expect(fromString).toEqual(native);
    expect(native.roles).toEqual([
      { id: 'Deploy', repositories: [REPO_A], environments: [ENV_PROD], policies: [], sessionDurationSeconds: 7200, roleName: undefined, permissionsBoundary: undefined, allowedIpRanges: [], cdkAccess: 'deploy' },
      { id: 'ReadOnly', repositories: '*', environments: [], policies: [{ awsManagedName: 'ReadOnlyAccess' }], sessionDurationSeconds: 3600, roleName: 'bitbucket-readonly', permissionsBoundary: undefined, allowedIpRanges: [], cdkAccess: 'lookup' },
    ]);
  });

  test('flat role keys and roles together are refused, naming both', () => {
    expect(problems({ ...BASE, roles: ROLES })).toEqual([
      expect.stringMatching(/^roles: got \[.*; expected either roles or the flat role keys, not both \(also given: repositories\)/),
    ]);
  });

  test('errors name the role and the key', () => {
    const lines = problems({
      workspace: 'acme-corp',
      audience: AUDIENCE,
      roles: [
        { id: 'Deploy', repositories: 'my-service' },
        { id: 'deploy', repositories: [REPO_B] },
        { id: 'Read-Only', repositories: [REPO_B], sessionDuration: '30m', enviroments: ENV_PROD },
        'Admin',
      ],
    });
    expect(lines.map((line) => line.split(': ')[0])).toEqual([
      'roles[0].repositories',
      'roles[1].id',
      'roles[2].enviroments',
      'roles[2].id',
      'roles[2].sessionDuration',
      'roles[3]',
    ]);
    expect(lines[1]).toContain('a unique id; roles[0] has it already');
    expect(lines[5]).toContain('expected an object with the role keys (and an id, except for the original role)');
  });

  test('an entry without id is the original role; at most one entry may leave id out', () => {
    const roles = config({ workspace: 'acme-corp', audience: AUDIENCE, roles: [{ id: 'Deploy', repositories: [REPO_B] }, { repositories: [REPO_A] }] }).roles;
    expect(roles.map((role) => [role.id, role.repositories])).toEqual([
      ['Deploy', [REPO_B]],
      [undefined, [REPO_A]],
    ]);
  });

  test('bad ids are refused, each on its own line, all at once', () => {
    const lines = problems({
      workspace: 'acme-corp',
      audience: AUDIENCE,
      roles: [
        { repositories: [REPO_A] },
        { id: 'Preview', repositories: [REPO_B] },
        { repositories: [REPO_B] },
        { id: '', repositories: [REPO_B] },
        { id: 'PREVIEW', repositories: [REPO_A] },
        { id: 7, repositories: [REPO_A] },
        { id: 'Team-A', repositories: [REPO_A] },
      ],
    });
    expect(lines).toEqual([
      'roles[2].id: missing; expected an id: only one entry may leave it out (the original role, roles[0] here); example: "id":"Deploy"',
      'roles[3].id: got ""; expected a non-empty id: an empty one would name the output RoleArn, which belongs to the original role; leave id out for the original role; example: "id":"Deploy"',
      'roles[4].id: got "PREVIEW"; expected a unique id; roles[1] has it already (ids are compared without case, so outputs never differ by case alone); example: "id":"DeployStaging"',
      'roles[5].id: got 7; expected a role id: a letter, then up to 39 letters or digits (it names the output <id>RoleArn); example: "id":"Deploy"',
      'roles[6].id: got "Team-A"; expected a role id: a letter, then up to 39 letters or digits (it names the output <id>RoleArn); example: "id":"Deploy"',
    ]);
  });

  test('limits in a roles list name the entry, the original one too', () => {
    const many = Array.from({ length: 36 }, (_, n) => `{${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000}`);
    const lines = problems({ workspace: 'acme-corp', audience: AUDIENCE, roles: [{ id: 'Deploy', repositories: [REPO_A] }, { repositories: many }] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^roles\[1\]: the trust policy would be 2073 characters/);
  });

  test.each([
    ['not JSON', '[{id:Deploy}]', 'roles: got "[{id:Deploy}]"; expected a JSON array of roles'],
    ['an empty list', [], 'roles: got []; expected a non-empty JSON array of roles'],
  ])('roles as %s is refused', (_label, roles, start) => {
    const [line] = problems({ workspace: 'acme-corp', audience: AUDIENCE, roles });
    expect(line.slice(0, start.length)).toBe(start);
  });
});

describe("IAM's limits, checked at synth", () => {
  const uuid = (n: number) => `{${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000}`;
  const repositories = (count: number) => Array.from({ length: count }, (_, n) => uuid(n));

  // 525 characters around the patterns (provider ARN in aws-us-gov), and each "{uuid}:*" adds 43 with its quotes
  // and comma: 35 repositories make 2030 characters, 36 make 2073.
  test('a trust policy just under the default quota is accepted', () => {
    expect(config({ ...BASE, repositories: repositories(35) }).roles[0].repositories).toHaveLength(35);
  });

  test('just over: refused with the size, the limit and how to split', () => {
    const [line] = problems({ ...BASE, repositories: repositories(36) });
    expect(line).toBe(
      "repositories: the trust policy would be 2073 characters (without white space), over IAM's limit of 2048: 36 repositories x 1 environments make 36 sub patterns of about 43 characters each; split it with roles (about 35 patterns per role), or raise the quota in Service Quotas and declare it with trustPolicySizeQuota=4096; example: roles=[{\"repositories\":[...]},{\"id\":\"TeamB\",\"repositories\":[...]}]",
    );
  });

  test('a declared raised quota accepts it; repositories x environments count', () => {
    expect(config({ ...BASE, repositories: repositories(36), trustPolicySizeQuota: '4096' }).trustPolicySizeQuota).toBe(4096);
    const [line] = problems({ ...BASE, repositories: repositories(10), environments: repositories(8).map((e) => e.replace('{0', '{e')), trustPolicySizeQuota: 4096 });
    expect(line).toMatch(/^repositories: the trust policy would be \d+ characters .* over IAM's limit of 4096: 10 repositories x 8 environments make 80 sub patterns/);
  });

  test.each([
    ['trustPolicySizeQuota', '1024', 'trustPolicySizeQuota: got "1024"; expected the quota your account has: 2048 (IAM\'s default) up to 4096'],
    ['managedPoliciesQuota', 25, 'managedPoliciesQuota: got 25; expected the quota your account has: 10 (IAM\'s default) up to 20'],
  ])('%s out of range is refused', (key, value, start) => {
    const [line] = problems({ ...BASE, [key]: value });
    expect(line.slice(0, start.length)).toBe(start);
  });

  test("more than IAM's hard limit of 20 managed policies is refused", () => {
    const policies = Array.from({ length: 21 }, (_, n) => `arn:aws:iam::123456789012:policy/P${n}`);
    expect(problems({ ...BASE, policies })).toEqual([
      "policies: 21 managed policies, over IAM's hard limit of 20 per role; combine them into fewer customer managed policies",
    ]);
  });
});

describe('refused at synth what IAM would refuse at deploy', () => {
  test.each([['true'], [true], ['TRUE'], ['None'], ['yes']])('cdkQualifier=%p is no qualifier', (cdkQualifier) => {
    expect(problems({ ...BASE, cdkQualifier })).toEqual([
      `cdkQualifier: got ${JSON.stringify(cdkQualifier)}; expected the qualifier of \`cdk bootstrap\` (1 to 10 letters, digits, - or _), or false/none to leave out CDK access; example: cdkQualifier=hnb659fds (the default), or cdkQualifier=none. Leave cdkQualifier out for the default qualifier; write exactly false or none to turn CDK access off`,
    ]);
  });

  const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
  test('providerArn in the account and partition the stack is pinned to is accepted; unpinned, any account is', () => {
    expect(config({ ...BASE, providerArn: PROVIDER, account: '123456789012', region: 'eu-west-1' }).providerArn).toBe(PROVIDER);
    expect(config({ ...BASE, providerArn: PROVIDER }).providerArn).toBe(PROVIDER);
    expect(config({ ...BASE, providerArn: PROVIDER, region: 'xx-moon-1' }).providerArn).toBe(PROVIDER);
  });

  test.each([
    ['another account', { account: '111122223333' }, 'expected a provider of workspace "acme-corp", account "111122223333" (pinned by account), not of account "123456789012"; example: providerArn=arn:aws:iam::111122223333:oidc-provider/'],
    ['another partition', { region: 'cn-north-1' }, 'expected a provider of workspace "acme-corp", partition "aws-cn" (of region), not of partition "aws"; example: providerArn=arn:aws-cn:iam::123456789012:oidc-provider/'],
    [
      'another workspace, account and partition at once',
      { workspace: 'globex', account: '111122223333', region: 'cn-north-1' },
      'expected a provider of workspace "globex", account "111122223333" (pinned by account), partition "aws-cn" (of region), not of workspace "acme-corp", account "123456789012", partition "aws"; example: providerArn=arn:aws-cn:iam::111122223333:oidc-provider/api.bitbucket.org/2.0/workspaces/globex/',
    ],
  ])('providerArn of %s is refused, every difference on its one line', (_label, place, text) => {
    expect(problems({ ...BASE, providerArn: PROVIDER, ...place })).toEqual([expect.stringContaining(`providerArn: got "${PROVIDER}"; ${text}`)]);
  });

  test('two entries with the same roleName, compared without case as IAM does', () => {
    const lines = problems({
      workspace: 'acme-corp',
      audience: AUDIENCE,
      roles: [
        { id: 'Deploy', repositories: [REPO_A], roleName: 'bitbucket-deploy' },
        { id: 'Preview', repositories: [REPO_A], roleName: 'bitbucket-preview' },
        { id: 'Other', repositories: [REPO_B], roleName: 'Bitbucket-Deploy' },
      ],
    });
    expect(lines).toEqual([
      'roles[2].roleName: got "Bitbucket-Deploy"; expected a role name no other entry has; roles[0] has it already, and IAM compares role names without case; example: a name of its own, or no roleName (CloudFormation then names the role)',
    ]);
  });

  test('more managed policies than the declared quota: IAM would refuse the attachment', () => {
    const policies = (count: number) => Array.from({ length: count }, (_, n) => `arn:aws:iam::123456789012:policy/P${n}`);
    expect(config({ ...BASE, policies: policies(10) }).roles[0].policies).toHaveLength(10);
    expect(problems({ ...BASE, policies: policies(11) })).toEqual([
      'policies: 11 managed policies, over the quota of 10 per role that IAM would refuse the attachment with; combine them into fewer customer managed policies, or raise the quota in Service Quotas (up to 20) and declare it with managedPoliciesQuota=<the raised quota>',
    ]);
    expect(config({ ...BASE, policies: policies(11), managedPoliciesQuota: 11 }).roles[0].policies).toHaveLength(11);
    expect(problems({ ...BASE, policies: policies(12), managedPoliciesQuota: 11 })[0]).toMatch(/^policies: 12 managed policies, over the quota of 11 per role/);
  });
});

describe('thumbprints: the created provider\'s server certificate thumbprints', () => {
  const UPPER = 'A031C46782E6E6C662C2C87C76DA9AA62CCABD8E';
  const OTHER = '6938fd4d98bab03faadb97b34396831e3780aea1';
  const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';

  test('left out: undefined, so IAM keeps the thumbprint it fetches itself', () => {
    expect(config(BASE).thumbprints).toBeUndefined();
  });

  test.each([
    ['comma-separated', `${UPPER},${OTHER}`],
    ['a JSON array on the command line', JSON.stringify([UPPER, OTHER])],
    ['native JSON from cdk.json', [UPPER, ` ${OTHER} `]],
  ])('%s: lower-cased, in the order given', (_label, thumbprints) => {
    expect(config({ ...BASE, thumbprints }).thumbprints).toEqual([UPPER.toLowerCase(), OTHER]);
  });

  test('five, as many as IAM keeps, are accepted', () => {
    const five = Array.from({ length: 5 }, (_, n) => String(n).repeat(40));
    expect(config({ ...BASE, thumbprints: five }).thumbprints).toEqual(five);
  });

  test.each([
    ['an empty native list', [], 'thumbprints: got []; expected at least one thumbprint: an empty list would set an empty ThumbprintList; example: thumbprints=', 'Leave thumbprints out and IAM fetches the thumbprint itself'],
    ['an empty string', '', 'thumbprints: got ""; expected at least one thumbprint', 'Leave thumbprints out'],
    ['an empty JSON array on the command line', '[ ]', 'thumbprints: got "[ ]"; expected at least one thumbprint', 'Leave thumbprints out'],
    ['six', Array.from({ length: 6 }, (_, n) => String(n).repeat(40)), 'thumbprints: got ["0000', 'expected at most 5 thumbprints, as IAM keeps per provider (this list has 6)'],
    ['one character short', UPPER.slice(1), `thumbprints: got "${UPPER.slice(1)}"; expected a thumbprint: the hex SHA-1 fingerprint of the certificate, 40 characters 0-9 and a-f`, 'example: thumbprints=0123456789abcdef0123456789abcdef01234567'],
    ['not hex', `${UPPER.slice(1)}g`, 'thumbprints: got', '40 characters 0-9 and a-f'],
    ['with the colons openssl prints', UPPER.match(/../g)?.join(':') ?? '', 'thumbprints: got "A0:31:', 'Drop the colons openssl prints between the bytes'],
    ['a SHA-256 fingerprint', 'ab'.repeat(32), 'thumbprints: got "abab', 'That is a SHA-256 fingerprint; IAM takes the SHA-1 one (openssl x509 -fingerprint -sha1)'],
    ['a number', 42, 'thumbprints: got 42; expected a comma-separated list or a JSON array of strings', 'example: thumbprints='],
  ])('%s is refused', (_label, thumbprints, start, mentions) => {
    const lines = problems({ ...BASE, thumbprints });
    expect(lines).toHaveLength(1);
    expect(lines[0].slice(0, start.length)).toBe(start);
    expect(lines[0]).toContain(mentions);
  });

  test('the same thumbprint twice, compared without case, is refused on the repeat', () => {
    expect(problems({ ...BASE, thumbprints: [UPPER, OTHER, UPPER.toLowerCase()] })).toEqual([
      `thumbprints[2]: got "${UPPER.toLowerCase()}"; expected each entry once, but it repeats "${UPPER}"; example: remove one of the two`,
    ]);
  });

  test('with providerArn: refused, since the stack does not manage an adopted provider; a bad entry is its own line beside it', () => {
    const adopted = 'thumbprints: got "a031c46782e6e6c662c2c87c76da9aa62ccabd8e"; expected no thumbprints with providerArn: the stack does not manage a provider it adopts, so they would change nothing; example: drop thumbprints';
    const [alone] = problems({ ...BASE, providerArn: PROVIDER, thumbprints: UPPER.toLowerCase() });
    expect(alone.slice(0, adopted.length)).toBe(adopted);
    const lines = problems({ ...BASE, providerArn: PROVIDER, thumbprints: [OTHER, 'xyz'] });
    expect(lines.map((line) => line.split(': got')[0])).toEqual(['thumbprints', 'thumbprints[1]']);
  });

  test('in a roles entry it is a stack key, said to belong beside roles', () => {
    expect(problems({ ...BASE, repositories: undefined, roles: [{ repositories: [REPO_A], thumbprints: [OTHER] }] })).toEqual([
      expect.stringMatching(/^roles\[0\]\.thumbprints: got \["6938fd4d98bab03faadb97b34396831e3780aea1"\]; expected a key that belongs here; thumbprints applies to the whole stack/),
    ]);
  });
});

describe('every problem at once', () => {
  const uuid = (n: number) => `{${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000}`;
  const many = Array.from({ length: 120 }, (_, n) => uuid(n));
  const policies = Array.from({ length: 21 }, (_, n) => `arn:aws:iam::123456789012:policy/P${n}`);

  test('a bad duration, 120 repositories and 21 policies: the size checks report beside the duration', () => {
    const lines = problems({ ...BASE, repositories: many, policies, sessionDuration: '5m' });
    expect(lines.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual(['sessionDuration: got "5m";', 'repositories: the trust', 'policies: 21 managed']);
  });

  test('the same in a roles entry, beside a bad workspace elsewhere; an invalid quota checks against the most IAM allows', () => {
    const lines = problems({ workspace: 'acme-corp', audience: 'x', trustPolicySizeQuota: 'lots', roles: [{ id: 'Deploy', repositories: many, policies, sessionDuration: '5m' }] });
    expect(lines.map((line) => line.split(': ')[0])).toEqual(['audience', 'roles[0].sessionDuration', 'roles[0]', 'roles[0].policies', 'trustPolicySizeQuota']);
    expect(lines[2]).toMatch(/over IAM's limit of 4096/);
  });

  test('roles given with flat keys: the conflict, the flat keys\' own problems and the entries\' problems', () => {
    const lines = problems({ ...BASE, sessionDuration: '5m', roles: [{ id: 'Deploy', repositories: 'my-service' }] });
    expect(lines.map((line) => line.split(': ')[0])).toEqual(['roles', 'sessionDuration', 'roles[0].repositories']);
    expect(lines[0]).toContain('also given: repositories, sessionDuration');
  });

  test('every StackSet key without the rollout is its own line', () => {
    expect(problems({ ...BASE, stackSetRegion: 'eu-west-1', stackSetCallAs: 'SELF' }).map((line) => line.split(': ')[0])).toEqual(['stackSetRegion', 'stackSetCallAs']);
  });
});

describe('one clear, short line each', () => {
  test('a 10,000-character value is cut, and a hint suggests only what would itself be valid', () => {
    const lines = problems({ ...BASE, workspace: `https://bitbucket.org/${'a'.repeat(10_000)}`, roleName: 'r'.repeat(10_000) });
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.length).toBeLessThan(400);
    expect(lines[0]).toContain('… (10024 characters); expected the workspace ID');
    expect(lines[0]).not.toContain('did you mean');
    const [longest] = problems({ ...BASE, workspace: `https://bitbucket.org/${'a'.repeat(100)}/` });
    expect(longest).toMatch(/did you mean "a{100}"\?$/);
  });

  test.each([
    ['roles, the first line of a pretty-printed file', { repositories: undefined, roles: '[' }, 'roles: got "["; expected a JSON array of roles'],
    ['roles cut inside an entry', { repositories: undefined, roles: '[{"id":"Deploy",' }, 'roles: got "[{\\"id\\":\\"Deploy\\","; expected a JSON array of roles'],
    ['a list cut after its first item', { repositories: `["${REPO_A}",` }, 'repositories: got'],
  ])('a -c value that opens JSON and never closes it: %s', (_label, override, start) => {
    const [line] = problems({ ...BASE, ...override });
    expect(line.slice(0, start.length)).toBe(start);
    expect(line).toMatch(/The CDK CLI keeps only the first line of a -c value: put (roles|repositories) in cdk.json's context, or pass it on one line \(-c "(roles|repositories)=\$\(jq -c \. (roles|repositories)\.json\)"\)$/);
  });

  test('JSON that is closed but wrong is not blamed on the CLI', () => {
    const [line] = problems({ ...BASE, repositories: undefined, roles: '[{id:Deploy}]' });
    expect(line).not.toContain('first line');
  });
});

describe('stackSuffix: a further stack of the workspace, for roles beyond one stack', () => {
  const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';

  test('names the stack BitbucketOidc-<slug>-<suffix> and imports the provider', () => {
    expect(config({ ...BASE, stackSuffix: 'Part2', providerArn: PROVIDER }).stackName).toBe('BitbucketOidc-acme-corp-Part2');
  });

  test.each([
    ['lowercase, which could be another workspace\'s stack', { stackSuffix: 'part2', providerArn: PROVIDER }, 'stackSuffix: got "part2"; expected a capital letter'],
    ['without providerArn: it would create the provider a second time', { stackSuffix: 'Part2' }, 'stackSuffix: got "Part2"; expected providerArn as well'],
    ['with a StackSet', { stackSuffix: 'Part2', stackSetOrganizationalUnits: 'ou-ab12-34cd56ef', stackSetRegion: 'eu-west-1' }, 'stackSuffix: got "Part2"; expected no stackSuffix with a StackSet'],
    ['past 128 characters of stack name', { workspace: 'w'.repeat(100), stackSuffix: 'P'.repeat(20), providerArn: PROVIDER.replace('acme-corp', 'w'.repeat(100)) }, 'stackSuffix: got "PPPPPPPPPPPPPPPPPPPP"; expected a suffix short enough for CloudFormation\'s 128 characters of a stack name (this would be 135)'],
  ])('refused %s', (_label, override, start) => {
    const lines = problems({ ...BASE, ...override });
    expect(lines.filter((line) => line.startsWith('stackSuffix'))).toEqual([expect.stringMatching(`^${start.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)]);
  });
});
