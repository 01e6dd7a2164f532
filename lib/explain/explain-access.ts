import { DeployTarget, resolveIntrinsics } from '../iam-evaluator/template-intrinsics';
import { conditionValues, evaluateTrustPolicy, TrustDecision, WebIdentityRequest } from '../iam-evaluator/evaluate-trust-policy';
import { environmentsOfPatterns, formatBitbucketSubject, parseBitbucketSubject } from '../bitbucket/subject-patterns';
import { TokenClaims } from '../bitbucket/token-claims';
import { chosenByCaller } from '../iam-evaluator/request-context';
import { quoted } from '../problems/quoted';
import { reachFacts } from './role-reach';

export interface AccessQuestion {
  readonly claims: TokenClaims;
  /** The caller's address, when the step's egress address is known. */
  readonly sourceIp?: string;
  /** Where the stack is (or would be) deployed; it only names ARNs. */
  readonly target: DeployTarget;
  /**
   * The account the stack is deployed in, when the context (`account`) or an imported
   * provider names it: the bootstrap roles a role reaches there are shown by its ID.
   * @default - not known: shown as "this stack's account"
   */
  readonly stackAccount?: string;
}

export interface RoleVerdict {
  /** What STS would do: the trust policy admits and every check among `facts` holds. */
  readonly admitted: boolean;
  readonly logicalId: string;
  /** The output that carries the role's ARN (`RoleArn`, `<Id>RoleArn`). */
  readonly outputName?: string;
  readonly decision: TrustDecision;
  /**
   * What else is known about the role for this token, one line each, shown before the trust
   * policy's checks. Open: a new check (say, the accounts a role reaches) is one more entry,
   * not a new field for every reader to learn.
   */
  readonly facts: readonly RoleFact[];
}

/** One thing known about a role beside its trust policy. */
export interface RoleFact {
  /**
   * What it is about, so a reader can find it: `environment`, `source-address`, `provider-audience`, `provider-issuer`,
   * `provider-imported`, `bootstrap-reach`, `bootstrap-reach-unread`.
   */
  readonly kind: string;
  /**
   * `ok` or `FAIL`: a check STS makes, and whether it holds (a failing one refuses the step);
   * `why`: the reason the step is refused; `note`: what explain cannot see or assumed;
   * `may`: what the role's policies let it do once assumed.
   */
  readonly mark: 'ok' | 'FAIL' | 'why' | 'note' | 'may';
  /** The line to show, every value in it already through `quoted`. */
  readonly text: string;
}

interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { Value: unknown }>;
}

/**
 * The step's address when the question does not give it: STS sees the step's egress
 * address (or none, through a VPC endpoint), so the verdict is the one for some address,
 * erring toward admitting, and a note says so (IAM User Guide, aws:SourceIp).
 */
const ADDRESS_NOT_GIVEN = chosenByCaller("the step's address, which --source-ip did not give", true);

/** The web-identity call STS makes for a token, as IAM evaluates it. */
export function webIdentityRequest(question: AccessQuestion): WebIdentityRequest {
  const issuer = question.claims.iss.replace(/^https:\/\//, '');
  return {
    providerArn: `arn:${question.target.partition}:iam::${question.target.account}:oidc-provider/${issuer}`,
    action: 'sts:AssumeRoleWithWebIdentity',
    context: { [`${issuer}:aud`]: question.claims.aud, [`${issuer}:sub`]: question.claims.sub, 'aws:SourceIp': question.sourceIp ?? ADDRESS_NOT_GIVEN },
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
  const providerCheck = providerFact(providers.map(([, resource]) => resource.Properties?.Url), provider?.[1].Properties, question.claims);

  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::IAM::Role')
    .map(([logicalId, resource]) => {
      const trust = resolveIntrinsics(resource.Properties?.AssumeRolePolicyDocument, target);
      const decision = evaluateTrustPolicy(trust, request);
      const mismatch = decision.admitted ? undefined : environmentMismatch(trust, decision, request);
      const address = decision.admitted ? addressFact(decision) : undefined;
      const facts = [
        ...(mismatch === undefined ? [] : [{ kind: 'environment', mark: 'why' as const, text: mismatch }]),
        ...(address === undefined ? [] : [address]),
        providerCheck,
        ...reachFacts(template.Resources, logicalId, question.target.partition, question.stackAccount),
      ];
      return {
        admitted: decision.admitted && facts.every((fact) => fact.mark !== 'FAIL'),
        logicalId,
        outputName: Object.entries(template.Outputs ?? {}).find(([, output]) => JSON.stringify(output.Value) === JSON.stringify({ 'Fn::GetAtt': [logicalId, 'Arn'] }))?.[0],
        decision,
        facts,
      };
    });
}

/** When the step's address was not given and the verdict depends on it: what was assumed, and how to ask. */
function addressFact(decision: TrustDecision): RoleFact | undefined {
  const depending = decision.statements.flatMap((statement) =>
    statement.conditions.filter((condition) => condition.chosenByCaller === ADDRESS_NOT_GIVEN && condition.outcome === 'depends'),
  );
  if (depending.length === 0) return undefined;
  const checks = depending.map((condition) => `${shownName(condition.operator)} ${shownName(condition.key)} ${listed(condition.expected)}`).join('; ');
  return {
    kind: 'source-address',
    mark: 'note',
    text: `admitted only from some source addresses (${checks}) and --source-ip was not given: this verdict assumes the step's egress address is among them; ask again with --source-ip <address> to decide it`,
  };
}

/**
 * STS first checks that the token's audience is one of the provider's client IDs. A provider
 * in the template is read; an imported one (providerArn) is not, and the line says so.
 */
function providerFact(providerUrls: readonly unknown[], provider: Record<string, unknown> | undefined, claims: TokenClaims): RoleFact {
  const audience = claims.aud;
  if (providerUrls.length === 0) {
    return {
      kind: 'provider-imported',
      mark: 'note',
      text: `the provider is not in this template (providerArn): STS also requires the token's audience ${quoted(audience)} among its audiences; see them in the IAM console`,
    };
  }
  if (provider === undefined) {
    return {
      kind: 'provider-issuer',
      mark: 'FAIL',
      text: `no provider of this template is for the token's issuer ${quoted(claims.iss)} (it has ${providerUrls.map((url) => quoted(url)).join(', ')}): STS finds no provider for it`,
    };
  }
  const audiences = Array.isArray(provider.ClientIdList) ? provider.ClientIdList : [];
  const holds = audiences.includes(audience);
  return {
    kind: 'provider-audience',
    mark: holds ? 'ok' : 'FAIL',
    text: `provider lists the token's audience ${quoted(audience)}` + (holds ? '' : ` (STS answers "Incorrect token audience"; it lists ${audiences.map((value) => quoted(value)).join(', ') || 'none'})`),
  };
}

/**
 * Whether the step's environment is what refuses it: the same step with another
 * environment, or none, would be admitted. Decided by evaluating those variants, so it
 * holds for any trust policy, not only the ones this app writes.
 */
function environmentMismatch(trust: unknown, decision: TrustDecision, request: WebIdentityRequest): string | undefined {
  const subKey = Object.keys(request.context).find((key) => key.endsWith(':sub'));
  const sub = subKey === undefined ? undefined : request.context[subKey];
  const subject = typeof sub === 'string' ? parseBitbucketSubject(sub) : undefined;
  if (subKey === undefined || subject === undefined) return undefined;
  const admits = (environment: string | undefined) =>
    evaluateTrustPolicy(trust, { ...request, context: { ...request.context, [subKey]: formatBitbucketSubject({ ...subject, environment }) } }).admitted;
  const patterns = conditionValues(decision, subKey);
  const admittedEnvironments = environmentsOfPatterns(patterns).filter((environment) => environment !== subject.environment && admits(environment));
  if (subject.environment === undefined) {
    return admittedEnvironments.length > 0
      ? `this step has no \`deployment:\`; the role admits only steps deploying to ${listed(admittedEnvironments)}`
      : undefined;
  }
  const deploysTo = `this step deploys to ${quoted(subject.environment)}`;
  if (admits(undefined)) return `${deploysTo}; the role admits only steps without a deployment environment`;
  return admittedEnvironments.length > 0 ? `${deploysTo}; the role admits only steps deploying to ${listed(admittedEnvironments)}` : undefined;
}

/** The most characters of one value shown in a verdict: a provider ARN holds the workspace near its end. */
const MAX_VALUE_SHOWN = 256;

const shown = (value: unknown) => quoted(value, MAX_VALUE_SHOWN);
const listed = (values: readonly unknown[]) => values.map(shown).join(', ');

/**
 * How a name (a logical ID, an output name, a condition operator or key) is shown: bare when
 * it is made of identifier characters only, as every name this app writes is, otherwise
 * quoted like any value, so a hand-written template cannot forge a line either.
 */
export function shownName(name: string): string {
  return /^[\w.:/@+-]{1,256}$/.test(name) ? name : quoted(name);
}

/**
 * The names `--role` accepts for a role: its id (the output name without `RoleArn`, as in
 * `roles=[{"id":"Deploy",…}]`), its output name and its logical ID.
 */
export function roleNames(verdict: RoleVerdict): string[] {
  const id = /^(.+)RoleArn$/.exec(verdict.outputName ?? '')?.[1];
  return [...(id === undefined ? [] : [id]), ...(verdict.outputName === undefined ? [] : [verdict.outputName]), verdict.logicalId];
}

/** The first line of a verdict: `DeployRoleArn (DeployPipelineRole…): REFUSED`. */
export function verdictTitle(verdict: RoleVerdict): string {
  return `${shownName(verdict.outputName ?? verdict.logicalId)} (${shownName(verdict.logicalId)}): ${verdict.admitted ? 'ADMITTED' : 'REFUSED'}`;
}

/** One line per check, saying what held and, for what did not, what was expected. Every value is quoted. */
export function formatVerdict(verdict: RoleVerdict, question: AccessQuestion): string[] {
  const line = (mark: RoleFact['mark'], text: string) => `  ${mark.padEnd(4)} ${text}`;
  const check = (holds: boolean, text: string) => line(holds ? 'ok' : 'FAIL', text);
  const issuerArn = webIdentityRequest(question).providerArn;
  const lines = [verdictTitle(verdict), ...verdict.facts.map((fact) => line(fact.mark, fact.text))];
  for (const statement of verdict.decision.statements) {
    lines.push(
      check(statement.principalMatches, `${statement.effect} statement trusts provider ${listed(statement.principals)}` +
        (statement.principalMatches ? '' : `; the token's issuer is provider ${shown(issuerArn)}`)),
    );
    lines.push(check(statement.actionMatches, `action ${listed(statement.actions)}`));
    for (const condition of statement.conditions) {
      const actual =
        condition.chosenByCaller !== undefined ? `${condition.chosenByCaller.because} (taken as any)` : condition.actual === undefined ? 'nothing (the key is not in the request)' : shown(condition.actual);
      const expected = condition.expected.map(shown).join(' or ');
      lines.push(check(condition.holds, `${shownName(condition.operator)} ${shownName(condition.key)}: expected ${expected}; the request has ${actual}`));
    }
  }
  return lines;
}
