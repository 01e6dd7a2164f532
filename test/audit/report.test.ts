import { parseAuditArguments } from '../../lib/audit/audit-arguments';
import { RoleAudit } from '../../lib/audit/audit-role';
import { AuditReport, exitCodeOf, formatJson, formatTable } from '../../lib/audit/report';
import { Severity } from '../../lib/audit/role-facts';

const PROVIDER = { arn: 'arn:aws:iam::111122223333:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc', host: 'h', workspace: 'acme-corp', clientIds: ['aud-1'] };
const roleWith = (name: string, ...severities: Severity[]): RoleAudit => ({
  arn: `arn:aws:iam::111122223333:role/${name}`,
  name,
  providers: [PROVIDER.arn],
  findings: severities.map((severity, index) => ({ id: `finding-${index}`, severity, message: `why ${severity}` })),
  replacement: severities.includes('high') ? { id: 'Replacement', repositories: ['<repository UUID>'], cdkAccess: 'deploy', environments: ['<production environment UUID>'] } : undefined,
});
const report = (failOn: Severity, ...roles: RoleAudit[]): AuditReport => ({ providers: [PROVIDER], roles, rolesListed: 40, failOn });

describe('the exit code follows --fail-on', () => {
  test.each([
    ['high', ['medium', 'low'], 0],
    ['high', ['high'], 2],
    ['medium', ['medium'], 2],
    ['medium', ['low'], 0],
    ['low', ['low'], 2],
  ] as Array<[Severity, Severity[], number]>)('--fail-on %s with %j: %i', (failOn, severities, code) => {
    expect(exitCodeOf(report(failOn, roleWith('r', ...severities)))).toBe(code);
  });

  test('no role, no finding: 0', () => {
    expect(exitCodeOf(report('low'))).toBe(0);
  });
});

describe('formats', () => {
  const sample = report('high', roleWith('console-admin', 'high', 'high'), roleWith('acme-Preview'));

  test('JSON: each role ARN with its findings, each with a severity, and a summary', () => {
    const json = JSON.parse(formatJson(sample)) as { roles: Array<{ arn: string; findings: Array<{ severity: string }> }>; summary: Record<string, unknown> };
    expect(json.roles.map((role) => [role.arn, role.findings.map((finding) => finding.severity)])).toEqual([
      ['arn:aws:iam::111122223333:role/console-admin', ['high', 'high']],
      ['arn:aws:iam::111122223333:role/acme-Preview', []],
    ]);
    expect(json.summary).toEqual({ rolesListed: 40, rolesTrustingBitbucket: 2, findings: { high: 2, medium: 0, low: 0 }, failOn: 'high', exitCode: 2 });
  });

  test('the table: providers, one line per finding, the replacement entry, the summary', () => {
    const lines = formatTable(sample).split('\n');
    expect(lines[1]).toContain(`${PROVIDER.arn}  (workspace acme-corp; audiences aud-1)`);
    expect(lines).toContain('console-admin  high      finding-0: why high');
    expect(lines).toContain('               high      finding-1: why high');
    expect(lines).toContain('acme-Preview   -         no finding');
    expect(lines).toContain('    {"id":"Replacement","repositories":["<repository UUID>"],"cdkAccess":"deploy","environments":["<production environment UUID>"]}');
    expect(lines).toContain('2 of 40 roles trust Bitbucket; findings: 2 high, 0 medium, 0 low. Exit 2: a finding reaches --fail-on high.');
  });

  test('an account without a Bitbucket provider says so', () => {
    expect(formatTable({ providers: [], roles: [], rolesListed: 0, failOn: 'high' })).toContain('No IAM OIDC provider for a Bitbucket Pipelines issuer in this account');
  });
});

describe('parseAuditArguments', () => {
  test('defaults and flags', () => {
    expect(parseAuditArguments([])).toEqual({ ok: true, value: { json: false, failOn: 'high' } });
    expect(parseAuditArguments(['--json', '--fail-on', 'low'])).toEqual({ ok: true, value: { json: true, failOn: 'low' } });
  });

  test('every problem at once', () => {
    const result = parseAuditArguments(['--fail-on', 'critical', '--verbose']);
    expect(result.ok ? [] : result.problems).toEqual([
      '--fail-on: got "critical"; expected high, medium or low; example: --fail-on medium',
      '--verbose: unknown argument; usage: npm run audit-roles -- [--json] [--fail-on high|medium|low]',
    ]);
  });
});
