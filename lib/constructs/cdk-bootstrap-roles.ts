import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** The roles `cdk bootstrap` creates and `cdk deploy` assumes. */
export const CDK_BOOTSTRAP_ROLE_KINDS = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;
export type CdkBootstrapRoleKind = (typeof CDK_BOOTSTRAP_ROLE_KINDS)[number];

/**
 * How far a pipeline role reaches into the bootstrap roles:
 * - `deploy`: all four, enough for `cdk deploy` (CloudFormation's execution role does the deploying);
 * - `lookup`: only the lookup role, enough for `cdk synth` with context lookups and
 *   `cdk diff --method=template`, which reads the deployed template through it.
 */
export type CdkBootstrapAccess = 'deploy' | 'lookup';

/** Which CDK bootstrap roles a pipeline role may assume: one qualifier's, of the kinds `access` names, in the accounts named. */
export interface CdkBootstrapReach {
  /** The qualifier `cdk bootstrap` was run with (its roles are named `cdk-<qualifier>-<kind>-role-<account>-<region>`). */
  readonly qualifier: string;
  /**
   * `deploy` (all four roles: `cdk deploy`) or `lookup` (the lookup role: `cdk synth`
   * with lookups, `cdk diff --method=template`). A role that can deploy and has no
   * `environments` can be assumed from every branch and pull request (the stack's
   * synth judgement warns about it).
   *
   * @default 'deploy'
   */
  readonly access?: CdkBootstrapAccess;
  /**
   * The 12-digit IDs of the accounts whose bootstrap roles the role may assume, in any
   * region; the whole list (the stack's own account only if listed). Each is named
   * exactly: an account wildcard would reach every account that trusts this one.
   *
   * @default - the stack's own account
   */
  readonly accounts?: readonly string[];
}

const ROLES_FOR: Readonly<Record<CdkBootstrapAccess, readonly CdkBootstrapRoleKind[]>> = {
  deploy: CDK_BOOTSTRAP_ROLE_KINDS,
  lookup: ['lookup'],
};

/** The name `cdk bootstrap` gives a role, `region` may be a wildcard. */
export function cdkBootstrapRoleName(qualifier: string, kind: CdkBootstrapRoleKind, account: string, region: string): string {
  return `cdk-${qualifier}-${kind}-role-${account}-${region}`;
}

/**
 * What is wrong with `accounts`, one sentence each: IDs that are not 12 digits (an
 * unresolved token passes, its value is the deployer's), an empty list, a repeat.
 */
export function cdkBootstrapAccountProblems(accounts: readonly string[]): string[] {
  const problems: string[] = [];
  if (accounts.length === 0) problems.push('cdkBootstrap.accounts must name at least one account; leave it out for the stack\'s own account');
  const malformed = accounts.filter((account) => !Token.isUnresolved(account) && !/^\d{12}$/.test(account));
  if (malformed.length > 0) problems.push(`cdkBootstrap.accounts must be 12-digit AWS account IDs; got ${malformed.map((account) => JSON.stringify(account)).join(', ')}`);
  const repeated = accounts.filter((account, index) => accounts.indexOf(account) !== index);
  if (repeated.length > 0) problems.push(`cdkBootstrap.accounts must name each account once; repeated ${[...new Set(repeated)].map((account) => JSON.stringify(account)).join(', ')}`);
  return problems;
}

/**
 * Lets a principal assume the CDK bootstrap roles `reach` names, in any region, and
 * nothing else: one ARN per account and kind. Those roles trust their account (and the
 * accounts `cdk bootstrap --trust` names), so the caller's own policy is the real gate.
 */
export function cdkBootstrapRolesStatement(scope: IConstruct, reach: CdkBootstrapReach): iam.PolicyStatement {
  const stack = Stack.of(scope);
  const access = reach.access ?? 'deploy';
  const accounts = reach.accounts ?? [stack.account];
  return new iam.PolicyStatement({
    sid: access === 'deploy' ? 'AssumeCdkBootstrapRoles' : 'AssumeCdkLookupRole',
    actions: ['sts:AssumeRole'],
    resources: accounts.flatMap((account) =>
      ROLES_FOR[access].map((kind) =>
        stack.formatArn({
          service: 'iam',
          region: '',
          account,
          resource: 'role',
          resourceName: cdkBootstrapRoleName(reach.qualifier, kind, account, '*'),
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      ),
    ),
  });
}
