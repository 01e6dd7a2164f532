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

/** A step's `sub`, taken apart. */
export interface BitbucketSubject {
  readonly repository: string;
  /** The deployment environment, for a step with `deployment:`. */
  readonly environment?: string;
  readonly step: string;
}

/** A UUID as claims carry it: braces, lowercase hex digits (each `x`) and dashes. */
export const BITBUCKET_UUID_SHAPE = '{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}';

const CLAIM_UUID = '\\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\}';
const SUBJECT = new RegExp(`^(${CLAIM_UUID}):(?:(${CLAIM_UUID}):)?(${CLAIM_UUID})$`);

/** Reads `{repo}:{step}` or `{repo}:{env}:{step}`; undefined when the `sub` has neither shape. */
export function parseBitbucketSubject(sub: string): BitbucketSubject | undefined {
  const match = SUBJECT.exec(sub);
  if (match === null) return undefined;
  return { repository: match[1], environment: match[2], step: match[3] };
}

/** Writes a step's `sub` back, with or without an environment. */
export function formatBitbucketSubject(subject: BitbucketSubject): string {
  return subject.environment === undefined ? `${subject.repository}:${subject.step}` : `${subject.repository}:${subject.environment}:${subject.step}`;
}

/** The environments a set of `sub` patterns names (`{repo}:{env}:…`), in order, once each. */
export function environmentsOfPatterns(patterns: readonly string[]): string[] {
  const environment = new RegExp(`^[^:]+:(${CLAIM_UUID}):`);
  return [...new Set(patterns.flatMap((pattern) => environment.exec(pattern)?.[1] ?? []))];
}

/** The repositories a set of `sub` patterns names by their full UUID at the start (`{repo}:…`, `{repo}*`), in order, once each. */
export function repositoriesOfPatterns(patterns: readonly string[]): string[] {
  const repository = new RegExp(`^(${CLAIM_UUID})`);
  return [...new Set(patterns.flatMap((pattern) => repository.exec(pattern)?.[1] ?? []))];
}
