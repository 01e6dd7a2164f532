import { parseIpRanges, parseManagedPolicies, parseManagedPolicy, parseRoleName, parseSessionDuration } from './aws-values';
import { parseEnvironments, parseRepositories } from './bitbucket-values';
import { RoleConfig } from './oidc-config';
import { formatProblem, Parsed, parsed, problem, problemsOf } from './problem';

const DEFAULT_SESSION_SECONDS = 3600;

/** The keys that describe one role, flat in the context or in each entry of `roles`. */
export const ROLE_KEYS = ['repositories', 'environments', 'policies', 'sessionDuration', 'roleName', 'permissionsBoundary', 'allowedIpRanges'] as const;

const ROLE_ID = /^[A-Za-z][A-Za-z0-9]{0,39}$/;
const ROLES_EXAMPLE = 'roles=[{"id":"Deploy","repositories":["{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}"]},{"id":"ReadOnly","repositories":"*","policies":"ReadOnlyAccess"}]';

type ValueParser<T> = (key: string, raw: unknown) => Parsed<T>;

export function required<T>(key: string, source: Readonly<Record<string, unknown>>, parse: ValueParser<T>, field = key): Parsed<T> {
  // Every parser refuses undefined, which reports the key as missing.
  return parse(key, source[field]);
}

export function optional<T>(key: string, source: Readonly<Record<string, unknown>>, parse: ValueParser<T>, field = key): Parsed<T | undefined> {
  const raw = source[field];
  return raw === undefined ? parsed(undefined) : parse(key, raw);
}

/** Reads the keys of one role; `prefix` names where they sit (`roles[2].`). */
export function parseRole(source: Readonly<Record<string, unknown>>, prefix: string, id?: string): Parsed<RoleConfig> {
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
    id,
    repositories: repositories.value,
    environments: environments.value ?? [],
    policies: policies.value ?? [],
    sessionDurationSeconds: session.value ?? DEFAULT_SESSION_SECONDS,
    roleName: roleName.value,
    permissionsBoundary: boundary.value,
    allowedIpRanges: ipRanges.value ?? [],
  });
}

/** Reads `roles`: a JSON array (native in cdk.json, a string on the command line) of roles with ids. */
export function parseRoles(raw: unknown): Parsed<readonly RoleConfig[]> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return problem({ key: 'roles', given: raw, expected: 'a JSON array of roles', example: ROLES_EXAMPLE });
    }
  }
  if (!Array.isArray(value) || value.length === 0) {
    return problem({ key: 'roles', given: raw, expected: 'a non-empty JSON array of roles, each an object with an id', example: ROLES_EXAMPLE });
  }
  const problems: string[] = [];
  const roles: RoleConfig[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry: unknown, index) => {
    const prefix = `roles[${index}].`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(formatProblem({ key: `roles[${index}]`, given: entry, expected: 'an object with an id and the role keys', example: ROLES_EXAMPLE }));
      return;
    }
    const source = entry as Record<string, unknown>;
    const known: readonly string[] = ['id', ...ROLE_KEYS];
    for (const key of Object.keys(source).filter((key) => !known.includes(key))) {
      problems.push(formatProblem({ key: `${prefix}${key}`, given: source[key], expected: `one of the role keys: ${known.join(', ')}`, example: `${prefix}repositories` }));
    }
    const id = source.id;
    if (typeof id !== 'string' || !ROLE_ID.test(id)) {
      problems.push(
        formatProblem({ key: `${prefix}id`, given: id, expected: 'a role id: a letter, then up to 39 letters or digits (it names the output <id>RoleArn)', example: '"id":"Deploy"' }),
      );
    } else if (seen.has(id.toLowerCase())) {
      problems.push(formatProblem({ key: `${prefix}id`, given: id, expected: `a unique id; roles[${seen.get(id.toLowerCase())}] has it already`, example: '"id":"DeployStaging"' }));
    } else {
      seen.set(id.toLowerCase(), index);
    }
    const role = parseRole(source, prefix, typeof id === 'string' ? id : undefined);
    if (role.ok) roles.push(role.value);
    else problems.push(...role.problems);
  });
  return problems.length > 0 ? { ok: false, problems } : parsed(roles);
}
