import { formatProblem, Parsed, parsed } from '../problems/problem';
import { quoted } from '../problems/quoted';
import { Severity, SEVERITIES } from './role-facts';

/** Which accounts a run reads. */
export type AuditScope = { readonly kind: 'caller' } | { readonly kind: 'accounts'; readonly ids: readonly string[] } | { readonly kind: 'organization' };

export interface AuditArguments {
  readonly json: boolean;
  /** Findings of this severity or graver make the exit code 2. */
  readonly failOn: Severity;
  /** The calling account alone (no flag), the accounts named, or the organisation's active accounts. */
  readonly scope: AuditScope;
  /** The read-only role assumed in every account of the scope but the caller's own. */
  readonly roleName?: string;
  readonly externalId?: string;
  /** Accounts read at once. */
  readonly concurrentAccounts: number;
  /** IAM calls in flight at once in one account. */
  readonly concurrentCalls: number;
  /** Seconds one attempt of a call waits for a connection or an answer. */
  readonly timeoutSeconds: number;
}

/** Measured with `npm run bench -- audit-organization` (see the README's speed table). */
export const DEFAULT_CONCURRENT_ACCOUNTS = 8;
export const DEFAULT_CONCURRENT_CALLS = 4;
export const DEFAULT_TIMEOUT_SECONDS = 10;

export const AUDIT_USAGE =
  'usage: npm run audit-roles -- [--json] [--fail-on high|medium|low] [--organization | --accounts <id,...>] [--role-name <name>] [--external-id <id>] ' +
  '[--concurrent-accounts <n>] [--concurrent-calls <n>] [--timeout <seconds>]';

const ACCOUNT_ID = /^\d{12}$/;
/** IAM's role name, optionally under a path (`security/audit`). */
const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** STS's ExternalId: 2 to 1,224 of these characters. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/**
 * Reads the audit command's arguments (`--flag value` or `--flag=value`); every problem is
 * reported at once, one line each. The external ID is never echoed: some teams treat it as
 * a secret.
 */
export function parseAuditArguments(argv: readonly string[]): Parsed<AuditArguments> {
  const problems: string[] = [];
  const values = new Map<string, string | undefined>();
  let json = false;
  let organization = false;
  const takesValue = ['--fail-on', '--accounts', '--role-name', '--external-id', '--concurrent-accounts', '--concurrent-calls', '--timeout'];
  for (let index = 0; index < argv.length; index++) {
    const [flag, inline] = argv[index].startsWith('--') && argv[index].includes('=') ? [argv[index].slice(0, argv[index].indexOf('=')), argv[index].slice(argv[index].indexOf('=') + 1)] : [argv[index], undefined];
    if (flag === '--json' && inline === undefined) json = true;
    else if (flag === '--organization' && inline === undefined) organization = true;
    else if (takesValue.includes(flag)) {
      const next = inline ?? (argv[index + 1]?.startsWith('--') ? undefined : argv[++index]);
      if (values.has(flag)) problems.push(`${flag}: given twice; give it once`);
      values.set(flag, next);
    } else {
      problems.push(`${flag.startsWith('--') ? flag : quoted(flag)}: unknown argument; ${AUDIT_USAGE}`);
    }
  }

  const failOnGiven = values.get('--fail-on');
  const failOn = values.has('--fail-on') ? SEVERITIES.find((candidate) => candidate === failOnGiven) : 'high';
  if (failOn === undefined) problems.push(formatProblem({ key: '--fail-on', given: failOnGiven, expected: 'high, medium or low', example: '--fail-on medium' }));

  let scope: AuditScope = { kind: 'caller' };
  if (values.has('--accounts')) {
    const given = values.get('--accounts');
    const ids = (given ?? '').split(',').map((id) => id.trim());
    if (given === undefined || ids.some((id) => !ACCOUNT_ID.test(id))) {
      problems.push(formatProblem({ key: '--accounts', given, expected: '12-digit AWS account IDs, comma-separated', example: '--accounts 111122223333,444455556666' }));
    }
    scope = { kind: 'accounts', ids: [...new Set(ids)] };
  }
  if (organization) {
    if (scope.kind === 'accounts') problems.push('--organization and --accounts: give one of them, not both');
    scope = { kind: 'organization' };
  }

  const roleName = values.get('--role-name');
  if (values.has('--role-name') && (roleName === undefined || !ROLE_NAME.test(roleName))) {
    problems.push(formatProblem({ key: '--role-name', given: roleName, expected: 'an IAM role name (letters, digits and +=,.@_-, at most 64), optionally under a path', example: '--role-name BitbucketOidcAudit' }));
  }
  if (scope.kind !== 'caller' && !values.has('--role-name')) {
    problems.push(formatProblem({ key: '--role-name', given: undefined, expected: 'the read-only role to assume in each account (the README shows one to roll out)', example: '--role-name BitbucketOidcAudit' }));
  }
  if (scope.kind === 'caller') {
    for (const flag of ['--role-name', '--external-id'].filter((candidate) => values.has(candidate))) {
      problems.push(`${flag}: only with --organization or --accounts; without them the audit reads the calling account with its own credentials`);
    }
  }
  const externalId = values.get('--external-id');
  if (values.has('--external-id') && (externalId === undefined || !EXTERNAL_ID.test(externalId))) {
    const got = externalId === undefined ? 'missing' : `got a value of ${externalId.length} characters (not shown)`;
    problems.push(`--external-id: ${got}; expected 2 to 1,224 letters, digits or +=,.@:/_-; example: --external-id 7f3c2a9e-audit`);
  }

  const count = (flag: string, fallback: number, max: number, example: string): number => {
    if (!values.has(flag)) return fallback;
    const given = values.get(flag);
    const value = Number(given);
    if (given !== undefined && /^\d+$/.test(given) && value >= 1 && value <= max) return value;
    problems.push(formatProblem({ key: flag, given, expected: `a whole number from 1 to ${max}`, example: `${flag} ${example}` }));
    return fallback;
  };
  const concurrentAccounts = count('--concurrent-accounts', DEFAULT_CONCURRENT_ACCOUNTS, 32, '8');
  const concurrentCalls = count('--concurrent-calls', DEFAULT_CONCURRENT_CALLS, 32, '2');
  const timeoutSeconds = count('--timeout', DEFAULT_TIMEOUT_SECONDS, 300, '30');

  if (problems.length > 0 || failOn === undefined) return { ok: false, problems };
  return parsed({
    json,
    failOn,
    scope,
    ...(roleName === undefined ? {} : { roleName }),
    ...(externalId === undefined ? {} : { externalId }),
    concurrentAccounts,
    concurrentCalls,
    timeoutSeconds,
  });
}
