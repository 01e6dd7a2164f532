import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseOidcConfig, stackSetStackNameFor } from '../../lib/config/parse-oidc-config';
import { OidcConfig } from '../../lib/config/oidc-config';
import { BitbucketOidcStackSetStack } from '../../lib/stacks/oidc-stackset-stack';
import { AUDIENCE, BASE_CONTEXT, REPO_A, REPO_B, templateFromContext } from '../support/synth';

const ROLLOUT = { stackSetOrganizationalUnits: 'ou-ab12-34cd56ef,r-ab12', stackSetRegion: 'eu-west-1' };

function parse(context: Record<string, unknown>): OidcConfig {
  const result = parseOidcConfig(context);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.value;
}

/** Built as bin/app.ts builds it in rollout mode. */
function stackSetStack(context: Record<string, unknown>): { app: App; stack: BitbucketOidcStackSetStack } {
  const config = parse(context);
  if (config.stackSet === undefined) throw new Error('not a rollout');
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new BitbucketOidcStackSetStack(app, stackSetStackNameFor(config.workspace), { config: { ...config, stackSet: config.stackSet } });
  return { app, stack };
}

function stackSetTemplate(context: Record<string, unknown>): { app: App; template: Template } {
  const { app, stack } = stackSetStack(context);
  return { app, template: Template.fromStack(stack) };
}

function stackSetProperties(template: Template): Record<string, unknown> {
  const [resource] = Object.values(template.findResources('AWS::CloudFormation::StackSet')) as Array<{ Properties: Record<string, unknown> }>;
  return resource.Properties;
}

describe('the organisation-wide rollout', () => {
  const { template } = stackSetTemplate({ ...BASE_CONTEXT, ...ROLLOUT, stackSetExcludedAccounts: '111122223333', stackSetMaxConcurrent: '5', stackSetFailureTolerance: '10%' });
  const properties = stackSetProperties(template);

  test('lives in stack BitbucketOidcStackSet-<slug>; the StackSet and its member stacks are named like the single-account stack', () => {
    expect(stackSetStackNameFor('acme_corp')).toBe('BitbucketOidcStackSet-acme-corp');
    expect(properties.StackSetName).toBe('BitbucketOidc-acme-corp');
  });

  test('is one service-managed StackSet with automatic deployment, and nothing else', () => {
    expect(Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type)).toEqual(['AWS::CloudFormation::StackSet']);
    expect([properties.PermissionModel, properties.AutoDeployment, properties.CallAs]).toEqual([
      'SERVICE_MANAGED',
      { Enabled: true, RetainStacksOnAccountRemoval: false },
      'SELF',
    ]);
  });

  test('targets the organisational units, less the excluded accounts, in exactly one region', () => {
    expect(properties.StackInstancesGroup).toEqual([
      { DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-34cd56ef', 'r-ab12'], Accounts: ['111122223333'], AccountFilterType: 'DIFFERENCE' }, Regions: ['eu-west-1'] },
    ]);
  });

  test('failure tolerance and concurrency as given; IAM capability only', () => {
    expect(properties.OperationPreferences).toEqual({ FailureTolerancePercentage: 10, MaxConcurrentCount: 5, RegionConcurrencyType: 'SEQUENTIAL' });
    expect(properties.Capabilities).toEqual(['CAPABILITY_IAM']);
  });

  test("embeds the single-account template's resources and outputs, without the bootstrap version check", () => {
    const member = JSON.parse(properties.TemplateBody as string) as Record<string, unknown>;
    const single = templateFromContext(BASE_CONTEXT).toJSON() as Record<string, unknown>;
    expect(member.Resources).toEqual(single.Resources);
    expect(member.Outputs).toEqual(single.Outputs);
    expect([member.Parameters, member.Rules]).toEqual([undefined, undefined]);
  });

  test('pinned to the management account, it still gives members a template that names no account but their own', () => {
    const pinned = stackSetProperties(stackSetTemplate({ ...BASE_CONTEXT, ...ROLLOUT, account: '999988887777', region: 'eu-west-1' }).template);
    expect(pinned.TemplateBody).toBe(properties.TemplateBody);
    expect(pinned.TemplateBody).not.toContain('999988887777');
  });

  test('a named role needs CAPABILITY_NAMED_IAM; DELEGATED_ADMIN and defaults', () => {
    const props = stackSetProperties(stackSetTemplate({ ...BASE_CONTEXT, ...ROLLOUT, roleName: 'bitbucket-deploy', stackSetCallAs: 'DELEGATED_ADMIN' }).template);
    expect(props.Capabilities).toEqual(['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM']);
    expect(props.CallAs).toBe('DELEGATED_ADMIN');
    expect(props.OperationPreferences).toEqual({ FailureTolerancePercentage: 10, MaxConcurrentPercentage: 25, RegionConcurrencyType: 'SEQUENTIAL' });
    expect((props.StackInstancesGroup as Array<{ DeploymentTargets: object }>)[0].DeploymentTargets).toEqual({ OrganizationalUnitIds: ['ou-ab12-34cd56ef', 'r-ab12'] });
  });

  test('several roles roll out together', () => {
    const roles = [
      { id: 'Deploy', repositories: [REPO_A] },
      { id: 'Preview', repositories: [REPO_B] },
    ];
    const props = stackSetProperties(stackSetTemplate({ workspace: 'acme-corp', audience: AUDIENCE, roles, ...ROLLOUT }).template);
    const member = JSON.parse(props.TemplateBody as string) as { Outputs: Record<string, unknown> };
    expect(Object.keys(member.Outputs).sort()).toEqual(['DeployRoleArn', 'PreviewRoleArn', 'ProviderArn']);
  });

  test("a member template over CloudFormation's 51,200 bytes for a StackSet fails the synth, saying why", () => {
    const roles = Array.from({ length: 30 }, (_, n) => ({ id: `Team${n}`, repositories: [`{${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000}`] }));
    const { stack } = stackSetStack({ workspace: 'acme-corp', audience: AUDIENCE, roles, ...ROLLOUT });
    Annotations.fromStack(stack).hasError('*', Match.stringLikeRegexp("The member template is \\d+ bytes, over CloudFormation's 51200 for a StackSet template"));
  });

  test('passes cdk-nag', () => {
    const { app } = stackSetTemplate({ ...BASE_CONTEXT, ...ROLLOUT });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('rollout context is validated', () => {
  function problems(context: Record<string, unknown>): readonly string[] {
    const result = parseOidcConfig({ ...BASE_CONTEXT, ...context });
    return result.ok ? [] : result.problems;
  }

  test.each([
    ['several regions', { ...ROLLOUT, stackSetRegion: 'eu-west-1,us-east-1' }, 'stackSetRegion: got "eu-west-1,us-east-1"; expected exactly one region: an IAM OIDC provider is global to its account'],
    ['no region', { stackSetOrganizationalUnits: 'ou-ab12-34cd56ef' }, 'stackSetRegion: missing; expected'],
    ['an account id as OU', { ...ROLLOUT, stackSetOrganizationalUnits: '123456789012' }, 'stackSetOrganizationalUnits: got "123456789012"; expected an organizational unit id (ou-…) or the root id (r-…)'],
    ['a StackSet key without OUs', { stackSetRegion: 'eu-west-1' }, 'stackSetRegion: got "eu-west-1"; expected stackSetOrganizationalUnits as well'],
    ['a bad tolerance', { ...ROLLOUT, stackSetFailureTolerance: 'many' }, 'stackSetFailureTolerance: got "many"; expected a number of accounts (at least 0) or a percentage up to 100%'],
    ['zero concurrency', { ...ROLLOUT, stackSetMaxConcurrent: '0' }, 'stackSetMaxConcurrent: got "0"; expected a number of accounts (at least 1)'],
    ['a bad excluded account', { ...ROLLOUT, stackSetExcludedAccounts: '1234' }, 'stackSetExcludedAccounts: got "1234"; expected a 12-digit AWS account ID'],
    ['a bad callAs', { ...ROLLOUT, stackSetCallAs: 'ADMIN' }, 'stackSetCallAs: got "ADMIN"; expected SELF'],
    [
      'an imported provider',
      { ...ROLLOUT, providerArn: 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc' },
      'providerArn: got',
    ],
  ])('%s', (_label, context, start) => {
    const lines = problems(context);
    expect(lines).toHaveLength(1);
    expect(lines[0].slice(0, start.length)).toBe(start);
  });
});
