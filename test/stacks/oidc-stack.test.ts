import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseOidcConfig } from '../../lib/config/parse-oidc-config';
import { BitbucketOidcStack } from '../../lib/stacks/oidc-stack';
import { resolveIntrinsics } from '../../lib/iam-evaluator/template-intrinsics';
import { trustPolicyLength } from '../../lib/bitbucket/trust-conditions';
import {
  AUDIENCE,
  BASE_CONTEXT,
  ENV_PROD,
  ENV_STAGING,
  ISSUER_HOST,
  REPO_A,
  REPO_B,
  stackFromContext,
  templateFromContext,
} from '../support/synth';

const ACCOUNT = '111122223333';

function onlyResource(template: Template, type: string): { logicalId: string; properties: Record<string, unknown>; resource: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type));
  expect(found).toHaveLength(1);
  const [logicalId, resource] = found[0];
  return { logicalId, resource, properties: resource.Properties as Record<string, unknown> };
}

function trustStatements(template: Template): Array<Record<string, unknown>> {
  const role = onlyResource(template, 'AWS::IAM::Role');
  return (role.properties.AssumeRolePolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
}

describe('the default stack', () => {
  const template = templateFromContext(BASE_CONTEXT);

  test('holds exactly the provider, the role and its policy: no Lambda, no custom resource, no metadata resource', () => {
    const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type).sort();
    expect(types).toEqual(['AWS::IAM::OIDCProvider', 'AWS::IAM::Policy', 'AWS::IAM::Role']);
  });

  test('needs no assets (only its own template is published), so it also works as a StackSet template', () => {
    const { app, stack } = stackFromContext(BASE_CONTEXT);
    const assembly = app.synth();
    const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8')) as {
      files: Record<string, { source: { path: string } }>;
      dockerImages: Record<string, unknown>;
    };
    expect(Object.values(manifest.files).map((file) => file.source.path)).toEqual([`${stack.artifactId}.template.json`]);
    expect(manifest.dockerImages).toEqual({});
  });

  test('the provider verifies the workspace issuer with the workspace audience', () => {
    const provider = onlyResource(template, 'AWS::IAM::OIDCProvider');
    expect(provider.properties).toEqual({
      Url: 'https://api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc',
      ClientIdList: [AUDIENCE],
    });
  });

  test('thumbprints set the provider\'s ThumbprintList, lower-cased, and nothing else of it', () => {
    const thumbprints = ['A031C46782E6E6C662C2C87C76DA9AA62CCABD8E', '6938fd4d98bab03faadb97b34396831e3780aea1'];
    const provider = onlyResource(templateFromContext({ ...BASE_CONTEXT, thumbprints }), 'AWS::IAM::OIDCProvider');
    expect(provider.properties).toEqual({
      Url: 'https://api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc',
      ClientIdList: [AUDIENCE],
      ThumbprintList: ['a031c46782e6e6c662c2c87c76da9aa62ccabd8e', '6938fd4d98bab03faadb97b34396831e3780aea1'],
    });
  });

  test('the provider is kept on stack deletion and replacement, but not when its own creation rolls back', () => {
    const provider = onlyResource(template, 'AWS::IAM::OIDCProvider');
    expect([provider.resource.DeletionPolicy, provider.resource.UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain']);
  });

  test('the role trusts only the provider, for web identity, with the audience and the repository pinned', () => {
    const provider = onlyResource(template, 'AWS::IAM::OIDCProvider');
    expect(trustStatements(template)).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: { Ref: provider.logicalId } },
        Condition: {
          StringEquals: { [`${ISSUER_HOST}:aud`]: AUDIENCE },
          StringLike: { [`${ISSUER_HOST}:sub`]: [`${REPO_A}:*`] },
        },
      },
    ]);
  });

  test("the role may assume this account's four CDK bootstrap roles, in any region, and nothing else", () => {
    const policy = onlyResource(template, 'AWS::IAM::Policy');
    const document = resolveIntrinsics(policy.properties.PolicyDocument, { account: ACCOUNT, partition: 'aws', region: 'eu-west-1' });
    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AssumeCdkBootstrapRoles',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: [
            'arn:aws:iam::111122223333:role/cdk-hnb659fds-deploy-role-111122223333-*',
            'arn:aws:iam::111122223333:role/cdk-hnb659fds-file-publishing-role-111122223333-*',
            'arn:aws:iam::111122223333:role/cdk-hnb659fds-image-publishing-role-111122223333-*',
            'arn:aws:iam::111122223333:role/cdk-hnb659fds-lookup-role-111122223333-*',
          ],
        },
      ],
    });
  });

  test('the role has no managed policy, a one-hour session and a generated name', () => {
    const role = onlyResource(template, 'AWS::IAM::Role');
    expect(role.properties.ManagedPolicyArns).toBeUndefined();
    expect(role.properties.MaxSessionDuration).toBe(3600);
    expect(role.properties.RoleName).toBeUndefined();
    expect(role.properties.PermissionsBoundary).toBeUndefined();
  });

  test('outputs RoleArn and ProviderArn, exported under names derived from the stack name', () => {
    const role = onlyResource(template, 'AWS::IAM::Role');
    const provider = onlyResource(template, 'AWS::IAM::OIDCProvider');
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Export: { Name: string }; Description: string }>;
    expect(Object.keys(outputs).sort()).toEqual(['ProviderArn', 'RoleArn']);
    expect(outputs.RoleArn.Value).toEqual({ 'Fn::GetAtt': [role.logicalId, 'Arn'] });
    expect(outputs.RoleArn.Export).toEqual({ Name: 'BitbucketOidc-acme-corp-RoleArn' });
    expect(outputs.RoleArn.Description).toContain('AWS_ROLE_ARN');
    expect(outputs.ProviderArn.Value).toEqual({ Ref: provider.logicalId });
    expect(outputs.ProviderArn.Export).toEqual({ Name: 'BitbucketOidc-acme-corp-ProviderArn' });
  });

  test('is environment-agnostic', () => {
    const { stack } = stackFromContext(BASE_CONTEXT);
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  test('account and region pin it to one environment; the stack is named after the workspace', () => {
    const { stack } = stackFromContext({ ...BASE_CONTEXT, workspace: 'acme_corp', account: '123456789012', region: 'eu-west-1' });
    expect([stack.environment, stack.stackName]).toEqual(['aws://123456789012/eu-west-1', 'BitbucketOidc-acme-corp']);
  });
});

describe('trust for each combination of repositories and environments', () => {
  test.each([
    ['one repository', { repositories: REPO_A }, [`${REPO_A}:*`]],
    ['several repositories', { repositories: `${REPO_A},${REPO_B}` }, [`${REPO_A}:*`, `${REPO_B}:*`]],
    ['one repository through one environment', { repositories: REPO_A, environments: ENV_PROD }, [`${REPO_A}:${ENV_PROD}:*`]],
    [
      'several repositories through several environments',
      { repositories: `${REPO_A},${REPO_B}`, environments: `${ENV_PROD},${ENV_STAGING}` },
      [`${REPO_A}:${ENV_PROD}:*`, `${REPO_A}:${ENV_STAGING}:*`, `${REPO_B}:${ENV_PROD}:*`, `${REPO_B}:${ENV_STAGING}:*`],
    ],
    ['every repository of the workspace', { repositories: '*' }, ['{*}:*']],
    ['every repository through one environment', { repositories: '*', environments: ENV_PROD }, [`{*}:${ENV_PROD}:*`]],
  ])('%s', (_label, override, subjects) => {
    const [statement] = trustStatements(templateFromContext({ ...BASE_CONTEXT, ...override }));
    expect(statement.Condition).toEqual({
      StringEquals: { [`${ISSUER_HOST}:aud`]: AUDIENCE },
      StringLike: { [`${ISSUER_HOST}:sub`]: subjects },
    });
  });

});

describe("synth warnings: the audit's judgement on the synthesized roles", () => {
  const found = (context: Record<string, unknown>) =>
    Annotations.fromStack(stackFromContext({ ...BASE_CONTEXT, ...context }).stack)
      .findWarning('*', Match.anyValue())
      .map((warning) => String(warning.entry.data));
  const warnings = (context: Record<string, unknown>) => found(context).filter((warning) => !warning.includes('[ack: @aws-cdk/'));

  test('a role that can deploy and has no environments: names the role, what it admits and the fix (medium)', () => {
    const [warning, ...others] = warnings({ repositories: `${REPO_A},${REPO_B}` });
    expect(others).toEqual([]);
    expect(warning).toMatch(/^Role PipelineRole \(medium, write-from-any-branch\): /);
    expect(warning).toContain(`any branch or pull request of ${REPO_A}, ${REPO_B}) can assume it and deploy: the CDK deploy role`);
    expect(warning).toContain('Fix: pin it to a deployment environment');
    expect(warning).toContain('or give it cdkAccess=lookup');
    expect(warning).toContain(`A least-privilege roles entry: {"id":"PipelineRole","repositories":["${REPO_A}","${REPO_B}"],"environments":["<production environment UUID>"],"cdkAccess":"deploy"}`);
    expect(warning).toContain('[ack: bitbucket-oidc:write-from-any-branch]');
  });

  test('every such role of a roles list warns, each naming itself', () => {
    const roles = [{ id: 'Deploy', repositories: [REPO_A] }, { id: 'Ops', repositories: [REPO_B] }, { id: 'Preview', repositories: [REPO_A], cdkAccess: 'lookup' }];
    expect(warnings({ repositories: undefined, roles }).map((warning) => /^Role (\w+) /.exec(warning)?.[1])).toEqual(['DeployPipelineRole', 'OpsPipelineRole']);
  });

  test.each([
    ['AdministratorAccess', 'every-action', ['high', 'deploys-into-any-trusting-account']],
    ['IAMFullAccess', 'iam:PutRolePolicy', undefined],
    ['PowerUserAccess', 'sts:AssumeRole on any role', ['high', 'deploys-into-any-trusting-account']],
    ['AdministratorAccess-Amplify', 'iam:PutRolePolicy', ['high', 'deploys-into-any-trusting-account']],
  ])('cdkAccess=none with %s and no environments: high, judged by the policy document (and every account, with sts:AssumeRole on "*")', (policy, capability, everyAccount) => {
    const [warning, ...others] = warnings({ cdkAccess: 'none', policies: policy });
    expect(others.map((other) => /\((\w+), ([\w-]+)\)/.exec(other)?.slice(1))).toEqual(everyAccount === undefined ? [] : [everyAccount]);
    expect(warning).toMatch(/^Role PipelineRole \(high, write-from-any-branch\): .* can assume it and make itself account admin: /);
    expect(warning).toContain(`${capability} (`);
  });

  test('cdkAccess=none with AmazonS3FullAccess and no environments: medium, it writes', () => {
    const [warning, ...others] = warnings({ cdkAccess: 'none', policies: 'AmazonS3FullAccess' });
    expect(others).toEqual([]);
    expect(warning).toMatch(/^Role PipelineRole \(medium, write-from-any-branch\): .* can assume it and write: writes data \(s3:Delete/);
  });

  test('a customer managed policy cannot be read at synth: taken to grant everything, as the audit takes an unreadable document', () => {
    const [warning] = warnings({ cdkAccess: 'none', policies: 'arn:aws:iam::123456789012:policy/DeployApp' });
    expect(warning).toContain('through arn:aws:iam::123456789012:policy/DeployApp');
  });

  test.each([
    ['pinned to an environment', { environments: ENV_PROD }],
    ['lookup only', { cdkAccess: 'lookup' }],
    ['no CDK access', { cdkAccess: 'none' }],
    ['read-only policies (judged by their documents)', { cdkAccess: 'none', policies: 'ReadOnlyAccess,job-function/ViewOnlyAccess,SecurityAudit' }],
    ['cdkQualifier=none', { cdkQualifier: 'none' }],
  ])('no warning for a role %s', (_label, context) => {
    expect(warnings(context)).toEqual([]);
  });

  test("pinned to an environment, with AdministratorAccess: medium, it may assume every trusting account's deploy role (issue 20)", () => {
    const [warning, ...others] = warnings({ environments: ENV_PROD, policies: 'AdministratorAccess' });
    expect(others).toEqual([]);
    expect(warning).toMatch(/^Role PipelineRole \(medium, deploys-into-any-trusting-account\): it may assume the CDK deploy role of accounts its policies do not name by ID /);
  });

  test('the workspace-wide trust warns what it admits, beside the deploy warning', () => {
    const pinned = warnings({ repositories: '*', environments: ENV_PROD });
    expect(pinned).toHaveLength(1);
    expect(pinned[0]).toMatch(/^Role PipelineRole \(high, any-repository\): its sub conditions \("\{\*\}:\{c0ffee00-1234-4abc-8def-0123456789ab\}:\*"\) admit repositories it does not name \(every repository UUID; .*\): in effect every repository of workspace acme-corp/);
    expect(pinned[0]).toContain('Fix: list the repository UUIDs');
    expect(warnings({ repositories: '*' }).map((warning) => /\((\w+), ([\w-]+)\)/.exec(warning)?.slice(1))).toEqual([
      ['high', 'any-repository'],
      ['medium', 'write-from-any-branch'],
    ]);
  });
});

describe('the trust policy size checked at synth is the size deployed', () => {
  test.each([
    ['one repository', { repositories: REPO_A }],
    ['repositories x environments and source ranges', { repositories: `${REPO_A},${REPO_B}`, environments: `${ENV_PROD},${ENV_STAGING}`, allowedIpRanges: '203.0.113.0/25' }],
    ['the whole workspace', { repositories: '*' }],
  ])('%s', (_label, override) => {
    const context = { ...BASE_CONTEXT, ...override };
    const template = templateFromContext(context);
    const provider = onlyResource(template, 'AWS::IAM::OIDCProvider');
    const role = onlyResource(template, 'AWS::IAM::Role');
    const deployed = resolveIntrinsics(role.properties.AssumeRolePolicyDocument, {
      account: '123456789012',
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
      refs: { [provider.logicalId]: `arn:aws-us-gov:iam::123456789012:oidc-provider/${ISSUER_HOST}` },
    });
    const config = parseOidcConfig(context);
    if (!config.ok) throw new Error(config.problems.join('\n'));
    const [roleConfig] = config.value.roles;
    expect(trustPolicyLength({ workspace: 'acme-corp', audience: AUDIENCE, ...roleConfig })).toBe(JSON.stringify(deployed).length);
  });
});

describe('context options', () => {
  test('policies: AWS managed by name are built in the deploy partition; ARNs are kept as given', () => {
    const template = templateFromContext({ ...BASE_CONTEXT, policies: 'ReadOnlyAccess,arn:aws:iam::123456789012:policy/DeployApp' });
    const role = onlyResource(template, 'AWS::IAM::Role');
    expect(resolveIntrinsics(role.properties.ManagedPolicyArns, { account: ACCOUNT, partition: 'aws-cn', region: 'cn-north-1' })).toEqual([
      'arn:aws-cn:iam::aws:policy/ReadOnlyAccess',
      'arn:aws:iam::123456789012:policy/DeployApp',
    ]);
  });

  test('permissionsBoundary sets the boundary, partition-aware for AWS managed names', () => {
    const role = onlyResource(templateFromContext({ ...BASE_CONTEXT, permissionsBoundary: 'PowerUserAccess' }), 'AWS::IAM::Role');
    expect(resolveIntrinsics(role.properties.PermissionsBoundary, { account: ACCOUNT, partition: 'aws-us-gov', region: 'us-gov-west-1' })).toBe(
      'arn:aws-us-gov:iam::aws:policy/PowerUserAccess',
    );
  });

  test('allowedIpRanges adds an IpAddress condition on aws:SourceIp beside the others', () => {
    const [statement] = trustStatements(templateFromContext({ ...BASE_CONTEXT, allowedIpRanges: '203.0.113.0/25,2001:db8::/32' }));
    expect(statement.Condition).toEqual({
      StringEquals: { [`${ISSUER_HOST}:aud`]: AUDIENCE },
      StringLike: { [`${ISSUER_HOST}:sub`]: [`${REPO_A}:*`] },
      IpAddress: { 'aws:SourceIp': ['203.0.113.0/25', '2001:db8::/32'] },
    });
  });

  test('sessionDuration and roleName', () => {
    const role = onlyResource(templateFromContext({ ...BASE_CONTEXT, sessionDuration: '90m', roleName: 'bitbucket-deploy' }), 'AWS::IAM::Role');
    expect(role.properties.MaxSessionDuration).toBe(5400);
    expect(role.properties.RoleName).toBe('bitbucket-deploy');
  });

  test('a custom cdkQualifier names its bootstrap roles', () => {
    const policy = onlyResource(templateFromContext({ ...BASE_CONTEXT, cdkQualifier: 'team1' }), 'AWS::IAM::Policy');
    const document = resolveIntrinsics(policy.properties.PolicyDocument, { account: ACCOUNT, partition: 'aws', region: 'eu-west-1' });
    expect(JSON.stringify(document)).toContain('role/cdk-team1-deploy-role-111122223333-*');
    expect(JSON.stringify(document)).not.toContain('hnb659fds');
  });

  test('cdkAccess=lookup: only the lookup role, in any region', () => {
    const policy = onlyResource(templateFromContext({ ...BASE_CONTEXT, cdkAccess: 'lookup' }), 'AWS::IAM::Policy');
    expect(resolveIntrinsics(policy.properties.PolicyDocument, { account: ACCOUNT, partition: 'aws', region: 'eu-west-1' })).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'AssumeCdkLookupRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::111122223333:role/cdk-hnb659fds-lookup-role-111122223333-*' }],
    });
  });

  test('cdkAccess=none leaves the role with no permissions at all', () => {
    expect(templateFromContext({ ...BASE_CONTEXT, cdkAccess: 'none' }).findResources('AWS::IAM::Policy')).toEqual({});
  });

  test('cdkQualifier=false leaves the role with no permissions at all', () => {
    const template = templateFromContext({ ...BASE_CONTEXT, cdkQualifier: 'false' });
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
  });

  test('providerArn imports the provider: no provider resource, the trust and the output name that ARN', () => {
    const providerArn = `arn:aws:iam::123456789012:oidc-provider/${ISSUER_HOST}`;
    const template = templateFromContext({ ...BASE_CONTEXT, providerArn });
    expect(template.findResources('AWS::IAM::OIDCProvider')).toEqual({});
    expect(trustStatements(template)[0].Principal).toEqual({ Federated: providerArn });
    expect((template.toJSON().Outputs as Record<string, { Value: unknown }>).ProviderArn.Value).toBe(providerArn);
  });
});

describe('cdk-nag AwsSolutions', () => {
  function nagErrors(context: Record<string, unknown>): string {
    const { app } = stackFromContext(context);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    try {
      app.synth();
      return '';
    } catch (error) {
      return String(error);
    }
  }

  test('passes with every option that adds a finding, each finding acknowledged', () => {
    expect(nagErrors({ ...BASE_CONTEXT, policies: 'ReadOnlyAccess,job-function/ViewOnlyAccess', cdkQualifier: 'team1' })).toBe('');
    expect(nagErrors({ ...BASE_CONTEXT, cdkQualifier: 'team1', targetAccounts: '111111111111,222222222222' })).toBe('');
  });

  test('is really running: an unacknowledged managed policy fails the synth', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Probe');
    new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal(), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')] });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM4/);
  });
});

describe('several roles sharing the one provider', () => {
  const ROLES = [
    { id: 'Deploy', repositories: [REPO_A], environments: [ENV_PROD], policies: ['ReadOnlyAccess'] },
    { id: 'Preview', repositories: [REPO_A, REPO_B], sessionDuration: '2h', roleName: 'bitbucket-preview' },
  ];
  const context = { workspace: 'acme-corp', audience: AUDIENCE, roles: ROLES };
  const template = templateFromContext(context);
  const roles = template.findResources('AWS::IAM::Role');
  const providerId = Object.keys(template.findResources('AWS::IAM::OIDCProvider'))[0];
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Export: { Name: string }; Description: string }>;

  test('one provider, one role and one policy per role', () => {
    expect(Object.keys(template.findResources('AWS::IAM::OIDCProvider'))).toHaveLength(1);
    expect(Object.keys(roles).sort()).toEqual([expect.stringMatching(/^DeployPipelineRole/), expect.stringMatching(/^PreviewPipelineRole/)]);
    expect(Object.keys(template.findResources('AWS::IAM::Policy'))).toHaveLength(2);
  });

  test('every role trusts the one provider with its own sub patterns', () => {
    const trust = (prefix: string) => {
      const [, role] = Object.entries(roles).find(([id]) => id.startsWith(prefix)) as [string, { Properties: { AssumeRolePolicyDocument: { Statement: Array<Record<string, unknown>> } } }];
      return role.Properties.AssumeRolePolicyDocument.Statement[0];
    };
    expect(trust('DeployPipelineRole').Principal).toEqual({ Federated: { Ref: providerId } });
    expect(trust('PreviewPipelineRole').Principal).toEqual({ Federated: { Ref: providerId } });
    expect((trust('DeployPipelineRole').Condition as Record<string, unknown>).StringLike).toEqual({ [`${ISSUER_HOST}:sub`]: [`${REPO_A}:${ENV_PROD}:*`] });
    expect((trust('PreviewPipelineRole').Condition as Record<string, unknown>).StringLike).toEqual({ [`${ISSUER_HOST}:sub`]: [`${REPO_A}:*`, `${REPO_B}:*`] });
  });

  test('each role has its own output <Id>RoleArn naming the repositories it serves, and the provider its output', () => {
    expect(Object.keys(outputs).sort()).toEqual(['DeployRoleArn', 'PreviewRoleArn', 'ProviderArn']);
    const deployRole = Object.keys(roles).find((id) => id.startsWith('DeployPipelineRole'));
    expect(outputs.DeployRoleArn.Value).toEqual({ 'Fn::GetAtt': [deployRole, 'Arn'] });
    expect(outputs.DeployRoleArn.Export).toEqual({ Name: 'BitbucketOidc-acme-corp-DeployRoleArn' });
    expect(outputs.DeployRoleArn.Description).toContain(`repositories ${REPO_A} through environments ${ENV_PROD}`);
    expect(outputs.PreviewRoleArn.Description).toContain(`repositories ${REPO_A}, ${REPO_B}`);
  });

  test("an output description past CloudFormation's 1,024 bytes counts the UUIDs instead of naming them", () => {
    const uuids = Array.from({ length: 30 }, (_, n) => `{${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000}`);
    const [description] = Object.values(templateFromContext({ ...BASE_CONTEXT, repositories: uuids, environments: ENV_PROD, trustPolicySizeQuota: 4096 }).toJSON().Outputs as Record<string, { Description: string }>)
      .map((output) => output.Description)
      .filter((text) => text.startsWith('Role for'));
    expect(description).toBe('Role for Bitbucket Pipelines (workspace acme-corp, 30 repositories through 1 environments): set it as AWS_ROLE_ARN in the repository or deployment variables');
  });

  test('per-role session length and name', () => {
    const preview = Object.entries(roles).find(([id]) => id.startsWith('PreviewPipelineRole'))?.[1] as { Properties: Record<string, unknown> };
    expect([preview.Properties.MaxSessionDuration, preview.Properties.RoleName]).toEqual([7200, 'bitbucket-preview']);
  });

  test('cdk-nag passes with several roles', () => {
    const { app } = stackFromContext(context);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('managed policy quota', () => {
  const policies = Array.from({ length: 11 }, (_, n) => `arn:aws:iam::123456789012:policy/P${n}`).join(',');
  const raised = parseOidcConfig({ ...BASE_CONTEXT, policies, managedPoliciesQuota: '20' });
  const warnings = (managedPoliciesQuota: number) => {
    if (!raised.ok) throw new Error(raised.problems.join('\n'));
    const stack = new BitbucketOidcStack(new App({ builtinCloudFormationValidation: false }), 'Quota', { config: { ...raised.value, managedPoliciesQuota } });
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('11 exceeds 10 managed policies attached to a Role'));
  };

  // More than the declared quota never gets here: the configuration refuses it (test/config).
  test("a declared raised quota acknowledges aws-cdk-lib's warning about more than 10 managed policies, which it gives otherwise", () => {
    expect(warnings(20)).toEqual([]);
    expect(warnings(10)).toHaveLength(1);
  });
});

describe('day 2: moving from the flat keys to a roles list never replaces the original role', () => {
  // What stacks deployed with the flat keys hold, recorded from the release before the roles list existed.
  const RELEASED = {
    resources: { Provider2281708E: 'AWS::IAM::OIDCProvider', PipelineRoleDCFDBB91: 'AWS::IAM::Role', PipelineRoleDefaultPolicy77A82A74: 'AWS::IAM::Policy' },
    outputs: { RoleArn: 'BitbucketOidc-acme-corp-RoleArn', ProviderArn: 'BitbucketOidc-acme-corp-ProviderArn' },
  };
  const FLAT = { ...BASE_CONTEXT, repositories: `${REPO_A},${REPO_B}`, policies: 'ReadOnlyAccess', sessionDuration: '2h', permissionsBoundary: 'arn:aws:iam::123456789012:policy/Boundary' };
  const ORIGINAL = { repositories: [REPO_A, REPO_B], policies: ['ReadOnlyAccess'], sessionDuration: '2h', permissionsBoundary: 'arn:aws:iam::123456789012:policy/Boundary' };
  const PREVIEW = { id: 'Preview', repositories: [REPO_A] };
  const DEPLOY = { id: 'Deploy', repositories: [REPO_A], environments: [ENV_PROD] };
  const STAGING = { id: 'Staging', repositories: [REPO_B], environments: [ENV_STAGING] };
  type Json = { Resources: Record<string, { Type: string }>; Outputs: Record<string, { Value: unknown; Export: { Name: string } }> };
  const synth = (context: Record<string, unknown>) => templateFromContext(context).toJSON() as Json;
  const listed = (roles: object[]) => synth({ workspace: 'acme-corp', audience: AUDIENCE, roles });
  const flat = synth(FLAT);

  test('the flat keys synthesize the logical IDs, outputs and exports of the released version', () => {
    expect(Object.fromEntries(Object.entries(synth(BASE_CONTEXT).Resources).map(([id, resource]) => [id, resource.Type]))).toEqual(RELEASED.resources);
    expect(Object.fromEntries(Object.entries(flat.Outputs).map(([name, output]) => [name, output.Export.Name]))).toEqual(RELEASED.outputs);
  });

  test.each([
    ['first', [ORIGINAL, PREVIEW, DEPLOY]],
    ['in the middle', [PREVIEW, ORIGINAL, DEPLOY]],
    ['last, with the others reordered', [DEPLOY, PREVIEW, ORIGINAL]],
  ])('the entry without id, %s, is the original role: same resources, same RoleArn output and export', (_where, roles) => {
    const template = listed(roles);
    for (const [logicalId, resource] of Object.entries(flat.Resources)) expect(template.Resources[logicalId]).toEqual(resource);
    expect(template.Outputs.RoleArn).toEqual(flat.Outputs.RoleArn);
    expect(template.Outputs.ProviderArn).toEqual(flat.Outputs.ProviderArn);
    expect(Object.keys(template.Outputs).sort()).toEqual(['DeployRoleArn', 'PreviewRoleArn', 'ProviderArn', 'RoleArn']);
  });

  test('adding, removing and reordering other entries leaves every remaining role exactly as it was', () => {
    const before = listed([ORIGINAL, PREVIEW, DEPLOY]);
    const after = listed([STAGING, DEPLOY, ORIGINAL]);
    const kept = Object.keys(before.Resources).filter((id) => !id.startsWith('Preview'));
    for (const logicalId of kept) expect(after.Resources[logicalId]).toEqual(before.Resources[logicalId]);
    const added = Object.keys(after.Resources).filter((id) => !(id in before.Resources));
    const removed = Object.keys(before.Resources).filter((id) => !(id in after.Resources));
    expect([added.every((id) => id.startsWith('StagingPipelineRole')), removed.every((id) => id.startsWith('PreviewPipelineRole'))]).toEqual([true, true]);
    expect([added.length, removed.length]).toEqual([2, 2]);
  });

  test("giving the original entry an id is a new logical ID: the role is replaced (the README's table says so)", () => {
    const renamed = listed([{ ...ORIGINAL, id: 'Legacy' }, PREVIEW]);
    expect(Object.keys(renamed.Resources).filter((id) => id.startsWith('PipelineRole'))).toEqual([]);
    expect(renamed.Outputs.RoleArn).toBeUndefined();
  });
});
