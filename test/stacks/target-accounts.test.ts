import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { parseOidcConfig } from '../../lib/config/parse-oidc-config';
import { resolveIntrinsics } from '../../lib/iam-evaluator/template-intrinsics';
import { addWorkspaceStack } from '../../lib/stacks/workspace-stack';
import { AUDIENCE, BASE_CONTEXT, ENV_PROD, ENV_STAGING, REPO_A, stackFromContext, templateFromContext } from '../support/synth';

const HOME = '999988887777';
const STAGING = '111111111111';
const PRODUCTION = '222222222222';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Each role's policy document by the role's logical ID, resolved as IAM would hold it with the stack deployed in HOME. */
function policiesByRole(template: Template): Record<string, { Statement: Array<{ Sid: string; Action: string; Resource: string | string[] }> }> {
  const resources = template.toJSON().Resources as Resources;
  return Object.fromEntries(
    Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .map((policy) => [
        (policy.Properties.Roles as Array<{ Ref: string }>)[0].Ref,
        resolveIntrinsics(policy.Properties.PolicyDocument, { account: HOME, partition: 'aws', region: 'eu-west-1' }) as { Statement: Array<{ Sid: string; Action: string; Resource: string | string[] }> },
      ]),
  );
}

function onlyPolicy(context: Record<string, unknown>) {
  const policies = Object.values(policiesByRole(templateFromContext(context)));
  expect(policies).toHaveLength(1);
  return policies[0];
}

describe('what targetAccounts grants', () => {
  test('two accounts with cdkAccess=deploy: one statement, the four bootstrap roles of each, named exactly, in any region; not the stack\'s own account', () => {
    expect(onlyPolicy({ ...BASE_CONTEXT, targetAccounts: `${STAGING},${PRODUCTION}` })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AssumeCdkBootstrapRoles',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: [
            'arn:aws:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-*',
            'arn:aws:iam::111111111111:role/cdk-hnb659fds-file-publishing-role-111111111111-*',
            'arn:aws:iam::111111111111:role/cdk-hnb659fds-image-publishing-role-111111111111-*',
            'arn:aws:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-*',
            'arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-*',
            'arn:aws:iam::222222222222:role/cdk-hnb659fds-file-publishing-role-222222222222-*',
            'arn:aws:iam::222222222222:role/cdk-hnb659fds-image-publishing-role-222222222222-*',
            'arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-*',
          ],
        },
      ],
    });
  });

  test('cdkAccess=lookup: only the lookup role of each account, with the custom qualifier', () => {
    expect(onlyPolicy({ ...BASE_CONTEXT, cdkAccess: 'lookup', cdkQualifier: 'team1', targetAccounts: [STAGING, PRODUCTION] }).Statement).toEqual([
      {
        Sid: 'AssumeCdkLookupRole',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: ['arn:aws:iam::111111111111:role/cdk-team1-lookup-role-111111111111-*', 'arn:aws:iam::222222222222:role/cdk-team1-lookup-role-222222222222-*'],
      },
    ]);
  });

  test('the partition stays the deploying one (a Ref), the accounts literal, and no account is a wildcard', () => {
    const template = templateFromContext({ ...BASE_CONTEXT, targetAccounts: [STAGING, PRODUCTION] });
    const raw = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(raw).toContain('{"Ref":"AWS::Partition"}');
    expect(raw).not.toContain('AWS::AccountId');
    expect(raw).not.toMatch(/iam::\*/);
    expect(raw).not.toMatch(/-role-\*/);
  });

  test('the multi-account layout: each role reaches only its own accounts', () => {
    const roles = [
      { id: 'Preview', repositories: [REPO_A], cdkAccess: 'lookup', targetAccounts: [STAGING, PRODUCTION] },
      { id: 'DeployStaging', repositories: [REPO_A], environments: [ENV_STAGING], targetAccounts: [STAGING] },
      { id: 'DeployProduction', repositories: [REPO_A], environments: [ENV_PROD], targetAccounts: [PRODUCTION] },
    ];
    const template = templateFromContext({ workspace: 'acme-corp', audience: AUDIENCE, roles });
    const outputs = template.toJSON().Outputs as Record<string, { Value: { 'Fn::GetAtt': [string, string] } }>;
    const policies = policiesByRole(template);
    const accountsOf = (output: string) => [...new Set(policies[outputs[output].Value['Fn::GetAtt'][0]].Statement.flatMap((s) => [s.Resource].flat()).map((arn) => arn.split(':')[4]))];
    expect([accountsOf('PreviewRoleArn'), accountsOf('DeployStagingRoleArn'), accountsOf('DeployProductionRoleArn')]).toEqual([[STAGING, PRODUCTION], [STAGING], [PRODUCTION]]);
  });
});

describe('without targetAccounts the template is what it always was', () => {
  test("the stack's own account, as the AWS::AccountId token, in every ARN", () => {
    const policy = Object.values(templateFromContext(BASE_CONTEXT).findResources('AWS::IAM::Policy'))[0] as { Properties: { PolicyDocument: { Statement: Array<{ Resource: unknown[] }> } } };
    expect(policy.Properties.PolicyDocument.Statement[0].Resource[0]).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/cdk-hnb659fds-deploy-role-', { Ref: 'AWS::AccountId' }, '-*']],
    });
  });

  test('a stack pinned to its account with targetAccounts naming only that account synthesizes the same template as without', () => {
    const pinned = { ...BASE_CONTEXT, account: HOME, region: 'eu-west-1' };
    expect(templateFromContext({ ...pinned, targetAccounts: HOME }).toJSON()).toEqual(templateFromContext(pinned).toJSON());
  });
});

describe('day 2: a targetAccounts change updates the policy in place, the role keeps its ARN', () => {
  test.each([
    ['set', BASE_CONTEXT, { ...BASE_CONTEXT, targetAccounts: STAGING }],
    ['changed', { ...BASE_CONTEXT, targetAccounts: STAGING }, { ...BASE_CONTEXT, targetAccounts: `${STAGING},${PRODUCTION}` }],
    ['removed', { ...BASE_CONTEXT, targetAccounts: PRODUCTION }, BASE_CONTEXT],
  ])('%s: same role logical ID, name and properties, same policy logical ID, another policy document', (_label, before, after) => {
    const [a, b] = [templateFromContext(before).toJSON().Resources as Resources, templateFromContext(after).toJSON().Resources as Resources];
    const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
    const [roleA, roleB] = [ofType(a, 'AWS::IAM::Role'), ofType(b, 'AWS::IAM::Role')];
    expect(roleB.map(([id]) => id)).toEqual(roleA.map(([id]) => id));
    // The role resource is untouched, RoleName (unset) included: CloudFormation has nothing to replace.
    expect(roleB).toEqual(roleA);
    const [policyA, policyB] = [ofType(a, 'AWS::IAM::Policy'), ofType(b, 'AWS::IAM::Policy')];
    expect(policyB.map(([id]) => id)).toEqual(policyA.map(([id]) => id));
    expect(policyB[0][1].Properties.PolicyDocument).not.toEqual(policyA[0][1].Properties.PolicyDocument);
  });
});

describe('a StackSet rollout: every member account\'s role reaches the named accounts', () => {
  test('the member template names the target accounts literally, never the member account', () => {
    const config = parseOidcConfig({ ...BASE_CONTEXT, cdkAccess: 'lookup', targetAccounts: [STAGING, PRODUCTION], stackSetOrganizationalUnits: 'ou-ab12-34cd56ef', stackSetRegion: 'eu-west-1' });
    if (!config.ok) throw new Error(config.problems.join('\n'));
    const app = new App({ builtinCloudFormationValidation: false });
    const added = addWorkspaceStack(app, config.value);
    if (!added.ok) throw new Error(added.problems.join('\n'));
    const stackSet = Object.values(Template.fromStack(added.value as Stack).findResources('AWS::CloudFormation::StackSet'))[0] as { Properties: { TemplateBody: string } };
    const member = Template.fromJSON(JSON.parse(stackSet.Properties.TemplateBody) as Record<string, unknown>);
    expect(Object.values(policiesByRole(member))[0].Statement[0].Resource).toEqual([
      'arn:aws:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-*',
      'arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-*',
    ]);
  });
});

describe('the synth warnings judge the bootstrap roles of the target accounts', () => {
  const warnings = (context: Record<string, unknown>) =>
    Annotations.fromStack(stackFromContext(context).stack)
      .findWarning('*', Match.anyValue())
      .map((warning) => String(warning.entry.data))
      .filter((warning) => !warning.includes('[ack: @aws-cdk/'));

  test('a role that deploys into other accounts from any branch warns, as one deploying its own would', () => {
    const [warning, ...others] = warnings({ ...BASE_CONTEXT, targetAccounts: `${STAGING},${PRODUCTION}` });
    expect(others).toEqual([]);
    expect(warning).toMatch(/^Role PipelineRole \(medium, write-from-any-branch\): .* can assume it and deploy: the CDK deploy role/);
  });

  test('pinned to an environment, or lookup only: no warning', () => {
    expect(warnings({ ...BASE_CONTEXT, environments: ENV_PROD, targetAccounts: PRODUCTION })).toEqual([]);
    expect(warnings({ ...BASE_CONTEXT, cdkAccess: 'lookup', targetAccounts: `${STAGING},${PRODUCTION}` })).toEqual([]);
  });
});
