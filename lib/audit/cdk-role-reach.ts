import { CdkBootstrapRoleKind } from '../constructs/cdk-bootstrap-roles';
import { PermissionReach, ReachDecision, ResourceScope } from '../iam-evaluator/evaluate-permissions';
import { strings, statementsOf } from '../iam-evaluator/policy-elements';
import { form, FormPart, union, Universe } from '../iam-evaluator/string-language';

/** Any 12-digit account ID. */
const ANY_ACCOUNT: FormPart = { chars: '0123456789', min: 12, max: 12 };

/** Every role ARN of the partition: of one account, or (without `account`) of any; a role's path and name hold no `:` and no space. */
export function roleArns(partition: string, account?: string): Universe {
  return form([`arn:${partition}:iam::`, account ?? ANY_ACCOUNT, ':role/', { chars: { except: ': ' }, min: 1 }]);
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
function bootstrapRoles(kind: CdkBootstrapRoleKind, partition: string, account: string | FormPart): Universe {
  return form([`arn:${partition}:iam::`, account, `:role/cdk-`, { chars: `${LOWER}${LOWER.toUpperCase()}0123456789_-`, min: 1, max: 10 }, `-${kind}-role-`, account, '-', { chars: `${LOWER}0123456789-`, min: 1 }]);
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
 * The bootstrap roles of `kinds` in every account but `named`. The account in the ARN and the
 * one in the role's name are taken apart (one language cannot tie two 12-digit fields
 * together without listing every account), each outside `named`: a superset of the real
 * roles, so a reach it finds errs toward exposure (only a policy that wildcards the two
 * fields differently, `arn:aws:iam::1*:role/cdk-*-role-2*`, is taken to reach more than it
 * does). A region never holds 12 digits, so excluding `-role-<named>-` drops no real role.
 */
function bootstrapRolesOfOtherAccounts(kinds: readonly CdkBootstrapRoleKind[], partition: string, named: readonly string[]): ResourceScope {
  return {
    universe: union(kinds.map((kind) => bootstrapRoles(kind, partition, ANY_ACCOUNT))),
    without: named.flatMap((account) => [`arn:${partition}:iam::${account}:*`, `arn:${partition}:iam::*:role/cdk-*-role-${account}-*`]),
  };
}

/** Which accounts' bootstrap roles of some kinds a role's policies let it assume. */
export interface AccountReach {
  /** The accounts among the role's own and those its policies name whose roles of these kinds it may assume, its own first. */
  readonly accounts: readonly string[];
  /** It may assume such roles in accounts its policies do not name by ID (`arn:aws:iam::*:role/cdk-…`, `"*"`, `NotResource`). */
  readonly anyAccount: boolean;
  /** When `anyAccount`: one such role it may assume, for the finding's line. */
  readonly example?: string;
}

/** Every 12-digit account ID written in the policies' Resource and NotResource: the accounts a policy names. */
export function accountsNamed(documents: Readonly<Record<string, unknown>>): string[] {
  const found = new Set<string>();
  for (const document of Object.values(documents)) {
    for (const statement of statementsOf(document)) {
      for (const element of ['Resource', 'NotResource']) {
        if (!(element in statement)) continue;
        let values: string[];
        try {
          values = strings(statement[element], element);
        } catch {
          // Unreadable: the evaluator counts it as every resource (an Allow), so it names no account to single out.
          continue;
        }
        for (const value of values) for (const [account] of value.matchAll(/(?<!\d)\d{12}(?!\d)/g)) found.add(account);
      }
    }
  }
  return [...found].sort();
}

/**
 * Which accounts' bootstrap roles of `kinds` the policies let the role assume: each of its
 * own account and the accounts `named` decided exactly over every qualifier and region of
 * that account's roles, then every other account at once (`anyAccount`). The decisions are
 * returned too, for the statements that allow them and those not modelled.
 */
export function bootstrapReach(
  reach: PermissionReach,
  kinds: readonly CdkBootstrapRoleKind[],
  partition: string,
  own: string,
  named: readonly string[],
): { readonly reach: AccountReach; readonly decisions: readonly ReachDecision[] } {
  const candidates = [own, ...named.filter((account) => account !== own)];
  const perAccount = candidates.map((account) => ({ account, decision: reach.onSomeResource('sts:AssumeRole', cdkBootstrapRoleScope(kinds, partition, [account])) }));
  const others = reach.onSomeResource('sts:AssumeRole', bootstrapRolesOfOtherAccounts(kinds, partition, candidates));
  return {
    reach: {
      accounts: perAccount.filter(({ decision }) => decision.allowed).map(({ account }) => account),
      anyAccount: others.allowed,
      ...(others.example === undefined ? {} : { example: others.example }),
    },
    decisions: [...perAccount.map(({ decision }) => decision), others],
  };
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
