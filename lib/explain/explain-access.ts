import { DeployTarget, resolveIntrinsics } from '../iam-evaluator/template-intrinsics';
import { conditionValues, evaluateTrustPolicy, TrustDecision, WebIdentityRequest } from '../iam-evaluator/evaluate-trust-policy';
import { environmentsOfPatterns, formatBitbucketSubject, parseBitbucketSubject } from '../bitbucket/subject-patterns';
import { TokenClaims } from '../bitbucket/token-claims';

export interface AccessQuestion {
  readonly claims: TokenClaims;
  /** The caller's address, when the step's egress address is known. */
  readonly sourceIp?: string;
  /** Where the stack is (or would be) deployed; it only names ARNs. */
  readonly target: DeployTarget;
}

export interface RoleVerdict {
  /** What STS would do: the provider lists the audience (when it is in the template) and the trust policy admits. */
  readonly admitted: boolean;
  readonly logicalId: string;
  /** The output that carries the role's ARN (`RoleArn`, `<Id>RoleArn`). */
  readonly outputName?: string;
  readonly decision: TrustDecision;
  /** Whether a provider in this template lists the token's audience; undefined when the provider is imported. */
  readonly providerAcceptsAudience?: boolean;
  /** When the step's deployment environment, or its lack of one, is what refuses it: one line saying so. */
  readonly environmentMismatch?: string;
}

interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { Value: unknown }>;
}

/** The web-identity call STS makes for a token, as IAM evaluates it. */
export function webIdentityRequest(question: AccessQuestion): WebIdentityRequest {
  const issuer = question.claims.iss.replace(/^https:\/\//, '');
  return {
    providerArn: `arn:${question.target.partition}:iam::${question.target.account}:oidc-provider/${issuer}`,
    action: 'sts:AssumeRoleWithWebIdentity',
    context: { [`${issuer}:aud`]: question.claims.aud, [`${issuer}:sub`]: question.claims.sub, 'aws:SourceIp': question.sourceIp },
  };
}

/**
 * Decides, for every role of a synthesized template, whether it would admit the
 * token, reading the trust policies from the template itself so the answer cannot
 * drift from what is deployed.
 */
export function explainAccess(template: TemplateJson, question: AccessQuestion): RoleVerdict[] {
  const providers = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::IAM::OIDCProvider');
  const refs = Object.fromEntries(
    providers.map(([logicalId, resource]) => [
      logicalId,
      `arn:${question.target.partition}:iam::${question.target.account}:oidc-provider/${String(resource.Properties?.Url).replace(/^https:\/\//, '')}`,
    ]),
  );
  const target = { ...question.target, refs: { ...refs, ...question.target.refs } };
  const request = webIdentityRequest(question);
  const issuerUrl = question.claims.iss;
  const provider = providers.find(([, resource]) => resource.Properties?.Url === issuerUrl);
  const providerAcceptsAudience = provider === undefined ? undefined : ((provider[1].Properties?.ClientIdList as string[] | undefined) ?? []).includes(question.claims.aud);

  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::IAM::Role')
    .map(([logicalId, resource]) => {
      const trust = resolveIntrinsics(resource.Properties?.AssumeRolePolicyDocument, target);
      const decision = evaluateTrustPolicy(trust, request);
      return {
        admitted: decision.admitted && providerAcceptsAudience !== false,
        logicalId,
        outputName: Object.entries(template.Outputs ?? {}).find(([, output]) => JSON.stringify(output.Value) === JSON.stringify({ 'Fn::GetAtt': [logicalId, 'Arn'] }))?.[0],
        decision,
        providerAcceptsAudience,
        environmentMismatch: decision.admitted ? undefined : environmentMismatch(trust, decision, request),
      };
    });
}

/**
 * Whether the step's environment is what refuses it: the same step with another
 * environment, or none, would be admitted. Decided by evaluating those variants, so it
 * holds for any trust policy, not only the ones this app writes.
 */
function environmentMismatch(trust: unknown, decision: TrustDecision, request: WebIdentityRequest): string | undefined {
  const subKey = Object.keys(request.context).find((key) => key.endsWith(':sub'));
  const subject = subKey === undefined ? undefined : parseBitbucketSubject(request.context[subKey] ?? '');
  if (subKey === undefined || subject === undefined) return undefined;
  const admits = (environment: string | undefined) =>
    evaluateTrustPolicy(trust, { ...request, context: { ...request.context, [subKey]: formatBitbucketSubject({ ...subject, environment }) } }).admitted;
  const patterns = conditionValues(decision, subKey);
  const admittedEnvironments = environmentsOfPatterns(patterns).filter((environment) => environment !== subject.environment && admits(environment));
  if (subject.environment === undefined) {
    return admittedEnvironments.length > 0
      ? `this step has no \`deployment:\`; the role admits only steps deploying to ${admittedEnvironments.join(', ')}`
      : undefined;
  }
  if (admits(undefined)) return `this step deploys to ${subject.environment}; the role admits only steps without a deployment environment`;
  return admittedEnvironments.length > 0 ? `this step deploys to ${subject.environment}; the role admits only steps deploying to ${admittedEnvironments.join(', ')}` : undefined;
}

/** One line per check, saying what held and, for what did not, what was expected. */
export function formatVerdict(verdict: RoleVerdict, question: AccessQuestion): string[] {
  const lines = [`${verdict.outputName ?? verdict.logicalId} (${verdict.logicalId}): ${verdict.admitted ? 'ADMITTED' : 'REFUSED'}`];
  if (verdict.environmentMismatch !== undefined) lines.push(`  why  ${verdict.environmentMismatch}`);
  const mark = (ok: boolean) => (ok ? '  ok  ' : '  FAIL');
  const issuerArn = webIdentityRequest(question).providerArn;
  if (verdict.providerAcceptsAudience !== undefined) {
    lines.push(
      `${mark(verdict.providerAcceptsAudience)} provider lists the token's audience ${JSON.stringify(question.claims.aud)}` +
        (verdict.providerAcceptsAudience ? '' : ' (STS answers "Incorrect token audience")'),
    );
  }
  for (const statement of verdict.decision.statements) {
    lines.push(
      `${mark(statement.principalMatches)} ${statement.effect} statement trusts provider ${statement.principals.join(', ')}` +
        (statement.principalMatches ? '' : `; the token's issuer is provider ${issuerArn}`),
    );
    lines.push(`${mark(statement.actionMatches)} action ${statement.actions.join(', ')}`);
    for (const condition of statement.conditions) {
      const actual = condition.actual === undefined ? 'nothing (the key is not in the request)' : JSON.stringify(condition.actual);
      const expected = condition.expected.map((value) => JSON.stringify(value)).join(' or ');
      lines.push(`${mark(condition.holds)} ${condition.operator} ${condition.key}: expected ${expected}; the request has ${actual}`);
    }
  }
  return lines;
}
