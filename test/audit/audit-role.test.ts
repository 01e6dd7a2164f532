import { auditRole } from '../../lib/audit/audit-role';
import { BitbucketProvider, RoleFacts } from '../../lib/audit/role-facts';
import { bitbucketProvidersTrustedBy } from '../../lib/audit/trusted-providers';
import { AUDIENCE, ENV_PROD, ISSUER_HOST, REPO_A, REPO_B, rolesAsDeployed } from '../support/synth';

const ACCOUNT = '111122223333';
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER_HOST}`;
const PROVIDER: BitbucketProvider = { arn: PROVIDER_ARN, host: ISSUER_HOST, workspace: 'acme-corp', clientIds: [AUDIENCE] };
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const POWER_USER = 'arn:aws:iam::aws:policy/PowerUserAccess';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

/** AWS managed policies' documents as IAM returns them (default versions; ReadOnlyAccess abridged), so the audit judges documents, not names. */
const documentOf = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
const DOCUMENTS: Record<string, unknown> = {
  [ADMIN]: documentOf({ Effect: 'Allow', Action: '*', Resource: '*' }),
  [POWER_USER]: documentOf(
    { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
    { Effect: 'Allow', Action: ['account:GetAccountInformation', 'account:ListRegions', 'iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization'], Resource: '*' },
  ),
  'arn:aws:iam::aws:policy/IAMFullAccess': documentOf({ Effect: 'Allow', Action: ['iam:*', 'organizations:DescribeAccount', 'organizations:DescribeOrganization', 'organizations:ListRoots'], Resource: '*' }),
  'arn:aws:iam::aws:policy/AdministratorAccess-Amplify': documentOf(
    { Sid: 'CLICloudformationPolicy', Effect: 'Allow', Action: ['cloudformation:CreateStack', 'cloudformation:DescribeStacks'], Resource: ['arn:aws:cloudformation:*:*:stack/amplify-*'] },
    { Sid: 'AmplifySSRCalls', Effect: 'Allow', Action: ['iam:AttachRolePolicy', 'iam:CreateRole', 'iam:PutRolePolicy', 'iam:PassRole', 'lambda:CreateFunction'], Resource: '*' },
  ),
  [READ_ONLY]: documentOf({ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 'ec2:Describe*', 'iam:Get*', 'iam:List*', 'lambda:Get*', 'sts:GetCallerIdentity'], Resource: '*' }),
};
/** A role's attached policies with their documents, as lib/aws reads them. */
const attached = (...arns: string[]): Partial<RoleFacts> => ({ attachedPolicyArns: arns, permissionDocuments: Object.fromEntries(arns.filter((arn) => arn in DOCUMENTS).map((arn) => [arn, DOCUMENTS[arn]])) });
const inline = (name: string, ...statements: object[]): Partial<RoleFacts> => ({ permissionDocuments: { [name]: documentOf(...statements) } });

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
    const audit = auditRole(role('bitbucket-admin', trust({ StringEquals: aud }), attached(ADMIN)), [PROVIDER]);
    expect(audit.findings.map((finding) => [finding.severity, finding.id])).toEqual([
      ['high', 'any-repository'],
      ['high', 'write-from-any-branch'],
      ['high', 'deploys-into-any-trusting-account'],
    ]);
    expect(audit.findings[0].message).toBe('no sub condition: every step of every branch and pull request of every repository of workspace acme-corp can assume it');
    expect(audit.findings[1].message).toContain('can assume it and make itself account admin: every-action (do anything');
    expect(audit.findings[1].message).toContain('through AdministratorAccess');
    expect(audit.replacement).toEqual({ id: 'BitbucketAdmin', repositories: ['<repository UUID>'], environments: ['<production environment UUID>'], cdkAccess: 'deploy' });
  });

  describe('conditions on what a step chooses do not restrict repositories', () => {
    test.each([
      ['Bool aws:SecureTransport true (STS requests always are)', { Bool: { 'aws:SecureTransport': 'true' } }],
      ['IpAddress aws:SourceIp 0.0.0.0/0', { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }],
      ["IpAddress aws:SourceIp of Bitbucket's shared egress range", { IpAddress: { 'aws:SourceIp': ['34.199.54.113/32', '52.204.96.37/32'] } }],
      ['a session name', { StringLike: { 'sts:RoleSessionName': 'acme-*' } }],
      ['a region', { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } }],
      ['a time window', { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }],
      ['a key outside the token', { StringEquals: { 'aws:PrincipalTag/team': 'platform' } }],
    ])('aud plus %s: still every repository (high)', (_label, condition) => {
      const found = findings(role('extra', trust({ StringEquals: aud, ...condition }), attached(ADMIN)));
      expect(found.filter(([severity]) => severity === 'high')).toEqual([
        ['high', 'any-repository'],
        ['high', 'write-from-any-branch'],
        ['high', 'deploys-into-any-trusting-account'],
      ]);
    });

    test('what no request can satisfy admits nobody: no finding (and the role is not listed)', () => {
      for (const condition of [{ Bool: { 'aws:SecureTransport': 'false' } }, { Null: { 'aws:SecureTransport': 'true' } }]) {
        const facts = role('closed', trust({ StringEquals: aud, ...condition }), attached(ADMIN));
        expect(findings(facts)).toEqual([]);
        expect(bitbucketProvidersTrustedBy(facts.trust, [PROVIDER])).toEqual([]);
      }
    });

    // AWS, IAM User Guide, "AWS global condition context keys", aws:SourceIp: "This key is included in the request
    // context, except when the requester uses a VPC endpoint to make the request." A step on a self-hosted runner
    // (which serves every repository of the workspace) calling STS through an STS VPC endpoint sends none.
    describe('a trust that admits only requests without aws:SourceIp (through a VPC endpoint)', () => {
      test.each([
        ['Allow with Null aws:SourceIp true', trust({ StringEquals: aud, Null: { 'aws:SourceIp': 'true' } })],
        [
          'aud-only Allow beside a Deny on Null aws:SourceIp false',
          { Version: '2012-10-17', Statement: [(trust({ StringEquals: aud }) as { Statement: object[] }).Statement[0], { Effect: 'Deny', Principal: '*', Action: '*', Condition: { Null: { 'aws:SourceIp': 'false' } } }] },
        ],
      ])('%s: listed, and every repository gets in (high)', (_label, trustPolicy) => {
        const facts = role('vpc-endpoint', trustPolicy, attached(ADMIN));
        expect(bitbucketProvidersTrustedBy(facts.trust, [PROVIDER]).length > 0).toBe(true);
        expect(findings(facts)).toContainEqual(['high', 'any-repository']);
      });
    });

    test('a Deny the step can step around (an address range) does not close the trust', () => {
      const facts = role('denied-range', {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: aud } },
          { Effect: 'Deny', Principal: '*', Action: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } },
        ],
      });
      expect(findings(facts)).toEqual([['high', 'any-repository']]);
    });
  });

  describe('principals that admit Bitbucket tokens without naming the provider are in scope', () => {
    test.each([
      ['"*"', '*'],
      ['{"AWS": "*"}', { AWS: '*' }],
      ['a Federated list with the provider', { Federated: ['arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com', PROVIDER_ARN] }],
    ])('%s with an aud check: listed, and every repository', (_label, principal) => {
      const facts = role('star', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: aud } }] }, attached(ADMIN));
      expect(bitbucketProvidersTrustedBy(facts.trust, [PROVIDER])).toEqual([PROVIDER]);
      expect(findings(facts)).toEqual([
        ['high', 'any-repository'],
        ['high', 'write-from-any-branch'],
        ['high', 'deploys-into-any-trusting-account'],
      ]);
    });

    test.each([
      ['an account', { AWS: 'arn:aws:iam::111122223333:root' }, 'sts:AssumeRoleWithWebIdentity'],
      ['a service', { Service: 'lambda.amazonaws.com' }, 'sts:AssumeRole'],
      ['"*" for sts:AssumeRole only', '*', 'sts:AssumeRole'],
      ["another provider", { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' }, 'sts:AssumeRoleWithWebIdentity'],
    ])('%s: not listed', (_label, principal, action) => {
      expect(bitbucketProvidersTrustedBy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: action }] }, [PROVIDER])).toEqual([]);
    });
  });

  describe('a statement the evaluator does not model is conservative on its own and hides no neighbour', () => {
    const open = { Effect: 'Allow', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: aud } };
    test('beside an ArnLike service statement: the open statement is decided, high', () => {
      const service = { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:*:111122223333:function:*' } } };
      expect(findings(role('mixed', { Version: '2012-10-17', Statement: [service, open] }))).toEqual([['high', 'any-repository']]);
    });

    test('beside a DateGreaterThan Deny: high, and the Deny reported as taken to not apply', () => {
      const dated = { Effect: 'Deny', Principal: '*', Action: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } };
      const audit = auditRole(role('dated', { Version: '2012-10-17', Statement: [open, dated] }), [PROVIDER]);
      expect(audit.findings.map((finding) => [finding.severity, finding.id])).toEqual([
        ['medium', 'not-evaluated'],
        ['high', 'any-repository'],
      ]);
      expect(audit.findings[0].message).toContain('Statement[1] (a Deny, taken as not applying: DateGreaterThan aws:CurrentTime: condition operator DateGreaterThan is not modelled');
    });

    test('an Allow it does not model counts as admitting, said in the finding; a modelled sub beside it still decides', () => {
      const pinnedAndDated = trust({ StringEquals: aud, StringLike: sub(`${REPO_A}:${ENV_PROD}:*`), DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } });
      expect(findings(role('pinned', pinnedAndDated, attached(ADMIN)))).toEqual([['medium', 'not-evaluated'], ['medium', 'deploys-into-any-trusting-account']]);
      const audit = auditRole(role('dated', trust({ StringEquals: aud, DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }), attached(ADMIN)), [PROVIDER]);
      expect(audit.findings.map((finding) => [finding.severity, finding.id])).toEqual([
        ['medium', 'not-evaluated'],
        ['high', 'any-repository'],
        ['high', 'write-from-any-branch'],
        ['high', 'deploys-into-any-trusting-account'],
      ]);
      expect(audit.findings[0].message).toContain('an Allow, counted as admitting');
    });

    test('a trust that cannot be read at all is taken to admit everyone', () => {
      expect(findings(role('broken', { Version: '2012-10-17', Statement: 'nonsense' }))).toEqual([['high', 'not-evaluated']]);
    });
  });

  test.each([
    ['{*}:*', ['{*}:*']],
    ['*', ['*']],
    ['every repository through one environment', [`{*}:${ENV_PROD}:*`]],
  ])('a sub that admits every repository (%s): high', (_label, patterns) => {
    expect(findings(role('wide', trust({ StringEquals: aud, StringLike: sub(...patterns) })))).toEqual([['high', 'any-repository']]);
  });

  test('an admin role pinned to a repository but not an environment: any branch or pull request of it is account admin', () => {
    const audit = auditRole(role('deploy-admin', trust({ StringEquals: aud, StringLike: sub(`${REPO_A}:*`) }), { attachedPolicyArns: [ADMIN, 'arn:aws:iam::111122223333:policy/Extra'], permissionDocuments: { [ADMIN]: DOCUMENTS[ADMIN], 'arn:aws:iam::111122223333:policy/Extra': documentOf({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::site/*' }) } }), [PROVIDER]);
    expect(audit.findings.map((finding) => [finding.severity, finding.id])).toEqual([['high', 'write-from-any-branch'], ['high', 'deploys-into-any-trusting-account']]);
    expect(audit.findings[0].message).toContain(`any branch or pull request of ${REPO_A}`);
    expect(audit.replacement).toEqual({
      id: 'DeployAdmin',
      repositories: [REPO_A],
      environments: ['<production environment UUID>'],
      cdkAccess: 'deploy',
      policies: ['arn:aws:iam::111122223333:policy/Extra'],
    });
  });

  describe('permissions judged by their documents against the privilege catalogue', () => {
    const pinned = trust({ StringEquals: aud, StringLike: sub(`${REPO_A}:*`) });
    const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/self`;
    test.each([
      ['an inline "*"', inline('Everything', { Effect: 'Allow', Action: '*', Resource: '*' }), 'every-action', true],
      ['"*" limited to a region', inline('Regional', { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }), 'every-action', true],
      ['iam:PutRolePolicy on the role itself', inline('Self', { Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: ROLE_ARN }), 'iam:PutRolePolicy', false],
      ['iam:AttachRolePolicy on any role', inline('Attach', { Effect: 'Allow', Action: 'iam:Attach*', Resource: `arn:aws:iam::${ACCOUNT}:role/*` }), 'iam:AttachRolePolicy', false],
      ['iam:CreatePolicyVersion', inline('Versions', { Effect: 'Allow', Action: 'iam:CreatePolicyVersion', Resource: `arn:aws:iam::${ACCOUNT}:policy/deploy` }), 'iam:CreatePolicyVersion', false],
      ['iam:UpdateAssumeRolePolicy', inline('Trust', { Effect: 'Allow', Action: 'iam:UpdateAssumeRolePolicy', Resource: '*' }), 'iam:UpdateAssumeRolePolicy', false],
      ['iam:PassRole with lambda:CreateFunction', inline('Lambda', { Effect: 'Allow', Action: ['iam:PassRole', 'lambda:CreateFunction'], Resource: '*' }), 'iam:PassRole + lambda:CreateFunction', false],
      ['iam:PassRole with ec2:RunInstances', inline('Ec2', { Effect: 'Allow', Action: ['iam:PassRole', 'ec2:RunInstances'], Resource: '*' }), 'iam:PassRole + ec2:RunInstances', false],
      ['iam:PassRole with cloudformation:CreateStack', inline('Cfn', { Effect: 'Allow', Action: ['iam:PassRole', 'cloudformation:CreateStack'], Resource: '*' }), 'iam:PassRole + cloudformation:CreateStack', false],
      ['sts:AssumeRole on any role', inline('Any', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }), 'sts:AssumeRole on any role', true],
      ['AdministratorAccess-Amplify', attached('arn:aws:iam::aws:policy/AdministratorAccess-Amplify'), 'iam:PutRolePolicy', false],
      ['IAMFullAccess', attached('arn:aws:iam::aws:policy/IAMFullAccess'), 'iam:PutRolePolicy', false],
      ['PowerUserAccess (its NotAction leaves sts:AssumeRole on every role)', attached(POWER_USER), 'sts:AssumeRole on any role', true],
    ])('%s: high (and every account, when it holds sts:AssumeRole on every role)', (_label, facts, capability, reachesEveryAccount) => {
      const audit = auditRole(role('self', pinned, facts), [PROVIDER]);
      expect(audit.findings.map((finding) => [finding.severity, finding.id])).toEqual([['high', 'write-from-any-branch'], ...(reachesEveryAccount ? [['high', 'deploys-into-any-trusting-account']] : [])]);
      expect(audit.findings[0].message).toContain(`${capability} (`);
    });

    test.each([
      ['a read-only policy', attached(READ_ONLY)],
      ['iam:PassRole alone', inline('Pass', { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' })],
      ['sts:AssumeRole on the CDK lookup role', inline('Lookup', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-lookup-role-${ACCOUNT}-*` })],
      ['"*" denied again for IAM and STS', inline('Guarded', { Effect: 'Allow', Action: ['iam:*', 'sts:*'], Resource: '*' }, { Effect: 'Deny', Action: ['iam:*', 'sts:*'], Resource: '*' })],
    ])('%s: no write finding', (_label, facts) => {
      expect(findings(role('reader', pinned, facts))).toEqual([]);
    });

    test('the CDK deploy role is medium', () => {
      const cdkDeploy = inline('Deploy', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${ACCOUNT}:role/cdk-team1-deploy-role-${ACCOUNT}-eu-west-1` });
      expect(findings(role('cdk', pinned, cdkDeploy))).toEqual([['medium', 'write-from-any-branch']]);
    });

    test('a Deny the caller can step around does not narrow; one in another policy that always applies does', () => {
      const admin = documentOf({ Effect: 'Allow', Action: '*', Resource: '*' });
      const regionDeny = documentOf({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } });
      expect(findings(role('r', pinned, { permissionDocuments: { admin, regionDeny } }))).toEqual([['high', 'write-from-any-branch'], ['high', 'deploys-into-any-trusting-account']]);
      const everything = documentOf({ Effect: 'Deny', Action: '*', Resource: '*' });
      expect(findings(role('r', pinned, { permissionDocuments: { admin, everything } }))).toEqual([]);
    });

    test('an attached policy whose document could not be read is taken to grant everything, and said', () => {
      const audit = auditRole(role('unread', pinned, { attachedPolicyArns: ['arn:aws:iam::111122223333:policy/Secret'] }), [PROVIDER]);
      expect(audit.findings.map((finding) => [finding.severity, finding.id])).toEqual([
        ['high', 'write-from-any-branch'],
        ['high', 'deploys-into-any-trusting-account'],
        ['medium', 'permissions-not-evaluated'],
      ]);
      expect(audit.findings[2].message).toContain('arn:aws:iam::111122223333:policy/Secret: its document could not be read (taken to grant everything)');
      expect(audit.findings[1].message).toContain('(a policy could not be read: taken to reach every account)');
    });

    test('a statement it does not model counts as allowing, and is said', () => {
      const arnLike = inline('Odd', { Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:*' } } });
      const audit = auditRole(role('odd', trust({ StringEquals: aud, StringLike: sub(`${REPO_A}:${ENV_PROD}:*`) }), arnLike), [PROVIDER]);
      expect(audit.findings.map((finding) => [finding.severity, finding.id])).toEqual([['medium', 'permissions-not-evaluated']]);
      expect(audit.findings[0].message).toContain('Odd Statement[0]: ArnLike aws:SourceArn: condition operator ArnLike is not modelled (counted as allowing)');
      expect(findings(role('odd', pinned, arnLike))).toEqual([
        ['high', 'write-from-any-branch'],
        ['medium', 'permissions-not-evaluated'],
      ]);
    });
  });

  test('the replacement drops every policy that let the role write, a customer managed "*" too, and keeps the rest', () => {
    const pinned = trust({ StringEquals: aud, StringLike: sub(`${REPO_A}:*`) });
    const facts = role('legacy', pinned, {
      attachedPolicyArns: ['arn:aws:iam::111122223333:policy/Everything', POWER_USER, READ_ONLY],
      permissionDocuments: { 'arn:aws:iam::111122223333:policy/Everything': DOCUMENTS[ADMIN], [POWER_USER]: DOCUMENTS[POWER_USER], [READ_ONLY]: DOCUMENTS[READ_ONLY] },
    });
    expect(auditRole(facts, [PROVIDER]).replacement?.policies).toEqual([READ_ONLY]);
  });

  test('no aud check matters only when the provider accepts several audiences', () => {
    const noAud = role('no-aud', trust({ StringLike: sub(`${REPO_A}:${ENV_PROD}:*`) }));
    expect(findings(noAud)).toEqual([]);
    expect(findings(noAud, { ...PROVIDER, clientIds: [AUDIENCE, 'sts.amazonaws.com'] })).toEqual([['medium', 'no-audience-check']]);
  });

  test('a wildcard inside a repository UUID', () => {
    expect(findings(role('prefix', trust({ StringEquals: aud, StringLike: sub('{3f1c*}:*') })))).toEqual([['medium', 'repository-wildcard']]);
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
    expect(flat.findings[0].message).toContain('can assume it and deploy: the CDK deploy role (deploy whatever');
    expect(flat.replacement).toEqual({ id: expect.stringMatching(/^PipelineRole/), repositories: [REPO_A], environments: ['<production environment UUID>'], cdkAccess: 'deploy' });
  });
});

describe('which roles the audit is about', () => {
  test('a trust it cannot evaluate is in scope when its text names the provider or a "*" principal', () => {
    const broken = (statement: unknown) => ({ Version: '2012-10-17', Statement: [statement] });
    expect(bitbucketProvidersTrustedBy(broken({ Principal: { Federated: PROVIDER_ARN } }), [PROVIDER])).toEqual([PROVIDER]);
    expect(bitbucketProvidersTrustedBy(broken({ Principal: { AWS: '*' } }), [PROVIDER])).toEqual([PROVIDER]);
    expect(bitbucketProvidersTrustedBy(broken({ 'Fn::If': ['HasTrustedAccounts', { Principal: { AWS: '111122223333' } }, { Ref: 'AWS::NoValue' }] }), [PROVIDER])).toEqual([]);
  });
});
