import { stringLike } from './condition-operators';
import {
  actionTest,
  counts,
  effectOf,
  ElementMatch,
  evaluateConditions,
  JsonObject,
  matchElement,
  notModelledParts,
  RequestContext,
  statementMatch,
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
