import { CdkAccess } from '../config/oidc-config';
import { PermissionLevel } from './permission-level';
import { RoleFacts } from './role-facts';
import { TrustExposure } from './trust-exposure';

/** A `roles` entry of this app's cdk.json; placeholders in angle brackets are refused by synth until filled in. */
export interface RoleReplacement {
  readonly id: string;
  readonly repositories: readonly string[];
  readonly environments?: readonly string[];
  readonly cdkAccess: CdkAccess;
  /** The accounts whose deploy roles the role names and reaches, when one is not its own (without it: its own account only). */
  readonly targetAccounts?: readonly string[];
  readonly policies?: readonly string[];
}

/**
 * The least-privilege entry that replaces a flagged role: its repositories and
 * environments where the trust already names them (placeholders where it does not), the
 * deploy role only through an environment instead of the policies that let it write
 * (CloudFormation's execution role deploys), the accounts it names and deploys into when
 * they are more than its own (never "every account"), and its other attached policies.
 */
export function roleReplacement(role: RoleFacts, exposures: readonly TrustExposure[], permissions: PermissionLevel): RoleReplacement {
  const repositories = [...new Set(exposures.flatMap((exposure) => exposure.repositories))];
  const environments = [...new Set(exposures.flatMap((exposure) => exposure.environments))];
  const deploys = permissions.level !== 'none';
  const policies = role.attachedPolicyArns.filter((arn) => !permissions.grantedBy.includes(arn));
  // The accounts it names and reaches stay; without targetAccounts, this app's role reaches its own account only.
  const own = /^arn:[^:]+:iam::(\d{12}):/.exec(role.arn)?.[1];
  const targets = permissions.bootstrapReach.deploy.accounts;
  return {
    id: roleId(role.name),
    repositories: repositories.length > 0 ? repositories : ['<repository UUID>'],
    ...(deploys ? { environments: environments.length > 0 ? environments : ['<production environment UUID>'] } : {}),
    cdkAccess: deploys ? 'deploy' : 'none',
    ...(deploys && targets.some((account) => account !== own) ? { targetAccounts: targets } : {}),
    ...(policies.length > 0 ? { policies } : {}),
  };
}

/** A `roles` id from a role name: letters and digits, starting with a letter, at most 40. */
function roleId(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
  const id = words.map((word) => word[0].toUpperCase() + word.slice(1)).join('').replace(/^[0-9]+/, '');
  return (id === '' ? 'Replacement' : id).slice(0, 40);
}
