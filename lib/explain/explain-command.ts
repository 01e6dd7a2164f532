import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { parseTokenClaims, TokenClaims } from '../bitbucket/token-claims';
import { OidcConfig } from '../config/oidc-config';
import { parseOidcConfig } from '../config/parse-oidc-config';
import { Parsed, parsed } from '../problems/problem';
import { quoted } from '../problems/quoted';
import { addWorkspaceStack } from '../stacks/workspace-stack';
import { AccessQuestion, explainAccess, formatVerdict, roleNames, RoleVerdict, shownName } from './explain-access';
import { EXPLAIN_HELP, ExplainQuery, parseExplainArguments } from './explain-arguments';
import { FileText, projectContext, ReadFile } from './project-context';
import { argumentShape, shownArgument } from './shown-argument';

/** What the command reads: files by path and standard input, each at most so many bytes. */
export interface ExplainInput {
  readonly readFile: ReadFile;
  readonly readStdin: (maxBytes: number) => FileText;
}

export interface ExplainOutcome {
  /** 0 admitted (by the `--role` role, or without it by some role), 1 refused, 2 bad input: nothing decided. */
  readonly exitCode: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

/** A step's token is about a kilobyte; anything far past that is not one, and is refused unread. */
export const CLAIMS_MAX_BYTES = 64 * 1024;

/** The account ARNs are named in when the context gives none: it only names them, alike on both sides. */
const PLACEHOLDER_ACCOUNT = '123456789012';

/** An error of the CDK or the evaluator says what to change near its end: show it whole, within reason. */
const MAX_ERROR_SHOWN = 400;

type TemplateJson = Parameters<typeof explainAccess>[0];

function badInput(problems: readonly string[]): ExplainOutcome {
  return { exitCode: 2, stdout: '', stderr: problems.map((line) => `${line}\n`).join('') };
}

/**
 * `npm run explain`: synthesizes the roles from the same context as the deploy (cdk.json,
 * then cdk.context.json, then -c, as the CDK CLI does), and says for each, or for the one
 * `--role` names, whether it would admit the step's token. Decodes only the token's
 * payload; never prints the token, and prints every value from the token, the template
 * or the context quoted and escaped. Bad input of any kind is exit 2, never a trace.
 */
export function runExplain(argv: readonly string[], input: ExplainInput): ExplainOutcome {
  const args = parseExplainArguments(argv);
  if (!args.ok) return badInput(args.problems);
  if (args.value.help === true) return { exitCode: 0, stdout: EXPLAIN_HELP, stderr: '' };
  const query: ExplainQuery = args.value;

  const context = projectContext(input.readFile, query.context);
  const config = context.ok ? parseOidcConfig(context.value) : undefined;
  const claims = readClaims(query.claimsFrom, input);
  const problems = [
    ...(context.ok ? [] : context.problems),
    ...(config === undefined || config.ok ? [] : ['Invalid context:', ...config.problems.map((line) => `  ${line}`)]),
    ...(claims.ok ? [] : claims.problems),
  ];
  if (!context.ok || config === undefined || !config.ok || !claims.ok) return badInput(problems);

  const template = synthesizedTemplate(config.value, context.value);
  if (!template.ok) return badInput(template.problems);
  const question: AccessQuestion = { claims: claims.value, sourceIp: query.sourceIp, target: deployTarget(config.value), stackAccount: stackAccount(config.value) };
  let verdicts: RoleVerdict[];
  try {
    verdicts = explainAccess(template.value, question);
  } catch (error) {
    // Only a template this app does not write could get here; say so rather than guess.
    return badInput([`explain cannot decide on this template: ${quoted(firstLine(error), MAX_ERROR_SHOWN)}`]);
  }

  const selected = query.role === undefined ? verdicts : verdicts.filter((verdict) => roleNames(verdict).includes(query.role ?? ''));
  if (query.role !== undefined && selected.length !== 1) return badInput([unknownRole(query.role, verdicts)]);

  const lines = [...claimLines(claims.value, query.sourceIp), ...(config.value.stackSet === undefined ? [] : ["Roles: as the StackSet's template gives them to every member account"]), ''];
  selected.forEach((verdict, index) => lines.push(...(index > 0 ? [''] : []), ...formatVerdict(verdict, question)));
  if (query.role === undefined && verdicts.length > 1) lines.push('', summary(verdicts));
  return { exitCode: selected.some((verdict) => verdict.admitted) ? 0 : 1, stdout: `${lines.join('\n')}\n`, stderr: '' };
}

function readClaims(from: string, input: ExplainInput): Parsed<TokenClaims> {
  const text = from === '-' ? input.readStdin(CLAIMS_MAX_BYTES) : input.readFile(from, CLAIMS_MAX_BYTES);
  if (typeof text === 'string') return parseTokenClaims(text);
  if (from === '-') return { ok: false, problems: [`--claims -: cannot read standard input: ${text.reason}`] };
  // What does not name a file is most likely the token or the claims themselves: say so, and show neither.
  const shape = text.missing ? argumentShape(from) : 'plain';
  if (shape === 'token') {
    return { ok: false, problems: ['--claims: the value looks like a token, not a file (not shown); write the token to a file and pass its path, or pipe it in with --claims -'] };
  }
  if (shape === 'json') {
    return { ok: false, problems: ['--claims: the value looks like JSON claims, not a file (not shown); save them to a file and pass its path, or pipe them in with --claims -'] };
  }
  return { ok: false, problems: [`--claims: cannot read ${shownArgument(from)}: ${text.reason}; expected a claims file, a token file or - for standard input; example: --claims claims.json`] };
}

/**
 * The template the deploy would create roles from: the stack's own, or for an
 * organisation-wide rollout the member template the StackSet carries, read out of the
 * synthesized StackSet so it is exactly what member accounts get. The App gets the whole
 * context, feature flags included, as under the CDK CLI. An error the synth reports (the
 * CLI would refuse to deploy) or throws is one line.
 */
function synthesizedTemplate(config: OidcConfig, context: Readonly<Record<string, unknown>>): Parsed<TemplateJson> {
  const outdir = mkdtempSync(join(tmpdir(), 'bitbucket-oidc-explain-'));
  try {
    const app = new App({ builtinCloudFormationValidation: false, autoSynth: false, outdir, context: { ...context } });
    const stack = addWorkspaceStack(app, config);
    if (!stack.ok) return stack;
    const artifact = app.synth().getStackArtifact(stack.value.artifactId);
    const errors = artifact.messages.filter((message) => message.level === 'error').map((message) => `the stack would not synthesize: ${quoted(String(message.entry.data), MAX_ERROR_SHOWN)}`);
    if (errors.length > 0) return { ok: false, problems: errors };
    const template = artifact.template as TemplateJson;
    return parsed(config.stackSet === undefined ? template : memberTemplateOf(template));
  } catch (error) {
    return { ok: false, problems: [`the stack would not synthesize from this context: ${quoted(firstLine(error), MAX_ERROR_SHOWN)}`] };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function memberTemplateOf(stackSetTemplate: TemplateJson): TemplateJson {
  const stackSet = Object.values(stackSetTemplate.Resources).find((resource) => resource.Type === 'AWS::CloudFormation::StackSet');
  return JSON.parse(String(stackSet?.Properties?.TemplateBody)) as TemplateJson;
}

/**
 * Where ARNs are named. An imported provider names its own account and partition, and the
 * stack must be deployed beside it for any token to match, so it is taken from there
 * unless the context names the account.
 */
function deployTarget(config: OidcConfig): AccessQuestion['target'] {
  const [, partition, , , providerAccount] = config.providerArn?.split(':') ?? [];
  return {
    account: config.stackSet === undefined ? (config.account ?? providerAccount ?? PLACEHOLDER_ACCOUNT) : PLACEHOLDER_ACCOUNT,
    partition: partition ?? 'aws',
    region: config.region ?? 'us-east-1',
  };
}

/** The account the stack is deployed in, when known: the context's, or the imported provider's (see deployTarget); a StackSet's members are many. */
function stackAccount(config: OidcConfig): string | undefined {
  return config.stackSet === undefined ? (config.account ?? config.providerArn?.split(':')[4]) : undefined;
}

function claimLines(claims: TokenClaims, sourceIp: string | undefined): string[] {
  const shown: [string, string | undefined][] = [
    ['iss', claims.iss],
    ['aud', claims.aud],
    ['sub', claims.sub],
    ['repositoryUuid', claims.repositoryUuid],
    ['deploymentEnvironmentUuid', claims.deploymentEnvironmentUuid],
    ['branchName', claims.branchName],
    ['source address', sourceIp],
  ];
  return ['Token claims (the token itself is not shown):', ...shown.flatMap(([name, value]) => (value === undefined ? [] : [`  ${name} ${quoted(value)}`]))];
}

function unknownRole(wanted: string, verdicts: readonly RoleVerdict[]): string {
  const roles = verdicts.map((verdict) => {
    const [first, ...others] = roleNames(verdict).map(shownName);
    return others.length === 0 ? first : `${first} (${others.join(', ')})`;
  });
  const example = verdicts[verdicts.length - 1];
  return `--role: got ${shownArgument(wanted)}; expected one of this stack's roles by id, output name or logical ID: ${roles.join(', ')}; example: --role ${shownName(roleNames(example)[0])}`;
}

/** Without --role the exit code says whether any role admits: say which, so no one reads 0 as "every role". */
function summary(verdicts: readonly RoleVerdict[]): string {
  const names = (admitted: boolean) => verdicts.filter((verdict) => verdict.admitted === admitted).map((verdict) => shownName(verdict.outputName ?? verdict.logicalId));
  const admitting = names(true);
  const refusing = names(false);
  return (
    `${admitting.length} of ${verdicts.length} roles admit this token${admitting.length > 0 ? ` (${admitting.join(', ')})` : ''}` +
    `${refusing.length > 0 ? `; refused by ${refusing.join(', ')}` : ''}. The exit code says whether any role admits; --role <name> asks about one.`
  );
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
