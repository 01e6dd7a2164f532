import { RoleAudit } from './audit-role';
import { BitbucketProvider, reaches, Severity, SEVERITIES } from './role-facts';

export interface AuditReport {
  readonly providers: readonly BitbucketProvider[];
  readonly roles: readonly RoleAudit[];
  readonly rolesListed: number;
  readonly failOn: Severity;
}

/** 2 when a finding reaches --fail-on, else 0. */
export function exitCodeOf(report: AuditReport): 0 | 2 {
  return report.roles.some((role) => role.findings.some((finding) => reaches(finding.severity, report.failOn))) ? 2 : 0;
}

function counts(report: AuditReport): Record<Severity, number> {
  const all = report.roles.flatMap((role) => role.findings);
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, all.filter((finding) => finding.severity === severity).length])) as Record<Severity, number>;
}

/** For machines: each role's ARN and its findings, each with its severity. */
export function formatJson(report: AuditReport): string {
  return `${JSON.stringify(
    {
      providers: report.providers.map((provider) => ({ arn: provider.arn, workspace: provider.workspace, clientIds: provider.clientIds })),
      roles: report.roles.map((role) => ({ arn: role.arn, name: role.name, findings: role.findings, replacement: role.replacement })),
      summary: { rolesListed: report.rolesListed, rolesTrustingBitbucket: report.roles.length, findings: counts(report), failOn: report.failOn, exitCode: exitCodeOf(report) },
    },
    null,
    2,
  )}\n`;
}

/** For people: the providers, a table of roles and findings, the replacements, a summary. */
export function formatTable(report: AuditReport): string {
  const lines: string[] = [];
  if (report.providers.length === 0) {
    lines.push('No IAM OIDC provider for a Bitbucket Pipelines issuer in this account: no role can trust Bitbucket.');
  } else {
    lines.push('Bitbucket Pipelines OIDC providers:');
    for (const provider of report.providers) lines.push(`  ${provider.arn}  (workspace ${provider.workspace}; audiences ${provider.clientIds.join(', ') || 'none'})`);
    lines.push('');
    const width = Math.max(4, ...report.roles.map((role) => role.name.length));
    lines.push(`${'ROLE'.padEnd(width)}  SEVERITY  FINDING`);
    for (const role of report.roles) {
      if (role.findings.length === 0) lines.push(`${role.name.padEnd(width)}  -         no finding`);
      role.findings.forEach((finding, index) => lines.push(`${(index === 0 ? role.name : '').padEnd(width)}  ${finding.severity.padEnd(8)}  ${finding.id}: ${finding.message}`));
    }
    const replaced = report.roles.filter((role) => role.replacement !== undefined);
    if (replaced.length > 0) {
      lines.push('', "Least-privilege replacements, as entries of this app's roles context (fill in what is in <angle brackets>):");
      for (const role of replaced) lines.push(`  ${role.name}:`, `    ${JSON.stringify(role.replacement)}`);
    }
  }
  const found = counts(report);
  const exitCode = exitCodeOf(report);
  lines.push(
    '',
    `${report.roles.length} of ${report.rolesListed} roles trust Bitbucket; findings: ${found.high} high, ${found.medium} medium, ${found.low} low. ` +
      (exitCode === 0 ? `None reaches --fail-on ${report.failOn}.` : `Exit 2: a finding reaches --fail-on ${report.failOn}.`),
  );
  return `${lines.join('\n')}\n`;
}
