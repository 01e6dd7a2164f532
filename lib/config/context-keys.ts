import { formatProblem } from '../problems/problem';
import { shownKey } from '../problems/quoted';

/**
 * Every context key this app reads, in one place. A key that is neither here nor one
 * of CDK's own is refused: nothing would read it, so whatever it was meant to restrict
 * (`envs=…` for `environments`) would silently not be. To add a key: list it here, then
 * read it in `parseOidcConfig` (stack keys) or `ROLE_PARSERS` (role keys, which the type
 * checker then demands); `test/config/context-keys.test.ts` fails until both are done
 * and the README's table names it.
 */

/** The keys of one role: flat in the context for a single role, or in each entry of `roles`. */
export const ROLE_KEYS = ['repositories', 'environments', 'policies', 'sessionDuration', 'roleName', 'permissionsBoundary', 'allowedIpRanges', 'cdkAccess', 'targetAccounts'] as const;
export type RoleKey = (typeof ROLE_KEYS)[number];

/** The keys of an entry of `roles`: the role keys and its id. */
export const ROLE_ENTRY_KEYS = ['id', ...ROLE_KEYS] as const;

/** The keys that apply to the whole stack. */
export const STACK_KEYS = [
  'workspace',
  'audience',
  'roles',
  'providerArn',
  'thumbprints',
  'cdkQualifier',
  'stackSuffix',
  'trustPolicySizeQuota',
  'managedPoliciesQuota',
  'account',
  'region',
] as const;

/** The organisation-wide rollout's keys; `stackSetOrganizationalUnits` switches it on. */
export const STACKSET_KEYS = [
  'stackSetOrganizationalUnits',
  'stackSetRegion',
  'stackSetExcludedAccounts',
  'stackSetFailureTolerance',
  'stackSetMaxConcurrent',
  'stackSetCallAs',
] as const;

export const CONTEXT_KEYS: readonly string[] = [...STACK_KEYS, ...ROLE_KEYS, ...STACKSET_KEYS];

/**
 * Keys that belong to CDK, not to this app, so they are never refused:
 * - feature flags and other framework settings: `@aws-cdk/…`, `@aws-cdk-containers/…`;
 * - what the CLI injects on every run (`aws:cdk:enable-path-metadata`,
 *   `aws:cdk:version-reporting`, `aws:cdk:bundling-stacks`, …) and the legacy
 *   `aws-cdk:enableDiffNoFail`;
 * - the CLI's own settings, kept in `cdk.context.json` by `cdk acknowledge` and
 *   `cdk cli-telemetry`;
 * - context lookup results, keyed `<provider>:<prop>=<value>:…`
 *   (`availability-zones:account=123456789012:region=eu-west-1`).
 */
const CDK_SETTINGS = ['acknowledged-issue-numbers', 'cli-telemetry'];
const CDK_NAMESPACES = /^(@aws-cdk(-[a-z0-9-]+)?\/|aws:cdk:|aws-cdk:)/;
const LOOKUP_KEY = /^[a-z][a-z0-9-]*:([A-Za-z_][\w.]*=|$)/;

export function isCdkContextKey(key: string): boolean {
  return CDK_SETTINGS.includes(key) || CDK_NAMESPACES.test(key) || LOOKUP_KEY.test(key);
}

/** Where a key given in the wrong place belongs, to say so instead of "unknown". */
export type KeyHomes = Readonly<Record<string, { readonly belongs: string; readonly example: string }>>;

/**
 * One line per key of `source` that is not in `known`, with the nearest known key when
 * one is close. `prefix` names where the keys sit (`roles[2].`); `homes` says where a
 * key from elsewhere belongs; `ignore` passes keys that are not the app's to judge.
 */
/** Longer keys are no misspelling of ours, and not worth comparing character by character. */
const MAX_KEY_COMPARED = 64;

export function unknownKeyProblems(
  source: Readonly<Record<string, unknown>>,
  known: readonly string[],
  { prefix = '', homes = {}, ignore = () => false }: { prefix?: string; homes?: KeyHomes; ignore?: (key: string) => boolean } = {},
): string[] {
  return Object.keys(source)
    .filter((key) => !known.includes(key) && !ignore(key))
    .map((key) => {
      const home = Object.hasOwn(homes, key) ? homes[key] : undefined;
      const base = { key: `${prefix}${shownKey(key)}`, given: source[key] };
      if (home !== undefined) return formatProblem({ ...base, expected: `a key that belongs here; ${key} ${home.belongs}`, example: home.example });
      const meant = key.length <= MAX_KEY_COMPARED ? nearestKey(key, known) : undefined;
      const why = 'an unknown key is ignored, and with it whatever it would restrict';
      return meant === undefined
        ? formatProblem({ ...base, expected: `a key this app reads (${why})`, example: "one of the keys in the README's Context keys" })
        : formatProblem({ ...base, expected: `a key this app reads, here likely ${meant} (${why})`, example: `${meant}=<the same value>` });
    });
}

/**
 * The known key a given one most likely meant: the same word in another case or
 * number, a near spelling (`enviroments`), or one sharing most of its words
 * (`envs`, `deploymentEnvironments` → environments; `sourceIpRanges` → allowedIpRanges).
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const given = words(key);
  const scored = known.map((candidate) => {
    const distance = editDistance(given.join(''), words(candidate).join(''));
    return { candidate, distance, shared: sharedWords(given, words(candidate)) };
  });
  const close = scored.filter(({ distance, shared }) => distance <= 2 || shared >= 0.5);
  close.sort((a, b) => b.shared - a.shared || a.distance - b.distance);
  return close[0]?.candidate;
}

/** Abbreviations users write for the words of our keys (a word's start is matched anyway: `env`, `repo`). */
const ABBREVIATIONS: Readonly<Record<string, readonly string[]>> = { ou: ['organizational', 'unit'] };

/** A key's words, lower case and singular: `deploymentEnvironments` → deployment, environment. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.replace(/ies$/, 'y').replace(/s$/, ''))
    .flatMap((word) => ABBREVIATIONS[word] ?? [word]);
}

/** The share of the longer key's words found in the other; a word also matches its own start (`env`, `repo`). */
function sharedWords(a: readonly string[], b: readonly string[]): number {
  const matches = (x: string, y: string) => x === y || (Math.min(x.length, y.length) >= 3 && (x.startsWith(y) || y.startsWith(x)));
  const shared = a.filter((word) => b.some((other) => matches(word, other))).length;
  return shared / Math.max(a.length, b.length);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
