import { stringLike } from './condition-operators';
import { asObject, ConditionResult, effectOf, evaluateConditions, field, JsonObject, RequestContext, statementsOf, strings } from './policy-elements';

export type { ConditionResult } from './policy-elements';

/** An `sts:AssumeRoleWithWebIdentity` call as IAM sees it. */
export interface WebIdentityRequest {
  /** The ARN of the IAM OIDC provider whose issuer signed the token. */
  readonly providerArn: string;
  readonly action: string;
  /** Condition keys and their values (`<issuer>:aud`, `<issuer>:sub`, `aws:SourceIp`); absent keys are missing. */
  readonly context: RequestContext;
}

export interface StatementResult {
  readonly effect: 'Allow' | 'Deny';
  readonly principals: readonly string[];
  readonly principalMatches: boolean;
  readonly actions: readonly string[];
  readonly actionMatches: boolean;
  readonly conditions: readonly ConditionResult[];
  /** Principal, action and every condition match. */
  readonly applies: boolean;
}

export interface TrustDecision {
  /** An Allow statement applies and no Deny statement does. */
  readonly admitted: boolean;
  readonly statements: readonly StatementResult[];
}

/**
 * Evaluates a role trust policy for a web-identity request with IAM's semantics:
 * an explicit Deny wins, otherwise any applicable Allow admits, otherwise the
 * implicit deny refuses. All condition operators of a statement, and all keys of
 * an operator, must hold. Elements it does not model (NotPrincipal, NotAction,
 * operators outside condition-operators.ts) are refused loudly rather than misjudged.
 */
export function evaluateTrustPolicy(document: unknown, request: WebIdentityRequest): TrustDecision {
  const statements = statementsOf(document).map((statement, index) => evaluateStatement(statement, request, index));
  const denied = statements.some((statement) => statement.effect === 'Deny' && statement.applies);
  const allowed = statements.some((statement) => statement.effect === 'Allow' && statement.applies);
  return { admitted: allowed && !denied, statements };
}

function evaluateStatement(statement: JsonObject, request: WebIdentityRequest, index: number): StatementResult {
  const where = `Statement[${index}]`;
  for (const unsupported of ['NotPrincipal', 'NotAction']) {
    if (unsupported in statement) throw new Error(`${where}: ${unsupported} is not supported by this evaluator`);
  }
  const effect = effectOf(statement, where);

  const principal = field(statement, 'Principal', where);
  const principals = principal === '*' ? ['*'] : strings(asObject(principal, `${where}.Principal`).Federated ?? [], `${where}.Principal.Federated`);
  const principalMatches = principals.some((value) => value === '*' || value === request.providerArn);

  const actions = strings(field(statement, 'Action', where), `${where}.Action`);
  // Action names are case-insensitive in IAM.
  const actionMatches = actions.some((pattern) => stringLike(pattern.toLowerCase(), request.action.toLowerCase()));

  const conditions = evaluateConditions(statement, request.context, where);

  return {
    effect,
    principals,
    principalMatches,
    actions,
    actionMatches,
    conditions,
    applies: principalMatches && actionMatches && conditions.every((condition) => condition.holds),
  };
}

/** Every value a decision's conditions expect for one key (key names compared without case, as IAM does). */
export function conditionValues(decision: TrustDecision, key: string): string[] {
  return decision.statements.flatMap((statement) =>
    statement.conditions.filter((condition) => condition.key.toLowerCase() === key.toLowerCase()).flatMap((condition) => condition.expected),
  );
}
