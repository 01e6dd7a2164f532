import { auditRole } from '../../lib/audit/audit-role';
import { BitbucketProvider, RoleFacts } from '../../lib/audit/role-facts';
import { AUDIENCE, ENV_PROD, ISSUER_HOST, REPO_A, REPO_B, rolesAsDeployed } from '../support/synth';

const ACCOUNT = '111122223333';
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER_HOST}`;
const PROVIDER: BitbucketProvider = { arn: PROVIDER_ARN, host: ISSUER_HOST, workspace: 'acme-corp', clientIds: [AUDIENCE] };
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

function trust(condition: Record<string, unknown> | undefined): unknown {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', ...(condition === undefined ? {} : { Condition: condition }) }],
  };
}
const aud = { [`${ISSUER_HOST}:aud`]: AUDIENCE };
const sub = (...patterns: string[]) => ({ [`${ISSUER_HOST}:sub`]: patterns });

function role(name: string, trustPolicy: unknown, more: Partial<RoleFacts> = {}): RoleFacts {
  return { arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, name, trust: trustPolicy, maxSessionDurationSeconds: 3600, attachedPolicyArns: [], permissionDocuments: {}, ...more };
}

const findings = (facts: RoleFacts, provider = PROVIDER) => auditRole(facts, [provider]).findings.map((finding) => [finding.severity, finding.id]);

/** The roles this app synthesizes for a context, as IAM would hold them in the account. */
function appRoles(context: Record<string, unknown>): RoleFacts[] {
  return Object.values(rolesAsDeployed({ workspace: 'acme-corp', audience: AUDIENCE, ...context }, ACCOUNT)).map((deployed) =>
    role(deployed.logicalId, deployed.trust, {
      maxSessionDurationSeconds: deployed.maxSessionDuration,
      permissionDocuments: Object.fromEntries(deployed.inlinePolicies.map((document) => ['DefaultPolicy', document])),
    }),
  );
}

describe('findings on the trust and permissions of roles as real accounts have them', () => {
  test('a console-made role that checks only aud, with AdministratorAccess: every repository and branch is account admin', () => {
    const audit = auditRole(role('bitbucket-admin', trust({ StringEquals: aud }), { attachedPolicyArns: [ADMIN] }), [PROVIDER]);
    expect(audit.findings.map((finding) => [finding.severity, finding.id])).toEqual([
      ['high', 'any-repository'],
      ['high', 'write-from-any-branch'],
    ]);
    expect(audit.findings[0].message).toBe('no sub condition: every step of every branch and pull request of every repository of workspace acme-corp can assume it');
    expect(audit.findings[1].message).toContain('and change IAM and everything else, through AdministratorAccess');
    expect(audit.replacement).toEqual({ id: 'BitbucketAdmin', repositories: ['<repository UUID>'], environments: ['<production environment UUID>'], cdkAccess: 'deploy' });
  });

  test.each([
    ['{*}:*', ['{*}:*']],
    ['*', ['*']],
    ['every repository through one environment', [`{*}:${ENV_PROD}:*`]],
  ])('a sub that admits every repository (%s): high', (_label, patterns) => {
    expect(findings(role('wide', trust({ StringEquals: aud, StringLike: sub(...patterns) })))).toEqual([['high', 'any-repository']]);
  });

  test('an admin role pinned to a repository but not an environment: any branch or pull request of it is account admin', () => {
    const audit = auditRole(role('deploy-admin', trust({ StringEquals: aud, StringLike: sub(`${REPO_A}:*`) }), { attachedPolicyArns: [ADMIN, 'arn:aws:iam::111122223333:policy/Extra'] }), [PROVIDER]);
    expect(audit.findings.map((finding) => [finding.severity, finding.id])).toEqual([['high', 'write-from-any-branch']]);
    expect(audit.findings[0].message).toContain(`any branch or pull request of ${REPO_A}`);
    expect(audit.replacement).toEqual({
      id: 'DeployAdmin',
      repositories: [REPO_A],
      environments: ['<production environment UUID>'],
      cdkAccess: 'deploy',
      policies: ['arn:aws:iam::111122223333:policy/Extra'],
    });
  });

  test('an inline "*" is admin; PowerUserAccess and the CDK deploy role are medium', () => {
    const pinned = trust({ StringEquals: aud, StringLike: sub(`${REPO_A}:*`) });
    const inlineStar = { Everything: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
    expect(findings(role('star', pinned, { permissionDocuments: inlineStar }))).toEqual([['high', 'write-from-any-branch']]);
    expect(findings(role('power', pinned, { attachedPolicyArns: ['arn:aws:iam::aws:policy/PowerUserAccess'] }))).toEqual([['medium', 'write-from-any-branch']]);
    const cdkDeploy = { Deploy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/cdk-team1-deploy-role-${ACCOUNT}-eu-west-1` }] } };
    expect(findings(role('cdk', pinned, { permissionDocuments: cdkDeploy }))).toEqual([['medium', 'write-from-any-branch']]);
  });

  test('the replacement drops every policy that let the role write, a customer managed "*" too, and keeps the rest', () => {
    const pinned = trust({ StringEquals: aud, StringLike: sub(`${REPO_A}:*`) });
    const everything = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const facts = role('legacy', pinned, {
      attachedPolicyArns: ['arn:aws:iam::111122223333:policy/Everything', 'arn:aws:iam::aws:policy/PowerUserAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
      permissionDocuments: { 'arn:aws:iam::111122223333:policy/Everything': everything },
    });
    expect(auditRole(facts, [PROVIDER]).replacement?.policies).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
  });

  test('read-only permissions reachable from any branch are not a write finding', () => {
    const pinned = trust({ StringEquals: aud, StringLike: sub(`${REPO_A}:*`) });
    expect(findings(role('reader', pinned, { attachedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }))).toEqual([]);
  });

  test('no aud check matters only when the provider accepts several audiences', () => {
    const noAud = role('no-aud', trust({ StringLike: sub(`${REPO_A}:${ENV_PROD}:*`) }));
    expect(findings(noAud)).toEqual([]);
    expect(findings(noAud, { ...PROVIDER, clientIds: [AUDIENCE, 'sts.amazonaws.com'] })).toEqual([['medium', 'no-audience-check']]);
  });

  test('a wildcard inside a repository UUID', () => {
    expect(findings(role('prefix', trust({ StringEquals: aud, StringLike: sub('{3f1c*}:*') })))).toEqual([['medium', 'repository-wildcard']]);
  });

  test('a trust or a permission policy the evaluator does not model is reported, not guessed', () => {
    expect(findings(role('dated', trust({ StringEquals: aud, DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } })))).toEqual([['medium', 'not-evaluated']]);
    const principal = { Odd: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] } };
    expect(findings(role('odd', trust({ StringEquals: aud, StringLike: sub(`${REPO_A}:${ENV_PROD}:*`) }), { permissionDocuments: principal }))).toEqual([['medium', 'permissions-not-evaluated']]);
  });

  test('a session longer than an hour is low', () => {
    expect(findings(role('long', trust({ StringEquals: aud, StringLike: sub(`${REPO_A}:${ENV_PROD}:*`) }), { maxSessionDurationSeconds: 7200 }))).toEqual([['low', 'long-session']]);
  });
});

describe('roles this app makes', () => {
  const RECOMMENDED = [
    { id: 'Preview', repositories: [REPO_A, REPO_B], cdkAccess: 'lookup' },
    { id: 'Deploy', repositories: [REPO_A], environments: [ENV_PROD] },
  ];

  test('the recommended layout has no finding above low (none at all with the default session)', () => {
    const audits = appRoles({ roles: RECOMMENDED }).map((facts) => auditRole(facts, [PROVIDER]));
    expect(audits.map((audit) => [audit.name.replace(/PipelineRole.*/, ''), audit.findings, audit.replacement])).toEqual([
      ['Preview', [], undefined],
      ['Deploy', [], undefined],
    ]);
    const longer = appRoles({ roles: [{ ...RECOMMENDED[1], sessionDuration: '2h' }] }).map((facts) => auditRole(facts, [PROVIDER]));
    expect(longer[0].findings.map((finding) => finding.severity)).toEqual(['low']);
  });

  test('the flat keys (a role that can deploy from any branch) are medium, as the synth warning says', () => {
    const [flat] = appRoles({ repositories: REPO_A }).map((facts) => auditRole(facts, [PROVIDER]));
    expect(flat.findings.map((finding) => [finding.severity, finding.id])).toEqual([['medium', 'write-from-any-branch']]);
    expect(flat.findings[0].message).toContain('(may assume the CDK deploy role)');
    expect(flat.replacement).toEqual({ id: expect.stringMatching(/^PipelineRole/), repositories: [REPO_A], environments: ['<production environment UUID>'], cdkAccess: 'deploy' });
  });
});
