import { MAX_TRUST_POLICY_QUOTA, trustPolicyLength } from '../bitbucket/trust-conditions';
import { ManagedPolicyRef, parseCdkAccess, parseIpRanges, parseManagedPolicies, parseManagedPolicy, parseRoleName, parseSessionDuration, parseTargetAccounts } from './aws-values';
import { parseEnvironments, parseRepositories, RepositoryScope } from './bitbucket-values';
import { ROLE_ENTRY_KEYS, ROLE_KEYS, RoleKey, STACK_KEYS, STACKSET_KEYS, unknownKeyProblems } from './context-keys';
import { readJson, readList } from './list-values';
import { CdkAccess, RoleConfig } from './oidc-config';
import { CDK_ARN_ESTIMATE, CDK_INLINE_POLICY_ESTIMATE_LIMIT, MAX_ROLE_POLICY_SIZE, maxTargetAccounts } from './stack-limits';
import { formatProblem, Parsed, parsed, problem, problemsOf } from '../problems/problem';

const DEFAULT_SESSION_SECONDS = 3600;
/** IAM's hard limit of managed policies per role, whatever the quota. */
export const MAX_MANAGED_POLICIES_QUOTA = 20;

const ROLE_ID = /^[A-Za-z][A-Za-z0-9]{0,39}$/;
// The recommended layout; an entry without id would be the original role of the flat keys.
const ROLES_EXAMPLE =
  'roles=[{"id":"Preview","repositories":["{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}"],"cdkAccess":"lookup"},{"id":"Deploy","repositories":["{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}"],"environments":["{c0ffee00-1234-4abc-8def-0123456789ab}"]}]';

type ValueParser<T> = (key: string, raw: unknown) => Parsed<T>;

export function required<T>(key: string, source: Readonly<Record<string, unknown>>, parse: ValueParser<T>, field = key): Parsed<T> {
  // Every parser refuses undefined, which reports the key as missing.
  return parse(key, source[field]);
}

export function optional<T>(key: string, source: Readonly<Record<string, unknown>>, parse: ValueParser<T>, field = key): Parsed<T | undefined> {
  const raw = source[field];
  return raw === undefined ? parsed(undefined) : parse(key, raw);
}

/** What each role key reads into. */
interface RoleValues {
  readonly repositories: RepositoryScope;
  readonly environments: readonly string[];
  readonly policies: readonly ManagedPolicyRef[];
  readonly sessionDuration: number;
  readonly roleName: string;
  readonly permissionsBoundary: ManagedPolicyRef;
  readonly allowedIpRanges: readonly string[];
  readonly cdkAccess: CdkAccess;
  readonly targetAccounts: readonly string[];
}

/** Each role key's parser: a key of ROLE_KEYS without one does not type-check. */
const ROLE_PARSERS: { readonly [K in RoleKey]: ValueParser<RoleValues[K]> } = {
  repositories: parseRepositories,
  environments: parseEnvironments,
  policies: parseManagedPolicies,
  sessionDuration: parseSessionDuration,
  roleName: parseRoleName,
  permissionsBoundary: parseManagedPolicy,
  allowedIpRanges: parseIpRanges,
  cdkAccess: parseCdkAccess,
  targetAccounts: parseTargetAccounts,
};

/** `repositories` is the one role key that must be given. */
function readRoleKey<K extends RoleKey>(source: Readonly<Record<string, unknown>>, prefix: string, key: K): Parsed<RoleValues[K] | undefined> {
  const parse: ValueParser<RoleValues[K]> = ROLE_PARSERS[key];
  return key === 'repositories' ? required(`${prefix}${key}`, source, parse, key) : optional(`${prefix}${key}`, source, parse, key);
}

/** The problems of the role keys `keys` of `source`, each read on its own. */
export function roleKeyProblems(source: Readonly<Record<string, unknown>>, keys: readonly RoleKey[]): readonly string[] {
  return problemsOf(keys.map((key) => readRoleKey(source, '', key)));
}

/**
 * What the limits of one role are checked against. `workspace` is undefined when it is
 * itself invalid (the trust policy's length depends on it); a quota is undefined when
 * the value given for it is invalid, and the check then uses the most IAM ever allows.
 */
export interface RoleLimits {
  readonly workspace?: string;
  readonly audience: string;
  readonly trustPolicySizeQuota?: number;
  readonly managedPoliciesQuota?: number;
}

/**
 * Reads the keys of one role; `prefix` names where they sit (`roles[2].`). With
 * `cdkQualifierOff` (cdkQualifier=none) no role reaches the bootstrap roles, so a role
 * asking for some is a contradiction, not a choice to make silently. IAM's limits are
 * checked beside the other problems, from whatever parts are valid.
 */
export function parseRole(source: Readonly<Record<string, unknown>>, prefix: string, cdkQualifierOff: boolean, limits: RoleLimits, id?: string): Parsed<RoleConfig> {
  const read: { readonly [K in RoleKey]: Parsed<RoleValues[K] | undefined> } = {
    repositories: readRoleKey(source, prefix, 'repositories'),
    environments: readRoleKey(source, prefix, 'environments'),
    policies: readRoleKey(source, prefix, 'policies'),
    sessionDuration: readRoleKey(source, prefix, 'sessionDuration'),
    roleName: readRoleKey(source, prefix, 'roleName'),
    permissionsBoundary: readRoleKey(source, prefix, 'permissionsBoundary'),
    allowedIpRanges: readRoleKey(source, prefix, 'allowedIpRanges'),
    cdkAccess: readRoleKey(source, prefix, 'cdkAccess'),
    targetAccounts: readRoleKey(source, prefix, 'targetAccounts'),
  };
  const { repositories, environments, policies, sessionDuration, roleName, permissionsBoundary, allowedIpRanges, cdkAccess, targetAccounts } = read;
  const problems = [...problemsOf(ROLE_KEYS.map((key) => read[key])), ...cdkReachContradictions(source, prefix, cdkQualifierOff, cdkAccess), ...roleLimitProblems(source, prefix, read, limits, cdkQualifierOff)];
  if (
    !repositories.ok || !environments.ok || !policies.ok || !sessionDuration.ok || !roleName.ok || !permissionsBoundary.ok || !allowedIpRanges.ok || !cdkAccess.ok ||
    !targetAccounts.ok || repositories.value === undefined || problems.length > 0
  ) {
    return { ok: false, problems };
  }
  return parsed({
    id,
    repositories: repositories.value,
    environments: environments.value ?? [],
    policies: policies.value ?? [],
    sessionDurationSeconds: sessionDuration.value ?? DEFAULT_SESSION_SECONDS,
    roleName: roleName.value,
    permissionsBoundary: permissionsBoundary.value,
    allowedIpRanges: allowedIpRanges.value ?? [],
    cdkAccess: cdkQualifierOff ? 'none' : (cdkAccess.value ?? 'deploy'),
    targetAccounts: targetAccounts.value,
  });
}

/**
 * With cdkQualifier=none no role reaches the bootstrap roles, and a role with
 * cdkAccess=none reaches none either: asking for some (cdkAccess, targetAccounts) is a
 * contradiction, not a choice to make silently.
 */
function cdkReachContradictions(source: Readonly<Record<string, unknown>>, prefix: string, cdkQualifierOff: boolean, cdkAccess: Parsed<CdkAccess | undefined>): string[] {
  const problems: string[] = [];
  if (cdkQualifierOff && cdkAccess.ok && cdkAccess.value !== undefined && cdkAccess.value !== 'none') {
    problems.push(
      formatProblem({
        key: `${prefix}cdkAccess`,
        given: source.cdkAccess,
        expected: 'none (or no cdkAccess): cdkQualifier=none leaves every role without CDK bootstrap access',
        example: `drop cdkQualifier=none, or ${prefix}cdkAccess=none`,
      }),
    );
  }
  if (source.targetAccounts === undefined) return problems;
  if (cdkQualifierOff) {
    problems.push(
      formatProblem({
        key: `${prefix}targetAccounts`,
        given: source.targetAccounts,
        expected: 'no targetAccounts: cdkQualifier=none leaves every role without CDK bootstrap roles to reach in any account',
        example: `drop cdkQualifier=none, or drop ${prefix}targetAccounts`,
      }),
    );
  } else if (cdkAccess.ok && cdkAccess.value === 'none') {
    problems.push(
      formatProblem({
        key: `${prefix}targetAccounts`,
        given: source.targetAccounts,
        expected: 'no targetAccounts on a role with cdkAccess=none: it reaches no CDK bootstrap roles in any account',
        example: `${prefix}cdkAccess=deploy (or lookup), or drop ${prefix}targetAccounts`,
      }),
    );
  }
  return problems;
}

/**
 * What IAM would refuse at deploy: a trust policy over the quota, more managed policies
 * than the quota; and more target accounts than the role's one inline policy holds.
 */
function roleLimitProblems(
  source: Readonly<Record<string, unknown>>,
  prefix: string,
  read: { readonly [K in RoleKey]: Parsed<RoleValues[K] | undefined> },
  limits: RoleLimits,
  cdkQualifierOff: boolean,
): string[] {
  const problems: string[] = [];
  const { repositories, environments, allowedIpRanges, cdkAccess, targetAccounts } = read;
  const access = cdkAccess.ok ? (cdkAccess.value ?? 'deploy') : undefined;
  if (!cdkQualifierOff && access !== undefined && access !== 'none' && targetAccounts.ok && targetAccounts.value !== undefined) {
    const fit = maxTargetAccounts(access);
    if (targetAccounts.value.length > fit) {
      problems.push(
        formatProblem({
          key: `${prefix}targetAccounts`,
          given: source.targetAccounts,
          expected:
            `at most ${fit} accounts for a role with cdkAccess=${access} (${targetAccounts.value.length} given): past that, aws-cdk-lib moves the role's policy ` +
            `(estimated at ${CDK_ARN_ESTIMATE} characters per ARN, over ${CDK_INLINE_POLICY_ESTIMATE_LIMIT}) into separate managed policies, short of IAM's ${MAX_ROLE_POLICY_SIZE} for a role's inline policies`,
          example: `split the accounts over several roles, each with its own id and targetAccounts (at most ${fit} each)`,
        }),
      );
    }
  }
  if (limits.workspace !== undefined && repositories.ok && repositories.value !== undefined && environments.ok && allowedIpRanges.ok) {
    const scope = {
      workspace: limits.workspace,
      audience: limits.audience,
      repositories: repositories.value,
      environments: environments.value ?? [],
      allowedIpRanges: allowedIpRanges.value ?? [],
    };
    const quota = limits.trustPolicySizeQuota ?? MAX_TRUST_POLICY_QUOTA;
    const size = trustPolicyLength(scope);
    if (size > quota) {
      const where = prefix === '' ? 'repositories' : prefix.slice(0, -1);
      const repositoryCount = scope.repositories === '*' ? 1 : scope.repositories.length;
      const patterns = repositoryCount * Math.max(scope.environments.length, 1);
      const perPattern = (size - trustPolicyLength({ ...scope, repositories: [], environments: [] })) / patterns;
      const fit = Math.max(1, Math.floor(patterns * (quota / size)));
      const raise = quota < MAX_TRUST_POLICY_QUOTA ? `, or raise the quota in Service Quotas and declare it with trustPolicySizeQuota=${MAX_TRUST_POLICY_QUOTA}` : '';
      problems.push(
        `${where}: the trust policy would be ${size} characters (without white space), over IAM's limit of ${quota}: ` +
          `${repositoryCount} repositories x ${Math.max(scope.environments.length, 1)} environments make ${patterns} sub patterns of about ${Math.round(perPattern)} characters each; ` +
          `split it with roles (about ${fit} patterns per role)${raise}` + (prefix === '' ? '; example: roles=[{"repositories":[...]},{"id":"TeamB","repositories":[...]}]' : ''),
      );
    }
  }
  // Counted from the list as given, so the count is reported even beside a bad entry.
  const policies = source.policies === undefined ? undefined : readList('', source.policies, '');
  const count = policies?.ok === true ? policies.value.length : 0;
  const quota = limits.managedPoliciesQuota ?? MAX_MANAGED_POLICIES_QUOTA;
  if (count > MAX_MANAGED_POLICIES_QUOTA) {
    problems.push(`${prefix}policies: ${count} managed policies, over IAM's hard limit of ${MAX_MANAGED_POLICIES_QUOTA} per role; combine them into fewer customer managed policies`);
  } else if (count > quota) {
    problems.push(
      `${prefix}policies: ${count} managed policies, over the quota of ${quota} per role that IAM would refuse the attachment with; ` +
        `combine them into fewer customer managed policies, or raise the quota in Service Quotas (up to ${MAX_MANAGED_POLICIES_QUOTA}) and declare it with managedPoliciesQuota=<the raised quota>`,
    );
  }
  return problems;
}

/** Where stack keys and the rollout's keys belong when found in an entry of `roles`. */
const STACK_KEY_HOMES = Object.fromEntries(
  [...STACK_KEYS, ...STACKSET_KEYS].map((key) => [key, { belongs: 'applies to the whole stack, so it sits beside roles, not in an entry', example: `${key}=… beside roles=[…]` }]),
);

/**
 * Reads `roles`: a JSON array (native in cdk.json, a string on the command line). An
 * entry without `id` is the original role, the one the flat keys describe: it keeps
 * that role's construct path, logical ID, output and export, so moving from the flat
 * keys to a list never replaces it. Every other entry needs a unique id, and every
 * explicit roleName must be unique without regard to case, as IAM compares them.
 */
export function parseRoles(raw: unknown, cdkQualifierOff: boolean, limits: RoleLimits): Parsed<readonly RoleConfig[]> {
  const entries = roleEntries(raw);
  if (!entries.ok) return entries;
  const problems: string[] = [];
  const roles: RoleConfig[] = [];
  const seen = new Map<string, number>();
  const names = new Map<string, number>();
  let original: number | undefined;
  entries.value.forEach((entry: unknown, index) => {
    const prefix = `roles[${index}].`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(formatProblem({ key: `roles[${index}]`, given: entry, expected: 'an object with the role keys (and an id, except for the original role)', example: ROLES_EXAMPLE }));
      return;
    }
    const source = entry as Record<string, unknown>;
    problems.push(...unknownKeyProblems(source, ROLE_ENTRY_KEYS, { prefix, homes: STACK_KEY_HOMES }));
    const id = roleId(source, index, seen, original);
    if (!id.ok) problems.push(...id.problems);
    else if (id.value === undefined) original = index;
    const role = parseRole(source, prefix, cdkQualifierOff, limits, id.ok ? id.value : undefined);
    if (role.ok) roles.push(role.value);
    else problems.push(...role.problems);
    const name = parseRoleName('', source.roleName);
    if (source.roleName !== undefined && name.ok) {
      const first = names.get(name.value.toLowerCase());
      if (first === undefined) names.set(name.value.toLowerCase(), index);
      else {
        problems.push(
          formatProblem({
            key: `${prefix}roleName`,
            given: source.roleName,
            expected: `a role name no other entry has; roles[${first}] has it already, and IAM compares role names without case`,
            example: 'a name of its own, or no roleName (CloudFormation then names the role)',
          }),
        );
      }
    }
  });
  return problems.length > 0 ? { ok: false, problems } : parsed(roles);
}

/** The entries of `roles`, as given: read for the count of roles even when some entries are bad. */
export function roleEntries(raw: unknown): Parsed<readonly unknown[]> {
  const value = typeof raw === 'string' ? readJson('roles', raw, 'a JSON array of roles', ROLES_EXAMPLE) : parsed(raw);
  if (!value.ok) return value;
  if (!Array.isArray(value.value) || value.value.length === 0) {
    return problem({ key: 'roles', given: raw, expected: 'a non-empty JSON array of roles', example: ROLES_EXAMPLE });
  }
  return parsed(value.value);
}

/** An entry's id: undefined for the one original role; otherwise unique, and never the original's names. */
function roleId(source: Readonly<Record<string, unknown>>, index: number, seen: Map<string, number>, original: number | undefined): Parsed<string | undefined> {
  const key = `roles[${index}].id`;
  const id = source.id;
  if (id === undefined) {
    if (original === undefined) return parsed(undefined);
    return problem({
      key,
      given: id,
      expected: `an id: only one entry may leave it out (the original role, roles[${original}] here)`,
      example: '"id":"Deploy"',
    });
  }
  if (id === '') {
    return problem({
      key,
      given: id,
      expected: "a non-empty id: an empty one would name the output RoleArn, which belongs to the original role; leave id out for the original role",
      example: '"id":"Deploy"',
    });
  }
  if (typeof id !== 'string' || !ROLE_ID.test(id)) {
    return problem({ key, given: id, expected: 'a role id: a letter, then up to 39 letters or digits (it names the output <id>RoleArn)', example: '"id":"Deploy"' });
  }
  const first = seen.get(id.toLowerCase());
  if (first !== undefined) {
    return problem({ key, given: id, expected: `a unique id; roles[${first}] has it already (ids are compared without case, so outputs never differ by case alone)`, example: '"id":"DeployStaging"' });
  }
  seen.set(id.toLowerCase(), index);
  return parsed(id);
}
