import { BitbucketProvider } from './role-facts';

/** The Bitbucket providers a trust policy names as Federated principals: the roles the audit is about. */
export function bitbucketProvidersTrustedBy(trust: unknown, providers: readonly BitbucketProvider[]): BitbucketProvider[] {
  const statements = (trust as { Statement?: unknown }).Statement;
  const named = (Array.isArray(statements) ? statements : [statements]).flatMap((statement) => {
    const federated = (statement as { Principal?: { Federated?: unknown } } | undefined)?.Principal?.Federated;
    return Array.isArray(federated) ? federated : [federated];
  });
  return providers.filter((provider) => named.includes(provider.arn));
}
