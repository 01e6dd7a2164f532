import { stringLike } from './condition-operators';
import { effectOf, evaluateConditions, JsonObject, RequestContext, statementsOf, strings } from './policy-elements';

/** One API call as identity-based policies see it. */
export interface PermissionRequest {
  /** `service:Action`; IAM compares action names without case. */
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
}

export interface PermissionDecision {
  /** An Allow statement applies and no Deny statement does. */
  readonly allowed: boolean;
  /** `<policy name>/<Sid or Statement[i]>` of each applying Allow. */
  readonly allowedBy: readonly string[];
  readonly deniedBy: readonly string[];
}

/**
 * Evaluates a principal's identity-based policies (keyed by name) for one call, with
 * IAM's semantics: an explicit Deny wins, otherwise any applicable Allow allows,
 * otherwise the implicit deny. It answers only for those policies: a permissions
 * boundary, an SCP or a session policy can only narrow what it allows.
 */
export function evaluatePermissions(documents: Readonly<Record<string, unknown>>, request: PermissionRequest): PermissionDecision {
  const applying = Object.entries(documents).flatMap(([name, document]) =>
    statementsOf(document).flatMap((statement, index) => {
      const where = `${name}/${typeof statement.Sid === 'string' && statement.Sid !== '' ? statement.Sid : `Statement[${index}]`}`;
      return statementApplies(statement, request, where) ? [{ effect: effectOf(statement, where), where }] : [];
    }),
  );
  const allowedBy = applying.filter((statement) => statement.effect === 'Allow').map((statement) => statement.where);
  const deniedBy = applying.filter((statement) => statement.effect === 'Deny').map((statement) => statement.where);
  return { allowed: allowedBy.length > 0 && deniedBy.length === 0, allowedBy, deniedBy };
}

function statementApplies(statement: JsonObject, request: PermissionRequest, where: string): boolean {
  if ('Principal' in statement || 'NotPrincipal' in statement) throw new Error(`${where}: an identity-based policy has no Principal`);
  const action = request.action.toLowerCase();
  const actionMatches = matches(statement, 'Action', 'NotAction', where, (pattern) => stringLike(pattern.toLowerCase(), action));
  const resourceMatches = matches(statement, 'Resource', 'NotResource', where, (pattern) => stringLike(pattern, request.resource));
  return actionMatches && resourceMatches && evaluateConditions(statement, request.context ?? {}, where).every((condition) => condition.holds);
}

/** An element or its Not- form: exactly one must be there. */
function matches(statement: JsonObject, name: string, notName: string, where: string, test: (pattern: string) => boolean): boolean {
  if (name in statement === notName in statement) throw new Error(`${where}: exactly one of ${name} and ${notName} is needed`);
  return name in statement ? strings(statement[name], `${where}.${name}`).some(test) : !strings(statement[notName], `${where}.${notName}`).some(test);
}
