import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OidcConfig, RoleConfig } from '../../lib/config/oidc-config';
import { parseOidcConfig } from '../../lib/config/parse-oidc-config';
import { MAX_OUTPUTS, MAX_RESOURCES, MAX_ROLE_POLICY_SIZE, templateCounts } from '../../lib/config/stack-limits';
import { resolveIntrinsics } from '../../lib/iam-evaluator/template-intrinsics';
import { BitbucketOidcStack } from '../../lib/stacks/oidc-stack';
import { lookupRoles, repositoryUuid } from '../support/limits';
import { AUDIENCE } from '../support/synth';

const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';

function problems(context: Record<string, unknown>): readonly string[] {
  const result = parseOidcConfig(context);
  return result.ok ? [] : result.problems;
}

/** What a synthesized template really holds. */
function counted(config: OidcConfig): { outputs: number; resources: number } {
  const template = Template.fromStack(new BitbucketOidcStack(new App({ builtinCloudFormationValidation: false }), config.stackName, { config })).toJSON();
  return { outputs: Object.keys(template.Outputs as object).length, resources: Object.keys(template.Resources as object).length };
}

/** A configuration past the app's own checks, to build stacks at and past the limits. */
function configWith(roles: readonly RoleConfig[], providerArn?: string): OidcConfig {
  const base = parseOidcConfig({ workspace: 'acme-corp', audience: AUDIENCE, repositories: repositoryUuid(0), providerArn });
  if (!base.ok) throw new Error(base.problems.join('\n'));
  return { ...base.value, roles };
}

// Policies by ARN: an AWS managed name is attached alike, but makes synth load every AWS managed document to judge it (lib/stacks/synth-judgement).
const SHAPES: ReadonlyArray<Pick<RoleConfig, 'cdkAccess' | 'policies' | 'permissionsBoundary'>> = [
  { cdkAccess: 'deploy', policies: [], permissionsBoundary: undefined },
  { cdkAccess: 'lookup', policies: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { arn: 'arn:aws:iam::123456789012:policy/DeployApp' }], permissionsBoundary: { awsManagedName: 'PowerUserAccess' } },
  { cdkAccess: 'none', policies: [{ arn: 'arn:aws:iam::123456789012:policy/ReadApp' }], permissionsBoundary: { arn: 'arn:aws:iam::123456789012:policy/Boundary' } },
];

function roles(count: number, shape: (n: number) => Pick<RoleConfig, 'cdkAccess' | 'policies' | 'permissionsBoundary' | 'targetAccounts'>): RoleConfig[] {
  return Array.from({ length: count }, (_, n) => ({
    id: `Team${n}`,
    repositories: [repositoryUuid(n)],
    environments: [],
    sessionDurationSeconds: 3600,
    allowedIpRanges: [],
    ...shape(n),
  }));
}

describe("the counts checked are the template's", () => {
  test('at the outputs limit: 199 roles of every kind (policies, boundaries, CDK access or none), provider created', () => {
    const config = configWith(roles(MAX_OUTPUTS - 1, (n) => SHAPES[n % SHAPES.length]));
    const template = counted(config);
    expect(template).toEqual(templateCounts(config.roles, false));
    expect(template.outputs).toBe(MAX_OUTPUTS);
  });

  test('at the resources limit: 250 roles with CDK access, provider imported', () => {
    const config = configWith(roles(250, () => SHAPES[0]), PROVIDER);
    const template = counted(config);
    expect(template).toEqual(templateCounts(config.roles, true));
    expect(template.resources).toBe(MAX_RESOURCES);
  });

  test('cdkQualifier=none: no policy for any role', () => {
    const config = parseOidcConfig({ workspace: 'acme-corp', audience: AUDIENCE, roles: lookupRoles(3).map((role) => ({ id: role.id, repositories: role.repositories })), cdkQualifier: 'none' });
    if (!config.ok) throw new Error(config.problems.join('\n'));
    expect(counted(config.value)).toEqual(templateCounts(config.value.roles, false));
    expect(counted(config.value)).toEqual({ outputs: 4, resources: 4 });
  });
});

describe("CloudFormation's limits per stack, as roles lines", () => {
  const context = (entries: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) => ({ workspace: 'acme-corp', audience: AUDIENCE, roles: entries, ...extra });

  test('199 roles (200 outputs) are accepted', () => {
    expect(problems(context(lookupRoles(199)))).toEqual([]);
  });

  test('200 roles (201 outputs) are refused, saying how many fit and where the others go', () => {
    expect(problems(context(lookupRoles(200)))).toEqual([
      "roles: 200 roles make 201 outputs (a RoleArn each and ProviderArn), over CloudFormation's limit of 200 per stack, so at most 199 roles fit one stack: " +
        "keep the deployed roles where they are (a role moved to another stack gets a new ARN) and put the others in a further stack that imports this one's provider: " +
        '-c stackSuffix=Part2 -c providerArn=<ProviderArn output of BitbucketOidc-acme-corp> -c roles=[…]',
    ]);
  });

  test('500 resources are within the limit (only the outputs are over); 501 are refused too, the line counting them', () => {
    const deploying = lookupRoles(250).map((role) => ({ ...role, cdkAccess: 'deploy', environments: [repositoryUuid(9999)] }));
    expect(problems(context(deploying, { providerArn: PROVIDER })).map((line) => line.split(' (')[0])).toEqual(['roles: 250 roles make 251 outputs']);
    const lines = problems(context(deploying));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(
      "roles: 250 roles make 501 resources (the provider, 250 roles, 250 policies for CDK access), over CloudFormation's limit of 500 per stack, so at most 199 roles like these fit one stack: " +
        "keep the deployed roles where they are (a role moved to another stack gets a new ARN) and put the others in a further stack that imports this one's provider: " +
        '-c stackSuffix=Part2 -c providerArn=<ProviderArn output of BitbucketOidc-acme-corp> -c roles=[…]',
    );
  });

  test('counted beside bad entries, so the limit is reported with every other problem', () => {
    const entries = [...lookupRoles(199), { id: 'Bad', repositories: 'my-service' }];
    expect(problems(context(entries)).map((line) => line.split(': ')[0])).toEqual(['roles[199].repositories', 'roles']);
  });
});

describe("a role's inline policy with targetAccounts: one AWS::IAM::Policy within IAM's 10,240 characters, never split by aws-cdk-lib", () => {
  const accounts = (count: number) => Array.from({ length: count }, (_, n) => String(100000000000 + n));

  /** What the synthesized template makes of one role reaching `count` accounts, built past the app's own checks. */
  function synthesized(cdkAccess: 'deploy' | 'lookup', count: number): { policies: number; managedPolicies: number; length: number } {
    const config = configWith(roles(1, () => ({ cdkAccess, policies: [], permissionsBoundary: undefined, targetAccounts: accounts(count) })));
    const template = Template.fromStack(new BitbucketOidcStack(new App({ builtinCloudFormationValidation: false }), config.stackName, { config }));
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { PolicyDocument: unknown } }>;
    // As IAM would count it in the longest partition, without white space.
    const length = policies.length === 0 ? 0 : JSON.stringify(resolveIntrinsics(policies[0].Properties.PolicyDocument, { account: '999999999999', partition: 'aws-us-gov', region: 'us-gov-west-1' })).replace(/\s/g, '').length;
    return { policies: policies.length, managedPolicies: Object.keys(template.findResources('AWS::IAM::ManagedPolicy')).length, length };
  }

  test.each([
    ['deploy', 16],
    ['lookup', 64],
  ] as const)('cdkAccess=%s: %i accounts synthesize one inline policy that IAM accepts and are accepted; one more would be split, and is refused', (cdkAccess, fit) => {
    const within = synthesized(cdkAccess, fit);
    expect(within).toEqual({ policies: 1, managedPolicies: 0, length: within.length });
    expect(within.length).toBeLessThanOrEqual(MAX_ROLE_POLICY_SIZE);
    expect(synthesized(cdkAccess, fit + 1).managedPolicies).toBeGreaterThan(0);

    const context = (count: number) => ({ workspace: 'acme-corp', audience: AUDIENCE, repositories: repositoryUuid(0), cdkAccess, targetAccounts: accounts(count) });
    expect(problems(context(fit))).toEqual([]);
    const lines = problems(context(fit + 1));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^targetAccounts: got \["100000000000","100000000001",.*… \(\d+ characters\); /);
    expect(lines[0]).toContain(`expected at most ${fit} accounts for a role with cdkAccess=${cdkAccess} (${fit + 1} given): past that, aws-cdk-lib moves the role's policy`);
    expect(lines[0]).toContain(`; example: split the accounts over several roles, each with its own id and targetAccounts (at most ${fit} each)`);
  });

  test('the count is per role, reported beside other problems, naming the entry', () => {
    const entries = [
      { id: 'Deploy', repositories: [repositoryUuid(0)], targetAccounts: accounts(17) },
      { id: 'Preview', repositories: [repositoryUuid(0)], cdkAccess: 'lookup', targetAccounts: accounts(17) },
      { id: 'Bad', repositories: 'not-a-uuid' },
    ];
    expect(problems({ workspace: 'acme-corp', audience: AUDIENCE, roles: entries }).map((line) => line.split(': ')[0])).toEqual(['roles[0].targetAccounts', 'roles[2].repositories']);
  });
});
