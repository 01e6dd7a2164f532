import { environmentsOfPatterns, repositoriesOfPatterns } from '../bitbucket/subject-patterns';
import { conditionValues, evaluateTrustPolicy } from '../iam-evaluator/evaluate-trust-policy';
import { chosenByCaller } from '../iam-evaluator/request-context';
import { ANY_STRING, LanguageTooLarge, PatternProduct, StringPattern } from '../iam-evaluator/string-language';
import { TrustOverValues } from '../iam-evaluator/trust-over-values';
import { BitbucketProvider } from './role-facts';
import { CHOSEN_BY_THE_STEP, OUTSIDE_THE_TOKEN } from './step-request';
import { ALL_UUIDS, bitbucketSubjects, ofRepository, throughEnvironment, UUID_LENGTH, withoutEnvironment } from './subject-language';

/**
 * A trust that lets in more than this share of all repository UUIDs admits "any
 * repository": fewer than four of a UUID's 32 hex digits are pinned, so a workspace member
 * who creates repositories gets one in within a few thousand tries. At or below it (a UUID
 * prefix of four digits or more, a `?` in a named UUID), repositories created later may
 * match: `repository-wildcard`.
 */
export const ANY_REPOSITORY_SHARE = { numerator: 1n, denominator: 65_536n };

/**
 * The most states one decision explores (about 3 s on this project's machine): a trust past
 * it is not decided, and taken to admit every repository and branch. Real trusts, even
 * hostile ones with dozens of exclusions, take a few thousand.
 */
export const STATE_BUDGET = 200_000;

/** Which Bitbucket tokens a trust policy admits for one provider, decided over every `sub` and audience. */
export interface TrustExposure {
  /** The `sub` patterns of the trust, as written. */
  readonly subPatterns: readonly string[];
  /** Repositories the trust names by full UUID whose steps get in. */
  readonly repositories: readonly string[];
  /** Environments the trust names by full UUID through which some step gets in. */
  readonly environments: readonly string[];
  /** More than `ANY_REPOSITORY_SHARE` of all repositories get in: in practice any repository. */
  readonly anyRepository: boolean;
  /** Repositories the trust does not name that get in, when some do: how many, and one step's `sub`. */
  readonly unnamedRepositories?: { readonly share: string; readonly example: string };
  /**
   * A step that any branch or pull request can run gets in: one without `deployment:`, or
   * one deploying to an environment the trust does not name by full UUID (every repository
   * has Bitbucket's default Test, Staging and Production environments, and restricting who
   * deploys to them needs Premium, so a branch can add `deployment: Test`).
   */
  readonly anyBranch?: {
    readonly environment: 'none' | 'unnamed';
    /** One such step's `sub`. */
    readonly example: string;
    /** The named repositories whose steps get in that way. */
    readonly repositories: readonly string[];
  };
  /** A token whose audience is none of the provider's client IDs would get in: no `aud` check. */
  readonly noAudienceCheck: boolean;
  /** The provider lists no client ID: every audience a step can ask for was taken as accepted. */
  readonly noClientIds: boolean;
  /**
   * Statements the evaluator does not model, each with how it was counted (an Allow as
   * admitting, a Deny as not applying) and why: the verdicts above err toward exposure.
   */
  readonly notModelled: readonly string[];
  /** Why the `sub` conditions could not be decided, when they could not: every verdict above is then taken toward exposure. */
  readonly undecided?: string;
}

/**
 * Decides, for every `sub` a Bitbucket step can carry and every audience STS accepts from
 * the provider, which tokens the trust admits, with everything else a step sends left to
 * the step (step-request.ts). `aud` is enumerated: STS takes only the provider's client IDs
 * (a step asks for any of them with `oidc: audiences:`); a provider with none is not
 * documented, so every audience is then taken as accepted. `sub` is decided as a language
 * (string-language.ts): the trust's patterns, the questions' own (a named repository, no
 * environment, a named environment) and the Bitbucket shape, in one deterministic product,
 * so the answers hold for every repository, environment and step, not for sample tokens.
 */
export function trustExposure(trust: unknown, provider: BitbucketProvider, stateBudget = STATE_BUDGET): TrustExposure {
  const subKey = `${provider.host}:sub`;
  const audKey = `${provider.host}:aud`;
  const open = chosenByCaller('decided over every value by the audit');
  const written = evaluateTrustPolicy(trust, {
    providerArn: provider.arn,
    action: 'sts:AssumeRoleWithWebIdentity',
    context: { ...CHOSEN_BY_THE_STEP, [audKey]: open, [subKey]: open },
    unlistedKeys: OUTSIDE_THE_TOKEN,
  });
  const subPatterns = conditionValues(written, subKey);
  const lowered = subPatterns.map((pattern) => pattern.toLowerCase());
  const named = repositoriesOfPatterns(lowered);
  const namedEnvironments = environmentsOfPatterns(lowered);
  const notModelled = written.statements
    .filter((statement) => statement.notModelled.length > 0)
    // Whatever the token: a statement that names another principal or action is decided for every request.
    .filter((statement) => statement.principalMatches || statement.notModelled.some((part) => part.startsWith('Principal:')))
    .filter((statement) => statement.actionMatches || statement.notModelled.some((part) => part.startsWith('Action:')))
    .map((statement) => `${statement.name} (${statement.effect === 'Allow' ? 'an Allow, counted as admitting' : 'a Deny, taken as not applying'}: ${statement.notModelled.join('; ')})`);
  const shape = { subPatterns, notModelled, noClientIds: provider.clientIds.length === 0 };

  try {
    const values = new TrustOverValues(written, [audKey, subKey]);
    const audiences = audienceClasses(values, audKey, provider.clientIds, stateBudget);
    const trustPatterns = values.patterns(subKey);
    const questions: StringPattern[] = [...named.map(ofRepository), withoutEnvironment, ...namedEnvironments.map(throughEnvironment)];
    const product = new PatternProduct(bitbucketSubjects(), [...trustPatterns, ...questions], stateBudget);
    const at = trustPatterns.length;
    const isNamed = (matches: readonly boolean[], index: number) => matches[at + index];
    const noEnvironment = (matches: readonly boolean[]) => matches[at + named.length];
    const namedEnvironment = (matches: readonly boolean[], index: number) => matches[at + named.length + 1 + index];
    const admittedFor = (audOk: readonly boolean[]) => (matches: readonly boolean[]) =>
      values.admits((index) => audOk[index] && values.holdsOn(index, subKey, matches.slice(0, at)));
    const accepted = audiences.accepted.map(admittedFor);
    const admitted = (matches: readonly boolean[]) => accepted.some((admits) => admits(matches));

    const total = product.countPrefixes(UUID_LENGTH, admitted);
    const repositories = named.filter((_, index) => product.witness((matches) => admitted(matches) && isNamed(matches, index)) !== undefined);
    const unnamedCount = total - BigInt(repositories.length);
    const unnamed = (matches: readonly boolean[]) => admitted(matches) && !named.some((_, index) => isNamed(matches, index));
    const unnamedExample = unnamedCount > 0n ? product.witness(unnamed) : undefined;
    const anyBranchStep = (matches: readonly boolean[]) => admitted(matches) && !namedEnvironments.some((_, index) => namedEnvironment(matches, index));
    const withoutDeployment = product.witness((matches) => admitted(matches) && noEnvironment(matches));
    const anyBranchExample = withoutDeployment ?? product.witness(anyBranchStep);
    return {
      ...shape,
      repositories,
      environments: namedEnvironments.filter((_, index) => product.witness((matches) => admitted(matches) && namedEnvironment(matches, index)) !== undefined),
      anyRepository: total * ANY_REPOSITORY_SHARE.denominator > ALL_UUIDS * ANY_REPOSITORY_SHARE.numerator,
      ...(unnamedExample === undefined ? {} : { unnamedRepositories: { share: shareOf(unnamedCount), example: unnamedExample } }),
      ...(anyBranchExample === undefined
        ? {}
        : {
            anyBranch: {
              environment: withoutDeployment === undefined ? ('unnamed' as const) : ('none' as const),
              example: anyBranchExample,
              repositories: named.filter((_, index) => product.witness((matches) => anyBranchStep(matches) && isNamed(matches, index)) !== undefined),
            },
          }),
      noAudienceCheck: audiences.strangers.some((audOk) => product.witness(admittedFor(audOk)) !== undefined),
    };
  } catch (error) {
    if (!(error instanceof LanguageTooLarge)) throw error;
    return {
      ...shape,
      repositories: named,
      environments: namedEnvironments,
      anyRepository: true,
      anyBranch: { environment: 'none', example: '(not decided)', repositories: named },
      noAudienceCheck: provider.clientIds.length > 1,
      undecided: `its sub and aud conditions are too many to decide (${error.message}): taken to admit every repository and branch`,
    };
  }
}

/**
 * The audiences to decide for, as which statements' `aud` conditions hold: `accepted`, one
 * per client ID of the provider (or, when it lists none, one per combination any audience
 * can produce); `strangers`, one per combination an audience that is no client ID can
 * produce, found by exploring every string against the `aud` patterns and the client IDs.
 */
function audienceClasses(values: TrustOverValues, audKey: string, clientIds: readonly string[], stateBudget: number): { accepted: boolean[][]; strangers: boolean[][] } {
  const statements = values.statements.map((_, index) => index);
  const patterns = values.patterns(audKey);
  const product = new PatternProduct(ANY_STRING, [...patterns, ...clientIds.map((value): StringPattern => ({ kind: 'equals', value }))], stateBudget);
  const strangers = product
    .matchCombinations()
    .filter((matches) => matches.slice(patterns.length).every((match) => !match))
    .map((matches) => statements.map((index) => values.holdsOn(index, audKey, matches.slice(0, patterns.length))));
  const accepted = clientIds.length > 0 ? clientIds.map((id) => statements.map((index) => values.holdsFor(index, audKey, id))) : strangers;
  return { accepted, strangers };
}

/** How many of all repository UUIDs a count is, for people. */
function shareOf(count: bigint): string {
  if (count < 1_000_000n) return `${count} repository UUID${count === 1n ? '' : 's'}`;
  if (count + 1_000_000n >= ALL_UUIDS) return 'every repository UUID';
  const ratio = Number((count * 1_000_000n) / ALL_UUIDS) / 1_000_000;
  if (ratio >= 0.01) return `about ${Math.round(ratio * 100)}% of all repository UUIDs`;
  const oneIn = Number(ALL_UUIDS / count);
  return `about 1 in ${oneIn.toLocaleString('en-US', { maximumSignificantDigits: 5 })} of all repository UUIDs`;
}
