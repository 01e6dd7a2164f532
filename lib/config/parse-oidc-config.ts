import { DEFAULT_TRUST_POLICY_QUOTA, MAX_TRUST_POLICY_QUOTA, trustPolicyLength } from '../bitbucket/trust-conditions';
import { parseAccount, parseCdkQualifier, parseProviderArn, parseRegion } from './aws-values';
import { parseAudience, parseWorkspace } from './bitbucket-values';
import { OidcConfig, RoleConfig } from './oidc-config';
import { optional, parseRole, parseRoles, required, ROLE_KEYS } from './parse-roles';
import { Parsed, formatProblem, parsed, problem, problemsOf } from '../problems/problem';
import {
  parseCallAs,
  parseExcludedAccounts,
  parseOrganizationalUnits,
  parseStackSetRegion,
  parseTolerance,
  STACKSET_KEYS,
  StackSetConfig,
} from './stackset-values';

const DEFAULT_MANAGED_POLICIES_QUOTA = 10;
const MAX_MANAGED_POLICIES_QUOTA = 20;

/** The context keys this app reads; anything close to one of them is likely a typo. */
export const CONTEXT_KEYS = [
  'workspace',
  'audience',
  ...ROLE_KEYS,
  'roles',
  'providerArn',
  'cdkQualifier',
  'trustPolicySizeQuota',
  'managedPoliciesQuota',
  'account',
  'region',
  ...STACKSET_KEYS,
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
  const roles = parseRoleSection(context, cdkQualifier.ok && cdkQualifier.value === false);
  const trustQuota = optional('trustPolicySizeQuota', context, (key, raw) => parseQuota(key, raw, DEFAULT_TRUST_POLICY_QUOTA, MAX_TRUST_POLICY_QUOTA));
  const policyQuota = optional('managedPoliciesQuota', context, (key, raw) => parseQuota(key, raw, DEFAULT_MANAGED_POLICIES_QUOTA, MAX_MANAGED_POLICIES_QUOTA));
  const stackSet = parseStackSet(context);
  const problems = [
    ...misspelledKeys(context),
    ...problemsOf([workspace, audience, providerArn, cdkQualifier, account, region, roles, trustQuota, policyQuota, stackSet]),
  ];
  if (
    !workspace.ok || !audience.ok || !providerArn.ok || !cdkQualifier.ok || !account.ok || !region.ok ||
    !roles.ok || !trustQuota.ok || !policyQuota.ok || !stackSet.ok || problems.length > 0
  ) {
    return { ok: false, problems };
  }
  const limits = {
    trustPolicySizeQuota: trustQuota.value ?? DEFAULT_TRUST_POLICY_QUOTA,
    managedPoliciesQuota: policyQuota.value ?? DEFAULT_MANAGED_POLICIES_QUOTA,
  };
  const overLimit = roles.value.roles.flatMap((role, index) =>
    limitProblems(role, roles.value.listed ? `roles[${index}].` : '', workspace.value, audience.value, limits.trustPolicySizeQuota),
  );
  if (overLimit.length > 0) return { ok: false, problems: overLimit };
  return parsed({
    ...limits,
    workspace: workspace.value,
    audience: audience.value,
    providerArn: providerArn.value,
    cdkQualifier: cdkQualifier.value,
    stackName: stackNameFor(workspace.value),
    account: account.value,
    region: region.value,
    roles: roles.value.roles,
    stackSet: stackSet.value,
  });
}

/** The rollout mode: on when stackSetOrganizationalUnits is given. */
function parseStackSet(context: Readonly<Record<string, unknown>>): Parsed<StackSetConfig | undefined> {
  if (context.stackSetOrganizationalUnits === undefined) {
    const stray = STACKSET_KEYS.filter((key) => context[key] !== undefined);
    if (stray.length === 0) return parsed(undefined);
    return problem({ key: stray[0], given: context[stray[0]], expected: 'stackSetOrganizationalUnits as well: the StackSet keys apply only to an organisation-wide rollout', example: 'stackSetOrganizationalUnits=ou-ab12-34cd56ef' });
  }
  const units = required('stackSetOrganizationalUnits', context, parseOrganizationalUnits);
  const region = required('stackSetRegion', context, parseStackSetRegion);
  const excluded = optional('stackSetExcludedAccounts', context, parseExcludedAccounts);
  const tolerance = optional('stackSetFailureTolerance', context, (key, raw) => parseTolerance(key, raw, 0));
  const concurrent = optional('stackSetMaxConcurrent', context, (key, raw) => parseTolerance(key, raw, 1));
  const callAs = optional('stackSetCallAs', context, parseCallAs);
  const providerArn = context.providerArn === undefined ? parsed(undefined) : problem({
    key: 'providerArn',
    given: context.providerArn,
    expected: 'no providerArn with a StackSet: each target account gets its own provider',
    example: 'drop providerArn, or deploy account by account',
  });
  if (!units.ok || !region.ok || !excluded.ok || !tolerance.ok || !concurrent.ok || !callAs.ok || !providerArn.ok) {
    return { ok: false, problems: problemsOf([units, region, excluded, tolerance, concurrent, callAs, providerArn]) };
  }
  return parsed({
    organizationalUnits: units.value,
    region: region.value,
    excludedAccounts: excluded.value ?? [],
    // One account's own trouble (a hand-made provider, an SCP) must not fail the whole rollout: a failed
    // rollout rolls back and deletes every instance, and each member stack's provider stays behind.
    // A tenth of the accounts may fail; CloudFormation (STRICT_FAILURE_TOLERANCE) then deploys at most
    // that many plus one at a time, within a quarter of the accounts.
    failureTolerance: tolerance.value ?? { percentage: 10 },
    maxConcurrent: concurrent.value ?? { percentage: 25 },
    callAs: callAs.value ?? 'SELF',
  });
}

/** The roles, and whether they came from the `roles` list (which names them `roles[i]` in errors). */
interface RoleSection {
  readonly roles: readonly RoleConfig[];
  readonly listed: boolean;
}

/** The flat keys describe one role; `roles` describes several. Giving both is ambiguous. */
function parseRoleSection(context: Readonly<Record<string, unknown>>, cdkQualifierOff: boolean): Parsed<RoleSection> {
  if (context.roles === undefined) {
    const role = parseRole(context, '', cdkQualifierOff);
    return role.ok ? parsed({ roles: [role.value], listed: false }) : role;
  }
  const flat = ROLE_KEYS.filter((key) => context[key] !== undefined);
  if (flat.length > 0) {
    return problem({
      key: 'roles',
      given: context.roles,
      expected: `either roles or the flat role keys, not both (also given: ${flat.join(', ')})`,
      example: 'move those keys into an entry of roles, or drop roles to describe a single role',
    });
  }
  const roles = parseRoles(context.roles, cdkQualifierOff);
  return roles.ok ? parsed({ roles: roles.value, listed: true }) : roles;
}

function parseQuota(key: string, raw: unknown, defaultQuota: number, maxQuota: number): Parsed<number> {
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof value === 'number' && Number.isInteger(value) && value >= defaultQuota && value <= maxQuota) return parsed(value);
  return problem({ key, given: raw, expected: `the quota your account has: ${defaultQuota} (IAM's default) up to ${maxQuota}`, example: `${key}=${maxQuota}` });
}

/** Refuses roles IAM would refuse at deploy time, with the numbers and a way out. */
function limitProblems(role: RoleConfig, prefix: string, workspace: string, audience: string, trustPolicySizeQuota: number): string[] {
  const where = prefix === '' ? 'repositories' : prefix.slice(0, -1);
  const problems: string[] = [];
  const scope = { workspace, audience, repositories: role.repositories, environments: role.environments, allowedIpRanges: role.allowedIpRanges };
  const size = trustPolicyLength(scope);
  if (size > trustPolicySizeQuota) {
    const repositoryCount = role.repositories === '*' ? 1 : role.repositories.length;
    const patterns = repositoryCount * Math.max(role.environments.length, 1);
    const perPattern = (size - trustPolicyLength({ ...scope, repositories: [], environments: [] })) / patterns;
    const fit = Math.max(1, Math.floor(patterns * (trustPolicySizeQuota / size)));
    const raise = trustPolicySizeQuota < MAX_TRUST_POLICY_QUOTA ? `, or raise the quota in Service Quotas and declare it with trustPolicySizeQuota=${MAX_TRUST_POLICY_QUOTA}` : '';
    problems.push(
      `${where}: the trust policy would be ${size} characters (without white space), over IAM's limit of ${trustPolicySizeQuota}: ` +
        `${repositoryCount} repositories x ${Math.max(role.environments.length, 1)} environments make ${patterns} sub patterns of about ${Math.round(perPattern)} characters each; ` +
        `split it with roles (about ${fit} patterns per role)${raise}` + (prefix === '' ? '; example: roles=[{"repositories":[...]},{"id":"TeamB","repositories":[...]}]' : ''),
    );
  }
  if (role.policies.length > MAX_MANAGED_POLICIES_QUOTA) {
    problems.push(`${prefix}policies: ${role.policies.length} managed policies, over IAM's hard limit of ${MAX_MANAGED_POLICIES_QUOTA} per role; combine them into fewer customer managed policies`);
  }
  return problems;
}

/** One stack per workspace, so several workspaces can share an account. */
export function stackNameFor(workspace: string): string {
  // Stack names allow letters, digits and dashes only.
  return `BitbucketOidc-${workspace.replace(/_/g, '-')}`;
}

/** The rollout's own stack, in the management or delegated administrator account. */
export function stackSetStackNameFor(workspace: string): string {
  return stackNameFor(workspace).replace(/^BitbucketOidc-/, 'BitbucketOidcStackSet-');
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
