import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';
import { OidcConfig } from '../config/oidc-config';
import { StackSetConfig, Tolerance } from '../config/stackset-values';
import { MAX_TEMPLATE_BODY_BYTES } from './member-account-template';
import { environmentOf } from './oidc-stack';

/** The most organizational units the StackSetId output names one by one. */
const MAX_UNITS_NAMED = 10;

export interface BitbucketOidcStackSetStackProps extends StackProps {
  /** The workspace's provider and roles, and where and how to roll them out. */
  readonly config: OidcConfig & { readonly stackSet: StackSetConfig };
  /**
   * The template each member account deploys, from `memberAccountTemplateBody(config)`,
   * which refuses one over CloudFormation's 51,200 bytes before anything is built.
   */
  readonly memberTemplateBody: string;
}

/**
 * An organisation-wide rollout: a service-managed StackSet, deployed from the
 * management account or a delegated administrator, that gives every account of
 * the organisational units the provider and roles, including accounts that join
 * later. The management account itself is never a target of a service-managed
 * StackSet.
 */
export class BitbucketOidcStackSetStack extends Stack {
  constructor(scope: Construct, id: string, props: BitbucketOidcStackSetStackProps) {
    super(scope, id, { analyticsReporting: false, env: environmentOf(props.config), ...props });
    const { config } = props;
    const { stackSet } = config;
    const templateBody = props.memberTemplateBody;
    if (Buffer.byteLength(templateBody) > MAX_TEMPLATE_BODY_BYTES) {
      throw new Error(`memberTemplateBody is ${Buffer.byteLength(templateBody)} bytes, over CloudFormation's ${MAX_TEMPLATE_BODY_BYTES} for a StackSet template`);
    }
    const namesIamResources = config.roles.some((role) => role.roleName !== undefined);

    const set = new CfnStackSet(this, 'StackSet', {
      // Each account's stack is named after the StackSet, as the single-account stack is.
      stackSetName: config.stackName,
      description: `Bitbucket Pipelines OIDC provider and roles for workspace ${config.workspace}`,
      permissionModel: 'SERVICE_MANAGED',
      callAs: stackSet.callAs,
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      managedExecution: { Active: true },
      capabilities: namesIamResources ? ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] : ['CAPABILITY_IAM'],
      operationPreferences: {
        ...tolerance(stackSet.failureTolerance, 'failureToleranceCount', 'failureTolerancePercentage'),
        ...tolerance(stackSet.maxConcurrent, 'maxConcurrentCount', 'maxConcurrentPercentage'),
        regionConcurrencyType: 'SEQUENTIAL',
      },
      stackInstancesGroup: [
        {
          deploymentTargets: {
            organizationalUnitIds: [...stackSet.organizationalUnits],
            ...(stackSet.excludedAccounts.length > 0 ? { accounts: [...stackSet.excludedAccounts], accountFilterType: 'DIFFERENCE' } : {}),
          },
          // One region per account: the provider is global to the account.
          regions: [stackSet.region],
        },
      ],
      templateBody,
    });

    // An output's description may hold 1,024 bytes: a long list of units is counted instead.
    const units = stackSet.organizationalUnits.length <= MAX_UNITS_NAMED ? stackSet.organizationalUnits.join(', ') : `${stackSet.organizationalUnits.length} organizational units`;
    new CfnOutput(this, 'StackSetId', {
      value: set.attrStackSetId,
      description: `StackSet that gives each account of ${units} the Bitbucket OIDC provider and roles, in ${stackSet.region}; each account's stack outputs its RoleArn`,
    });
  }
}

function tolerance<C extends string, P extends string>(value: Tolerance, countKey: C, percentageKey: P): Partial<Record<C | P, number>> {
  return ('count' in value ? { [countKey]: value.count } : { [percentageKey]: value.percentage }) as Partial<Record<C | P, number>>;
}
