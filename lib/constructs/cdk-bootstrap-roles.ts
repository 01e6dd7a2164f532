import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** The roles `cdk bootstrap` creates and `cdk deploy` assumes. */
export const CDK_BOOTSTRAP_ROLE_KINDS = ['deploy', 'file-publishing', 'image-publishing', 'lookup'] as const;

/**
 * Lets a principal assume this account's CDK bootstrap roles for one qualifier, in
 * any region, and nothing else. Those roles trust the account, and CloudFormation's
 * execution role does the deploying, so `cdk deploy` needs no broader rights.
 */
export function cdkBootstrapRolesStatement(scope: IConstruct, qualifier: string): iam.PolicyStatement {
  const stack = Stack.of(scope);
  return new iam.PolicyStatement({
    sid: 'AssumeCdkBootstrapRoles',
    actions: ['sts:AssumeRole'],
    resources: CDK_BOOTSTRAP_ROLE_KINDS.map((kind) =>
      stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: `cdk-${qualifier}-${kind}-role-${stack.account}-*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    ),
  });
}
