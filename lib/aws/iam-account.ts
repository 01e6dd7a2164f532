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
import { workspaceOfIssuer } from '../bitbucket/issuer';
import { BitbucketProvider, RoleFacts } from '../audit/role-facts';
import { bitbucketProvidersTrustedBy } from '../audit/trusted-providers';

/** Why the account could not be read, in one line for people: the IAM action, and what AWS said. */
export class AccountReadError extends Error {}

/** The IAM actions the audit calls; the README's least-privilege policy lists exactly these. */
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
  /** Each role that trusts one of the providers, with the providers it names. */
  readonly roles: ReadonlyArray<{ readonly role: RoleFacts; readonly providers: readonly BitbucketProvider[] }>;
  /** How many roles the account has: all were listed, only the Bitbucket ones read further. */
  readonly rolesListed: number;
}

/** IAM returns policy documents URL-encoded. */
function decodeDocument(encoded: string | undefined): unknown {
  return JSON.parse(decodeURIComponent(encoded ?? '%7B%7D')) as unknown;
}

/**
 * Reads, read-only, what the audit needs: the Bitbucket providers, then every role page by
 * page (ListRoles carries the trust policy), and only for roles that trust a Bitbucket
 * provider their permission policies.
 */
export async function readBitbucketTrust(client: IAMClient): Promise<BitbucketTrust> {
  const call = <T>(action: AuditAction, request: () => Promise<T>): Promise<T> => request().catch((error: unknown) => Promise.reject(describeFailure(action, error)));
  const listed = await call('iam:ListOpenIDConnectProviders', () => client.send(new ListOpenIDConnectProvidersCommand({})));
  const providerArns = (listed.OpenIDConnectProviderList ?? []).map((provider) => provider.Arn ?? '').filter((arn) => workspaceOfIssuer(arn.replace(/^arn:[^:]+:iam::\d{12}:oidc-provider\//, '')) !== undefined);
  const providers = await Promise.all(
    providerArns.map(async (arn): Promise<BitbucketProvider> => {
      const provider = await call('iam:GetOpenIDConnectProvider', () => client.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })));
      const host = arn.replace(/^arn:[^:]+:iam::\d{12}:oidc-provider\//, '');
      return { arn, host, workspace: workspaceOfIssuer(host) ?? '', clientIds: provider.ClientIDList ?? [] };
    }),
  );
  if (providers.length === 0) return { providers, roles: [], rolesListed: 0 };

  const roles: Array<{ role: RoleFacts; providers: BitbucketProvider[] }> = [];
  let rolesListed = 0;
  await call('iam:ListRoles', async () => {
    for await (const page of paginateListRoles({ client, pageSize: 1000 }, {})) {
      for (const listedRole of page.Roles ?? []) {
        rolesListed++;
        // Every trust is judged: a "*" principal names no provider, yet admits Bitbucket's tokens.
        const trust = decodeDocument(listedRole.AssumeRolePolicyDocument);
        const trusted = bitbucketProvidersTrustedBy(trust, providers);
        if (trusted.length === 0) continue;
        roles.push({ role: { arn: listedRole.Arn ?? '', name: listedRole.RoleName ?? '', trust, maxSessionDurationSeconds: listedRole.MaxSessionDuration ?? 3600, attachedPolicyArns: [], permissionDocuments: {} }, providers: trusted });
      }
    }
  });
  const detailed = await Promise.all(roles.map(async ({ role, providers: trusted }) => ({ role: await withPermissions(role, call, client), providers: trusted })));
  return { providers, roles: detailed, rolesListed };
}

async function withPermissions(role: RoleFacts, call: <T>(action: AuditAction, request: () => Promise<T>) => Promise<T>, client: IAMClient): Promise<RoleFacts> {
  const attached: string[] = [];
  await call('iam:ListAttachedRolePolicies', async () => {
    for await (const page of paginateListAttachedRolePolicies({ client }, { RoleName: role.name })) attached.push(...(page.AttachedPolicies ?? []).map((policy) => policy.PolicyArn ?? ''));
  });
  const inlineNames: string[] = [];
  await call('iam:ListRolePolicies', async () => {
    for await (const page of paginateListRolePolicies({ client }, { RoleName: role.name })) inlineNames.push(...(page.PolicyNames ?? []));
  });
  const documents: Record<string, unknown> = {};
  for (const name of inlineNames) {
    const policy = await call('iam:GetRolePolicy', () => client.send(new GetRolePolicyCommand({ RoleName: role.name, PolicyName: name })));
    documents[name] = decodeDocument(policy.PolicyDocument);
  }
  // AWS managed policies are judged by name; customer managed ones by their document.
  for (const arn of attached.filter((candidate) => !/^arn:[^:]+:iam::aws:/.test(candidate))) {
    const policy = await call('iam:GetPolicy', () => client.send(new GetPolicyCommand({ PolicyArn: arn })));
    const version = await call('iam:GetPolicyVersion', () => client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId })));
    documents[arn] = decodeDocument(version.PolicyVersion?.Document);
  }
  return { ...role, attachedPolicyArns: attached, permissionDocuments: documents };
}

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** One line naming the IAM action and what went wrong; never a stack trace. */
function describeFailure(action: AuditAction, error: unknown): AccountReadError {
  if (error instanceof AccountReadError) return error;
  const failure = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const said = `${failure.name ?? 'Error'}: ${(failure.message ?? String(error)).split('\n')[0]}`;
  if (failure.name === 'CredentialsProviderError') {
    return new AccountReadError(`no AWS credentials found (the SDK's default chain: environment, profile, SSO, web identity): ${said}`);
  }
  const refusedCredentials = ['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException'].includes(failure.name ?? '');
  if (refusedCredentials) return new AccountReadError(`AWS refused the credentials while calling ${action}: ${said}`);
  if (['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'].includes(failure.name ?? '') || failure.$metadata?.httpStatusCode === 403) {
    return new AccountReadError(`permission missing: ${action} (${said}); the README lists the read-only policy the audit needs`);
  }
  const network = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN'].find((code) => failure.code === code || said.includes(code));
  if (network !== undefined || failure.name === 'TimeoutError') {
    const endpoint = process.env.AWS_ENDPOINT_URL_IAM ?? process.env.AWS_ENDPOINT_URL ?? 'IAM';
    return new AccountReadError(`cannot reach ${endpoint} for ${action} (${network ?? failure.name}); check the network and AWS_ENDPOINT_URL`);
  }
  return new AccountReadError(`${action} failed: ${said}`);
}
