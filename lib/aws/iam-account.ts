import {
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import { DEFAULT_TIMEOUT_SECONDS } from '../audit/audit-arguments';
import { workspaceOfIssuer } from '../bitbucket/issuer';
import { BitbucketProvider, RoleFacts } from '../audit/role-facts';
import { bitbucketProvidersTrustedBy } from '../audit/trusted-providers';
import { describeFailure, isAccessDenied, isNoSuchEntity, whatAwsSaid } from './call-failure';
import { ManagedPolicyDocuments } from './policy-documents';

/** The IAM actions the audit calls in each account; the README's read-only policy lists exactly these. */
export const AUDIT_ACTIONS = [
  'iam:ListOpenIDConnectProviders',
  'iam:GetOpenIDConnectProvider',
  'iam:ListRoles',
  'iam:ListAttachedRolePolicies',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
] as const;
type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface BitbucketTrust {
  readonly providers: readonly BitbucketProvider[];
  /** Each role that trusts one of the providers, with the providers it names, in IAM's listing order. */
  readonly roles: ReadonlyArray<{ readonly role: RoleFacts; readonly providers: readonly BitbucketProvider[] }>;
  /** How many roles the account has: all were listed, only the Bitbucket ones read further. */
  readonly rolesListed: number;
}

export interface ReadOptions {
  /** Managed policy documents shared by every account of the run. @default a cache of its own */
  readonly policies?: ManagedPolicyDocuments;
  /** Told the number of roles listed so far, after each page. */
  readonly onRolesListed?: (listed: number) => void;
  /** For the one line of a call that timed out. @default 10 */
  readonly timeoutSeconds?: number;
}

/** IAM returns policy documents URL-encoded. */
function decodeDocument(encoded: string | undefined): unknown {
  return JSON.parse(decodeURIComponent(encoded ?? '%7B%7D')) as unknown;
}

const PROVIDER_PREFIX = /^arn:[^:]+:iam::\d{12}:oidc-provider\//;

/**
 * Reads, read-only, what the audit needs: the Bitbucket providers, then every role page by
 * page (ListRoles carries the trust policy, and every trust is asked whether it admits a
 * provider's tokens), and only for the roles that do, their permission policies. How many
 * calls are in flight at once is the client's business (see `iamClient`): the roles' reads
 * are all started and wait there for a slot.
 */
export async function readBitbucketTrust(client: IAMClient, options: ReadOptions = {}): Promise<BitbucketTrust> {
  const settings = { timeoutSeconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS };
  // The first call that fails the account stops the others, retries and backoff included.
  const stop = new AbortController();
  const send = { abortSignal: stop.signal };
  const call: Call = (action, request) =>
    request().catch((error: unknown) => {
      if (error instanceof ReadRefused) return Promise.reject(error);
      stop.abort();
      return Promise.reject(describeFailure(action, error, settings));
    });
  const listed = await call('iam:ListOpenIDConnectProviders', () => client.send(new ListOpenIDConnectProvidersCommand({}), send));
  const providerArns = (listed.OpenIDConnectProviderList ?? []).map((provider) => provider.Arn ?? '').filter((arn) => workspaceOfIssuer(arn.replace(PROVIDER_PREFIX, '')) !== undefined);
  const providers = await Promise.all(
    providerArns.map(async (arn): Promise<BitbucketProvider> => {
      const provider = await call('iam:GetOpenIDConnectProvider', () => client.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }), send));
      const host = arn.replace(PROVIDER_PREFIX, '');
      return { arn, host, workspace: workspaceOfIssuer(host) ?? '', clientIds: provider.ClientIDList ?? [] };
    }),
  );
  // Without a provider for a Bitbucket issuer in the account, IAM accepts no Bitbucket token.
  if (providers.length === 0) return { providers, roles: [], rolesListed: 0 };

  const trusting: Array<{ role: RoleFacts; providers: BitbucketProvider[] }> = [];
  let rolesListed = 0;
  await call('iam:ListRoles', async () => {
    for await (const page of paginateListRoles({ client, pageSize: 1000 }, {}, send)) {
      for (const listedRole of page.Roles ?? []) {
        rolesListed++;
        // Every trust is judged: a "*" principal names no provider, yet admits Bitbucket's tokens.
        const trust = decodeDocument(listedRole.AssumeRolePolicyDocument);
        const trusted = bitbucketProvidersTrustedBy(trust, providers);
        if (trusted.length === 0) continue;
        trusting.push({
          role: {
            arn: listedRole.Arn ?? '',
            name: listedRole.RoleName ?? '',
            trust,
            maxSessionDurationSeconds: listedRole.MaxSessionDuration ?? 3600,
            attachedPolicyArns: [],
            permissionDocuments: {},
            unreadablePolicies: {},
          },
          providers: trusted,
        });
      }
      options.onRolesListed?.(rolesListed);
    }
  });
  const policies = options.policies ?? new ManagedPolicyDocuments();
  const roles = await Promise.all(trusting.map(async ({ role, providers: trusted }) => ({ role: await withPermissions(role, { client, send, call }, policies), providers: trusted })));
  return { providers, roles, rolesListed };
}

type Call = <T>(action: AuditAction, request: () => Promise<T>) => Promise<T>;

/** How one account's reads reach IAM: its client, the options every send carries, and the call that fails the account. */
interface AccountReader {
  readonly client: IAMClient;
  readonly send: { readonly abortSignal: AbortSignal };
  readonly call: Call;
}

/**
 * The role's policies: attached ARNs and inline names listed, then every document read.
 * AWS refusing an attached policy's document (AccessDenied, or the policy gone since it
 * was listed) leaves it out of the documents, its ARN still attached, which the judgement
 * takes to grant everything, and says why on the role; anything else fails the account.
 */
async function withPermissions(role: RoleFacts, { client, send, call }: AccountReader, policies: ManagedPolicyDocuments): Promise<RoleFacts> {
  const [attached, inlineNames] = await Promise.all([
    call('iam:ListAttachedRolePolicies', async () => {
      const arns: string[] = [];
      for await (const page of paginateListAttachedRolePolicies({ client }, { RoleName: role.name }, send)) arns.push(...(page.AttachedPolicies ?? []).map((policy) => policy.PolicyArn ?? ''));
      return arns;
    }),
    call('iam:ListRolePolicies', async () => {
      const names: string[] = [];
      for await (const page of paginateListRolePolicies({ client }, { RoleName: role.name }, send)) names.push(...(page.PolicyNames ?? []));
      return names;
    }),
  ]);
  const documents: Record<string, unknown> = {};
  const unreadable: Record<string, string> = {};
  const reading = async (key: string, read: () => Promise<unknown>): Promise<void> => {
    try {
      documents[key] = await read();
    } catch (error) {
      if (!(error instanceof ReadRefused)) throw error;
      unreadable[key] = error.message;
    }
  };
  const refusable = <T>(action: AuditAction, request: () => Promise<T>): Promise<T> =>
    call(action, () =>
      request().catch((error: unknown) =>
        Promise.reject(isAccessDenied(error) || isNoSuchEntity(error) ? new ReadRefused(`${action} ${isAccessDenied(error) ? 'refused' : 'found nothing'}: ${whatAwsSaid(error)}`) : error),
      ),
    );
  const reader = {
    defaultVersion: async (arn: string) => (await refusable('iam:GetPolicy', () => client.send(new GetPolicyCommand({ PolicyArn: arn }), send))).Policy?.DefaultVersionId ?? '',
    document: async (arn: string, versionId: string) => decodeDocument((await refusable('iam:GetPolicyVersion', () => client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }), send))).PolicyVersion?.Document),
  };
  await Promise.all([
    // An inline policy the read-only policy lets the audit read: AWS refusing one fails the account, since the judgement could not tell it was missing.
    ...inlineNames.map((name) =>
      reading(name, async () => decodeDocument((await call('iam:GetRolePolicy', () => client.send(new GetRolePolicyCommand({ RoleName: role.name, PolicyName: name }), send))).PolicyDocument)),
    ),
    ...attached.map((arn) => reading(arn, () => policies.document(arn, reader))),
  ]);
  // Listing order, whatever order the reads finished in.
  const ordered = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries([...inlineNames, ...attached].filter((key) => key in record).map((key) => [key, record[key]]));
  return { ...role, attachedPolicyArns: attached, permissionDocuments: ordered(documents), unreadablePolicies: ordered(unreadable) };
}

/** AWS refused one policy read, or found no such policy: a note on the role, not the account's failure. */
class ReadRefused extends Error {}
