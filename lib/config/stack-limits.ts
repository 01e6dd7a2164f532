import { CdkAccess } from './oidc-config';

/** CloudFormation's limits per stack (fixed, not quotas that can be raised). */
export const MAX_OUTPUTS = 200;
export const MAX_RESOURCES = 500;

export interface TemplateCounts {
  readonly outputs: number;
  readonly resources: number;
}

/**
 * What the single-account template holds for these roles: an output per role and
 * ProviderArn; the provider unless imported, a role each, and a policy for each role
 * with CDK access. Managed policies and boundaries are references, not resources.
 * `test/stacks/stack-limits.test.ts` holds this against synthesized templates.
 */
export function templateCounts(roles: readonly { readonly cdkAccess: CdkAccess }[], providerImported: boolean): TemplateCounts {
  const withPolicy = roles.filter((role) => role.cdkAccess !== 'none').length;
  return { outputs: roles.length + 1, resources: (providerImported ? 0 : 1) + roles.length + withPolicy };
}

/**
 * CloudFormation refuses a stack over either limit at deploy, so refuse it here, saying
 * how many roles fit and where the others go: another stack of the same workspace in the
 * same account cannot create the provider again (one per URL per account), so it imports
 * it, and needs a name of its own.
 */
export function stackLimitProblems(roles: readonly { readonly cdkAccess: CdkAccess }[], providerImported: boolean, stackName: string): string[] {
  const counts = templateCounts(roles, providerImported);
  const provider = providerImported ? 0 : 1;
  const withPolicy = counts.resources - provider - roles.length;
  const perRole = roles.length === 0 ? 1 : (counts.resources - provider) / roles.length;
  const fit = Math.min(MAX_OUTPUTS - 1, Math.floor((MAX_RESOURCES - provider) / perRole));
  const elsewhere =
    `keep the deployed roles where they are (a role moved to another stack gets a new ARN) and put the others in a further stack ` +
    `that imports this one's provider: -c stackSuffix=Part2 -c providerArn=<ProviderArn output of ${stackName}> -c roles=[…]`;
  const problems: string[] = [];
  if (counts.outputs > MAX_OUTPUTS) {
    problems.push(
      `roles: ${roles.length} roles make ${counts.outputs} outputs (a RoleArn each and ProviderArn), over CloudFormation's limit of ${MAX_OUTPUTS} per stack, ` +
        `so at most ${MAX_OUTPUTS - 1} roles fit one stack: ${elsewhere}`,
    );
  }
  if (counts.resources > MAX_RESOURCES) {
    const parts = [provider === 1 ? 'the provider' : '', `${roles.length} roles`, withPolicy > 0 ? `${withPolicy} policies for CDK access` : ''].filter((part) => part !== '');
    problems.push(
      `roles: ${roles.length} roles make ${counts.resources} resources (${parts.join(', ')}), over CloudFormation's limit of ${MAX_RESOURCES} per stack, ` +
        `so at most ${fit} roles like these fit one stack: ${elsewhere}`,
    );
  }
  return problems;
}

/** IAM's limit for all inline policies of a role together, in characters without white space (not a quota: it cannot be raised). */
export const MAX_ROLE_POLICY_SIZE = 10_240;
/** The longest qualifier `cdk bootstrap` accepts, and the longest partition: what a length is counted with when they are not known. */
const LONGEST_QUALIFIER = 'q'.repeat(10);
const LONGEST_PARTITION = 'aws-us-gov';
/** The bootstrap roles each `cdkAccess` reaches, as lib/constructs/cdk-bootstrap-roles names them (test/config/stack-limits.test.ts holds the two together). */
const BOOTSTRAP_ROLE_KINDS = { deploy: ['deploy', 'file-publishing', 'image-publishing', 'lookup'], lookup: ['lookup'] } as const;

/**
 * The length IAM counts for a role's one inline policy, the CDK bootstrap-role statement
 * (white space is not counted), in the longest partition: an ARN per account and kind.
 * `accounts` of 12 digits each; the stack's own account counts as one.
 */
export function cdkPolicyLength(access: 'deploy' | 'lookup', accountCount: number, qualifier = LONGEST_QUALIFIER): number {
  const account = '1'.repeat(12);
  const arns = Array.from({ length: accountCount }, () => BOOTSTRAP_ROLE_KINDS[access].map((kind) => `arn:${LONGEST_PARTITION}:iam::${account}:role/cdk-${qualifier}-${kind}-role-${account}-*`)).flat();
  const document = {
    Version: '2012-10-17',
    Statement: [{ Sid: access === 'deploy' ? 'AssumeCdkBootstrapRoles' : 'AssumeCdkLookupRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: arns.length === 1 ? arns[0] : arns }],
  };
  return JSON.stringify(document).length;
}

/** How many target accounts fit one role's inline policy. */
export function maxTargetAccounts(access: 'deploy' | 'lookup', qualifier?: string): number {
  let count = 1;
  while (cdkPolicyLength(access, count + 1, qualifier) <= MAX_ROLE_POLICY_SIZE) count++;
  return count;
}
