/**
 * The `sub` patterns a role trusts. Bitbucket's `sub` is `{repo}:{step}`, or
 * `{repo}:{env}:{step}` for a step with a deployment environment, every UUID
 * lowercase in braces. IAM's StringLike `*` matches any run of characters,
 * colons included, so `{repo}:*` admits the repository with or without an
 * environment and `{repo}:{env}:*` only through that environment.
 */
export function bitbucketSubjectPatterns(repositories: '*' | readonly string[], environments: readonly string[]): string[] {
  // `{*}` keeps the workspace-wide pattern tied to the shape of a repository UUID.
  const repositoryPatterns = repositories === '*' ? ['{*}'] : repositories;
  if (environments.length === 0) return repositoryPatterns.map((repository) => `${repository}:*`);
  return repositoryPatterns.flatMap((repository) => environments.map((environment) => `${repository}:${environment}:*`));
}
