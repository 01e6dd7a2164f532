import { Annotations, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { cdkBootstrapAccountProblems, CdkBootstrapReach, cdkBootstrapRolesStatement } from './cdk-bootstrap-roles';
import { bitbucketTrustConditions } from '../bitbucket/trust-conditions';

const CLAIM_UUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/;

export interface BitbucketPipelinesRoleProps {
  /** The IAM OIDC provider of the workspace's Pipelines issuer. */
  readonly provider: iam.IOIDCProviderRef;
  /** The workspace slug: it names the issuer, whose `aud` and `sub` the trust checks. */
  readonly workspace: string;
  /** The audience tokens must carry, such as `ari:cloud:bitbucket::workspace/<uuid>`. */
  readonly audience: string;
  /**
   * Repository UUIDs as they appear in tokens (`{lowercase}`), or `'*'` to trust
   * every repository of the workspace (the stack's synth judgement warns about it).
   */
  readonly repositories: '*' | readonly string[];
  /**
   * Deployment environment UUIDs (`{lowercase}`): when given, each repository is
   * admitted only through one of them.
   *
   * @default - any step of the repositories, with or without an environment
   */
  readonly environments?: readonly string[];
  /**
   * Managed policies attached to the role.
   *
   * @default - none
   */
  readonly managedPolicies?: readonly iam.IManagedPolicy[];
  /**
   * The longest session the role grants.
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
  /**
   * The role's name.
   *
   * @default - CloudFormation generates a unique name
   */
  readonly roleName?: string;
  /**
   * Let the role assume CDK bootstrap roles (which qualifier, which kinds, in which
   * accounts), so pipeline steps can run the CDK CLI with no other rights.
   *
   * @default - no access to CDK bootstrap roles
   */
  readonly cdkBootstrap?: CdkBootstrapReach;
  /**
   * A managed policy that caps what the role may do, whatever policies it gets.
   *
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
  /**
   * Source address ranges (CIDR) the assuming step must come from, checked with
   * `aws:SourceIp`. Bitbucket Pipelines has fixed egress addresses only for large
   * (4x/8x) steps, so leave this unset unless every step that assumes the role is one.
   *
   * @default - any source address
   */
  readonly allowedIpRanges?: readonly string[];
  /**
   * How many managed policies IAM lets this account attach to a role. aws-cdk-lib
   * warns above IAM's default of 10; a raised quota declared here acknowledges
   * that warning for roles within it.
   *
   * @default 10 - IAM's default quota (it can be raised to 20)
   */
  readonly managedPolicyQuota?: number;
  /**
   * The role's description.
   *
   * @default - one naming the workspace
   */
  readonly description?: string;
}

/**
 * An IAM role that Bitbucket Pipelines steps assume with
 * `sts:AssumeRoleWithWebIdentity`: it trusts only tokens from the workspace's
 * provider, with the workspace audience, from the given repositories (and
 * deployment environments).
 */
export class BitbucketPipelinesRole extends iam.Role {
  /** The CDK bootstrap role ARN patterns the role may assume; empty without `cdkBootstrap`. */
  public readonly cdkBootstrapRoleArns: readonly string[];

  constructor(scope: Construct, id: string, props: BitbucketPipelinesRoleProps) {
    const environments = props.environments ?? [];
    const uuids = [...(props.repositories === '*' ? [] : props.repositories), ...environments];
    const malformed = uuids.filter((uuid) => !CLAIM_UUID.test(uuid));
    if (malformed.length > 0) {
      throw new Error(`repositories and environments must be lowercase UUIDs in braces, as in tokens; got ${malformed.join(', ')}`);
    }
    if (props.repositories !== '*' && props.repositories.length === 0) {
      throw new Error("repositories must name at least one repository, or be '*' for the whole workspace");
    }
    const reachProblems = props.cdkBootstrap?.accounts === undefined ? [] : cdkBootstrapAccountProblems(props.cdkBootstrap.accounts);
    if (reachProblems.length > 0) throw new Error(reachProblems.join('; '));
    const conditions = bitbucketTrustConditions({
      workspace: props.workspace,
      audience: props.audience,
      repositories: props.repositories,
      environments,
      allowedIpRanges: props.allowedIpRanges ?? [],
    });
    super(scope, id, {
      assumedBy: new iam.OpenIdConnectPrincipal(props.provider, conditions),
      permissionsBoundary: props.permissionsBoundary,
      managedPolicies: props.managedPolicies ? [...props.managedPolicies] : undefined,
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
      roleName: props.roleName,
      description: props.description ?? `Assumed by Bitbucket Pipelines steps of workspace ${props.workspace} through OIDC`,
    });

    if (props.cdkBootstrap === undefined) {
      this.cdkBootstrapRoleArns = [];
    } else {
      const statement = cdkBootstrapRolesStatement(this, props.cdkBootstrap);
      this.addToPrincipalPolicy(statement);
      this.cdkBootstrapRoleArns = statement.resources;
    }
    const attached = props.managedPolicies?.length ?? 0;
    if (attached > 10 && attached <= (props.managedPolicyQuota ?? 10)) {
      Annotations.of(this).acknowledgeWarning('@aws-cdk/aws-iam:rolePolicyLarge', `The account's quota is raised to ${props.managedPolicyQuota} managed policies per role.`);
    }
  }
}
