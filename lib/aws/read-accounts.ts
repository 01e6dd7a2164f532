import { STSClient } from '@aws-sdk/client-sts';
import { CallSettings, iamClient } from './aws-clients';
import { CallLimit } from './call-limit';
import { AccountReadError } from './call-failure';
import { BitbucketTrust, readBitbucketTrust } from './iam-account';
import { AccountTarget, assumeAuditRole, CallerIdentity } from './organization';
import { ManagedPolicyDocuments } from './policy-documents';

/** What became of one account: read, or the one line why not. */
export type AccountRead =
  | { readonly account: AccountTarget; readonly status: 'read'; readonly trust: BitbucketTrust }
  | { readonly account: AccountTarget; readonly status: 'failed' | 'skipped'; readonly problem: string };

export interface AuditProgress {
  readonly accountsDone: number;
  readonly accountsTotal: number;
  readonly rolesListed: number;
}

export interface ReadPlan {
  readonly caller: CallerIdentity;
  /** The STS client with the caller's own credentials, to assume the audit role with. */
  readonly sts: STSClient;
  readonly targets: readonly AccountTarget[];
  /** The role assumed in every target but the caller's own account; without it, the caller's credentials read every target. */
  readonly roleName?: string;
  readonly externalId?: string;
  readonly concurrentAccounts: number;
  readonly concurrentCalls: number;
  readonly settings: CallSettings;
  readonly onProgress?: (progress: AuditProgress) => void;
}

/**
 * Reads the accounts, a few at a time, each through its own IAM client (its own
 * credentials, retry budget, adaptive rate and bound on calls in flight: IAM throttles per
 * account), sharing the managed policy documents. One account's failure is its own line;
 * the others go on, except after an endpoint that did not answer at all: the accounts not
 * yet started would wait for it the same way, so they are skipped with that line.
 */
export async function readAccounts(plan: ReadPlan): Promise<AccountRead[]> {
  const policies = new ManagedPolicyDocuments();
  const accountsAtOnce = new CallLimit(plan.concurrentAccounts);
  const listed = new Map<string, number>();
  let accountsDone = 0;
  let silentEndpoint: string | undefined;
  const progress = () => plan.onProgress?.({ accountsDone, accountsTotal: plan.targets.length, rolesListed: [...listed.values()].reduce((sum, count) => sum + count, 0) });
  return Promise.all(
    plan.targets.map((account) =>
      accountsAtOnce.run(async (): Promise<AccountRead> => {
        if (silentEndpoint !== undefined) return { account, status: 'skipped', problem: `not tried after an earlier account's call: ${silentEndpoint}` };
        try {
          const trust = await readAccount(account, plan, policies, (count) => (listed.set(account.id, count), progress()));
          return { account, status: 'read', trust };
        } catch (error) {
          if (!(error instanceof AccountReadError)) throw error;
          if (error.unreachable) silentEndpoint ??= error.message;
          return { account, status: 'failed', problem: error.message };
        } finally {
          accountsDone++;
          progress();
        }
      }),
    ),
  );
}

async function readAccount(account: AccountTarget, plan: ReadPlan, policies: ManagedPolicyDocuments, onRolesListed: (listed: number) => void): Promise<BitbucketTrust> {
  const own = account.id === plan.caller.account || plan.roleName === undefined;
  const credentials = own ? undefined : await assumeAuditRole(plan.sts, `arn:${plan.caller.partition}:iam::${account.id}:role/${plan.roleName}`, plan.externalId, plan.settings);
  const client = iamClient(plan.settings, credentials, new CallLimit(plan.concurrentCalls));
  try {
    return await readBitbucketTrust(client, { policies, onRolesListed, timeoutSeconds: plan.settings.timeoutSeconds });
  } finally {
    client.destroy();
  }
}
