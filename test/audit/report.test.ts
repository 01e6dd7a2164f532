import { DEFAULT_CONCURRENT_ACCOUNTS, DEFAULT_CONCURRENT_CALLS, DEFAULT_TIMEOUT_SECONDS, parseAuditArguments } from '../../lib/audit/audit-arguments';
import { RoleAudit } from '../../lib/audit/audit-role';
import { AccountStatus, AuditedAccount, AuditReport, exitCodeOf, formatJson, formatTable } from '../../lib/audit/report';
import { Severity } from '../../lib/audit/role-facts';

const PROVIDER = { arn: 'arn:aws:iam::111122223333:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc', host: 'h', workspace: 'acme-corp', clientIds: ['aud-1'] };
const NO_REACH = { deploy: { accounts: [], anyAccount: false }, lookup: { accounts: [], anyAccount: false } };
const roleWith = (name: string, ...severities: Severity[]): RoleAudit => ({
  arn: `arn:aws:iam::111122223333:role/${name}`,
  name,
  providers: [PROVIDER.arn],
  findings: severities.map((severity, index) => ({ id: `finding-${index}`, severity, message: `why ${severity}` })),
  bootstrapReach: NO_REACH,
  replacement: severities.includes('high') ? { id: 'Replacement', repositories: ['<repository UUID>'], cdkAccess: 'deploy', environments: ['<production environment UUID>'] } : undefined,
});
const accountWith = (id: string, status: AccountStatus, roles: RoleAudit[], more: Partial<AuditedAccount> = {}): AuditedAccount => ({
  id,
  status,
  problems: [],
  providers: status === 'read' || status === 'incomplete' ? [PROVIDER] : [],
  roles,
  rolesListed: status === 'read' || status === 'incomplete' ? 40 : 0,
  ...more,
});
const single = (failOn: Severity, ...roles: RoleAudit[]): AuditReport => ({ scope: 'caller', accounts: [accountWith('111122223333', 'read', roles)], failOn });

describe('the exit code: 2 when a finding reaches --fail-on, else 1 when an account was not read in full, else 0', () => {
  test.each([
    ['high', ['medium', 'low'], 0],
    ['high', ['high'], 2],
    ['medium', ['medium'], 2],
    ['medium', ['low'], 0],
    ['low', ['low'], 2],
  ] as Array<[Severity, Severity[], number]>)('--fail-on %s with %j: %i', (failOn, severities, code) => {
    expect(exitCodeOf(single(failOn, roleWith('r', ...severities)))).toBe(code);
  });

  test('no role, no finding: 0', () => {
    expect(exitCodeOf(single('low'))).toBe(0);
  });

  test.each([
    ['failed', 1],
    ['skipped', 1],
    ['incomplete', 1],
    ['inactive', 0],
    ['read', 0],
  ] as Array<[AccountStatus, number]>)('beside a read account without findings, an account %s: %i', (status, code) => {
    expect(exitCodeOf({ scope: 'organization', accounts: [accountWith('111122223333', 'read', [roleWith('ok', 'low')]), accountWith('444455556666', status, [])], failOn: 'high' })).toBe(code);
  });

  test('a finding reaching --fail-on outranks an account not read', () => {
    expect(exitCodeOf({ scope: 'accounts', accounts: [accountWith('111122223333', 'read', [roleWith('admin', 'high')]), accountWith('444455556666', 'failed', [])], failOn: 'high' })).toBe(2);
  });
});

describe('formats, one account', () => {
  const sample = single('high', roleWith('console-admin', 'high', 'high'), roleWith('acme-Preview'));

  test('JSON: each role with its account, its findings with severities, the account with its status, and a summary', () => {
    const json = JSON.parse(formatJson(sample)) as { scope: string; accounts: unknown[]; roles: Array<{ account: string; arn: string; findings: Array<{ severity: string }> }>; summary: Record<string, unknown> };
    expect(json.scope).toBe('caller');
    expect(json.roles.map((role) => [role.account, role.arn, role.findings.map((finding) => finding.severity)])).toEqual([
      ['111122223333', 'arn:aws:iam::111122223333:role/console-admin', ['high', 'high']],
      ['111122223333', 'arn:aws:iam::111122223333:role/acme-Preview', []],
    ]);
    expect(json.accounts).toEqual([{ id: '111122223333', name: null, status: 'read', problems: [], rolesListed: 40, rolesTrustingBitbucket: 2 }]);
    expect(json.summary).toEqual({
      accounts: 1,
      accountsRead: 1,
      accountsReadInPart: 0,
      accountsNotRead: 0,
      accountsInactive: 0,
      rolesListed: 40,
      rolesTrustingBitbucket: 2,
      findings: { high: 2, medium: 0, low: 0 },
      failOn: 'high',
      exitCode: 2,
    });
  });

  test('the table as it always was: providers, one line per finding, the replacement entry, the summary', () => {
    const lines = formatTable(sample).split('\n');
    expect(lines[1]).toBe(`  ${PROVIDER.arn}  (workspace acme-corp; audiences "aud-1")`);
    expect(lines).toContain('console-admin  high      finding-0: why high');
    expect(lines).toContain('               high      finding-1: why high');
    expect(lines).toContain('acme-Preview   -         no finding');
    expect(lines).toContain('    {"id":"Replacement","repositories":["<repository UUID>"],"cdkAccess":"deploy","environments":["<production environment UUID>"]}');
    expect(lines).toContain('2 of 40 roles trust Bitbucket; findings: 2 high, 0 medium, 0 low. Exit 2: a finding reaches --fail-on high.');
  });

  describe('the accounts whose CDK bootstrap roles each role may assume', () => {
    const reaching = (name: string, bootstrapReach: RoleAudit['bootstrapReach']): RoleAudit => ({ ...roleWith(name), bootstrapReach });
    const report = single(
      'high',
      reaching('DeployStages', { deploy: { accounts: ['444455556666', '777788889999'], anyAccount: false }, lookup: { accounts: ['111122223333', '444455556666', '777788889999'], anyAccount: false } }),
      reaching('console-admin', { deploy: { accounts: ['111122223333'], anyAccount: true }, lookup: { accounts: ['111122223333'], anyAccount: true } }),
      roleWith('reader'),
    );

    test('in --json: deploysInto, deploysIntoAnyAccount, looksUpIn, looksUpInAnyAccount for every role', () => {
      const json = JSON.parse(formatJson(report)) as { roles: Array<Record<string, unknown>> };
      expect(json.roles.map(({ name, deploysInto, deploysIntoAnyAccount, looksUpIn, looksUpInAnyAccount }) => ({ name, deploysInto, deploysIntoAnyAccount, looksUpIn, looksUpInAnyAccount }))).toEqual([
        { name: 'DeployStages', deploysInto: ['444455556666', '777788889999'], deploysIntoAnyAccount: false, looksUpIn: ['111122223333', '444455556666', '777788889999'], looksUpInAnyAccount: false },
        { name: 'console-admin', deploysInto: ['111122223333'], deploysIntoAnyAccount: true, looksUpIn: ['111122223333'], looksUpInAnyAccount: true },
        { name: 'reader', deploysInto: [], deploysIntoAnyAccount: false, looksUpIn: [], looksUpInAnyAccount: false },
      ]);
    });

    test('in the table: a line under the role, its own account marked, "any account" for a wildcard; none for a role that reaches none', () => {
      const lines = formatTable(report).split('\n');
      const at = lines.indexOf('DeployStages   -         no finding');
      expect(lines.slice(at, at + 5)).toEqual([
        'DeployStages   -         no finding',
        '                         CDK bootstrap roles: deploys into 444455556666, 777788889999; looks up in 111122223333 (its own), 444455556666, 777788889999',
        'console-admin  -         no finding',
        '                         CDK bootstrap roles: deploys into any account; looks up in any account',
        'reader         -         no finding',
      ]);
    });
  });

  test('an account without a Bitbucket provider says so', () => {
    expect(formatTable({ scope: 'caller', accounts: [{ ...accountWith('111122223333', 'read', []), providers: [] }], failOn: 'high' })).toContain(
      'No IAM OIDC provider for a Bitbucket Pipelines issuer in this account',
    );
  });
});

describe('how to adopt each provider: the roles that trust it and the context for this app, in the table and in --json', () => {
  const AUDIENCE = 'ari:cloud:bitbucket::workspace/5b6c7d8e-9f01-4a2b-8c3d-4e5f60718293';
  const GLOBEX = { arn: PROVIDER.arn.replace('acme-corp', 'globex'), host: 'h', workspace: 'globex', clientIds: [AUDIENCE] };
  const consoleRole: RoleAudit = { ...roleWith('globex-admin', 'high'), providers: [GLOBEX.arn] };
  const report: AuditReport = { scope: 'caller', accounts: [accountWith('111122223333', 'read', [consoleRole, roleWith('bad\u001b[2Jname')], { providers: [PROVIDER, GLOBEX] })], failOn: 'high' };

  test('the table: under each provider, who trusts it (names quoted and escaped), the -c flags and the cdk.json form', () => {
    const lines = formatTable(report).split('\n');
    const at = lines.indexOf(`  ${GLOBEX.arn}  (workspace globex; audiences "${AUDIENCE}")`);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '    trusted by: "globex-admin"',
      `    adopt it: -c workspace="globex" -c audience="${AUDIENCE}" -c providerArn="${GLOBEX.arn}"`,
      `    in cdk.json's context: {"workspace":"globex","audience":"${AUDIENCE}","providerArn":"${GLOBEX.arn}"}`,
    ]);
    expect(lines[2]).toBe('    trusted by: "bad\\u001b[2Jname"');
    expect(lines[3]).toContain(`-c audience="<the workspace audience: one of the provider's client IDs>"`);
  });

  test('--json: each provider with trustedBy and adoptingContext', () => {
    const json = JSON.parse(formatJson(report)) as { providers: Array<{ arn: string; trustedBy: string[]; adoptingContext: unknown }> };
    expect(json.providers.map(({ arn, trustedBy, adoptingContext }) => ({ arn, trustedBy, adoptingContext }))).toEqual([
      { arn: PROVIDER.arn, trustedBy: ['bad\u001b[2Jname'], adoptingContext: { workspace: 'acme-corp', audience: "<the workspace audience: one of the provider's client IDs>", providerArn: PROVIDER.arn } },
      { arn: GLOBEX.arn, trustedBy: ['globex-admin'], adoptingContext: { workspace: 'globex', audience: AUDIENCE, providerArn: GLOBEX.arn } },
    ]);
  });

  test('a provider no role trusts, of a workspace this app cannot take: said so, with no context to copy', () => {
    const odd = { ...PROVIDER, arn: PROVIDER.arn.replace('acme-corp', 'Acme Corp'), workspace: 'Acme Corp' };
    const lines = formatTable({ ...report, accounts: [accountWith('111122223333', 'read', [], { providers: [odd] })] }).split('\n');
    expect(lines.slice(2, 4)).toEqual(['    trusted by: no role', '    adopt it: not with this app: workspace "Acme Corp" is not a Bitbucket workspace slug']);
  });
});

describe('formats, many accounts', () => {
  const report: AuditReport = {
    scope: 'organization',
    accounts: [
      accountWith('111122223333', 'read', [roleWith('console-admin', 'high')], { name: 'Production "Payments"\n  ROLE  high forged' }),
      accountWith('222233334444', 'incomplete', [roleWith('deployer', 'medium')], { name: 'Staging', problems: ['role deployer, policy arn:aws:iam::222233334444:policy/X: iam:GetPolicy refused: AccessDenied: "no"'] }),
      accountWith('333344445555', 'failed', [], { name: 'Sandbox', problems: ['cannot assume arn:aws:iam::333344445555:role/audit (AccessDenied: "not authorized")'] }),
      accountWith('444455556666', 'inactive', [], { name: 'Closed', problems: ['SUSPENDED'] }),
    ],
    failOn: 'high',
  };

  test('the table groups roles under each account, its name quoted and escaped, then the whole run in one summary', () => {
    const table = formatTable(report);
    const lines = table.split('\n');
    expect(lines[0]).toBe('Account 111122223333 "Production \\"Payments\\"\\n  ROLE  high forged": 40 roles, 1 trust Bitbucket');
    expect(lines).toContain('  console-admin  high      finding-0: why high');
    expect(lines).toContain('Account 222233334444 "Staging": 40 roles, 1 trust Bitbucket; read in part');
    expect(lines).toContain('    role deployer, policy arn:aws:iam::222233334444:policy/X: iam:GetPolicy refused: AccessDenied: "no"');
    expect(lines).toContain('Account 333344445555 "Sandbox": NOT READ: cannot assume arn:aws:iam::333344445555:role/audit (AccessDenied: "not authorized")');
    expect(lines).toContain('Account 444455556666 "Closed": not active (SUSPENDED): left out');
    expect(lines[lines.length - 2]).toBe(
      '4 accounts: 2 read (1 in part), 1 not read, 1 not active. 2 of 80 roles trust Bitbucket; findings: 1 high, 1 medium, 0 low. Exit 2: a finding reaches --fail-on high.',
    );
    expect(table.split('\n').filter((line) => line.includes('forged'))).toHaveLength(1);
  });

  test('no finding reaching --fail-on but an account not read: the summary says exit 1 and why', () => {
    const quiet = { ...report, failOn: 'low' as Severity, accounts: report.accounts.slice(2) };
    expect(formatTable(quiet).trim().split('\n').pop()).toBe(
      '2 accounts: 0 read, 1 not read, 1 not active. 0 of 0 roles trust Bitbucket; findings: 0 high, 0 medium, 0 low. None reaches --fail-on low, but exit 1: not every account was read in full (see "Not read").',
    );
  });

  test('JSON: the account on every role and provider, every account with its status and problems', () => {
    const json = JSON.parse(formatJson(report)) as { accounts: Array<{ id: string; name: string; status: string; problems: string[] }>; roles: Array<{ account: string; name: string }>; providers: Array<{ account: string }> };
    expect(json.accounts.map((account) => [account.id, account.status, account.problems.length])).toEqual([
      ['111122223333', 'read', 0],
      ['222233334444', 'incomplete', 1],
      ['333344445555', 'failed', 1],
      ['444455556666', 'inactive', 1],
    ]);
    expect(json.accounts[0].name).toBe('Production "Payments"\n  ROLE  high forged');
    expect(json.roles.map((role) => [role.account, role.name])).toEqual([
      ['111122223333', 'console-admin'],
      ['222233334444', 'deployer'],
    ]);
    expect(json.providers.map((provider) => provider.account)).toEqual(['111122223333', '222233334444']);
  });

  test('a finding message holding control or bidirectional characters reaches the table escaped', () => {
    const hostile = { ...roleWith('r', 'high'), findings: [{ id: 'any-repository', severity: 'high' as Severity, message: 'sub "x\nr  high  fake"\u202e\u001b[31m' }] };
    const table = formatTable(single('high', hostile));
    expect(table).toContain('any-repository: sub "x\\u000ar  high  fake"\\u202e\\u001b[31m');
    expect(table).not.toMatch(/[\u001b\u202e]/);
  });
});

describe('parseAuditArguments', () => {
  const defaults = { json: false, failOn: 'high', scope: { kind: 'caller' }, concurrentAccounts: DEFAULT_CONCURRENT_ACCOUNTS, concurrentCalls: DEFAULT_CONCURRENT_CALLS, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS };
  const problems = (argv: string[]) => {
    const result = parseAuditArguments(argv);
    return result.ok ? [] : result.problems;
  };

  test('defaults: the calling account alone, as before', () => {
    expect(parseAuditArguments([])).toEqual({ ok: true, value: defaults });
    expect(parseAuditArguments(['--json', '--fail-on', 'low'])).toEqual({ ok: true, value: { ...defaults, json: true, failOn: 'low' } });
  });

  test('many accounts: --organization or --accounts, each with --role-name, flags as --flag value or --flag=value', () => {
    expect(parseAuditArguments(['--organization', '--role-name', 'BitbucketOidcAudit', '--external-id=audit-7f3c', '--concurrent-accounts=8', '--concurrent-calls', '2', '--timeout', '30'])).toEqual({
      ok: true,
      value: { ...defaults, scope: { kind: 'organization' }, roleName: 'BitbucketOidcAudit', externalId: 'audit-7f3c', concurrentAccounts: 8, concurrentCalls: 2, timeoutSeconds: 30 },
    });
    expect(parseAuditArguments(['--accounts', '111122223333, 444455556666,111122223333', '--role-name', 'security/audit'])).toEqual({
      ok: true,
      value: { ...defaults, scope: { kind: 'accounts', ids: ['111122223333', '444455556666'] }, roleName: 'security/audit' },
    });
  });

  test('every problem at once, one line each', () => {
    expect(problems(['--fail-on', 'critical', '--verbose'])).toEqual([
      '--verbose: unknown argument; usage: npm run audit-roles -- [--json] [--fail-on high|medium|low] [--organization | --accounts <id,...>] [--role-name <name>] [--external-id <id>] [--concurrent-accounts <n>] [--concurrent-calls <n>] [--timeout <seconds>]',
      '--fail-on: got "critical"; expected high, medium or low; example: --fail-on medium',
    ]);
    expect(problems(['--accounts', '1111-2222-3333', '--organization', '--concurrent-calls', '0', '--timeout', '1.5'])).toEqual([
      '--accounts: got "1111-2222-3333"; expected 12-digit AWS account IDs, comma-separated; example: --accounts 111122223333,444455556666',
      '--organization and --accounts: give one of them, not both',
      '--role-name: missing; expected the read-only role to assume in each account (the README shows one to roll out); example: --role-name BitbucketOidcAudit',
      '--concurrent-calls: got "0"; expected a whole number from 1 to 32; example: --concurrent-calls 2',
      '--timeout: got "1.5"; expected a whole number from 1 to 300; example: --timeout 30',
    ]);
  });

  test('--role-name and --external-id only with many accounts; a value missing; a flag given twice', () => {
    expect(problems(['--role-name', 'audit', '--external-id', 'abc'])).toEqual([
      '--role-name: only with --organization or --accounts; without them the audit reads the calling account with its own credentials',
      '--external-id: only with --organization or --accounts; without them the audit reads the calling account with its own credentials',
    ]);
    expect(problems(['--organization', '--role-name', '--json'])).toEqual([
      '--role-name: missing; expected an IAM role name (letters, digits and +=,.@_-, at most 64), optionally under a path; example: --role-name BitbucketOidcAudit',
    ]);
    expect(problems(['--organization', '--role-name', 'a', '--role-name', 'b'])).toEqual(['--role-name: given twice; give it once']);
  });

  test('an external ID that is not one is refused without being echoed', () => {
    const [line] = problems(['--organization', '--role-name', 'audit', '--external-id', 'secret value!']);
    expect(line).toBe('--external-id: got a value of 13 characters (not shown); expected 2 to 1,224 letters, digits or +=,.@:/_-; example: --external-id 7f3c2a9e-audit');
    expect(line).not.toContain('secret');
  });
});
