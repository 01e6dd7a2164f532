import {
  actionTest,
  asObject,
  ConditionResult,
  counts,
  effectOf,
  ElementMatch,
  evaluateConditions,
  JsonObject,
  matchElement,
  messageOf,
  notModelledParts,
  RequestContext,
  StatementMatch,
  statementMatch,
  statementName,
  statementsOf,
  strings,
} from './policy-elements';
import { ChosenByCaller } from './request-context';

export type { ConditionResult, StatementMatch } from './policy-elements';

/** An `sts:AssumeRoleWithWebIdentity` call as IAM sees it. */
export interface WebIdentityRequest {
  /** The ARN of the IAM OIDC provider whose issuer signed the token. */
  readonly providerArn: string;
  readonly action: string;
  /** Condition keys and their values (`<issuer>:aud`, `<issuer>:sub`, `aws:SourceIp`); absent keys are missing. */
  readonly context: RequestContext;
  /**
   * What a key the context does not list is: absent (the default, for a concrete request), or
   * chosen by the caller, for a question about every request a caller could make.
   *
   * @default - absent
   */
  readonly unlistedKeys?: ChosenByCaller;
}

export interface StatementResult {
  /** `Sid`, or `Statement[i]`. */
  readonly name: string;
  readonly effect: 'Allow' | 'Deny';
  /** The principals as written: Federated ARNs as they are, others as `<type> <value>`. */
  readonly principals: readonly string[];
  readonly principalMatches: boolean;
  readonly actions: readonly string[];
  readonly actionMatches: boolean;
  readonly conditions: readonly ConditionResult[];
  readonly match: StatementMatch;
  /**
   * The statement counts toward the verdict, erring toward admitting: an Allow that applies
   * (for some value the caller may choose) or is not modelled; a Deny that applies whatever
   * the caller chooses. For a concrete request whose statements are all modelled, plainly:
   * principal, action and every condition match.
   */
  readonly applies: boolean;
  /** What the evaluator does not model in this statement; empty when it is decided. */
  readonly notModelled: readonly string[];
  /** Principal and Action as matched, for a caller that decides some condition keys itself (trust-over-values.ts). */
  readonly elements: readonly ElementMatch[];
}

export interface TrustDecision {
  /** An Allow statement counts and no Deny statement does. */
  readonly admitted: boolean;
  /**
   * The verdict rests on statements the evaluator does not model: admitted only through an
   * unmodelled Allow, or despite an unmodelled Deny that might refuse. False when decided.
   */
  readonly conservative: boolean;
  readonly statements: readonly StatementResult[];
}

/**
 * Evaluates a role trust policy for a web-identity request with IAM's semantics: an explicit
 * Deny wins, otherwise any applicable Allow admits, otherwise the implicit deny refuses. All
 * condition operators of a statement, and all keys of an operator, must hold. Statement by
 * statement: an element it does not model (NotPrincipal, an operator outside
 * condition-operators.ts, an unresolved value) makes only that statement conservative, as
 * `applies` says; a document that is not a list of statements throws.
 */
export function evaluateTrustPolicy(document: unknown, request: WebIdentityRequest): TrustDecision {
  const statements = statementsOf(document).map((statement, index) => evaluateStatement(statement, request, index));
  const allowed = statements.some((statement) => statement.effect === 'Allow' && statement.applies);
  const denied = statements.some((statement) => statement.effect === 'Deny' && statement.applies);
  const decidedAllow = statements.some((statement) => statement.effect === 'Allow' && statement.applies && statement.notModelled.length === 0);
  const unmodelledDeny = statements.some((statement) => statement.effect === 'Deny' && statement.match === 'not-modelled');
  const admitted = allowed && !denied;
  return { admitted, conservative: admitted && (!decidedAllow || unmodelledDeny), statements };
}

function evaluateStatement(statement: JsonObject, request: WebIdentityRequest, index: number): StatementResult {
  const where = statementName(statement, index);
  const effect = effectOf(statement, where);
  const principal = principalMatch(statement, request.providerArn, where);
  const action = matchElement(statement, 'Action', where, actionTest(request.action));
  const conditions = evaluateConditions(statement, request.context, where, request.unlistedKeys);
  const match = statementMatch([principal, action], conditions);
  return {
    name: where,
    effect,
    principals: principal.values,
    principalMatches: 'matches' in principal && principal.matches,
    actions: action.values,
    actionMatches: 'matches' in action && action.matches,
    conditions,
    match,
    applies: counts(effect, match),
    notModelled: notModelledParts(
      [
        ['Principal', principal],
        ['Action', action],
      ],
      conditions,
    ),
    elements: [principal, action],
  };
}

/**
 * Whether the principal names a web-identity caller of this provider: `"*"` and
 * `{"AWS": "*"}` name everyone, anonymous callers included (IAM User Guide, "AWS JSON
 * policy elements: Principal", All principals: the two are equivalent); `Federated` names
 * the provider by ARN. Other ARNs and services are not this caller; NotPrincipal, a
 * wildcard Federated value or a principal type IAM does not document are not modelled.
 */
function principalMatch(statement: JsonObject, providerArn: string, where: string): ElementMatch {
  if ('NotPrincipal' in statement) return { notModelled: 'NotPrincipal is not modelled', values: [] };
  if (!('Principal' in statement)) return { notModelled: 'no Principal', values: [] };
  if (statement.Principal === '*') return { matches: true, values: ['*'] };
  try {
    const byType = Object.entries(asObject(statement.Principal, `${where}.Principal`)).map(([type, value]) => [type, strings(value, `${where}.Principal.${type}`)] as const);
    const values = byType.flatMap(([type, names]) => names.map((name) => (type === 'Federated' ? name : `${type} ${name}`)));
    const unknown = byType.find(([type]) => !['AWS', 'Federated', 'Service', 'CanonicalUser'].includes(type));
    if (unknown !== undefined) return { notModelled: `principal type ${unknown[0]} is not modelled`, values };
    const federated = byType.flatMap(([type, names]) => (type === 'Federated' ? names : []));
    const everyone = byType.some(([type, names]) => type === 'AWS' && names.includes('*'));
    if (everyone || federated.includes(providerArn)) return { matches: true, values };
    if (federated.some((name) => name.includes('*'))) return { notModelled: 'a wildcard in Federated is not modelled', values };
    return { matches: false, values };
  } catch (error) {
    return { notModelled: messageOf(error), values: [] };
  }
}

/** Every value a decision's conditions expect for one key (key names compared without case, as IAM does). */
export function conditionValues(decision: TrustDecision, key: string): string[] {
  return decision.statements.flatMap((statement) =>
    statement.conditions.filter((condition) => condition.key.toLowerCase() === key.toLowerCase()).flatMap((condition) => condition.expected),
  );
}
