import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AccountReadError, describeFailure, isAccessDenied, whatAwsSaid } from './call-failure';

/** Who the audit runs as: the calling account reads itself with its own credentials. */
export interface CallerIdentity {
  readonly account: string;
  readonly partition: string;
  readonly arn: string;
}

/** An account to read, with its name where Organizations gives one. */
export interface AccountTarget {
  readonly id: string;
  readonly name?: string;
}

export interface OrganizationAccounts {
  /** The active accounts, in the order of their IDs. */
  readonly active: readonly AccountTarget[];
  /** Accounts Organizations lists but that are not active (suspended, closing, joining): not read. */
  readonly inactive: ReadonlyArray<AccountTarget & { readonly state: string }>;
}

/** The session name every assumed session carries, so CloudTrail (and a trust condition on `sts:RoleSessionName`) can tell the audit's calls. */
export const AUDIT_SESSION_NAME = 'bitbucket-oidc-audit-roles';

interface Timeouts {
  readonly timeoutSeconds: number;
}

export async function callerIdentity(sts: STSClient, settings: Timeouts): Promise<CallerIdentity> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const arn = identity.Arn ?? '';
    return { account: identity.Account ?? '', partition: /^arn:([^:]+):/.exec(arn)?.[1] ?? 'aws', arn };
  } catch (error) {
    throw describeFailure('sts:GetCallerIdentity', error, settings);
  }
}

/**
 * Every account of the organisation, page by page with the SDK's paginator: callable
 * from the management account or a delegated administrator. Organizations' `State`
 * decides what is active (`Status`, retired in 2026, only where `State` is absent).
 */
export async function organizationAccounts(client: OrganizationsClient, settings: Timeouts): Promise<OrganizationAccounts> {
  const active: AccountTarget[] = [];
  const inactive: Array<AccountTarget & { state: string }> = [];
  try {
    for await (const page of paginateListAccounts({ client }, {})) {
      for (const account of page.Accounts ?? []) {
        const target = { id: account.Id ?? '', ...(account.Name === undefined ? {} : { name: account.Name }) };
        const state = account.State ?? account.Status ?? 'UNKNOWN';
        if (state === 'ACTIVE') active.push(target);
        else inactive.push({ ...target, state });
      }
    }
  } catch (error) {
    const failure = describeFailure('organizations:ListAccounts', error, settings);
    const refused = isAccessDenied(error) || (error as { name?: string }).name === 'AWSOrganizationsNotInUseException';
    throw refused ? new AccountReadError(`${failure.message}; --organization runs in the management account or a delegated administrator; elsewhere name the accounts with --accounts`) : failure;
  }
  const byId = (a: AccountTarget, b: AccountTarget) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { active: active.sort(byId), inactive: inactive.sort(byId) };
}

/**
 * Credentials of the audit role in another account: assumed once up front (so a refusal
 * is that account's own line), then again whenever the session is within five minutes
 * of its end.
 */
export async function assumeAuditRole(
  sts: STSClient,
  roleArn: string,
  externalId: string | undefined,
  settings: Timeouts,
): Promise<() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }>> {
  const assume = async () => {
    try {
      const { Credentials: credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: AUDIT_SESSION_NAME, ...(externalId === undefined ? {} : { ExternalId: externalId }) }));
      return {
        accessKeyId: credentials?.AccessKeyId ?? '',
        secretAccessKey: credentials?.SecretAccessKey ?? '',
        sessionToken: credentials?.SessionToken ?? '',
        expiration: credentials?.Expiration ?? new Date(Date.now() + 15 * 60_000),
      };
    } catch (error) {
      if (!isAccessDenied(error)) throw describeFailure(`sts:AssumeRole on ${roleArn}`, error, settings);
      throw new AccountReadError(`cannot assume ${roleArn} (${whatAwsSaid(error)}); the role must exist there and trust the calling account (see the README's organisation-wide audit)`);
    }
  };
  let current = await assume();
  return async () => {
    if (current.expiration.getTime() - Date.now() < 5 * 60_000) current = await assume();
    return current;
  };
}
