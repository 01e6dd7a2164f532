/**
 * Which accounts' CDK bootstrap roles a role's policies let it assume (issue 20), and the
 * finding for a role that reaches accounts its policies do not name. The bootstrap roles
 * trust the account principal of every account given to `cdk bootstrap --trust` (CDK
 * Developer Guide, "Bootstrapping", and the bootstrap template), so the pipeline role's own
 * identity policy is the only gate: IAM User Guide, "Policy evaluation logic" (an explicit
 * Deny overrides an Allow for the requests it matches) and "NotResource" (every resource
 * except those listed).
 */
import { auditRole } from '../../lib/audit/audit-role';
import { permissionLevel } from '../../lib/audit/permission-level';
import { ACCOUNT, allow, aud, document, PROVIDER, REPO, ENV, role, sub } from '../support/audit-roles';

const STAGING = '444455556666';
const PRODUCTION = '777788889999';
/** The four bootstrap roles of one account, as this app's targetAccounts writes them. */
const bootstrapRolesOf = (account: string, kinds = ['deploy', 'file-publishing', 'image-publishing', 'lookup']) =>
  kinds.map((kind) => `arn:aws:iam::${account}:role/cdk-hnb659fds-${kind}-role-${account}-*`);
const assume = (resource: string | string[]) => ({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: resource });
const pinned = document(allow({ StringEquals: aud, StringLike: sub(`${REPO}:${ENV}:*`) }));
const anyBranch = document(allow({ StringEquals: aud, StringLike: sub(`${REPO}:*`) }));

const reachOf = (...statements: object[]) => permissionLevel(role(pinned, { policy: document(...statements) })).bootstrapReach;
const audited = (trust: unknown, ...statements: object[]) => auditRole(role(trust, { policy: document(...statements) }), [PROVIDER]);
const findingsOf = (trust: unknown, ...statements: object[]) => audited(trust, ...statements).findings.map((finding) => [finding.severity, finding.id]);

describe('the accounts a role deploys into and looks up in, decided account by account', () => {
  test('exactly two other accounts, as targetAccounts names them: both listed, not its own, and no finding', () => {
    const statement = assume([...bootstrapRolesOf(STAGING), ...bootstrapRolesOf(PRODUCTION)]);
    expect(reachOf(statement)).toEqual({
      deploy: { accounts: [STAGING, PRODUCTION], anyAccount: false },
      lookup: { accounts: [STAGING, PRODUCTION], anyAccount: false },
    });
    expect(findingsOf(pinned, statement)).toEqual([]);
  });

  test("its own account and a lookup-only account: deploy in its own, lookup in both", () => {
    const reach = reachOf(assume([...bootstrapRolesOf(ACCOUNT), ...bootstrapRolesOf(STAGING, ['lookup'])]));
    expect(reach).toEqual({ deploy: { accounts: [ACCOUNT], anyAccount: false }, lookup: { accounts: [ACCOUNT, STAGING], anyAccount: false } });
  });

  test('no sts:AssumeRole: no account, no finding', () => {
    const statement = { Effect: 'Allow', Action: ['s3:GetObject', 'cloudformation:DescribeStacks'], Resource: '*' };
    expect(reachOf(statement)).toEqual({ deploy: { accounts: [], anyAccount: false }, lookup: { accounts: [], anyAccount: false } });
    expect(findingsOf(pinned, statement)).toEqual([]);
  });

  test('an account wildcard in the ARN whose role name pins one account reaches that account only', () => {
    expect(reachOf(assume(`arn:aws:iam::*:role/cdk-hnb659fds-deploy-role-${STAGING}-*`)).deploy).toEqual({ accounts: [STAGING], anyAccount: false });
  });

  test('a Deny on one account removes it from the list', () => {
    const reach = reachOf(assume([...bootstrapRolesOf(STAGING), ...bootstrapRolesOf(PRODUCTION)]), { Effect: 'Deny', Action: 'sts:*', Resource: `arn:aws:iam::${PRODUCTION}:role/*` });
    expect(reach.deploy).toEqual({ accounts: [STAGING], anyAccount: false });
  });

  test('a Deny on one account under a wildcard leaves every other account', () => {
    const reach = reachOf(assume('arn:aws:iam::*:role/cdk-*'), { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${PRODUCTION}:role/*` });
    expect([reach.deploy.accounts, reach.deploy.anyAccount]).toEqual([[ACCOUNT], true]);
  });
});

describe('accounts its policies do not name: deploys-into-any-trusting-account', () => {
  test.each([
    ['an account wildcard', assume('arn:aws:iam::*:role/cdk-*')],
    ['an account wildcard, one qualifier', assume('arn:aws:iam::*:role/cdk-hnb659fds-deploy-role-*')],
    ['Resource "*"', assume('*')],
    ['an account prefix', assume('arn:aws:iam::1*:role/cdk-*')],
    ['one digit left open', assume(`arn:aws:iam::${STAGING.slice(0, 11)}?:role/cdk-*`)],
    ['NotResource on one account', { Effect: 'Allow', Action: 'sts:AssumeRole', NotResource: `arn:aws:iam::${STAGING}:role/*` }],
    ['sts:* on every role', { Effect: 'Allow', Action: 'sts:*', Resource: 'arn:aws:iam::*:role/*' }],
  ])('%s: medium pinned to an environment, high when any branch can assume it', (_label, statement) => {
    expect(reachOf(statement).deploy.anyAccount).toBe(true);
    expect(findingsOf(pinned, statement)).toContainEqual(['medium', 'deploys-into-any-trusting-account']);
    expect(findingsOf(anyBranch, statement)).toContainEqual(['high', 'deploys-into-any-trusting-account']);
  });

  test('the finding names a role it may assume in an account it does not name, and the fix', () => {
    const [finding] = audited(pinned, assume('arn:aws:iam::1*:role/cdk-*')).findings;
    expect(finding.message).toMatch(/^it may assume the CDK deploy role of accounts its policies do not name by ID \(for example "arn:aws:iam::1\d{11}:role\/cdk-[^"]*-deploy-role-1\d{11}-[^"]*"\)/);
    expect(finding.message).toContain('every account bootstrapped to trust this one (cdk bootstrap --trust)');
    expect(finding.message).toContain('targetAccounts=<account ID>');
  });

  test('NotResource leaving only another account unnamed: its own is listed, that account is not, and every other is reached', () => {
    const reach = reachOf({ Effect: 'Allow', Action: 'sts:AssumeRole', NotResource: `arn:aws:iam::${STAGING}:role/*` });
    expect(reach.deploy).toEqual(expect.objectContaining({ accounts: [ACCOUNT], anyAccount: true }));
  });

  test('a Deny with NotResource leaving exactly two accounts: those two, and no finding', () => {
    const named = [...bootstrapRolesOf(STAGING), ...bootstrapRolesOf(PRODUCTION)];
    const statements = [assume('*'), { Effect: 'Deny', Action: 'sts:AssumeRole', NotResource: named }];
    expect(reachOf(...statements).deploy).toEqual({ accounts: [STAGING, PRODUCTION], anyAccount: false });
    expect(findingsOf(pinned, ...statements)).toEqual([]);
  });

  test('an attached policy that cannot be read reaches every account', () => {
    const reach = permissionLevel({ ...role(pinned, {}), attachedPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/Secret`] }).bootstrapReach;
    expect([reach.deploy.anyAccount, reach.lookup.anyAccount]).toEqual([true, true]);
  });

  test('a trust that admits no step: no finding, whatever the policies reach', () => {
    const closed = document(allow({ StringEquals: aud, Bool: { 'aws:SecureTransport': 'false' } }));
    expect(findingsOf(closed, assume('*'))).toEqual([]);
  });
});

describe('the lookup role of every account: looks-up-in-any-trusting-account', () => {
  const lookup = assume('arn:aws:iam::*:role/cdk-hnb659fds-lookup-role-*');

  test('low pinned to an environment, medium when any branch can assume it; it deploys nowhere', () => {
    expect(reachOf(lookup)).toEqual({ deploy: { accounts: [], anyAccount: false }, lookup: expect.objectContaining({ accounts: [ACCOUNT], anyAccount: true }) });
    expect(findingsOf(pinned, lookup)).toEqual([['low', 'looks-up-in-any-trusting-account']]);
    expect(findingsOf(anyBranch, lookup)).toEqual([['medium', 'looks-up-in-any-trusting-account']]);
  });

  test('a role that deploys into every account gets the deploy finding alone', () => {
    expect(findingsOf(pinned, assume('arn:aws:iam::*:role/cdk-*')).map(([, id]) => id)).toEqual(['deploys-into-any-trusting-account']);
  });
});

describe('the replacement keeps the accounts the role names', () => {
  test('another account it deploys into becomes targetAccounts; its own account alone needs none', () => {
    const wide = document(allow({ StringEquals: aud }));
    expect(audited(wide, assume([...bootstrapRolesOf(ACCOUNT), ...bootstrapRolesOf(STAGING), 'arn:aws:iam::*:role/cdk-*'])).replacement?.targetAccounts).toEqual([ACCOUNT, STAGING]);
    expect(audited(wide, assume('arn:aws:iam::*:role/cdk-*')).replacement).not.toHaveProperty('targetAccounts');
  });
});
