import { ManagedPolicyRef } from './aws-values';
import { RepositoryScope } from './bitbucket-values';
import { StackSetConfig } from './stackset-values';

/**
 * What a role may do with the CDK bootstrap roles: `deploy` (all four), `lookup` (the
 * lookup role: synth with lookups, `cdk diff --method=template`) or `none`.
 */
export type CdkAccess = 'deploy' | 'lookup' | 'none';

/** One role that pipeline steps assume, and whom it trusts. */
export interface RoleConfig {
  /**
   * Names the role among several in one stack; undefined for the original role:
   * the one the flat context keys describe, or the one entry of `roles` without id.
   * It keeps that role's logical ID, output `RoleArn` and export.
   */
  readonly id?: string;
  /** Repository UUIDs as `{lowercase}`, or `*` for every repository of the workspace. */
  readonly repositories: RepositoryScope;
  /** Deployment environment UUIDs as `{lowercase}`; empty means any or none. */
  readonly environments: readonly string[];
  readonly policies: readonly ManagedPolicyRef[];
  readonly sessionDurationSeconds: number;
  readonly roleName?: string;
  /** The managed policy that caps the role's permissions, if any. */
  readonly permissionsBoundary?: ManagedPolicyRef;
  /** Source CIDRs the caller must come from (`aws:SourceIp`); empty means any. */
  readonly allowedIpRanges: readonly string[];
  /** Resolved: `none` whenever `cdkQualifier` is off. */
  readonly cdkAccess: CdkAccess;
  /**
   * The 12-digit accounts whose bootstrap roles `cdkAccess` reaches: the whole list;
   * undefined for the stack's own account. Never set with `cdkAccess` `none`.
   */
  readonly targetAccounts?: readonly string[];
}

/** The whole validated configuration of one workspace's stack. */
export interface OidcConfig {
  /** Workspace slug, as in the issuer URL. */
  readonly workspace: string;
  /** `ari:cloud:bitbucket::workspace/<uuid>`, lowercase, no braces. */
  readonly audience: string;
  /** An existing provider to import; undefined creates one. */
  readonly providerArn?: string;
  /**
   * The created provider's server certificate thumbprints (40 lower-case hex characters
   * each, at most 5); undefined leaves them to IAM. Never set with `providerArn`.
   */
  readonly thumbprints?: readonly string[];
  /** The CDK bootstrap qualifier whose roles the pipeline roles may assume, or false. */
  readonly cdkQualifier: string | false;
  readonly stackName: string;
  readonly account?: string;
  readonly region?: string;
  readonly roles: readonly RoleConfig[];
  /** The account's quota for a trust policy's length (2048 by default, up to 4096). */
  readonly trustPolicySizeQuota: number;
  /** The account's quota of managed policies per role (10 by default, up to 20). */
  readonly managedPoliciesQuota: number;
  /** Set for an organisation-wide rollout through a service-managed StackSet. */
  readonly stackSet?: StackSetConfig;
}
