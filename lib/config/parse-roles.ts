import { parseCdkAccess, parseIpRanges, parseManagedPolicies, parseManagedPolicy, parseRoleName, parseSessionDuration } from './aws-values';
import { parseEnvironments, parseRepositories } from './bitbucket-values';
import { RoleConfig } from './oidc-config';
import { formatProblem, Parsed, parsed, problem, problemsOf } from '../problems/problem';

const DEFAULT_SESSION_SECONDS = 3600;

/** The keys that describe one role, flat in the context or in each entry of `roles`. */
export const ROLE_KEYS = ['repositories', 'environments', 'policies', 'sessionDuration', 'roleName', 'permissionsBoundary', 'allowedIpRanges', 'cdkAccess'] as const;

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

/**
 * Reads the keys of one role; `prefix` names where they sit (`roles[2].`). With
 * `cdkQualifierOff` (cdkQualifier=none) no role reaches the bootstrap roles, so a role
 * asking for some is a contradiction, not a choice to make silently.
 */
export function parseRole(source: Readonly<Record<string, unknown>>, prefix: string, cdkQualifierOff: boolean, id?: string): Parsed<RoleConfig> {
  const repositories = required(`${prefix}repositories`, source, parseRepositories, 'repositories');
  const environments = optional(`${prefix}environments`, source, parseEnvironments, 'environments');
  const policies = optional(`${prefix}policies`, source, parseManagedPolicies, 'policies');
  const session = optional(`${prefix}sessionDuration`, source, parseSessionDuration, 'sessionDuration');
  const roleName = optional(`${prefix}roleName`, source, parseRoleName, 'roleName');
  const boundary = optional(`${prefix}permissionsBoundary`, source, parseManagedPolicy, 'permissionsBoundary');
  const ipRanges = optional(`${prefix}allowedIpRanges`, source, parseIpRanges, 'allowedIpRanges');
  const cdkAccess = optional(`${prefix}cdkAccess`, source, (key, raw) => {
    const access = parseCdkAccess(key, raw);
    if (!access.ok || !cdkQualifierOff || access.value === 'none') return access;
    return problem({
      key,
      given: raw,
      expected: 'none (or no cdkAccess): cdkQualifier=none leaves every role without CDK bootstrap access',
      example: `drop cdkQualifier=none, or ${key}=none`,
    });
  }, 'cdkAccess');
  if (!repositories.ok || !environments.ok || !policies.ok || !session.ok || !roleName.ok || !boundary.ok || !ipRanges.ok || !cdkAccess.ok) {
    return { ok: false, problems: problemsOf([repositories, environments, policies, session, roleName, boundary, ipRanges, cdkAccess]) };
  }
  return parsed({
    id,
    repositories: repositories.value,
    environments: environments.value ?? [],
    policies: policies.value ?? [],
    sessionDurationSeconds: session.value ?? DEFAULT_SESSION_SECONDS,
    roleName: roleName.value,
    permissionsBoundary: boundary.value,
    allowedIpRanges: ipRanges.value ?? [],
    cdkAccess: cdkQualifierOff ? 'none' : (cdkAccess.value ?? 'deploy'),
  });
}

/**
 * Reads `roles`: a JSON array (native in cdk.json, a string on the command line). An
 * entry without `id` is the original role, the one the flat keys describe: it keeps
 * that role's construct path, logical ID, output and export, so moving from the flat
 * keys to a list never replaces it. Every other entry needs a unique id.
 */
export function parseRoles(raw: unknown, cdkQualifierOff: boolean): Parsed<readonly RoleConfig[]> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return problem({ key: 'roles', given: raw, expected: 'a JSON array of roles', example: ROLES_EXAMPLE });
    }
  }
  if (!Array.isArray(value) || value.length === 0) {
    return problem({ key: 'roles', given: raw, expected: 'a non-empty JSON array of roles', example: ROLES_EXAMPLE });
  }
  const problems: string[] = [];
  const roles: RoleConfig[] = [];
  const seen = new Map<string, number>();
  let original: number | undefined;
  value.forEach((entry: unknown, index) => {
    const prefix = `roles[${index}].`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(formatProblem({ key: `roles[${index}]`, given: entry, expected: 'an object with the role keys (and an id, except for the original role)', example: ROLES_EXAMPLE }));
      return;
    }
    const source = entry as Record<string, unknown>;
    const known: readonly string[] = ['id', ...ROLE_KEYS];
    for (const key of Object.keys(source).filter((key) => !known.includes(key))) {
      problems.push(formatProblem({ key: `${prefix}${key}`, given: source[key], expected: `one of the role keys: ${known.join(', ')}`, example: `${prefix}repositories` }));
    }
    const id = roleId(source, index, seen, original);
    if (!id.ok) problems.push(...id.problems);
    else if (id.value === undefined) original = index;
    const role = parseRole(source, prefix, cdkQualifierOff, id.ok ? id.value : undefined);
    if (role.ok) roles.push(role.value);
    else problems.push(...role.problems);
  });
  return problems.length > 0 ? { ok: false, problems } : parsed(roles);
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
