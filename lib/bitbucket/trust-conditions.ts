import { bitbucketIssuerHost } from './issuer';
import { bitbucketSubjectPatterns } from './subject-patterns';

/** Who a Bitbucket pipeline role trusts. */
export interface BitbucketTrustScope {
  readonly workspace: string;
  readonly audience: string;
  readonly repositories: '*' | readonly string[];
  readonly environments: readonly string[];
  readonly allowedIpRanges: readonly string[];
}

export type TrustConditions = Record<string, Record<string, string | string[]>>;

/**
 * The trust policy's conditions: the audience exactly, the `sub` patterns, and the
 * source ranges when given. The role construct and the size check both use this,
 * so the size checked is the size deployed.
 */
export function bitbucketTrustConditions(scope: BitbucketTrustScope): TrustConditions {
  const issuer = bitbucketIssuerHost(scope.workspace);
  return {
    StringEquals: { [`${issuer}:aud`]: scope.audience },
    StringLike: { [`${issuer}:sub`]: bitbucketSubjectPatterns(scope.repositories, scope.environments) },
    ...(scope.allowedIpRanges.length > 0 ? { IpAddress: { 'aws:SourceIp': [...scope.allowedIpRanges] } } : {}),
  };
}

/** IAM's default quota for a role trust policy, in characters without white space. */
export const DEFAULT_TRUST_POLICY_QUOTA = 2048;
/** The most IAM allows when the quota is raised. */
export const MAX_TRUST_POLICY_QUOTA = 4096;

/**
 * The length IAM counts for the trust policy (white space is not counted), with the
 * provider ARN at its longest: the aws-us-gov partition.
 */
export function trustPolicyLength(scope: BitbucketTrustScope): number {
  const providerArn = `arn:aws-us-gov:iam::123456789012:oidc-provider/${bitbucketIssuerHost(scope.workspace)}`;
  const document = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: bitbucketTrustConditions(scope) }],
  };
  return JSON.stringify(document).length;
}
