import { CdkBootstrapRoleKind } from '../constructs/cdk-bootstrap-roles';
import { PermissionReach, ReachDecision, ResourceScope } from '../iam-evaluator/evaluate-permissions';
import { strings, statementsOf } from '../iam-evaluator/policy-elements';
import { form, FormPart, union, Universe, UniverseMove } from '../iam-evaluator/string-language';

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
  return form([`arn:${partition}:iam::${account}:role/cdk-`, QUALIFIER, `-${kind}-role-${account}-`, REGION]);
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const QUALIFIER: FormPart = { chars: `${LOWER}${LOWER.toUpperCase()}0123456789_-`, min: 1, max: 10 };
const REGION: FormPart = { chars: `${LOWER}0123456789-`, min: 1 };

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
 * roles, so a reach it finds errs toward exposure (`bootstrapReach` then looks for a real
 * one to show). Each field is an automaton of the 12-digit strings but `named` (a trie of
 * them, leaving it for good on the first digit that differs): patterns excluding them would
 * multiply the product's states.
 */
function bootstrapRolesOfOtherAccounts(kinds: readonly CdkBootstrapRoleKind[], partition: string, named: readonly string[]): ResourceScope {
  const other = accountsOtherThan(named);
  return {
    universe: union(
      kinds.map((kind) =>
        concat([form([`arn:${partition}:iam::`]), other, form([':role/cdk-', QUALIFIER, `-${kind}-role-`]), other, form(['-', REGION])]),
      ),
    ),
  };
}

/** Every 12-digit string but `named`. */
function accountsOtherThan(named: readonly string[]): Universe {
  const DIGITS = '0123456789';
  const states: Array<{ accepting: boolean; moves: UniverseMove[] }> = [];
  // The i-th state off the trie has read i digits that match no named account.
  const free = Array.from({ length: 13 }, (_, index) => states.push({ accepting: index === 12, moves: [] }) - 1);
  free.slice(0, 12).forEach((state, index) => states[state].moves.push({ on: DIGITS, to: free[index + 1] }));
  const visit = (prefixes: readonly string[], depth: number): number => {
    const state = states.push({ accepting: false, moves: [] }) - 1;
    if (depth === 12) return state;
    const next = [...new Set(prefixes.map((account) => account[depth]))];
    for (const digit of next) states[state].moves.push({ on: digit, to: visit(prefixes.filter((account) => account[depth] === digit), depth + 1) });
    const rest = [...DIGITS].filter((digit) => !next.includes(digit)).join('');
    if (rest !== '') states[state].moves.push({ on: rest, to: free[depth + 1] });
    return state;
  };
  return { start: visit(named, 0), states };
}

/** The strings made of one string of each universe in turn. */
function concat(parts: readonly Universe[]): Universe {
  const states: Array<{ accepting: boolean; moves: UniverseMove[] }> = [];
  const starts: number[] = [];
  for (const part of parts) {
    const offset = states.length;
    starts.push(part.start + offset);
    states.push(...part.states.map((state) => ({ accepting: state.accepting, moves: state.moves.map((move) => ({ on: move.on, to: move.to + offset })) })));
  }
  // Every part's end goes on as the next part starts (the next one's end too, when that part may be empty).
  for (let index = parts.length - 2; index >= 0; index--) {
    const offset = starts[index] - parts[index].start;
    const next = states[starts[index + 1]];
    parts[index].states.forEach((state, at) => {
      if (state.accepting) states[offset + at] = { accepting: next.accepting, moves: [...states[offset + at].moves, ...next.moves] };
    });
  }
  return { start: starts[0], states };
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
      ...(others.example === undefined ? {} : { example: realExample(reach, kinds, partition, others.example) }),
    },
    decisions: [...perAccount.map(({ decision }) => decision), others],
  };
}

/**
 * A real bootstrap role (one account in the ARN and the name) the policies let it assume, of
 * one of the accounts `example` names; `example` itself when neither has one (the superset
 * reached more than the policies name: still taken toward exposure).
 */
function realExample(reach: PermissionReach, kinds: readonly CdkBootstrapRoleKind[], partition: string, example: string): string {
  const accounts = /^arn:[^:]+:iam::(\d{12}):role\/cdk-.*-role-(\d{12})-[a-z0-9-]*$/.exec(example)?.slice(1) ?? [];
  for (const account of new Set(accounts)) {
    const exact = reach.onSomeResource('sts:AssumeRole', cdkBootstrapRoleScope(kinds, partition, [account]));
    if (exact.example !== undefined) return exact.example;
  }
  return example;
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
