/**
 * Where a Bitbucket workspace's Pipelines OIDC tokens come from.
 *
 * The issuer (`iss`) embeds the workspace slug, not its UUID, and IAM names the
 * provider and its condition keys after the issuer without `https://`.
 */

/** The issuer URL of a workspace's Pipelines OIDC tokens. */
export function bitbucketIssuerUrl(workspace: string): string {
  return `https://${bitbucketIssuerHost(workspace)}`;
}

/** The issuer without `https://`: the IAM provider's name and condition-key prefix. */
export function bitbucketIssuerHost(workspace: string): string {
  return `api.bitbucket.org/2.0/workspaces/${workspace}/pipelines-config/identity/oidc`;
}

/** The default audience (`aud`) of a workspace's tokens, from its UUID without braces. */
export function bitbucketWorkspaceAudience(workspaceUuid: string): string {
  return `ari:cloud:bitbucket::workspace/${workspaceUuid}`;
}

/** Bitbucket's rule for workspace IDs: lowercase letters, digits, dashes and underscores. */
export const WORKSPACE_SLUG = /^[a-z0-9_-]+$/;

/**
 * The workspace of a Bitbucket Pipelines issuer, given as IAM names a provider (with or
 * without `https://`); undefined for any other issuer.
 */
export function workspaceOfIssuer(issuer: string): string | undefined {
  return /^(?:https:\/\/)?api\.bitbucket\.org\/2\.0\/workspaces\/([^/]+)\/pipelines-config\/identity\/oidc$/.exec(issuer)?.[1];
}
