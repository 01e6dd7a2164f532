/** What the audit knows of an account, as read from IAM; no AWS types, so the audit stays pure. */

/** An IAM OIDC provider for a Bitbucket Pipelines issuer. */
export interface BitbucketProvider {
  readonly arn: string;
  /** The issuer without `https://`, as IAM names the provider and its condition keys. */
  readonly host: string;
  readonly workspace: string;
  /** The audiences IAM accepts in tokens (the provider's client IDs). */
  readonly clientIds: readonly string[];
}

/** A role whose trust policy names a Bitbucket provider. */
export interface RoleFacts {
  readonly arn: string;
  readonly name: string;
  /** The trust policy, parsed. */
  readonly trust: unknown;
  readonly maxSessionDurationSeconds: number;
  /** Every attached managed policy, AWS managed and customer managed. */
  readonly attachedPolicyArns: readonly string[];
  /**
   * The document of every attached policy, AWS managed ones included (their default
   * version), keyed by policy ARN, and every inline policy, keyed by its name. An attached
   * policy whose document could not be read is absent here while its ARN stays in
   * `attachedPolicyArns`: the audit then takes it to grant everything and says so.
   */
  readonly permissionDocuments: Readonly<Record<string, unknown>>;
  /**
   * Why each attached policy absent from `permissionDocuments` could not be read (AWS
   * refused its `GetPolicy` or `GetPolicyVersion`, or the policy was gone), by ARN: for the
   * report's line about the account read in part.
   * @default none: every attached policy was read
   */
  readonly unreadablePolicies?: Readonly<Record<string, string>>;
}

export type Severity = 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];

export interface Finding {
  /** A stable name for machines: `any-repository`, `write-from-any-branch`, … */
  readonly id: string;
  readonly severity: Severity;
  /** One line of why, for people. */
  readonly message: string;
}

/** Whether `severity` is at least as grave as `threshold`. */
export function reaches(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}
