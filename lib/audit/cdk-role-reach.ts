import { CdkBootstrapRoleKind } from '../constructs/cdk-bootstrap-roles';
import { ResourceScope } from '../iam-evaluator/evaluate-permissions';
import { form, union, Universe } from '../iam-evaluator/string-language';

/** Every role ARN of the partition: of one account, or (without `account`) of any; a role's path and name hold no `:` and no space. */
export function roleArns(partition: string, account?: string): Universe {
  return form([`arn:${partition}:iam::`, account ?? { chars: '0123456789', min: 12, max: 12 }, ':role/', { chars: { except: ': ' }, min: 1 }]);
}

/** The roles of `account` whose names use only characters no policy names: a role the policies do not single out. */
export function unnamedRoles(partition: string, account: string): ResourceScope {
  return { universe: form([`arn:${partition}:iam::${account}:role/`, { chars: { unnamed: true }, min: 1 }]) };
}

/**
 * The roles `cdk bootstrap` creates of one kind in one account: `cdk-<qualifier>-<kind>-role-<account>-<region>`,
 * the qualifier 1 to 10 of [A-Za-z0-9_-] (`cdk bootstrap --qualifier`), the region lowercase letters, digits and dashes,
 * so that another kind's wildcard region (`…-lookup-role-<account>-*`) never passes for this kind.
 */
function bootstrapRoles(kind: CdkBootstrapRoleKind, partition: string, account: string): Universe {
  return form([`arn:${partition}:iam::${account}:role/cdk-`, { chars: `${LOWER}${LOWER.toUpperCase()}0123456789_-`, min: 1, max: 10 }, `-${kind}-role-${account}-`, { chars: `${LOWER}0123456789-`, min: 1 }]);
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';

/**
 * How the audit recognises the CDK bootstrap roles a policy reaches, in one place: by the
 * shape of their names, for every qualifier and region, decided over every role ARN (so
 * `cdk-*`, `cdk-abc123-*`, `*deploy-role*` and `arn:aws:iam::*:role/cdk-…` all reach the
 * deploy role). `accounts` names the accounts whose bootstrap roles count; today the role's own.
 */
export function cdkBootstrapRoleScope(kinds: readonly CdkBootstrapRoleKind[], partition: string, accounts: readonly string[]): ResourceScope {
  return { universe: union(accounts.flatMap((account) => kinds.map((kind) => bootstrapRoles(kind, partition, account)))) };
}

/**
 * Every role ARN except those named like a CDK bootstrap role (`cdk-…-role-…`, any
 * account): roles whose rights this audit does not see. A role named like a bootstrap role
 * is taken to be one here (one pattern, not the exact shapes: this question is asked over
 * every role name of every account, where each further pattern multiplies the states).
 */
export function rolesOtherThanCdkBootstrap(partition: string): ResourceScope {
  return { universe: roleArns(partition), without: [`arn:${partition}:iam::*:role/cdk-*-role-*`] };
}

/** The roles named `names` (at the root path) in any account. */
export function rolesNamed(names: readonly string[], partition: string): ResourceScope {
  return { universe: roleArns(partition), within: names.map((name) => `arn:${partition}:iam::*:role/${name}`) };
}
