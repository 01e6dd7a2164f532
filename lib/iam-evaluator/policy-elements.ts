import { conditionHolds, isSupportedOperator, SUPPORTED_OPERATORS } from './condition-operators';

/**
 * Reading an IAM policy document's elements, shared by the trust and the permission
 * evaluators. Anything malformed or not modelled throws, naming where it is, rather
 * than being misjudged.
 */
export type JsonObject = Record<string, unknown>;

export interface ConditionResult {
  readonly operator: string;
  readonly key: string;
  readonly expected: readonly string[];
  readonly actual: string | undefined;
  readonly holds: boolean;
}

/** Condition keys of a request and their values; absent keys are missing. */
export type RequestContext = Readonly<Record<string, string | undefined>>;

export function asObject(value: unknown, where: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where} must be an object, got ${JSON.stringify(value)}`);
  return value as JsonObject;
}

export function field(object: JsonObject, name: string, where: string): unknown {
  if (!(name in object)) throw new Error(`${where}: ${name} is missing`);
  return object[name];
}

/** A policy value as strings: IAM accepts a string or a list, and booleans or numbers written bare. */
export function strings(value: unknown, where: string): string[] {
  return (Array.isArray(value) ? value : [value]).map((item) => {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') return String(item);
    throw new Error(`${where} must hold plain values after intrinsics are resolved, got ${JSON.stringify(item)}`);
  });
}

/** The statements of a policy document, each checked to be an object. */
export function statementsOf(document: unknown): JsonObject[] {
  const statements = field(asObject(document, 'policy document'), 'Statement', 'policy document');
  return (Array.isArray(statements) ? statements : [statements]).map((statement, index) => asObject(statement, `Statement[${index}]`));
}

export function effectOf(statement: JsonObject, where: string): 'Allow' | 'Deny' {
  const effect = field(statement, 'Effect', where);
  if (effect !== 'Allow' && effect !== 'Deny') throw new Error(`${where}: Effect must be Allow or Deny, got ${JSON.stringify(effect)}`);
  return effect;
}

/** Every key of every operator of the statement's Condition, decided against the request. */
export function evaluateConditions(statement: JsonObject, context: RequestContext, where: string): ConditionResult[] {
  return Object.entries(asObject(statement.Condition ?? {}, `${where}.Condition`)).flatMap(([operator, keys]) => {
    if (!isSupportedOperator(operator)) {
      throw new Error(`${where}: condition operator ${operator} is not supported by this evaluator (supported: ${SUPPORTED_OPERATORS})`);
    }
    return Object.entries(asObject(keys, `${where}.Condition.${operator}`)).map(([key, values]): ConditionResult => {
      const expected = strings(values, `${where}.Condition.${operator}.${key}`);
      // IAM's condition key names are case-insensitive.
      const actual = Object.entries(context).find(([name]) => name.toLowerCase() === key.toLowerCase())?.[1];
      return { operator, key, expected, actual, holds: conditionHolds(operator, expected, actual) };
    });
  });
}
