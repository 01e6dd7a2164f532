import { ArnFormat, Stack } from 'aws-cdk-lib';
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

const ROLES_FOR: Readonly<Record<CdkBootstrapAccess, readonly CdkBootstrapRoleKind[]>> = {
  deploy: CDK_BOOTSTRAP_ROLE_KINDS,
  lookup: ['lookup'],
};

/** The name `cdk bootstrap` gives a role, `region` may be a wildcard. */
export function cdkBootstrapRoleName(qualifier: string, kind: CdkBootstrapRoleKind, account: string, region: string): string {
  return `cdk-${qualifier}-${kind}-role-${account}-${region}`;
}

/**
 * Lets a principal assume this account's CDK bootstrap roles for one qualifier, in any
 * region, and nothing else. Those roles trust the account, so no broader rights are needed.
 */
export function cdkBootstrapRolesStatement(scope: IConstruct, qualifier: string, access: CdkBootstrapAccess = 'deploy'): iam.PolicyStatement {
  const stack = Stack.of(scope);
  return new iam.PolicyStatement({
    sid: access === 'deploy' ? 'AssumeCdkBootstrapRoles' : 'AssumeCdkLookupRole',
    actions: ['sts:AssumeRole'],
    resources: ROLES_FOR[access].map((kind) =>
      stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: cdkBootstrapRoleName(qualifier, kind, stack.account, '*'),
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    ),
  });
}
