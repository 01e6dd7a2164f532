import { App } from 'aws-cdk-lib';
import { parseTokenClaims } from '../bitbucket/token-claims';
import { parseOidcConfig } from '../config/parse-oidc-config';
import { BitbucketOidcStack } from '../stacks/oidc-stack';
import { explainAccess, formatVerdict } from './explain-access';
import { parseExplainArguments } from './explain-arguments';

/** What the command reads: files by path (undefined when missing) and standard input. */
export interface ExplainInput {
  readonly readFile: (path: string) => string | undefined;
  readonly readStdin: () => string;
}

export interface ExplainOutcome {
  /** 0 admitted by some role, 1 refused by all, 2 bad input. */
  readonly exitCode: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

function badInput(problems: readonly string[]): ExplainOutcome {
  return { exitCode: 2, stdout: '', stderr: problems.map((line) => `${line}\n`).join('') };
}

/**
 * `npm run explain`: synthesizes the roles from the same context as the deploy (cdk.json,
 * then cdk.context.json, then -c, as the CDK CLI does), and says for each whether it would
 * admit the step's token. Decodes only the token's payload; never prints the token.
 */
export function runExplain(argv: readonly string[], input: ExplainInput): ExplainOutcome {
  const args = parseExplainArguments(argv);
  if (!args.ok) return badInput(args.problems);
  const json = (path: string): Record<string, unknown> => JSON.parse(input.readFile(path) ?? '{}') as Record<string, unknown>;
  const context = { ...((json('cdk.json').context ?? {}) as Record<string, unknown>), ...json('cdk.context.json'), ...args.value.context };
  const config = parseOidcConfig(context);
  if (!config.ok) return badInput(['Invalid context:', ...config.problems.map((line) => `  ${line}`)]);

  const text = args.value.claimsFrom === '-' ? input.readStdin() : input.readFile(args.value.claimsFrom);
  if (text === undefined) return badInput([`--claims: cannot read ${JSON.stringify(args.value.claimsFrom)}`]);
  const claims = parseTokenClaims(text);
  if (!claims.ok) return badInput(claims.problems);

  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new BitbucketOidcStack(app, config.value.stackName, { config: config.value });
  const template = app.synth().getStackArtifact(stack.artifactId).template as Parameters<typeof explainAccess>[0];
  const question = {
    claims: claims.value,
    sourceIp: args.value.sourceIp,
    // The account only names ARNs: the provider and the token's issuer are named alike.
    target: { account: config.value.account ?? '123456789012', partition: 'aws', region: config.value.region ?? 'us-east-1' },
  };
  const shown = claims.value;
  const lines = [
    'Token claims (the token itself is not shown):',
    `  iss ${shown.iss}`,
    `  aud ${shown.aud}`,
    `  sub ${JSON.stringify(shown.sub)}`,
    ...(shown.repositoryUuid ? [`  repositoryUuid ${shown.repositoryUuid}`] : []),
    ...(shown.deploymentEnvironmentUuid ? [`  deploymentEnvironmentUuid ${shown.deploymentEnvironmentUuid}`] : []),
    ...(shown.branchName ? [`  branchName ${shown.branchName}`] : []),
    ...(args.value.sourceIp ? [`  source address ${args.value.sourceIp}`] : []),
    '',
  ];
  const verdicts = explainAccess(template, question);
  for (const verdict of verdicts) lines.push(...formatVerdict(verdict, question));
  return { exitCode: verdicts.some((verdict) => verdict.admitted) ? 0 : 1, stdout: `${lines.join('\n')}\n`, stderr: '' };
}
