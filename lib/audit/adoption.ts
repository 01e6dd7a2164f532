import { bitbucketIssuerHost, WORKSPACE_SLUG } from '../bitbucket/issuer';
import { RoleAudit } from './audit-role';
import { BitbucketProvider } from './role-facts';

/** A client ID that is a workspace's default audience: what this app's `audience` key takes. */
const WORKSPACE_AUDIENCE = /^ari:cloud:bitbucket::workspace\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A provider ARN this app's `providerArn` accepts, for a workspace slug Bitbucket allows. */
const ADOPTABLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\//;

/** What the audit says of a provider it found: who trusts it, and the context that makes this app use it. */
export interface ProviderAdoption {
  /** Names of the account's roles that trust the provider (the ones the audit judged). */
  readonly trustedBy: readonly string[];
  /**
   * The context keys of this app's cdk.json that adopt the provider (`workspace`, `audience`,
   * `providerArn`); a placeholder in angle brackets, which synth refuses until filled in,
   * where the provider does not tell (several audiences, or none that is a workspace's).
   * Undefined when the provider's workspace is not a slug this app accepts.
   */
  readonly context?: { readonly workspace: string; readonly audience: string; readonly providerArn: string };
}

/**
 * Adopting a provider keeps it as it is (the stack trusts it by ARN, never replaces it), so
 * every role that trusts it goes on working while this app's roles are added beside them.
 */
export function providerAdoption(provider: BitbucketProvider, roles: readonly RoleAudit[]): ProviderAdoption {
  const trustedBy = roles.filter((role) => role.providers.includes(provider.arn)).map((role) => role.name);
  const adoptable =
    WORKSPACE_SLUG.test(provider.workspace) && ADOPTABLE_ARN.test(provider.arn) && provider.arn.endsWith(`:oidc-provider/${bitbucketIssuerHost(provider.workspace)}`);
  if (!adoptable) return { trustedBy };
  const audiences = provider.clientIds.filter((id) => WORKSPACE_AUDIENCE.test(id));
  return {
    trustedBy,
    context: {
      workspace: provider.workspace,
      audience: audiences.length === 1 ? audiences[0] : '<the workspace audience: one of the provider\'s client IDs>',
      providerArn: provider.arn,
    },
  };
}
