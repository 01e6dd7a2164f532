import { isIP } from 'net';
import { parseArgs } from 'util';
import { Parsed, parsed } from '../problems/problem';
import { argumentShape, shownArgument, shownFlag } from './shown-argument';

export interface ExplainQuery {
  readonly help?: false;
  /** A file with the claims (JSON) or a token, or `-` for standard input. */
  readonly claimsFrom: string;
  readonly sourceIp?: string;
  /** One role to ask about (output name, role id or logical ID); its verdict is the exit code. */
  readonly role?: string;
  /** Context given with `-c key=value`, over the project's cdk.json, as the CDK CLI does. */
  readonly context: Readonly<Record<string, string>>;
}

/** `--help` (or `-h`) anywhere wins over every other argument, as in most command-line tools. */
export type ExplainArguments = ExplainQuery | { readonly help: true };

export const EXPLAIN_USAGE =
  'usage: npm run explain -- --claims <claims.json | token-file | -> [--role <name>] [--source-ip <address>] [-c key=value ...] (--help for more)';

export const EXPLAIN_HELP = `${EXPLAIN_USAGE.replace(/ \(--help for more\)$/, '')}

Says whether the roles this app synthesizes would admit a Bitbucket Pipelines step's
token, and if not which condition refuses it and what it expected. The roles come from
the same context as the deploy: cdk.json, then cdk.context.json, then -c, as the CDK CLI
reads them. Offline; it decodes only the token's payload, checks no signature and never
prints the token.

  --claims <path | ->      the step's claims as JSON, or its token, in a file; - reads either
                           from standard input. Never the token itself on the command line.
  --role <name>            ask about one role, by its output name (DeployRoleArn), its id
                           (Deploy) or its logical ID; the exit code is then its verdict
  --source-ip <address>    the step's egress address, for roles with allowedIpRanges
  -c, --context key=value  context over cdk.json and cdk.context.json, as for cdk synth
  -h, --help               this text

Exit codes:
  0  admitted (without --role: by at least one role)
  1  refused (without --role: by every role)
  2  bad input (arguments, claims, context, cdk.json or cdk.context.json): nothing decided

Example: would a pull-request step's token reach the deploy role? (exit 1: no)
  npm run -s explain -- --claims claims.json --role Deploy
`;

const OPTIONS = {
  claims: { type: 'string' },
  role: { type: 'string' },
  'source-ip': { type: 'string' },
  context: { type: 'string', short: 'c', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

const SINGLE = ['claims', 'role', 'source-ip'] as const;

/**
 * Reads the explain command's arguments with Node's own parser (`--flag value` and
 * `--flag=value`); every problem is reported at once, and no value that could be a
 * token is echoed.
 */
export function parseExplainArguments(argv: readonly string[]): Parsed<ExplainArguments> {
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const problems: string[] = [];
  const values: Partial<Record<(typeof SINGLE)[number], string>> = {};
  const context: Record<string, string> = {};
  for (const token of tokens) {
    if (token.kind === 'option-terminator') {
      problems.push(`--: unexpected; ${EXPLAIN_USAGE}`);
    } else if (token.kind === 'positional') {
      problems.push(`${shownArgument(token.value)}: unexpected argument${claimsHint(token.value)}; ${EXPLAIN_USAGE}`);
    } else if (token.name === 'help') {
      if (token.value !== undefined) problems.push(`${token.rawName}: takes no value; ${EXPLAIN_USAGE}`);
      else return parsed({ help: true });
    } else if (!(token.name in OPTIONS)) {
      problems.push(`${shownFlag(token.rawName)}: unknown argument; ${EXPLAIN_USAGE}`);
    } else if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && token.value !== '-')) {
      // parseArgs takes the next argument as the value even when it is the next flag.
      problems.push(`${token.rawName}: missing its value; ${EXPLAIN_USAGE}`);
    } else if (token.name === 'context') {
      const problem = contextProblem(token.rawName, token.value);
      if (problem === undefined) context[token.value.slice(0, token.value.indexOf('='))] = token.value.slice(token.value.indexOf('=') + 1);
      else problems.push(problem);
    } else {
      const name = token.name as (typeof SINGLE)[number];
      if (values[name] !== undefined) problems.push(`${token.rawName}: given twice; give it once`);
      values[name] = token.value;
    }
  }
  const sourceIp = values['source-ip'];
  if (sourceIp !== undefined && isIP(sourceIp) === 0) {
    problems.push(`--source-ip: got ${shownArgument(sourceIp)}; expected an IPv4 or IPv6 address; example: --source-ip 203.0.113.9`);
  }
  if (values.claims === undefined && !problems.some((line) => line.startsWith('--claims'))) problems.push(`--claims: missing (required); ${EXPLAIN_USAGE}`);
  if (problems.length > 0 || values.claims === undefined) return { ok: false, problems };
  return parsed({ claimsFrom: values.claims, sourceIp, role: values.role, context });
}

function claimsHint(value: string): string {
  return argumentShape(value) === 'token' ? ': to ask about a token, write it to a file and pass --claims <file>, or pipe it in with --claims -' : '';
}

function contextProblem(flag: string, value: string): string | undefined {
  if (value.indexOf('=') <= 0) return `${flag}: got ${shownArgument(value)}; expected key=value; example: -c workspace=acme-corp`;
  // The CDK CLI keeps only the first line of a -c value: judging the rest would judge a context the deploy never sees.
  if (/[\r\n]/.test(value)) {
    return `${flag} ${shownArgument(value.slice(0, value.indexOf('=')))}: the value holds a line break, and the CDK CLI keeps only its first line; put it on one line, or in cdk.json`;
  }
  return undefined;
}
