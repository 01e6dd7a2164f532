import { explainAccess } from '../../lib/explain/explain-access';
import { AUDIENCE, BASE_CONTEXT, ENV_PROD, ENV_STAGING, REPO_A, REPO_B, templateFromContext } from '../support/synth';

/**
 * Which Bitbucket tokens each configuration's synthesized trust policy admits, decided
 * as IAM would (the provider reference resolved to its ARN in a concrete account).
 */
const ACCOUNT = '111122223333';
const ISSUER = 'https://api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const OTHER_ISSUER = 'https://api.bitbucket.org/2.0/workspaces/rival-corp/pipelines-config/identity/oidc';
const OTHER_AUDIENCE = 'ari:cloud:bitbucket::workspace/00000000-1111-4222-8333-444444444444';
const STEP = '{5e3c1a9b-7d2f-4e8a-9c6b-1a2b3c4d5e6f}';
const REPO_C = '{77777777-8888-4999-8aaa-bbbbbbbbbbbb}';
const ENV_OTHER = '{dddddddd-eeee-4fff-8000-111111111111}';

interface Token {
  readonly iss?: string;
  readonly aud?: string;
  readonly sub: string;
  readonly sourceIp?: string;
}

const templates = new Map<string, ReturnType<ReturnType<typeof templateFromContext>['toJSON']>>();

function admitted(context: Record<string, unknown>, token: Token): boolean {
  const key = JSON.stringify(context);
  if (!templates.has(key)) templates.set(key, templateFromContext({ ...BASE_CONTEXT, ...context }).toJSON());
  const verdicts = explainAccess(templates.get(key) as Parameters<typeof explainAccess>[0], {
    claims: { iss: token.iss ?? ISSUER, aud: token.aud ?? AUDIENCE, sub: token.sub },
    sourceIp: token.sourceIp,
    target: { account: ACCOUNT, partition: 'aws', region: 'eu-west-1' },
  });
  expect(verdicts).toHaveLength(1);
  return verdicts[0].admitted;
}

type Case = [string, Token, boolean];

/** Titles say the expected decision: "another repository: refused". */
function named(cases: Case[]): Case[] {
  return cases.map(([label, token, expected]) => [`${label}: ${expected ? 'admitted' : 'refused'}`, token, expected]);
}

describe('one pinned repository', () => {
  const context = { repositories: REPO_A };
  test.each<Case>(named([
    ['the repository, no environment', { sub: `${REPO_A}:${STEP}` }, true],
    ['the repository through an environment', { sub: `${REPO_A}:${ENV_PROD}:${STEP}` }, true],
    ['another repository of the workspace', { sub: `${REPO_B}:${STEP}` }, false],
    ['a repository UUID that only shares a prefix', { sub: `${REPO_A.slice(0, -1)}0}:${STEP}` }, false],
    ['a UUID that extends the pinned one', { sub: `${REPO_A.slice(0, -1)}ff}:${STEP}` }, false],
    ["another workspace's issuer (another provider)", { iss: OTHER_ISSUER, sub: `${REPO_A}:${STEP}` }, false],
    ['the right issuer with another audience', { aud: OTHER_AUDIENCE, sub: `${REPO_A}:${STEP}` }, false],
    ['braces missing in sub', { sub: `${REPO_A.slice(1, -1)}:${STEP}` }, false],
    ['upper case in sub', { sub: `${REPO_A.toUpperCase()}:${STEP}` }, false],
    ['an empty sub', { sub: '' }, false],
    ['the bare repository UUID with nothing after it', { sub: REPO_A }, false],
  ]))('%s', (_label, token, expected) => {
    expect(admitted(context, token)).toBe(expected);
  });
});

describe('a repository pinned to an environment', () => {
  const context = { repositories: REPO_A, environments: ENV_PROD };
  test.each<Case>(named([
    ['through the environment', { sub: `${REPO_A}:${ENV_PROD}:${STEP}` }, true],
    ['through another environment', { sub: `${REPO_A}:${ENV_STAGING}:${STEP}` }, false],
    ['through no environment', { sub: `${REPO_A}:${STEP}` }, false],
    ['a step UUID equal to the environment UUID, no environment', { sub: `${REPO_A}:${ENV_PROD}` }, false],
    ['another repository through the environment', { sub: `${REPO_B}:${ENV_PROD}:${STEP}` }, false],
  ]))('%s', (_label, token, expected) => {
    expect(admitted(context, token)).toBe(expected);
  });
});

describe('the workspace-wide configuration (*)', () => {
  const context = { repositories: '*' };
  test.each<Case>(named([
    ['any repository', { sub: `${REPO_A}:${STEP}` }, true],
    ['another repository', { sub: `${REPO_C}:${ENV_OTHER}:${STEP}` }, true],
    ["another workspace's issuer", { iss: OTHER_ISSUER, sub: `${REPO_A}:${STEP}` }, false],
    ["another workspace's audience", { aud: OTHER_AUDIENCE, sub: `${REPO_A}:${STEP}` }, false],
    ['a sub without a braced repository', { sub: `repo:${STEP}` }, false],
  ]))('%s', (_label, token, expected) => {
    expect(admitted(context, token)).toBe(expected);
  });
});

describe('several repositories and environments: every combination', () => {
  const context = { repositories: `${REPO_A},${REPO_B}`, environments: `${ENV_PROD},${ENV_STAGING}` };
  const repositories = [REPO_A, REPO_B, REPO_C];
  const environments = [ENV_PROD, ENV_STAGING, ENV_OTHER, undefined];
  const cases = repositories.flatMap((repository) =>
    environments.map((environment): Case => [
      `${repository} ${environment ?? 'no environment'}`,
      { sub: environment === undefined ? `${repository}:${STEP}` : `${repository}:${environment}:${STEP}` },
      repository !== REPO_C && (environment === ENV_PROD || environment === ENV_STAGING),
    ]),
  );
  test.each<Case>(named(cases))('%s', (_label, token, expected) => {
    expect(admitted(context, token)).toBe(expected);
  });
});

describe('allowedIpRanges', () => {
  const context = { repositories: REPO_A, allowedIpRanges: '203.0.113.0/25,2001:db8::/32' };
  const sub = `${REPO_A}:${STEP}`;
  test.each<Case>(named([
    ['an address in the IPv4 range', { sub, sourceIp: '203.0.113.9' }, true],
    ['an address in the IPv6 range', { sub, sourceIp: '2001:db8:0:1::7' }, true],
    ['an address outside the ranges', { sub, sourceIp: '203.0.113.200' }, false],
    // Without --source-ip explain errs toward admitting (some address is in range) and says so: explain-access.test.ts.
    ['no source address given', { sub }, true],
    ['no source address given, another repository', { sub: `${REPO_B}:${STEP}` }, false],
    ['the right address with another repository', { sub: `${REPO_B}:${STEP}`, sourceIp: '203.0.113.9' }, false],
  ]))('%s', (_label, token, expected) => {
    expect(admitted(context, token)).toBe(expected);
  });

  test('without allowedIpRanges any source address is admitted', () => {
    expect(admitted({ repositories: REPO_A }, { sub, sourceIp: '198.51.100.1' })).toBe(true);
  });
});

describe('an imported provider (its client IDs are not in the template)', () => {
  const context = { repositories: REPO_A, providerArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER.slice('https://'.length)}` };
  test.each<Case>(named([
    ['the pinned repository', { sub: `${REPO_A}:${STEP}` }, true],
    ['another audience, refused by the trust policy alone', { aud: OTHER_AUDIENCE, sub: `${REPO_A}:${STEP}` }, false],
    ["another workspace's issuer", { iss: OTHER_ISSUER, sub: `${REPO_A}:${STEP}` }, false],
  ]))('%s', (_label, token, expected) => {
    expect(admitted(context, token)).toBe(expected);
  });
});

describe("the provider's client IDs", () => {
  test('a provider that does not list the audience refuses even when the trust policy would admit ("Incorrect token audience")', () => {
    const template = templateFromContext(BASE_CONTEXT).toJSON() as Parameters<typeof explainAccess>[0];
    const provider = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::IAM::OIDCProvider');
    (provider?.Properties as Record<string, unknown>).ClientIdList = [OTHER_AUDIENCE];
    const [verdict] = explainAccess(template, {
      claims: { iss: ISSUER, aud: AUDIENCE, sub: `${REPO_A}:${STEP}` },
      target: { account: ACCOUNT, partition: 'aws', region: 'eu-west-1' },
    });
    expect([verdict.decision.admitted, verdict.facts.find((fact) => fact.kind === 'provider-audience')?.mark, verdict.admitted]).toEqual([true, 'FAIL', false]);
  });
});
