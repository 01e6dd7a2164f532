import { quoted } from '../problems/quoted';
import { AccountReach } from './cdk-role-reach';
import { BootstrapReach, PermissionLevel, permissionLevel } from './permission-level';
import { RoleReplacement, roleReplacement } from './replacement';
import { BitbucketProvider, Finding, reaches, RoleFacts } from './role-facts';
import { TrustExposure, trustExposure } from './trust-exposure';

/** What `cdk deploy` needs: it chains into the bootstrap roles, which AWS caps at an hour anyway. */
const NEEDED_SESSION_SECONDS = 3600;

export interface RoleAudit {
  readonly arn: string;
  readonly name: string;
  /** The Bitbucket providers its trust names. */
  readonly providers: readonly string[];
  readonly findings: readonly Finding[];
  /** The accounts whose CDK bootstrap roles (deploy, lookup) its policies let it assume. */
  readonly bootstrapReach: BootstrapReach;
  /** For a role with a finding of medium or above: the `roles` entry that replaces it. */
  readonly replacement?: RoleReplacement;
}

/** The role's findings, each decided with the IAM evaluator on Bitbucket token shapes. */
export function auditRole(role: RoleFacts, providers: readonly BitbucketProvider[]): RoleAudit {
  const findings: Finding[] = [];
  const permissions = permissionLevel(role);
  const exposures: TrustExposure[] = [];
  // Whether some step gets in at all, and whether any branch or pull request does (both erring toward yes).
  let admitsSome = false;
  let anyBranch = false;
  for (const provider of providers) {
    try {
      const exposure = trustExposure(role.trust, provider);
      exposures.push(exposure);
      anyBranch ||= exposure.anyRepository || exposure.anyBranch !== undefined;
      admitsSome ||= anyBranch || exposure.repositories.length > 0 || exposure.unnamedRepositories !== undefined || exposure.undecided !== undefined || exposure.notModelled.length > 0;
      findings.push(...trustFindings(exposure, provider, permissions));
    } catch (error) {
      anyBranch = true;
      admitsSome = true;
      // Erring toward exposure: a trust that cannot be read at all is taken to admit everyone.
      findings.push({
        id: 'not-evaluated',
        severity: 'high',
        message: `the trust could not be evaluated for ${provider.host} (${error instanceof Error ? error.message : String(error)}): taken to admit every repository and branch; review it by hand`,
      });
    }
  }
  if (admitsSome) findings.push(...reachFindings(permissions.bootstrapReach, anyBranch));
  for (const unreadable of permissions.unreadable) {
    findings.push({ id: 'permissions-not-evaluated', severity: 'medium', message: `a permission policy could not be fully evaluated: ${unreadable}; review it by hand` });
  }
  if (role.maxSessionDurationSeconds > NEEDED_SESSION_SECONDS) {
    findings.push({
      id: 'long-session',
      severity: 'low',
      message: `sessions may last ${role.maxSessionDurationSeconds / 3600} h; a pipeline step needs 1 h (cdk deploy's role chaining is capped at 1 h anyway)`,
    });
  }
  const flagged = findings.some((finding) => reaches(finding.severity, 'medium'));
  return {
    arn: role.arn,
    name: role.name,
    providers: providers.map((provider) => provider.arn),
    findings: dedupe(findings),
    bootstrapReach: permissions.bootstrapReach,
    replacement: flagged ? roleReplacement(role, exposures, permissions) : undefined,
  };
}

function trustFindings(exposure: TrustExposure, provider: BitbucketProvider, permissions: PermissionLevel): Finding[] {
  const findings: Finding[] = [];
  if (exposure.undecided !== undefined) {
    findings.push({ id: 'not-evaluated', severity: 'medium', message: `the trust for ${provider.host}: ${exposure.undecided}; review it by hand` });
  }
  for (const statement of exposure.notModelled) {
    findings.push({ id: 'not-evaluated', severity: 'medium', message: `trust statement ${statement}: the verdicts err toward exposure; review it by hand` });
  }
  if (exposure.noClientIds) {
    findings.push({
      id: 'provider-without-audiences',
      severity: 'low',
      message:
        `provider ${provider.arn} lists no audience (client ID): STS refuses a token whose audience the provider does not list, but AWS does not ` +
        'document an empty list, so the verdicts took every audience a step can ask for (oidc: audiences) as accepted',
    });
  }
  const patterns = exposure.subPatterns.map((pattern) => quoted(pattern)).join(', ');
  if (exposure.anyRepository) {
    const example = exposure.unnamedRepositories === undefined ? '' : ` (${exposure.unnamedRepositories.share}; for example a step with sub ${quoted(exposure.unnamedRepositories.example)})`;
    findings.push({
      id: 'any-repository',
      severity: 'high',
      message:
        exposure.subPatterns.length === 0
          ? `no sub condition: every step of every branch and pull request of every repository of workspace ${provider.workspace} can assume it`
          : `its sub conditions (${patterns}) admit repositories it does not name${example}: in effect every repository of workspace ${provider.workspace}, every branch and pull request`,
    });
  } else if (exposure.unnamedRepositories !== undefined) {
    findings.push({
      id: 'repository-wildcard',
      severity: 'medium',
      message:
        `its sub conditions (${patterns}) admit ${exposure.unnamedRepositories.share} it does not name in full ` +
        `(for example a step with sub ${quoted(exposure.unnamedRepositories.example)}): repositories created later may match`,
    });
  }
  if (exposure.noAudienceCheck && provider.clientIds.length > 1) {
    findings.push({
      id: 'no-audience-check',
      severity: 'medium',
      message: `no aud condition, and the provider accepts ${provider.clientIds.length} audiences (${provider.clientIds.map((id) => quoted(id)).join(', ')}): a token minted for any of them gets in`,
    });
  }
  if (exposure.anyBranch !== undefined && permissions.level !== 'none') {
    const branch = exposure.anyBranch;
    const of = branch.repositories.length > 0 ? ` of ${branch.repositories.join(', ')}` : '';
    const who =
      branch.environment === 'none'
        ? `a step without deployment: (any branch or pull request${of})`
        : `a step deploying to an environment the trust does not name by full UUID (any branch${of} can add deployment: Test, one of Bitbucket's default environments, ` +
          `to its own bitbucket-pipelines.yml; for example sub ${quoted(branch.example)})`;
    const shown = permissions.because.slice(0, 3).join('; ') + (permissions.because.length > 3 ? `; and ${permissions.because.length - 3} more` : '');
    findings.push({
      id: 'write-from-any-branch',
      severity: permissions.level === 'admin' ? 'high' : 'medium',
      message: `${who} can assume it and ${LEVEL_WORDS[permissions.level]}: ${shown}`,
    });
  }
  return findings;
}

/**
 * A role that may assume bootstrap roles of accounts its policies do not name by ID reaches
 * every account that trusts its own (`cdk bootstrap --trust`, `--trust-for-lookup`): those
 * roles trust the account, so the caller's own policy is the only gate. One step graver when
 * any branch or pull request can assume it, as for write-from-any-branch; deploying (the
 * deploy role hands templates to the execution role, AdministratorAccess by default) one step
 * graver than looking up (the lookup role reads, ReadOnlyAccess by default).
 */
function reachFindings(reach: BootstrapReach, anyBranch: boolean): Finding[] {
  const who = anyBranch ? 'and any branch or pull request can assume it' : "so a step pinned to one stage's environment reaches every other stage's account too";
  const line = (what: AccountReach, role: string, does: string) => {
    const example = what.example === undefined ? ' (a policy could not be read: taken to reach every account)' : ` (for example ${quoted(what.example)})`;
    return (
      `it may assume the CDK ${role} of accounts its policies do not name by ID${example}: it can ${does} every account bootstrapped to trust this one ` +
      `(cdk bootstrap --trust), ${who}; name each account in the policy (this app: targetAccounts=<account ID>,...)`
    );
  };
  if (reach.deploy.anyAccount) {
    return [{ id: 'deploys-into-any-trusting-account', severity: anyBranch ? 'high' : 'medium', message: line(reach.deploy, 'deploy role', 'deploy into') }];
  }
  if (reach.lookup.anyAccount) {
    return [{ id: 'looks-up-in-any-trusting-account', severity: anyBranch ? 'medium' : 'low', message: line(reach.lookup, 'lookup role', 'read (ReadOnlyAccess by default) in') }];
  }
  return [];
}

const LEVEL_WORDS: Readonly<Record<Exclude<PermissionLevel['level'], 'none'>, string>> = {
  admin: 'make itself account admin',
  deploy: 'deploy',
  writes: 'write',
};

function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${finding.id}|${finding.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
