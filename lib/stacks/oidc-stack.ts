import { CfnOutput, Duration, Environment, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
// cdk-nag writes finding IDs with this function; using it keeps acknowledgements exact when tokens resolve differently.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import { BitbucketOidcProvider } from '../constructs/bitbucket-oidc-provider';
import { BitbucketPipelinesRole } from '../constructs/bitbucket-pipelines-role';
import { ManagedPolicyRef } from '../config/aws-values';
import { OidcConfig, RoleConfig } from '../config/oidc-config';
import { SynthesizedRole, warnAboutRoles } from './synth-judgement';

export interface BitbucketOidcStackProps extends StackProps {
  /** The validated configuration of the workspace's provider and roles. */
  readonly config: OidcConfig;
}

/** The environment `account` and `region` pin a stack to; undefined leaves it environment-agnostic. */
export function environmentOf(config: Pick<OidcConfig, 'account' | 'region'>): Environment | undefined {
  return config.account === undefined && config.region === undefined ? undefined : { account: config.account, region: config.region };
}

/**
 * One Bitbucket workspace in one account: its OIDC provider (created or imported)
 * and the roles its pipeline steps assume, with their ARNs as outputs.
 */
export class BitbucketOidcStack extends Stack {
  constructor(scope: Construct, id: string, props: BitbucketOidcStackProps) {
    // No AWS::CDK::Metadata: the template holds only what the admin deploys, and stays usable as a StackSet template.
    super(scope, id, { analyticsReporting: false, env: environmentOf(props.config), ...props });
    const { config } = props;

    const provider =
      config.providerArn === undefined
        ? new BitbucketOidcProvider(this, 'Provider', { workspace: config.workspace, audiences: [config.audience], thumbprints: config.thumbprints })
        : BitbucketOidcProvider.fromOidcProviderArn(this, 'Provider', config.providerArn);

    const roles: SynthesizedRole[] = [];
    for (const roleConfig of config.roles) {
      const role = this.addRole(config, roleConfig, provider);
      roles.push({ role, config: roleConfig });
      new CfnOutput(this, `${roleConfig.id ?? ''}RoleArn`, {
        value: role.roleArn,
        description: roleOutputDescription(config.workspace, roleConfig),
        exportName: `${this.stackName}-${roleConfig.id ?? ''}RoleArn`,
      });
    }

    // What the audit would flag once deployed, said at synth.
    warnAboutRoles(this, roles, config.workspace, config.audience, provider.oidcProviderArn);

    new CfnOutput(this, 'ProviderArn', {
      value: provider.oidcProviderArn,
      description: `IAM OIDC provider for workspace ${config.workspace}: trust it from further roles, or pass it as providerArn to another stack in this account`,
      exportName: `${this.stackName}-ProviderArn`,
    });
  }

  private addRole(config: OidcConfig, roleConfig: RoleConfig, provider: iam.IOidcProvider): BitbucketPipelinesRole {
    const prefix = roleConfig.id ?? '';
    const awsManaged = roleConfig.policies.flatMap((ref) => ('awsManagedName' in ref ? [this.managedPolicy(ref, '')] : []));
    const customerManaged = roleConfig.policies.flatMap((ref, index) => ('arn' in ref ? [this.managedPolicy(ref, `${prefix}Policy${index}`)] : []));
    const role = new BitbucketPipelinesRole(this, `${prefix}PipelineRole`, {
      provider,
      workspace: config.workspace,
      audience: config.audience,
      repositories: roleConfig.repositories,
      environments: roleConfig.environments,
      managedPolicies: [...awsManaged, ...customerManaged],
      maxSessionDuration: Duration.seconds(roleConfig.sessionDurationSeconds),
      roleName: roleConfig.roleName,
      permissionsBoundary: roleConfig.permissionsBoundary === undefined ? undefined : this.managedPolicy(roleConfig.permissionsBoundary, `${prefix}Boundary`),
      allowedIpRanges: roleConfig.allowedIpRanges,
      managedPolicyQuota: config.managedPoliciesQuota,
      cdkBootstrap:
        config.cdkQualifier === false || roleConfig.cdkAccess === 'none'
          ? undefined
          : { qualifier: config.cdkQualifier, access: roleConfig.cdkAccess, accounts: roleConfig.targetAccounts },
    });

    // Each acknowledgement names the one finding it covers, in cdk-nag's own notation, and why it is intended.
    for (const policy of awsManaged) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM4[Policy::${this.nagNotation(policy.managedPolicyArn)}]`,
        reason: 'The admin attached this AWS managed policy on purpose through the policies context key.',
      });
    }
    for (const arn of role.cdkBootstrapRoleArns) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${this.nagNotation(arn)}]`,
        reason: 'Only the region suffix of this CDK bootstrap role name is a wildcard, so one role can deploy to every bootstrapped region of the account it names; qualifier and account are pinned.',
      });
    }
    return role;
  }

  private managedPolicy(ref: ManagedPolicyRef, id: string): iam.IManagedPolicy {
    return 'arn' in ref ? iam.ManagedPolicy.fromManagedPolicyArn(this, id, ref.arn) : iam.ManagedPolicy.fromAwsManagedPolicyName(ref.awsManagedName);
  }

  private nagNotation(arn: string): string {
    return flattenCfnReference(this.resolve(arn));
  }
}

/** CloudFormation refuses an output description over 1,024 bytes: past it, the UUIDs are counted rather than named. */
const MAX_OUTPUT_DESCRIPTION_BYTES = 1024;

function roleOutputDescription(workspace: string, role: RoleConfig): string {
  const describe = (named: boolean): string => {
    const list = (what: string, uuids: readonly string[]) => (named ? `${what} ${uuids.join(', ')}` : `${uuids.length} ${what}`);
    const repositories = role.repositories === '*' ? 'every repository' : list('repositories', role.repositories);
    const scope = role.environments.length > 0 ? `${repositories} through ${list('environments', role.environments)}` : repositories;
    return `Role for Bitbucket Pipelines (workspace ${workspace}, ${scope}): set it as AWS_ROLE_ARN in the repository or deployment variables`;
  };
  const named = describe(true);
  return Buffer.byteLength(named) <= MAX_OUTPUT_DESCRIPTION_BYTES ? named : describe(false);
}
