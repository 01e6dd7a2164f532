import { environmentsOfPatterns, formatBitbucketSubject, repositoriesOfPatterns } from '../bitbucket/subject-patterns';
import { conditionValues, evaluateTrustPolicy, WebIdentityRequest } from '../iam-evaluator/evaluate-trust-policy';
import { CHOSEN_BY_THE_STEP, OUTSIDE_THE_TOKEN } from './step-request';
import { BitbucketProvider } from './role-facts';

/** UUIDs no real trust names: a repository, an environment and a step the trust cannot know. */
const STRANGER = {
  repository: '{a0d17000-0000-4000-8000-00000000a001}',
  environment: '{a0d17000-0000-4000-8000-00000000e001}',
  step: '{a0d17000-0000-4000-8000-00000000f001}',
};
const NOT_A_CLIENT_ID = 'urn:bitbucket-oidc-audit:not-a-client-id';


/** Which Bitbucket token shapes a trust policy admits for one provider, decided with the IAM evaluator. */
export interface TrustExposure {
  /** The `sub` patterns of the trust, as written. */
  readonly subPatterns: readonly string[];
  /** Repositories and environments the patterns name by full UUID. */
  readonly repositories: readonly string[];
  readonly environments: readonly string[];
  /** A step of a repository the trust does not name gets in (with or without an environment). */
  readonly anyRepository: boolean;
  /** A step without `deployment:` (a pull request, any branch) of some repository gets in. */
  readonly anyBranch: boolean;
  /** A token for an audience that is not a client ID of the provider would get in: no `aud` check. */
  readonly noAudienceCheck: boolean;
  /** Patterns with a wildcard inside the repository part (`{3f1c*}:*`): repositories created later may match. */
  readonly repositoryWildcards: readonly string[];
  /**
   * Statements the evaluator does not model, each with how it was counted (an Allow as
   * admitting, a Deny as not applying) and why: the verdicts above err toward exposure.
   */
  readonly notModelled: readonly string[];
}

export function trustExposure(trust: unknown, provider: BitbucketProvider): TrustExposure {
  const subKey = `${provider.host}:sub`;
  const request = (sub: string, aud: string): WebIdentityRequest => ({
    providerArn: provider.arn,
    action: 'sts:AssumeRoleWithWebIdentity',
    context: { ...CHOSEN_BY_THE_STEP, [`${provider.host}:aud`]: aud, [subKey]: sub },
    unlistedKeys: OUTSIDE_THE_TOKEN,
  });
  // The shape of the trust itself: the conditions it checks, whatever this request holds.
  const written = evaluateTrustPolicy(trust, request('', ''));
  const subPatterns = conditionValues(written, subKey);
  const repositories = repositoriesOfPatterns(subPatterns);
  const environments = environmentsOfPatterns(subPatterns);
  // STS admits only tokens whose aud is one of the provider's client IDs.
  const admitted = (shape: { repository: string; environment?: string }, audiences = provider.clientIds) =>
    audiences.some((aud) => evaluateTrustPolicy(trust, request(formatBitbucketSubject({ ...shape, step: STRANGER.step }), aud)).admitted);
  const strangerShapes = [undefined, STRANGER.environment, ...environments].map((environment) => ({ repository: STRANGER.repository, environment }));
  const knownShapes = [...repositories, ...(repositories.length === 0 ? [STRANGER.repository] : [])].flatMap((repository) => [
    { repository },
    ...[STRANGER.environment, ...environments].map((environment) => ({ repository, environment })),
  ]);
  return {
    subPatterns,
    repositories,
    environments,
    anyRepository: strangerShapes.some((shape) => admitted(shape)),
    anyBranch: [...repositories, STRANGER.repository].some((repository) => admitted({ repository })),
    noAudienceCheck: [...strangerShapes, ...knownShapes].some((shape) => admitted(shape, [NOT_A_CLIENT_ID])),
    repositoryWildcards: subPatterns.filter((pattern) => {
      const repository = pattern.split(':')[0];
      // `*` and `{*}` admit every repository, which anyRepository reports.
      return /[*?]/.test(repository) && repository !== '*' && repository !== '{*}';
    }),
    // Whatever the token: a statement that names another principal or action is decided for every request.
    notModelled: written.statements
      .filter((statement) => statement.notModelled.length > 0)
      .filter((statement) => statement.principalMatches || statement.notModelled.some((part) => part.startsWith('Principal:')))
      .filter((statement) => statement.actionMatches || statement.notModelled.some((part) => part.startsWith('Action:')))
      .map((statement) => `${statement.name} (${statement.effect === 'Allow' ? 'an Allow, counted as admitting' : 'a Deny, taken as not applying'}: ${statement.notModelled.join('; ')})`),
  };
}
