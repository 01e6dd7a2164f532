import { ConditionOutcome, conditionOutcome, isAddressRange, isSupportedOperator, stringLike } from './condition-operators';
import { ChosenByCaller, contextValue, isChosenByCaller, RequestContext } from './request-context';

/**
 * Reading an IAM policy document's elements, shared by the trust and the permission
 * evaluators. A document that is not a list of statements throws; within a statement,
 * an element this evaluator does not model is reported as such (`notModelled`), so the
 * callers decide that statement conservatively and every other statement exactly.
 */
export type JsonObject = Record<string, unknown>;
export type { RequestContext } from './request-context';

export interface ConditionResult {
  readonly operator: string;
  readonly key: string;
  readonly expected: readonly string[];
  /** The request's value; undefined when the key is absent or chosen by the caller. */
  readonly actual: string | undefined;
  /** Set when the caller chooses the key's value: whose choice, and why. */
  readonly chosenByCaller?: ChosenByCaller;
  /** undefined when the evaluator does not model this condition (see `notModelled`). */
  readonly outcome?: ConditionOutcome;
  /** The condition holds for the request, or for some value its caller may choose. */
  readonly holds: boolean;
  /** Why the evaluator cannot decide this condition. */
  readonly notModelled?: string;
}

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

/** `Sid` when the statement has one, else its position. */
export function statementName(statement: JsonObject, index: number): string {
  return typeof statement.Sid === 'string' && statement.Sid !== '' ? statement.Sid : `Statement[${index}]`;
}

export function effectOf(statement: JsonObject, where: string): 'Allow' | 'Deny' {
  const effect = field(statement, 'Effect', where);
  if (effect !== 'Allow' && effect !== 'Deny') throw new Error(`${where}: Effect must be Allow or Deny, got ${JSON.stringify(effect)}`);
  return effect;
}

/** An element's outcome: matched or not, or why it could not be read. */
export type ElementMatch = { readonly matches: boolean; readonly values: readonly string[] } | { readonly notModelled: string; readonly values: readonly string[] };

/** Each statement's element values, read once: the audit asks a large policy hundreds of questions. */
const readValues = new WeakMap<JsonObject, Map<string, { values: string[] } | { notModelled: string }>>();

function elementValues(statement: JsonObject, element: string, where: string): { values: string[] } | { notModelled: string } {
  const cached = readValues.get(statement) ?? new Map<string, { values: string[] } | { notModelled: string }>();
  readValues.set(statement, cached);
  let read = cached.get(element);
  if (read === undefined) {
    try {
      const values = strings(statement[element], `${where}.${element}`);
      read = values.some((value) => value.includes('${')) ? { notModelled: `${element} uses a policy variable` } : { values };
    } catch (error) {
      read = { notModelled: messageOf(error) };
    }
    cached.set(element, read);
  }
  return read;
}

/** `Action`/`NotAction` (or `Resource`/`NotResource`): exactly one must be there; patterns use StringLike's wildcards. */
export function matchElement(statement: JsonObject, name: string, where: string, test: (pattern: string) => boolean): ElementMatch {
  const notName = `Not${name}`;
  if (name in statement === notName in statement) return { notModelled: `exactly one of ${name} and ${notName} is needed`, values: [] };
  const element = name in statement ? name : notName;
  const read = elementValues(statement, element, where);
  if ('notModelled' in read) return { notModelled: read.notModelled, values: [] };
  const values = read.values;
  const any = values.some(test);
  return { matches: element === name ? any : !any, values: element === name ? values : values.map((value) => `not ${value}`) };
}

/** An element's patterns as written, `negated` for its `Not` form, or why they cannot be read. */
export type ElementPatterns = { readonly negated: boolean; readonly values: readonly string[] } | { readonly notModelled: string };

/** `Action`/`NotAction` (or `Resource`/`NotResource`) as patterns, for a caller that decides over every value (evaluate-permissions.ts). */
export function elementPatterns(statement: JsonObject, name: string, where: string): ElementPatterns {
  const notName = `Not${name}`;
  if (name in statement === notName in statement) return { notModelled: `exactly one of ${name} and ${notName} is needed` };
  const read = elementValues(statement, name in statement ? name : notName, where);
  return 'notModelled' in read ? read : { negated: !(name in statement), values: read.values };
}

/** Action names compare without case; their patterns take StringLike's wildcards. */
export function actionTest(action: string): (pattern: string) => boolean {
  const wanted = action.toLowerCase();
  return (pattern) => stringLike(lowered(pattern), wanted);
}

const lowerCase = new Map<string, string>();
function lowered(text: string): string {
  let lower = lowerCase.get(text);
  if (lower === undefined) {
    lower = text.toLowerCase();
    lowerCase.set(text, lower);
  }
  return lower;
}

/**
 * Every key of every operator of the statement's Condition, decided against the request.
 * A key the context does not list is `unlisted`: absent for a concrete request, open when
 * the question leaves every key it does not name to the caller.
 */
export function evaluateConditions(statement: JsonObject, context: RequestContext, where: string, unlisted?: ChosenByCaller): ConditionResult[] {
  if (statement.Condition === undefined) return [];
  let block: JsonObject;
  try {
    block = asObject(statement.Condition, `${where}.Condition`);
  } catch (error) {
    return [{ operator: '?', key: '?', expected: [], actual: undefined, holds: false, notModelled: messageOf(error) }];
  }
  return Object.entries(block).flatMap(([operator, keys]) => {
    let entries: Array<[string, unknown]>;
    try {
      entries = Object.entries(asObject(keys, `${where}.Condition.${operator}`));
    } catch (error) {
      return [{ operator, key: '?', expected: [], actual: undefined, holds: false, notModelled: messageOf(error) }];
    }
    return entries.map(([key, values]): ConditionResult => {
      const value = contextValue(context, key, unlisted);
      const chosen = isChosenByCaller(value) ? { chosenByCaller: value } : {};
      const actual = isChosenByCaller(value) ? undefined : value;
      const unread = (reason: string, expected: readonly string[] = []): ConditionResult => ({ operator, key, expected, actual, ...chosen, holds: false, notModelled: reason });
      if (!isSupportedOperator(operator)) return unread(`condition operator ${operator} is not modelled`);
      let expected: string[];
      try {
        expected = strings(values, `${where}.Condition.${operator}.${key}`);
      } catch (error) {
        return unread(messageOf(error));
      }
      if (expected.some((text) => text.includes('${'))) return unread('a policy variable in the condition values', expected);
      if (/^(?:ForAnyValue:|ForAllValues:)?(?:Not)?IpAddress(?:IfExists)?$/.test(operator) && !expected.every(isAddressRange)) {
        return unread(`an address range IAM cannot read (${expected.filter((text) => !isAddressRange(text)).join(', ')})`, expected);
      }
      const outcome = conditionOutcome(operator, expected, value);
      return { operator, key, expected, actual, ...chosen, outcome, holds: outcome !== 'fails' };
    });
  });
}

/**
 * How a statement meets a request: it `applies` whatever the caller chooses, `may-apply`
 * for some values the caller chooses, `does-not-apply`, or is `not-modelled`: an element
 * it needs is not modelled and nothing that is modelled rules it out.
 */
export type StatementMatch = 'applies' | 'may-apply' | 'does-not-apply' | 'not-modelled';

/** Combines element and condition results into a statement's match (a modelled mismatch decides). */
export function statementMatch(elements: readonly ElementMatch[], conditions: readonly ConditionResult[]): StatementMatch {
  if (elements.some((element) => 'matches' in element && !element.matches)) return 'does-not-apply';
  if (conditions.some((condition) => condition.outcome === 'fails')) return 'does-not-apply';
  if (elements.some((element) => 'notModelled' in element) || conditions.some((condition) => condition.outcome === undefined)) return 'not-modelled';
  return conditions.every((condition) => condition.outcome === 'holds') ? 'applies' : 'may-apply';
}

/**
 * Whether a statement counts toward the verdict, erring toward access: an Allow that
 * applies, may apply or is not modelled; a Deny only when it applies whatever the caller
 * chooses (an unmodelled Deny, or one the caller can step around, is taken as not applying).
 */
export function counts(effect: 'Allow' | 'Deny', match: StatementMatch): boolean {
  return effect === 'Allow' ? match !== 'does-not-apply' : match === 'applies';
}

/** What the evaluator does not model in a statement, for people; empty when it is decided. */
export function notModelledParts(elements: ReadonlyArray<readonly [string, ElementMatch]>, conditions: readonly ConditionResult[]): string[] {
  return [
    ...elements.flatMap(([name, element]) => ('notModelled' in element ? [`${name}: ${element.notModelled}`] : [])),
    ...conditions.flatMap((condition) => (condition.notModelled === undefined ? [] : [`${condition.operator} ${condition.key}: ${condition.notModelled}`])),
  ];
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
