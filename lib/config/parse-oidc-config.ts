import {
  parseAccount,
  parseCdkQualifier,
  parseIpRanges,
  parseManagedPolicies,
  parseManagedPolicy,
  parseProviderArn,
  parseRegion,
  parseRoleName,
  parseSessionDuration,
} from './aws-values';
import { parseAudience, parseEnvironments, parseRepositories, parseWorkspace } from './bitbucket-values';
import { OidcConfig, RoleConfig } from './oidc-config';
import { Parsed, formatProblem, parsed, problemsOf } from './problem';

const DEFAULT_SESSION_SECONDS = 3600;

/** The context keys this app reads; anything close to one of them is likely a typo. */
export const CONTEXT_KEYS = [
  'workspace',
  'audience',
  'repositories',
  'environments',
  'policies',
  'sessionDuration',
  'roleName',
  'providerArn',
  'cdkQualifier',
  'permissionsBoundary',
  'allowedIpRanges',
  'account',
  'region',
] as const;

/**
 * Turns CDK context (strings from `-c key=value`, native JSON from `cdk.json`) into a
 * validated configuration, or every problem found, each on one line.
 */
export function parseOidcConfig(context: Readonly<Record<string, unknown>>): Parsed<OidcConfig> {
  const workspace = required('workspace', context, parseWorkspace);
  const audience = required('audience', context, parseAudience);
  const providerArn = optional('providerArn', context, (key, raw) =>
    parseProviderArn(key, raw, workspace.ok ? workspace.value : undefined),
  );
  const cdkQualifier = parseCdkQualifier('cdkQualifier', context.cdkQualifier);
  const account = optional('account', context, parseAccount);
  const region = optional('region', context, parseRegion);
  const role = parseRole(context, '');
  const problems = [
    ...misspelledKeys(context),
    ...problemsOf([workspace, audience, providerArn, cdkQualifier, account, region, role]),
  ];
  if (!workspace.ok || !audience.ok || !providerArn.ok || !cdkQualifier.ok || !account.ok || !region.ok || !role.ok || problems.length > 0) {
    return { ok: false, problems };
  }
  return parsed({
    workspace: workspace.value,
    audience: audience.value,
    providerArn: providerArn.value,
    cdkQualifier: cdkQualifier.value,
    stackName: stackNameFor(workspace.value),
    account: account.value,
    region: region.value,
    roles: [role.value],
  });
}

/** One stack per workspace, so several workspaces can share an account. */
export function stackNameFor(workspace: string): string {
  // Stack names allow letters, digits and dashes only.
  return `BitbucketOidc-${workspace.replace(/_/g, '-')}`;
}

/** Reads the keys of one role; `prefix` names where they sit (`roles[2].`). */
function parseRole(source: Readonly<Record<string, unknown>>, prefix: string): Parsed<RoleConfig> {
  const repositories = required(`${prefix}repositories`, source, parseRepositories, 'repositories');
  const environments = optional(`${prefix}environments`, source, parseEnvironments, 'environments');
  const policies = optional(`${prefix}policies`, source, parseManagedPolicies, 'policies');
  const session = optional(`${prefix}sessionDuration`, source, parseSessionDuration, 'sessionDuration');
  const roleName = optional(`${prefix}roleName`, source, parseRoleName, 'roleName');
  const boundary = optional(`${prefix}permissionsBoundary`, source, parseManagedPolicy, 'permissionsBoundary');
  const ipRanges = optional(`${prefix}allowedIpRanges`, source, parseIpRanges, 'allowedIpRanges');
  if (!repositories.ok || !environments.ok || !policies.ok || !session.ok || !roleName.ok || !boundary.ok || !ipRanges.ok) {
    return { ok: false, problems: problemsOf([repositories, environments, policies, session, roleName, boundary, ipRanges]) };
  }
  return parsed({
    repositories: repositories.value,
    environments: environments.value ?? [],
    policies: policies.value ?? [],
    sessionDurationSeconds: session.value ?? DEFAULT_SESSION_SECONDS,
    roleName: roleName.value,
    permissionsBoundary: boundary.value,
    allowedIpRanges: ipRanges.value ?? [],
  });
}

type ValueParser<T> = (key: string, raw: unknown) => Parsed<T>;

function required<T>(key: string, source: Readonly<Record<string, unknown>>, parse: ValueParser<T>, field = key): Parsed<T> {
  // Every parser refuses undefined, which reports the key as missing.
  return parse(key, source[field]);
}

function optional<T>(key: string, source: Readonly<Record<string, unknown>>, parse: ValueParser<T>, field = key): Parsed<T | undefined> {
  const raw = source[field];
  return raw === undefined ? parsed(undefined) : parse(key, raw);
}

/**
 * A misspelt key would be ignored silently and could drop a restriction
 * (`enviroments` would leave a role open to every environment), so refuse keys
 * that are almost one of ours.
 */
function misspelledKeys(context: Readonly<Record<string, unknown>>): string[] {
  const known: readonly string[] = CONTEXT_KEYS;
  return Object.keys(context)
    .filter((key) => !known.includes(key))
    .flatMap((key) => {
      const meant = known.find((candidate) => editDistance(stem(key), stem(candidate)) <= 2);
      return meant === undefined
        ? []
        : [formatProblem({ key, given: context[key], expected: `a known key; this looks like a misspelling of ${meant}`, example: `${meant}=...` })];
    });
}

/** Folds case and plurals, so `policy` and `Repository` are caught too. */
function stem(key: string): string {
  return key.toLowerCase().replace(/ies$/, 'y').replace(/s$/, '');
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
