import { conditionHolds, isSupportedOperator, stringLike, SUPPORTED_OPERATORS } from './condition-operators';

/** An `sts:AssumeRoleWithWebIdentity` call as IAM sees it. */
export interface WebIdentityRequest {
  /** The ARN of the IAM OIDC provider whose issuer signed the token. */
  readonly providerArn: string;
  readonly action: string;
  /** Condition keys and their values (`<issuer>:aud`, `<issuer>:sub`, `aws:SourceIp`); absent keys are missing. */
  readonly context: Readonly<Record<string, string | undefined>>;
}

export interface ConditionResult {
  readonly operator: string;
  readonly key: string;
  readonly expected: readonly string[];
  readonly actual: string | undefined;
  readonly holds: boolean;
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

type JsonObject = Record<string, unknown>;

/**
 * Evaluates a role trust policy for a web-identity request with IAM's semantics:
 * an explicit Deny wins, otherwise any applicable Allow admits, otherwise the
 * implicit deny refuses. All condition operators of a statement, and all keys of
 * an operator, must hold. Elements it does not model (NotPrincipal, NotAction,
 * unknown operators, set operators) are refused loudly rather than misjudged.
 */
export function evaluateTrustPolicy(document: unknown, request: WebIdentityRequest): TrustDecision {
  const statements = asArray(field(asObject(document, 'policy document'), 'Statement', 'policy document')).map((statement, index) =>
    evaluateStatement(asObject(statement, `Statement[${index}]`), request, index),
  );
  const denied = statements.some((statement) => statement.effect === 'Deny' && statement.applies);
  const allowed = statements.some((statement) => statement.effect === 'Allow' && statement.applies);
  return { admitted: allowed && !denied, statements };
}

function evaluateStatement(statement: JsonObject, request: WebIdentityRequest, index: number): StatementResult {
  const where = `Statement[${index}]`;
  for (const unsupported of ['NotPrincipal', 'NotAction']) {
    if (unsupported in statement) throw new Error(`${where}: ${unsupported} is not supported by this evaluator`);
  }
  const effect = field(statement, 'Effect', where);
  if (effect !== 'Allow' && effect !== 'Deny') throw new Error(`${where}: Effect must be Allow or Deny, got ${JSON.stringify(effect)}`);

  const principal = field(statement, 'Principal', where);
  const principals = principal === '*' ? ['*'] : strings(asObject(principal, `${where}.Principal`).Federated ?? [], `${where}.Principal.Federated`);
  const principalMatches = principals.some((value) => value === '*' || value === request.providerArn);

  const actions = strings(field(statement, 'Action', where), `${where}.Action`);
  // Action names are case-insensitive in IAM.
  const actionMatches = actions.some((pattern) => stringLike(pattern.toLowerCase(), request.action.toLowerCase()));

  const conditions = Object.entries(asObject(statement.Condition ?? {}, `${where}.Condition`)).flatMap(([operator, keys]) => {
    if (!isSupportedOperator(operator)) {
      throw new Error(`${where}: condition operator ${operator} is not supported by this evaluator (supported: ${SUPPORTED_OPERATORS.join(', ')})`);
    }
    return Object.entries(asObject(keys, `${where}.Condition.${operator}`)).map(([key, values]): ConditionResult => {
      const expected = strings(values, `${where}.Condition.${operator}.${key}`);
      const actual = request.context[key];
      return { operator, key, expected, actual, holds: conditionHolds(operator, expected, actual) };
    });
  });

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

function asObject(value: unknown, where: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where} must be an object, got ${JSON.stringify(value)}`);
  return value as JsonObject;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function field(object: JsonObject, name: string, where: string): unknown {
  if (!(name in object)) throw new Error(`${where}: ${name} is missing`);
  return object[name];
}

/** A policy value as strings: IAM accepts a string or a list, and booleans or numbers written bare. */
function strings(value: unknown, where: string): string[] {
  return asArray(value).map((item) => {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') return String(item);
    throw new Error(`${where} must hold plain values after intrinsics are resolved, got ${JSON.stringify(item)}`);
  });
}
