import { quoted } from '../problems/quoted';
import { providerAdoption } from './adoption';
import { RoleAudit } from './audit-role';
import { AccountReach } from './cdk-role-reach';
import { BitbucketProvider, reaches, Severity, SEVERITIES } from './role-facts';

/**
 * `read`: every role listed and every policy of the Bitbucket roles read; `incomplete`:
 * read, but AWS refused some policy documents; `failed`: not read (the role could not be
 * assumed, a call was refused or got no answer); `skipped`: not tried, because an earlier
 * account's endpoint did not answer; `inactive`: suspended or closing in Organizations.
 */
export type AccountStatus = 'read' | 'incomplete' | 'failed' | 'skipped' | 'inactive';

export interface AuditedAccount {
  readonly id: string;
  /** The account's name, where Organizations gives one. */
  readonly name?: string;
  readonly status: AccountStatus;
  /** Why it was not read, or not fully: one line each (the action and what AWS said). */
  readonly problems: readonly string[];
  readonly providers: readonly BitbucketProvider[];
  readonly roles: readonly RoleAudit[];
  readonly rolesListed: number;
}

export interface AuditReport {
  /** `caller`: the calling account alone, printed as a single account always was; otherwise grouped by account. */
  readonly scope: 'caller' | 'accounts' | 'organization';
  readonly accounts: readonly AuditedAccount[];
  readonly failOn: Severity;
}

const NOT_READ: readonly AccountStatus[] = ['failed', 'skipped', 'incomplete'];

/** 2 when a finding reaches --fail-on; else 1 when an account was not read, or not fully; else 0. */
export function exitCodeOf(report: AuditReport): 0 | 1 | 2 {
  const roles = report.accounts.flatMap((account) => account.roles);
  if (roles.some((role) => role.findings.some((finding) => reaches(finding.severity, report.failOn)))) return 2;
  return report.accounts.some((account) => NOT_READ.includes(account.status)) ? 1 : 0;
}

function findingCounts(report: AuditReport): Record<Severity, number> {
  const all = report.accounts.flatMap((account) => account.roles.flatMap((role) => role.findings));
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, all.filter((finding) => finding.severity === severity).length])) as Record<Severity, number>;
}

function summaryOf(report: AuditReport) {
  const count = (...statuses: AccountStatus[]) => report.accounts.filter((account) => statuses.includes(account.status)).length;
  return {
    accounts: report.accounts.length,
    accountsRead: count('read', 'incomplete'),
    accountsReadInPart: count('incomplete'),
    accountsNotRead: count('failed', 'skipped'),
    accountsInactive: count('inactive'),
    rolesListed: report.accounts.reduce((sum, account) => sum + account.rolesListed, 0),
    rolesTrustingBitbucket: report.accounts.reduce((sum, account) => sum + account.roles.length, 0),
    findings: findingCounts(report),
    failOn: report.failOn,
    exitCode: exitCodeOf(report),
  };
}

/**
 * For machines, pure JSON: the accounts with their status, then every provider and every
 * role with its account, the accounts whose CDK bootstrap roles it may assume (`deploysInto`,
 * `looksUpIn`, and `…AnyAccount` when that includes accounts its policies do not name), each
 * role's findings with their severities, and a summary.
 */
export function formatJson(report: AuditReport): string {
  return `${JSON.stringify(
    {
      scope: report.scope,
      accounts: report.accounts.map((account) => ({
        id: account.id,
        name: account.name ?? null,
        status: account.status,
        problems: account.problems,
        rolesListed: account.rolesListed,
        rolesTrustingBitbucket: account.roles.length,
      })),
      providers: report.accounts.flatMap((account) =>
        account.providers.map((provider) => {
          const { trustedBy, context } = providerAdoption(provider, account.roles);
          return { account: account.id, arn: provider.arn, workspace: provider.workspace, clientIds: provider.clientIds, trustedBy, adoptingContext: context ?? null };
        }),
      ),
      roles: report.accounts.flatMap((account) =>
        account.roles.map((role) => ({
          account: account.id,
          arn: role.arn,
          name: role.name,
          deploysInto: role.bootstrapReach.deploy.accounts,
          deploysIntoAnyAccount: role.bootstrapReach.deploy.anyAccount,
          looksUpIn: role.bootstrapReach.lookup.accounts,
          looksUpInAnyAccount: role.bootstrapReach.lookup.anyAccount,
          findings: role.findings,
          replacement: role.replacement,
        })),
      ),
      summary: summaryOf(report),
    },
    null,
    2,
  )}\n`;
}

/** A value from AWS as is when it is plain printable ASCII (an ARN, a role name), else quoted and escaped. */
function shown(value: string): string {
  return /^[\x21-\x7e]+$/.test(value) ? value : quoted(value);
}

/** Text that embeds values from AWS (a finding's message) with every control or format character escaped. */
function escaped(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;

/** One account's providers, roles with findings and replacements, each line indented. */
function accountLines(account: AuditedAccount, indent: string): string[] {
  const lines: string[] = [];
  if (account.providers.length === 0) {
    lines.push('No IAM OIDC provider for a Bitbucket Pipelines issuer in this account: no role can trust Bitbucket.');
  } else {
    lines.push('Bitbucket Pipelines OIDC providers:');
    for (const provider of account.providers) {
      const audiences = provider.clientIds.map((id) => quoted(id)).join(', ') || 'none';
      lines.push(`  ${shown(provider.arn)}  (workspace ${shown(provider.workspace)}; audiences ${audiences})`, ...adoptionLines(provider, account.roles));
    }
    lines.push('');
    const names = account.roles.map((role) => shown(role.name));
    const width = Math.max(4, ...names.map((name) => name.length));
    lines.push(`${'ROLE'.padEnd(width)}  SEVERITY  FINDING`);
    account.roles.forEach((role, index) => {
      if (role.findings.length === 0) lines.push(`${names[index].padEnd(width)}  -         no finding`);
      role.findings.forEach((finding, at) => lines.push(`${(at === 0 ? names[index] : '').padEnd(width)}  ${finding.severity.padEnd(8)}  ${escaped(`${finding.id}: ${finding.message}`)}`));
      const reach = reachLine(role);
      if (reach !== undefined) lines.push(`${''.padEnd(width)}  ${''.padEnd(8)}  ${reach}`);
    });
    const replaced = account.roles.filter((role) => role.replacement !== undefined);
    if (replaced.length > 0) {
      lines.push('', "Least-privilege replacements, as entries of this app's roles context (fill in what is in <angle brackets>):");
      for (const role of replaced) lines.push(`  ${shown(role.name)}:`, `    ${quoted(role.replacement, Number.MAX_SAFE_INTEGER)}`);
    }
  }
  if (account.problems.length > 0) lines.push('', 'Not read:', ...account.problems.map((problem) => `  ${escaped(problem)}`));
  return lines.map((line) => (line === '' ? line : `${indent}${line}`));
}

/** Under a role's findings: the accounts whose CDK bootstrap roles it may assume, when there are any. */
function reachLine(role: RoleAudit): string | undefined {
  const own = /^arn:[^:]+:iam::(\d{12}):/.exec(role.arn)?.[1];
  const where = ({ accounts, anyAccount }: AccountReach) =>
    anyAccount ? 'any account' : accounts.map((account) => (account === own ? `${account} (its own)` : account)).join(', ');
  const { deploy, lookup } = role.bootstrapReach;
  const parts = [
    ...(deploy.anyAccount || deploy.accounts.length > 0 ? [`deploys into ${where(deploy)}`] : []),
    ...(lookup.anyAccount || lookup.accounts.length > 0 ? [`looks up in ${where(lookup)}`] : []),
  ];
  return parts.length === 0 ? undefined : `CDK bootstrap roles: ${parts.join('; ')}`;
}

/** Under a provider: the roles that trust it, and the context that makes this app adopt it (see the README's Moving to this app). */
function adoptionLines(provider: BitbucketProvider, roles: readonly RoleAudit[]): string[] {
  const { trustedBy, context } = providerAdoption(provider, roles);
  const trusted = `    trusted by: ${trustedBy.map((name) => quoted(name)).join(', ') || 'no role'}`;
  if (context === undefined) return [trusted, `    adopt it: not with this app: workspace ${quoted(provider.workspace)} is not a Bitbucket workspace slug`];
  const flags = Object.entries(context).map(([key, value]) => `-c ${key}=${quoted(value, Number.MAX_SAFE_INTEGER)}`);
  return [trusted, `    adopt it: ${flags.join(' ')}`, `    in cdk.json's context: ${quoted(context, Number.MAX_SAFE_INTEGER)}`];
}

function accountHeading(account: AuditedAccount): string {
  const named = `Account ${account.id}${account.name === undefined ? '' : ` ${quoted(account.name)}`}`;
  switch (account.status) {
    case 'read':
    case 'incomplete':
      return `${named}: ${plural(account.rolesListed, 'role')}, ${account.roles.length} trust Bitbucket${account.status === 'incomplete' ? '; read in part' : ''}`;
    case 'inactive':
      return `${named}: not active (${escaped(account.problems.join('; '))}): left out`;
    default:
      return `${named}: NOT READ: ${escaped(account.problems.join('; '))}`;
  }
}

/**
 * For people. The calling account alone: its providers, a table of roles and findings,
 * the replacements, a summary. Several accounts: the same per account, under a heading
 * with its ID and name, then a summary of the whole run.
 */
export function formatTable(report: AuditReport): string {
  const lines: string[] = [];
  if (report.scope === 'caller') {
    for (const account of report.accounts) lines.push(...accountLines(account, ''));
  } else {
    for (const account of report.accounts) {
      lines.push(accountHeading(account));
      if (account.status === 'read' || account.status === 'incomplete') lines.push(...accountLines(account, '  '));
      lines.push('');
    }
  }
  const summary = summaryOf(report);
  const found = summary.findings;
  const roles = `${summary.rolesTrustingBitbucket} of ${plural(summary.rolesListed, 'role')} trust Bitbucket; findings: ${found.high} high, ${found.medium} medium, ${found.low} low.`;
  const accounts =
    report.scope === 'caller'
      ? ''
      : `${plural(summary.accounts, 'account')}: ${summary.accountsRead} read${summary.accountsReadInPart > 0 ? ` (${summary.accountsReadInPart} in part)` : ''}, ${summary.accountsNotRead} not read` +
        `${summary.accountsInactive > 0 ? `, ${summary.accountsInactive} not active` : ''}. `;
  const verdict =
    summary.exitCode === 2
      ? `Exit 2: a finding reaches --fail-on ${report.failOn}.`
      : summary.exitCode === 1
        ? `None reaches --fail-on ${report.failOn}, but exit 1: ${report.scope === 'caller' ? 'the account was read in part' : 'not every account was read in full'} (see "Not read").`
        : `None reaches --fail-on ${report.failOn}.`;
  if (report.scope === 'caller') lines.push('');
  lines.push(`${accounts}${roles} ${verdict}`);
  return `${lines.join('\n')}\n`;
}
