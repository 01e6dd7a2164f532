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

/**
 * aws-cdk-lib moves a role's statements out of its inline policy into extra managed
 * policies (`OverflowPolicy1`, a resource each, counted against the managed-policy quota)
 * once it estimates the policy at this many characters, below IAM's 10,240 for a role's
 * inline policies. It counts an ARN it cannot resolve at synth (ours hold the partition)
 * as 150 characters, more than any bootstrap-role ARN is, so its estimate binds first.
 */
export const CDK_INLINE_POLICY_ESTIMATE_LIMIT = 10_000;
export const CDK_ARN_ESTIMATE = 150;
/** IAM's limit for all inline policies of a role together, in characters without white space (it cannot be raised). */
export const MAX_ROLE_POLICY_SIZE = 10_240;
/** The bootstrap roles each `cdkAccess` reaches, as many as lib/constructs/cdk-bootstrap-roles names (test/config/stack-limits.test.ts holds the two together). */
const BOOTSTRAP_ROLES_PER_ACCOUNT = { deploy: 4, lookup: 1 } as const;

/** aws-cdk-lib's estimate of the bootstrap-role statement (PolicyStatement._estimateSize): its Effect, one action, an ARN per account and kind, no condition. */
function cdkPolicyEstimate(access: 'deploy' | 'lookup', accountCount: number): number {
  const effect = '"Effect": "Allow",'.length;
  const action = 'Action'.length + 5 + 'sts:AssumeRole'.length + 3;
  const resources = 'Resource'.length + 5 + accountCount * BOOTSTRAP_ROLES_PER_ACCOUNT[access] * (CDK_ARN_ESTIMATE + 3);
  return effect + action + resources + JSON.stringify({}).length;
}

/** How many target accounts one role's inline policy holds with `access`. */
export function maxTargetAccounts(access: 'deploy' | 'lookup'): number {
  const empty = cdkPolicyEstimate(access, 0);
  return Math.floor((CDK_INLINE_POLICY_ESTIMATE_LIMIT - 1 - empty) / (cdkPolicyEstimate(access, 1) - empty));
}
