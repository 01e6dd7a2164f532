import { Parsed, parsed } from '../problems/problem';
import { Severity, SEVERITIES } from './role-facts';

export interface AuditArguments {
  readonly json: boolean;
  /** Findings of this severity or graver make the exit code 2. */
  readonly failOn: Severity;
}

export const AUDIT_USAGE = 'usage: npm run audit-roles -- [--json] [--fail-on high|medium|low]';

/** Reads the audit command's arguments; every problem is reported at once. */
export function parseAuditArguments(argv: readonly string[]): Parsed<AuditArguments> {
  const problems: string[] = [];
  let json = false;
  let failOn: Severity = 'high';
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    if (flag === '--json') {
      json = true;
    } else if (flag === '--fail-on') {
      const value = argv[++index];
      const severity = SEVERITIES.find((candidate) => candidate === value);
      if (severity === undefined) problems.push(`--fail-on: got ${JSON.stringify(value ?? null)}; expected high, medium or low; example: --fail-on medium`);
      else failOn = severity;
    } else {
      problems.push(`${flag}: unknown argument; ${AUDIT_USAGE}`);
    }
  }
  return problems.length > 0 ? { ok: false, problems } : parsed({ json, failOn });
}
