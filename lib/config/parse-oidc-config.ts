import { bitbucketWorkspaceAudience } from '../bitbucket/issuer';
import { DEFAULT_TRUST_POLICY_QUOTA, MAX_TRUST_POLICY_QUOTA } from '../bitbucket/trust-conditions';
import { parseAccount, parseCdkAccess, parseCdkQualifier, parseProviderArn, parseRegion, parseThumbprints, partitionOf } from './aws-values';
import { parseAudience, parseWorkspace } from './bitbucket-values';
import { CONTEXT_KEYS, isCdkContextKey, ROLE_KEYS, STACKSET_KEYS, unknownKeyProblems } from './context-keys';
import { OidcConfig, RoleConfig } from './oidc-config';
import { MAX_MANAGED_POLICIES_QUOTA, optional, parseRole, parseRoles, required, roleEntries, roleKeyProblems, RoleLimits } from './parse-roles';
import { stackLimitProblems } from './stack-limits';
import { Parsed, formatProblem, parsed, problem, problemsOf } from '../problems/problem';
import { parseCallAs, parseExcludedAccounts, parseOrganizationalUnits, parseStackSetRegion, parseTolerance, StackSetConfig } from './stackset-values';

const DEFAULT_MANAGED_POLICIES_QUOTA = 10;
/** Every audience normalises to this length, so a trust policy's length can be counted beside a bad audience. */
const ANY_AUDIENCE = bitbucketWorkspaceAudience('00000000-0000-0000-0000-000000000000');
/** CloudFormation's longest stack name. */
const MAX_STACK_NAME = 128;

/**
 * Turns CDK context (strings from `-c key=value`, native JSON from `cdk.json`) into a
 * validated configuration, or every problem found, each on one line.
 */
export function parseOidcConfig(context: Readonly<Record<string, unknown>>): Parsed<OidcConfig> {
  const workspace = required('workspace', context, parseWorkspace);
  const audience = required('audience', context, parseAudience);
  const account = optional('account', context, parseAccount);
  const region = optional('region', context, parseRegion);
  const place = {
    account: account.ok ? account.value : undefined,
    partition: region.ok && region.value !== undefined ? partitionOf(region.value) : undefined,
  };
  const providerArn = optional('providerArn', context, (key, raw) => parseProviderArn(key, raw, workspace.ok ? workspace.value : undefined, place));
  const thumbprints = parseProviderThumbprints(context);
  const cdkQualifier = parseCdkQualifier('cdkQualifier', context.cdkQualifier);
  const cdkQualifierOff = cdkQualifier.ok && cdkQualifier.value === false;
  const trustQuota = optional('trustPolicySizeQuota', context, (key, raw) => parseQuota(key, raw, DEFAULT_TRUST_POLICY_QUOTA, MAX_TRUST_POLICY_QUOTA));
  const policyQuota = optional('managedPoliciesQuota', context, (key, raw) => parseQuota(key, raw, DEFAULT_MANAGED_POLICIES_QUOTA, MAX_MANAGED_POLICIES_QUOTA));
  const limits: RoleLimits = {
    workspace: workspace.ok ? workspace.value : undefined,
    audience: audience.ok ? audience.value : ANY_AUDIENCE,
    trustPolicySizeQuota: trustQuota.ok ? (trustQuota.value ?? DEFAULT_TRUST_POLICY_QUOTA) : undefined,
    managedPoliciesQuota: policyQuota.ok ? (policyQuota.value ?? DEFAULT_MANAGED_POLICIES_QUOTA) : undefined,
  };
  const roles = parseRoleSection(context, cdkQualifierOff, limits);
  const stackSet = parseStackSet(context);
  const stackName = parseStackName(context, workspace.ok ? workspace.value : undefined);
  const problems = [
    ...unknownKeyProblems(context, CONTEXT_KEYS, { ignore: isCdkContextKey, homes: { id: { belongs: 'names an entry of roles', example: 'roles=[{"id":"Deploy",…}]' } } }),
    ...problemsOf([workspace, audience, providerArn, thumbprints, cdkQualifier, account, region, roles, trustQuota, policyQuota, stackSet, stackName]),
    ...stackLimitProblems(roleShapes(context, cdkQualifierOff), context.providerArn !== undefined, stackName.ok ? stackName.value : 'this stack'),
  ];
  if (
    !workspace.ok || !audience.ok || !providerArn.ok || !thumbprints.ok || !cdkQualifier.ok || !account.ok || !region.ok ||
    !roles.ok || !trustQuota.ok || !policyQuota.ok || !stackSet.ok || !stackName.ok || problems.length > 0
  ) {
    return { ok: false, problems };
  }
  return parsed({
    workspace: workspace.value,
    audience: audience.value,
    providerArn: providerArn.value,
    thumbprints: thumbprints.value,
    cdkQualifier: cdkQualifier.value,
    stackName: stackName.value,
    account: account.value,
    region: region.value,
    roles: roles.value,
    trustPolicySizeQuota: trustQuota.value ?? DEFAULT_TRUST_POLICY_QUOTA,
    managedPoliciesQuota: policyQuota.value ?? DEFAULT_MANAGED_POLICIES_QUOTA,
    stackSet: stackSet.value,
  });
}

/**
 * The thumbprints of the provider the stack creates. With `providerArn` there is none: the
 * stack only names the adopted provider, so thumbprints would change nothing and are refused
 * (beside whatever is wrong with them).
 */
function parseProviderThumbprints(context: Readonly<Record<string, unknown>>): Parsed<readonly string[] | undefined> {
  const thumbprints = optional('thumbprints', context, parseThumbprints);
  if (context.thumbprints === undefined || context.providerArn === undefined) return thumbprints;
  const adopted = formatProblem({
    key: 'thumbprints',
    given: context.thumbprints,
    expected: 'no thumbprints with providerArn: the stack does not manage a provider it adopts, so they would change nothing',
    example: "drop thumbprints (aws iam update-open-id-connect-provider-thumbprint changes an adopted provider's), or drop providerArn once cdk import has brought the provider into the stack",
  });
  return { ok: false, problems: [adopted, ...(thumbprints.ok ? [] : thumbprints.problems)] };
}

/** The rollout mode: on when stackSetOrganizationalUnits is given. */
function parseStackSet(context: Readonly<Record<string, unknown>>): Parsed<StackSetConfig | undefined> {
  if (context.stackSetOrganizationalUnits === undefined) {
    const stray = STACKSET_KEYS.filter((key) => context[key] !== undefined);
    if (stray.length === 0) return parsed(undefined);
    return {
      ok: false,
      problems: stray.map((key) =>
        formatProblem({ key, given: context[key], expected: 'stackSetOrganizationalUnits as well: the StackSet keys apply only to an organisation-wide rollout', example: 'stackSetOrganizationalUnits=ou-ab12-34cd56ef' }),
      ),
    };
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

/**
 * The flat keys describe one role; `roles` describes several. Giving both is ambiguous:
 * that is refused, and the problems of both are reported beside it.
 */
function parseRoleSection(context: Readonly<Record<string, unknown>>, cdkQualifierOff: boolean, limits: RoleLimits): Parsed<readonly RoleConfig[]> {
  if (context.roles === undefined) {
    const role = parseRole(context, '', cdkQualifierOff, limits);
    return role.ok ? parsed([role.value]) : role;
  }
  const roles = parseRoles(context.roles, cdkQualifierOff, limits);
  const flat = ROLE_KEYS.filter((key) => context[key] !== undefined);
  if (flat.length === 0) return roles;
  const conflict = formatProblem({
    key: 'roles',
    given: context.roles,
    expected: `either roles or the flat role keys, not both (also given: ${flat.join(', ')})`,
    example: 'move those keys into an entry of roles, or drop roles to describe a single role',
  });
  return { ok: false, problems: [conflict, ...roleKeyProblems(context, flat), ...(roles.ok ? [] : roles.problems)] };
}

/**
 * What decides each role's share of the template, read from the context as given (a
 * bad entry still counts), so the stack's limits are checked beside every other problem.
 */
function roleShapes(context: Readonly<Record<string, unknown>>, cdkQualifierOff: boolean): readonly Pick<RoleConfig, 'cdkAccess'>[] {
  const entries = context.roles === undefined ? parsed([context]) : roleEntries(context.roles);
  if (!entries.ok) return [];
  return entries.value.map((entry) => {
    const raw = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>).cdkAccess : undefined;
    const access = raw === undefined ? undefined : parseCdkAccess('cdkAccess', raw);
    return { cdkAccess: cdkQualifierOff ? 'none' : access?.ok === true ? access.value : 'deploy' };
  });
}

function parseQuota(key: string, raw: unknown, defaultQuota: number, maxQuota: number): Parsed<number> {
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof value === 'number' && Number.isInteger(value) && value >= defaultQuota && value <= maxQuota) return parsed(value);
  return problem({ key, given: raw, expected: `the quota your account has: ${defaultQuota} (IAM's default) up to ${maxQuota}`, example: `${key}=${maxQuota}` });
}

/**
 * `BitbucketOidc-<slug>`, or with `stackSuffix` a further stack of the same workspace
 * in the same account, for roles beyond one stack's limits. It must import the
 * provider (an account holds one per URL), and its suffix starts with a capital letter
 * so that it can never be another workspace's stack, whose names are lowercase.
 */
function parseStackName(context: Readonly<Record<string, unknown>>, workspace: string | undefined): Parsed<string> {
  const raw = context.stackSuffix;
  const base = stackNameFor(workspace ?? '<workspace>');
  if (raw === undefined) return parsed(base);
  const key = 'stackSuffix';
  const example = `${key}=Part2 with providerArn=<ProviderArn output of ${base}>`;
  if (typeof raw !== 'string' || !/^[A-Z][A-Za-z0-9]{0,31}$/.test(raw.trim())) {
    return problem({ key, given: raw, expected: 'a capital letter, then up to 31 letters or digits (lowercase would read as another workspace\'s stack name)', example });
  }
  const name = `${base}-${raw.trim()}`;
  if (name.length > MAX_STACK_NAME) {
    return problem({ key, given: raw, expected: `a suffix short enough for CloudFormation's ${MAX_STACK_NAME} characters of a stack name (this would be ${name.length})`, example: `${key}=P2` });
  }
  if (context.stackSetOrganizationalUnits !== undefined) {
    return problem({ key, given: raw, expected: 'no stackSuffix with a StackSet: each account gets one stack of the workspace, with its own provider', example: 'drop stackSuffix' });
  }
  if (context.providerArn === undefined) {
    return problem({ key, given: raw, expected: `providerArn as well: a further stack of the workspace imports the provider of ${base}, since an account holds one provider per URL`, example });
  }
  return parsed(name);
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
