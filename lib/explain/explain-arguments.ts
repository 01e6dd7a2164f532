import { isIP } from 'net';
import { Parsed, parsed } from '../problems/problem';

export interface ExplainArguments {
  /** A file with the claims (JSON) or a token, or `-` for standard input. */
  readonly claimsFrom: string;
  readonly sourceIp?: string;
  /** Context given with `-c key=value`, over the project's cdk.json, as the CDK CLI does. */
  readonly context: Readonly<Record<string, string>>;
}

export const EXPLAIN_USAGE =
  'usage: npm run explain -- --claims <claims.json | token-file | -> [--source-ip <address>] [-c key=value ...]';

/** Reads the explain command's arguments; every problem is reported at once. */
export function parseExplainArguments(argv: readonly string[]): Parsed<ExplainArguments> {
  const problems: string[] = [];
  const context: Record<string, string> = {};
  let claimsFrom: string | undefined;
  let sourceIp: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const value = argv[index + 1];
    if (!['--claims', '--source-ip', '-c', '--context'].includes(flag)) {
      problems.push(`${flag}: unknown argument; ${EXPLAIN_USAGE}`);
      continue;
    }
    index++;
    if (value === undefined) {
      problems.push(`${flag}: missing its value; ${EXPLAIN_USAGE}`);
    } else if (flag === '--claims') {
      claimsFrom = value;
    } else if (flag === '--source-ip') {
      if (isIP(value) === 0) problems.push(`--source-ip: got ${JSON.stringify(value)}; expected an IPv4 or IPv6 address; example: --source-ip 203.0.113.9`);
      else sourceIp = value;
    } else {
      const separator = value.indexOf('=');
      if (separator <= 0) problems.push(`${flag}: got ${JSON.stringify(value)}; expected key=value; example: -c workspace=acme-corp`);
      else context[value.slice(0, separator)] = value.slice(separator + 1);
    }
  }
  if (claimsFrom === undefined) problems.push(`--claims: missing (required); ${EXPLAIN_USAGE}`);
  if (problems.length > 0 || claimsFrom === undefined) return { ok: false, problems };
  return parsed({ claimsFrom, sourceIp, context });
}
