import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseOidcConfig, stackSetStackNameFor } from '../../lib/config/parse-oidc-config';
import { OidcConfig } from '../../lib/config/oidc-config';
import { MAX_TEMPLATE_BODY_BYTES } from '../../lib/stacks/member-account-template';
import { BitbucketOidcStackSetStack } from '../../lib/stacks/oidc-stackset-stack';
import { addWorkspaceStack } from '../../lib/stacks/workspace-stack';
import { rolesOfMemberSize } from '../support/limits';
import { AUDIENCE, BASE_CONTEXT, REPO_A, REPO_B, templateFromContext } from '../support/synth';

const ROLLOUT = { stackSetOrganizationalUnits: 'ou-ab12-34cd56ef,r-ab12', stackSetRegion: 'eu-west-1' };


function parse(context: Record<string, unknown>): OidcConfig {
  const result = parseOidcConfig(context);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.value;
}

/** Built as bin/app.ts builds it in rollout mode. */
function stackSetStack(context: Record<string, unknown>): { app: App; stack: BitbucketOidcStackSetStack } {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = addWorkspaceStack(app, parse(context));
  if (!stack.ok || !(stack.value instanceof BitbucketOidcStackSetStack)) throw new Error(stack.ok ? 'not a rollout' : stack.problems.join('\n'));
  return { app, stack: stack.value };
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

  test("thumbprints reach every member account's provider", () => {
    const thumbprints = ['6938fd4d98bab03faadb97b34396831e3780aea1'];
    const member = JSON.parse(stackSetProperties(stackSetTemplate({ ...BASE_CONTEXT, ...ROLLOUT, thumbprints }).template).TemplateBody as string) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    expect(Object.values(member.Resources).filter((resource) => resource.Type === 'AWS::IAM::OIDCProvider').map((resource) => resource.Properties.ThumbprintList)).toEqual([thumbprints]);
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

  test("the StackSetId description names up to 10 units and counts more, within CloudFormation's 1,024 bytes", () => {
    const description = (units: number) => {
      const ous = Array.from({ length: units }, (_, n) => `ou-ab12-${String(n).padStart(8, '0')}`).join(',');
      return (stackSetTemplate({ ...BASE_CONTEXT, ...ROLLOUT, stackSetOrganizationalUnits: ous }).template.toJSON().Outputs as Record<string, { Description: string }>).StackSetId.Description;
    };
    expect(description(10)).toContain('ou-ab12-00000009 the Bitbucket OIDC provider');
    expect(description(60)).toContain('each account of 60 organizational units the Bitbucket OIDC provider');
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

  describe("CloudFormation's 51,200 bytes for a StackSet's template, checked before anything is built", () => {
    const atLimit = rolesOfMemberSize(MAX_TEMPLATE_BODY_BYTES);
    const overLimit = rolesOfMemberSize(MAX_TEMPLATE_BODY_BYTES + 1);
    const rollout = (roles: Array<Record<string, unknown>>) => parse({ workspace: 'acme-corp', audience: AUDIENCE, roles, ...ROLLOUT });

    test('a member template of exactly 51,200 bytes is the TemplateBody deployed', () => {
      const properties = stackSetProperties(stackSetTemplate({ workspace: 'acme-corp', audience: AUDIENCE, roles: atLimit, ...ROLLOUT }).template);
      expect(Buffer.byteLength(properties.TemplateBody as string)).toBe(51_200);
    });

    test('one byte more is a roles line with the size, the limit and how many roles fit, and the app is left without a stack', () => {
      const app = new App();
      expect(addWorkspaceStack(app, rollout(overLimit))).toEqual({
        ok: false,
        problems: [expect.stringMatching(new RegExp(`^roles: ${overLimit.length} roles make a member template of 51201 bytes, over CloudFormation's 51200 for a StackSet's template, so about ${overLimit.length - 1} roles like these fit: `))],
      });
      expect(app.node.children).toEqual([]);
    });

    test('the stack refuses an oversized body given to it directly', () => {
      const config = rollout(atLimit);
      const { stackSet } = config;
      if (stackSet === undefined) throw new Error('not a rollout');
      const build = (memberTemplateBody: string) => new BitbucketOidcStackSetStack(new App(), 'Rollout', { config: { ...config, stackSet }, memberTemplateBody });
      expect(() => build('x'.repeat(51_200))).not.toThrow();
      expect(() => build('x'.repeat(51_201))).toThrow('memberTemplateBody is 51201 bytes');
    });
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
