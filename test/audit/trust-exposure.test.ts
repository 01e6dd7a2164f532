/**
 * "Can a step of some repository get in?", decided for every repository, environment and
 * step a Bitbucket `sub` can name, not for probe tokens: trusts that refuse chosen values,
 * wildcards in the repository or environment part, exclusions planted to defeat probes.
 *
 * AWS, IAM User Guide, "Policy evaluation logic": an explicit Deny applies only to requests
 * its conditions match; "Condition operators": StringNotLike holds when the value matches
 * none of the patterns, StringLike's `*` matches any run of characters (colons included).
 * Bitbucket's `sub` is `{repo}:{step}` or `{repo}:{env}:{step}` (facts file).
 */
import { auditRole } from '../../lib/audit/audit-role';
import { trustExposure } from '../../lib/audit/trust-exposure';
import { generator } from '../support/seeded';
import { ADMIN, allow, aud, AUDIENCE, deny, document, ENV, findings, high, listed, mediumOrAbove, PROVIDER, REPO, role, sub } from '../support/audit-roles';

const HEX = '0123456789abcdef';
/** The probe values the audit used before it decided over every value (red-team finding 1 planted exclusions against them). */
const OLD_PROBE_REPOSITORY = '{a0d17000-0000-4000-8000-00000000a001}';
const OLD_PROBE_STEP = '{a0d17000-0000-4000-8000-00000000f001}';
const SHAPE = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}(?::\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}){1,2}$/;

describe('a trust that refuses only some tokens admits every other repository: high any-repository (red-team finding 1)', () => {
  test.each([
    ['a Deny for the old probe repository', document(allow({ StringEquals: aud }), deny({ StringLike: sub(`${OLD_PROBE_REPOSITORY}:*`) }))],
    ['StringNotLike the old probe repository', document(allow({ StringEquals: aud, StringNotLike: sub(`${OLD_PROBE_REPOSITORY}:*`) }))],
    ['StringNotLike the old probe step (a step UUID no real step has)', document(allow({ StringEquals: aud, StringNotLike: sub(`*:${OLD_PROBE_STEP}`) }))],
    ['StringNotLike every repository starting with "a" (15/16 of all repositories still get in)', document(allow({ StringEquals: aud, StringNotLike: sub('{a*') }))],
    ['StringNotLike 15 of the 16 first hex digits (1/16 still gets in)', document(allow({ StringEquals: aud, StringNotLike: sub(...[...HEX.slice(0, 15)].map((digit) => `{${digit}*`)) }))],
    ['one Deny per first hex digit but one', document(allow({ StringEquals: aud }), ...[...HEX.slice(1)].map((digit) => deny({ StringLike: sub(`{${digit}*`) })))],
    ['a Deny for every step whose UUID ends in a given digit, for each digit but one', document(allow({ StringEquals: aud }), ...[...HEX.slice(0, 15)].map((digit) => deny({ StringLike: sub(`*${digit}}`) })))],
  ])('%s', (_label, trust) => {
    const facts = role(trust, { admin: ADMIN });
    expect(high(facts)).toEqual(expect.arrayContaining([
      ['high', 'any-repository'],
      ['high', 'write-from-any-branch'],
    ]));
  });

  test('the example a finding gives is a real sub, of a repository outside the exclusions, that IAM admits', () => {
    const exposure = trustExposure(document(allow({ StringEquals: aud, StringNotLike: sub(...[...HEX.slice(0, 15)].map((digit) => `{${digit}*`)) })), PROVIDER);
    expect(exposure.unnamedRepositories?.share).toBe('about 6% of all repository UUIDs');
    expect(exposure.unnamedRepositories?.example).toMatch(SHAPE);
    expect(exposure.unnamedRepositories?.example.startsWith('{f')).toBe(true);
  });

  test('every exclusion together leaves nobody: no finding', () => {
    const closed = role(document(allow({ StringEquals: aud, StringNotLike: sub(...[...HEX].map((digit) => `{${digit}*`)) })));
    expect(findings(closed)).toEqual([]);
  });
});

describe('a wildcard in the repository part is at least as exposed as the repository pin it widens (red-team finding 5)', () => {
  const pinned = role(document(allow({ StringEquals: aud, StringLike: sub(`${REPO}:*`) })), { admin: ADMIN });

  test('the reference: {REPO}:* with AdministratorAccess is high write-from-any-branch', () => {
    expect(high(pinned)).toEqual([['high', 'write-from-any-branch'], ['high', 'deploys-into-any-trusting-account']]);
  });

  test.each([
    ['a UUID prefix', '{3f1c*}:*'],
    ['the colon forgotten', `${REPO}*`],
    ['one character open', '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f?}:*'],
  ])('%s (%s): any branch of REPO is admin, so high write-from-any-branch', (_label, pattern) => {
    const widened = role(document(allow({ StringEquals: aud, StringLike: sub(pattern) })), { admin: ADMIN });
    expect(high(widened)).toContainEqual(['high', 'write-from-any-branch']);
  });

  test.each([
    ['four hex digits pinned: 1 in 65,536 repositories (medium)', '{3f1c*}:*', [['medium', 'repository-wildcard']]],
    ['three hex digits pinned: 1 in 4,096 (in effect any repository: high)', '{3f1*}:*', [['high', 'any-repository']]],
    ['one character open: 16 UUIDs', '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f?}:*', [['medium', 'repository-wildcard']]],
    ['the colon forgotten admits only REPO', `${REPO}*`, []],
  ])('without permissions, %s', (_label, pattern, expected) => {
    expect(findings(role(document(allow({ StringEquals: aud, StringLike: sub(pattern) })), {}))).toEqual(expected);
  });

  test('the share is said in the finding', () => {
    const [finding] = auditRoleFindings(document(allow({ StringEquals: aud, StringLike: sub('{3f1c*}:*') })));
    expect(finding).toContain('admit about 1 in 65,536 of all repository UUIDs it does not name in full');
  });
});

describe('a wildcard in the environment part pins no environment (red-team finding 2)', () => {
  // Every repository has Bitbucket's default environments (Test, Staging, Production) and deployment permissions
  // need Premium, so any branch can add `deployment: Test` to a step of its own bitbucket-pipelines.yml.
  test.each([
    ['any environment', `${REPO}:*:*`],
    ['any braced environment', `${REPO}:{*}:*`],
    ['an environment UUID prefix', `${REPO}:{c0ffee00*}:*`],
  ])('%s (%s) with AdministratorAccess: a finding of medium or above', (_label, pattern) => {
    const anyEnvironment = role(document(allow({ StringEquals: aud, StringLike: sub(pattern) })), { admin: ADMIN });
    expect(mediumOrAbove(anyEnvironment)).not.toEqual([]);
    expect(high(anyEnvironment)).toEqual([['high', 'write-from-any-branch'], ['high', 'deploys-into-any-trusting-account']]);
  });

  test('the finding says it is an environment the trust does not name, with an example sub', () => {
    const [finding] = auditRoleFindings(document(allow({ StringEquals: aud, StringLike: sub(`${REPO}:*:*`) })), { admin: ADMIN });
    expect(finding).toMatch(new RegExp(`^a step deploying to an environment the trust does not name by full UUID \\(any branch of \\${REPO.slice(0, -1)}\\} can add deployment: Test`));
    const exposure = trustExposure(document(allow({ StringEquals: aud, StringLike: sub(`${REPO}:*:*`) })), PROVIDER);
    expect([exposure.anyBranch?.environment, exposure.anyBranch?.example.startsWith(`${REPO}:{`), exposure.anyBranch?.example.split(':').length]).toEqual(['unnamed', true, 3]);
  });

  test('a named environment, beside another pinned one, is a pin: no trust finding (AdministratorAccess still reaches every account)', () => {
    const other = '{5ca1ab1e-0000-4000-8000-00000000beef}';
    expect(findings(role(document(allow({ StringEquals: aud, StringLike: sub(`${REPO}:${ENV}:*`, `${REPO}:${other}:*`) })), { admin: ADMIN }))).toEqual([['medium', 'deploys-into-any-trusting-account']]);
  });

  test('an environment pin undone by a Deny that leaves other environments: the unpinned ones are found', () => {
    const trust = document(allow({ StringEquals: aud, StringLike: sub(`${REPO}:*:*`) }), deny({ StringNotLike: sub(`${REPO}:${ENV}:*`, `${REPO}:{0*`) }));
    const exposure = trustExposure(trust, PROVIDER);
    expect(exposure.anyBranch?.example).toMatch(new RegExp(`^\\${REPO.slice(0, -1)}\\}:\\{0`));
  });
});

describe('the audience is decided over every value, too', () => {
  const host = PROVIDER.host;
  const several = { ...PROVIDER, clientIds: [AUDIENCE, 'sts.amazonaws.com'] };
  test('no aud check while the provider accepts several audiences: medium, however the trust refuses one stranger audience', () => {
    const refusesOne = document(allow({ StringNotEquals: { [`${host}:aud`]: 'urn:bitbucket-oidc-audit:not-a-client-id' }, StringLike: sub(`${REPO}:${ENV}:*`) }));
    expect(findings(role(refusesOne, {}), several)).toEqual([['medium', 'no-audience-check']]);
    const checks = document(allow({ StringEquals: aud, StringLike: sub(`${REPO}:${ENV}:*`) }));
    expect(findings(role(checks, {}), several)).toEqual([]);
  });

  test("only the provider's client IDs reach the trust: an aud condition on another audience admits no token", () => {
    const other = document(allow({ StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' } }));
    expect(findings(role(other))).toEqual([]);
    expect(findings(role(other), several)).toEqual([
      ['high', 'any-repository'],
      ['high', 'write-from-any-branch'],
      ['high', 'deploys-into-any-trusting-account'],
    ]);
  });

  test('a provider that lists no audience: every audience taken as accepted, and a low finding says so', () => {
    const noClientIds = { ...PROVIDER, clientIds: [] };
    expect(findings(role(document(allow({ StringEquals: aud }))), noClientIds)).toEqual([
      ['low', 'provider-without-audiences'],
      ['high', 'any-repository'],
      ['high', 'write-from-any-branch'],
      ['high', 'deploys-into-any-trusting-account'],
    ]);
    expect(findings(role(document(allow({ StringEquals: aud, StringLike: sub(`${REPO}:${ENV}:*`) }))), noClientIds)).toEqual([['low', 'provider-without-audiences'], ['medium', 'deploys-into-any-trusting-account']]);
  });
});

describe('what cannot be decided is taken toward exposure and said', () => {
  test('sub conditions past the state budget: not decided, so every repository and branch, and said', () => {
    // Each pattern tracks its own place in the sub, so many scattered ones multiply the product's states.
    const scattered = Array.from({ length: 40 }, (_, index) => `*${HEX[index % 16]}${HEX[(index * 7) % 16]}*${HEX[(index * 3) % 16]}?${HEX[(index * 5) % 16]}*`);
    const trust = document(allow({ StringEquals: aud, StringNotLike: sub(...scattered) }));
    const exposure = trustExposure(trust, PROVIDER, 5_000);
    expect([exposure.anyRepository, exposure.anyBranch?.environment, exposure.undecided]).toEqual([true, 'none', expect.stringMatching(/^its sub and aud conditions are too many to decide \(more than 5000 states\)/)]);
  });

  test('a hostile trust of dozens of exclusions is decided within the default budget', () => {
    const exclusions = [...HEX].flatMap((first) => [...HEX.slice(0, 3)].map((second) => `{${first}${second}*`));
    expect(trustExposure(document(allow({ StringEquals: aud, StringNotLike: sub(...exclusions) })), PROVIDER).undecided).toBeUndefined();
  });

  test('the audit turns an undecided trust (past the default budget) into a not-evaluated finding beside the exposure it assumes', () => {
    const scattered = Array.from({ length: 40 }, (_, index) => `*${HEX[index % 16]}${HEX[(index * 7) % 16]}*${HEX[(index * 3) % 16]}?${HEX[(index * 5) % 16]}*`);
    const found = findings(role(document(allow({ StringEquals: aud, StringNotLike: sub(...scattered) }))));
    expect(found).toEqual([
      ['medium', 'not-evaluated'],
      ['high', 'any-repository'],
      ['high', 'write-from-any-branch'],
      ['high', 'deploys-into-any-trusting-account'],
    ]);
  });

  test('a sub condition with a policy variable: an Allow counts as admitting, a Deny as not applying', () => {
    expect(high(role(document(allow({ StringEquals: aud, StringLike: sub('${aws:username}:*') }))))).toEqual([
      ['high', 'any-repository'],
      ['high', 'write-from-any-branch'],
      ['high', 'deploys-into-any-trusting-account'],
    ]);
    expect(high(role(document(allow({ StringEquals: aud }), deny({ StringLike: sub('${aws:username}*') }))))).toEqual([
      ['high', 'any-repository'],
      ['high', 'write-from-any-branch'],
      ['high', 'deploys-into-any-trusting-account'],
    ]);
  });

  test('listed whenever some token could get in', () => {
    expect(listed(role(document(allow({ StringEquals: aud, StringNotLike: sub('{a*') }))))).toBe(true);
  });
});

function auditRoleFindings(trust: unknown, documents: Record<string, unknown> = {}): string[] {
  return auditRole(role(trust, documents), [PROVIDER]).findings.map((finding) => finding.message);
}

describe('a trust that admits more never rates below one it contains (red-team finding 5, as a property)', () => {
  const RANK: Record<string, number> = { high: 3, medium: 2, low: 1 };
  const gravest = (trust: unknown, documents: Record<string, unknown>) => Math.max(0, ...findings(role(trust, documents)).map(([severity]) => RANK[severity]));
  const pieces = [REPO, ENV, '{3f1c', '{', '}', ':', '*', '?', '{*}', '2b4a', 'c0ffee00'];
  const { next: rng } = generator(20261202);
  const pattern = () => Array.from({ length: 1 + Math.floor(rng() * 4) }, () => pieces[Math.floor(rng() * pieces.length)]).join('');

  test('60 random widenings of a pinned trust, with and without admin rights', () => {
    const problems: string[] = [];
    for (let index = 0; index < 60; index++) {
      // The pin names REPO and ENV, so a widening names no new UUID: what it adds is admitted, not named.
      const narrow = [`${REPO}:${ENV}:*`, ...(rng() < 0.5 ? [pattern()] : [])];
      const wide = [...narrow, pattern()];
      for (const documents of [{ admin: ADMIN }, {}]) {
        const before = gravest(document(allow({ StringEquals: aud, StringLike: sub(...narrow) })), documents);
        const after = gravest(document(allow({ StringEquals: aud, StringLike: sub(...wide) })), documents);
        if (after < before) problems.push(`${JSON.stringify(narrow)} rates ${before}, ${JSON.stringify(wide)} ${after}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
