import { stringLike } from './condition-operators';
import { ANY_STRING, PatternProduct, Universe } from './string-language';
import {
  actionTest,
  counts,
  effectOf,
  ElementMatch,
  elementPatterns,
  ElementPatterns,
  evaluateConditions,
  JsonObject,
  matchElement,
  notModelledParts,
  RequestContext,
  statementMatch,
  StatementMatch,
  statementName,
  statementsOf,
} from './policy-elements';
import { ChosenByCaller } from './request-context';

/** One API call as identity-based policies see it. */
export interface PermissionRequest {
  /** `service:Action`; IAM compares action names without case. */
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
  /**
   * What a key the context does not list is: absent, or chosen by the caller (a question
   * about every request the principal could make).
   *
   * @default - absent
   */
  readonly unlistedKeys?: ChosenByCaller;
}

/** A statement of one of the principal's policies. */
export interface StatementRef {
  /** The name the documents were given under (a policy ARN, an inline policy's name). */
  readonly policy: string;
  /** `Sid`, or `Statement[i]`. */
  readonly statement: string;
}

export interface NotModelledStatement extends StatementRef {
  readonly effect: 'Allow' | 'Deny';
  /** What the evaluator does not model in it. */
  readonly parts: readonly string[];
}

export interface PermissionDecision {
  /** An Allow statement counts and no Deny statement does (see `counts` in policy-elements). */
  readonly allowed: boolean;
  /** Each Allow that counts (an unmodelled one included: it is taken as allowing). */
  readonly allowedBy: readonly StatementRef[];
  /** Each Deny that applies whatever the caller chooses. */
  readonly deniedBy: readonly StatementRef[];
  /** Statements that could matter and are not modelled: the verdict took each toward allowing. */
  readonly notModelled: readonly NotModelledStatement[];
}

/**
 * Evaluates a principal's identity-based policies (keyed by name) for one call, with IAM's
 * semantics: an explicit Deny wins, otherwise any applicable Allow allows, otherwise the
 * implicit deny. It answers only for those policies: a permissions boundary, an SCP or a
 * session policy can only narrow what it allows. A statement it cannot model counts as
 * allowing if it is an Allow and as not applying if it is a Deny; a document that is not a
 * list of statements throws.
 */
export function evaluatePermissions(documents: Readonly<Record<string, unknown>>, request: PermissionRequest): PermissionDecision {
  const results = Object.entries(documents).flatMap(([policy, document]) =>
    statementsOf(document).map((statement, index) => ({ policy, ...evaluateStatement(statement, request, statementName(statement, index)) })),
  );
  const ref = ({ policy, statement }: StatementRef): StatementRef => ({ policy, statement });
  const allowedBy = results.filter((result) => result.effect === 'Allow' && result.counts).map(ref);
  const deniedBy = results.filter((result) => result.effect === 'Deny' && result.counts).map(ref);
  const notModelled = results
    .filter((result) => result.match === 'not-modelled')
    .map(({ policy, statement, effect, parts }) => ({ policy, statement, effect, parts }));
  return { allowed: allowedBy.length > 0 && deniedBy.length === 0, allowedBy, deniedBy, notModelled };
}

function evaluateStatement(statement: JsonObject, request: PermissionRequest, where: string) {
  const effect = effectOf(statement, where);
  const principal: ElementMatch =
    'Principal' in statement || 'NotPrincipal' in statement ? { notModelled: 'an identity-based policy has no Principal', values: [] } : { matches: true, values: [] };
  const action = matchElement(statement, 'Action', where, actionTest(request.action));
  // Resource ARNs compare with case.
  const resource = matchElement(statement, 'Resource', where, (pattern) => stringLike(pattern, request.resource));
  const conditions = evaluateConditions(statement, request.context ?? {}, where, request.unlistedKeys);
  const match = statementMatch([principal, action, resource], conditions);
  const parts = notModelledParts(
    [
      ['Principal', principal],
      ['Action', action],
      ['Resource', resource],
    ],
    conditions,
  );
  return { statement: where, effect, match, counts: counts(effect, match), parts };
}

/** Which resources a question is about: a universe of strings, and patterns one of which each must match. */
export interface ResourceScope {
  /** @default - every string */
  readonly universe?: Universe;
  /** StringLike patterns (case-sensitive, as ARNs compare); a resource must match one. @default - no restriction */
  readonly within?: readonly string[];
  /** StringLike patterns a resource must match none of. @default - none */
  readonly without?: readonly string[];
}

export interface ReachDecision {
  /** Some resource of the scope is allowed: an Allow counts for it and no Deny does. */
  readonly allowed: boolean;
  /** One such resource (a character no policy names stands for every such character). */
  readonly example?: string;
  /** The Allow statements that grant `example`. */
  readonly allowedBy: readonly StatementRef[];
  /** Statements that bear on the action and are not modelled: taken toward allowing. */
  readonly notModelled: readonly NotModelledStatement[];
}

interface PreparedStatement extends StatementRef {
  readonly effect: 'Allow' | 'Deny';
  readonly action: ElementPatterns;
  /** Its Action patterns by service prefix (lower-cased), `*` for those whose prefix has a wildcard: a large policy is asked thousands of actions. */
  readonly actionsByService?: ReadonlyMap<string, readonly string[]>;
  /** How its Principal and Condition meet every request of the context (Action and Resource aside). */
  readonly rest: StatementMatch;
  readonly restParts: readonly string[];
  readonly resource: ElementPatterns;
}

/**
 * A principal's identity-based policies asked "may it call this action on SOME resource of
 * this scope?", decided over every resource at once (string-language.ts) rather than for
 * sample ARNs, so that `NotResource`, a Deny with `NotResource` and a Deny on chosen names
 * weigh exactly what they exclude. Conditions are decided once, for the context given;
 * statements it cannot model count as allowing (an Allow) or as not applying (a Deny), as in
 * `evaluatePermissions`. Answers are kept per set of statements that bear on an action, so
 * the thousands of actions of a service cost little more than one.
 */
export class PermissionReach {
  private readonly statements: readonly PreparedStatement[];
  private readonly decided = new Map<string, ReachDecision>();

  constructor(documents: Readonly<Record<string, unknown>>, request: Omit<PermissionRequest, 'action' | 'resource'> = {}) {
    this.statements = Object.entries(documents).flatMap(([policy, document]) =>
      statementsOf(document).map((source, index) => {
        const where = statementName(source, index);
        const principal: ElementMatch =
          'Principal' in source || 'NotPrincipal' in source ? { notModelled: 'an identity-based policy has no Principal', values: [] } : { matches: true, values: [] };
        const conditions = evaluateConditions(source, request.context ?? {}, where, request.unlistedKeys);
        return {
          policy,
          statement: where,
          effect: effectOf(source, where),
          action: elementPatterns(source, 'Action', where),
          actionsByService: byService(elementPatterns(source, 'Action', where)),
          rest: statementMatch([principal], conditions),
          restParts: notModelledParts([['Principal', principal]], conditions),
          resource: elementPatterns(source, 'Resource', where),
        };
      }),
    );
  }

  /** Whether `action` is allowed on some resource of `scope`. */
  onSomeResource(action: string, scope: ResourceScope = {}): ReachDecision {
    const test = actionTest(action);
    const service = action.split(':')[0].toLowerCase();
    return this.decide(
      this.statements.map(({ action: element, actionsByService }) => {
        if ('notModelled' in element) return undefined;
        const candidates = [...(actionsByService?.get(service) ?? []), ...(actionsByService?.get('*') ?? [])];
        return element.negated !== candidates.some(test);
      }),
      scope,
    );
  }

  /**
   * Whether some action that no policy names (a `service:name` spelled only with characters
   * none of their Action patterns uses) is allowed on some resource of `scope`: what `"*"`
   * or a broad `NotAction` grants, however the policies single out names to deny.
   */
  onSomeUnnamedAction(scope: ResourceScope = {}): ReachDecision {
    const patterns = [...new Set(this.statements.flatMap(({ action }) => ('values' in action ? action.values.map((value) => value.toLowerCase()) : [])))];
    const combinations = new PatternProduct(UNNAMED_ACTIONS, patterns.map((value) => ({ kind: 'like', value }))).matchCombinations();
    let last: ReachDecision = { allowed: false, allowedBy: [], notModelled: [] };
    for (const matches of combinations) {
      const matched = new Set(patterns.filter((_, index) => matches[index]));
      last = this.decide(
        this.statements.map(({ action }) => ('notModelled' in action ? undefined : action.negated !== action.values.some((value) => matched.has(value.toLowerCase())))),
        scope,
      );
      if (last.allowed) return last;
    }
    return last;
  }

  /** `actionMatches[i]`: whether statement i's Action covers the action (undefined: not modelled). */
  private decide(actionMatches: ReadonlyArray<boolean | undefined>, scope: ResourceScope): ReachDecision {
    const matches = this.statements.map((statement, index): StatementMatch => {
      const action = actionMatches[index];
      if (action === false || statement.rest === 'does-not-apply') return 'does-not-apply';
      return action === undefined ? 'not-modelled' : statement.rest;
    });
    const counting = this.statements.map((statement, index) =>
      statement.effect === 'Allow' ? matches[index] !== 'does-not-apply' : matches[index] === 'applies' && 'values' in statement.resource,
    );
    const key = `${counting.map(Number).join('')}|${scopeKey(scope)}`;
    let decision = this.decided.get(key);
    if (decision === undefined) {
      decision = this.decideResources(this.statements.filter((_, index) => counting[index]), scope);
      this.decided.set(key, decision);
    }
    const notModelled = this.statements
      .filter((statement, index) => matches[index] !== 'does-not-apply' && (matches[index] === 'not-modelled' || 'notModelled' in statement.resource))
      .map((statement) => ({
        policy: statement.policy,
        statement: statement.statement,
        effect: statement.effect,
        parts: [
          ...('notModelled' in statement.action ? [`Action: ${statement.action.notModelled}`] : []),
          ...('notModelled' in statement.resource ? [`Resource: ${statement.resource.notModelled}`] : []),
          ...statement.restParts,
        ],
      }));
    return { ...decision, notModelled };
  }

  private decideResources(involved: readonly PreparedStatement[], scope: ResourceScope): ReachDecision {
    const patterns = [...new Set([...involved.flatMap(({ resource }) => ('values' in resource ? resource.values : [])), ...(scope.within ?? []), ...(scope.without ?? [])])];
    const position = new Map(patterns.map((pattern, index) => [pattern, index]));
    // A Resource it cannot read counts as every resource for an Allow; such a Deny does not count (see decide).
    const holds = ({ resource }: PreparedStatement, matches: readonly boolean[]) =>
      !('values' in resource) || resource.negated !== resource.values.some((pattern) => matches[position.get(pattern) ?? -1]);
    const admits = (matches: readonly boolean[]) =>
      (scope.within === undefined || scope.within.some((pattern) => matches[position.get(pattern) ?? -1])) &&
      !(scope.without ?? []).some((pattern) => matches[position.get(pattern) ?? -1]) &&
      involved.some((statement) => statement.effect === 'Allow' && holds(statement, matches)) &&
      !involved.some((statement) => statement.effect === 'Deny' && holds(statement, matches));
    const example = new PatternProduct(scope.universe ?? ANY_STRING, patterns.map((value) => ({ kind: 'like', value }))).witness(admits);
    if (example === undefined) return { allowed: false, allowedBy: [], notModelled: [] };
    const exampleMatches = patterns.map((pattern) => stringLike(pattern, example));
    const allowedBy = involved.filter((statement) => statement.effect === 'Allow' && holds(statement, exampleMatches)).map(({ policy, statement }) => ({ policy, statement }));
    return { allowed: true, example, allowedBy, notModelled: [] };
  }
}

function byService(element: ElementPatterns): ReadonlyMap<string, readonly string[]> | undefined {
  if ('notModelled' in element) return undefined;
  const found = new Map<string, string[]>();
  for (const pattern of element.values) {
    const prefix = pattern.split(':')[0].toLowerCase();
    const key = /[*?]/.test(prefix) || !pattern.includes(':') ? '*' : prefix;
    found.set(key, [...(found.get(key) ?? []), pattern]);
  }
  return found;
}

/** Every `service:name` made only of characters no pattern names. */
const UNNAMED_ACTIONS: Universe = {
  start: 0,
  states: [
    { accepting: false, moves: [{ on: 'other', to: 1 }] },
    { accepting: false, moves: [{ on: 'other', to: 1 }, { on: ':', to: 2 }] },
    { accepting: false, moves: [{ on: 'other', to: 3 }] },
    { accepting: true, moves: [{ on: 'other', to: 3 }] },
  ],
};

const universeIds = new WeakMap<Universe, number>();
let universes = 0;
function scopeKey(scope: ResourceScope): string {
  let id = scope.universe === undefined ? -1 : universeIds.get(scope.universe);
  if (id === undefined) {
    id = universes++;
    if (scope.universe !== undefined) universeIds.set(scope.universe, id);
  }
  return `${id}|${JSON.stringify([scope.within ?? null, scope.without ?? null])}`;
}
