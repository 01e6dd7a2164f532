import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runAuditCommand } from '../../lib/aws/audit-command';
import { AUDIT_SESSION_NAME } from '../../lib/aws/organization';
import { AwsStandIn, callerCredentials, StandInAccount, StandInOptions } from '../support/aws-stand-in';
import { onFastClock } from '../support/fast-clock';

/**
 * `npm run audit-roles` in process, against a stand-in organisation: the management
 * account (the caller), member accounts that let it assume the audit role (one only with
 * an external ID), one that refuses, one suspended.
 */
const MANAGEMENT = '111111111111';
const HOST = 'api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const AUDIENCE = 'ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';
const REPO = '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}';
const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function member(id: string, name: string, more: Partial<StandInAccount> = {}): StandInAccount {
  const provider = `arn:aws:iam::${id}:oidc-provider/${HOST}`;
  const trust = (condition: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }] });
  return {
    id,
    name,
    auditRole: 'BitbucketOidcAudit',
    providers: [{ host: HOST, clientIds: [AUDIENCE] }],
    roles: [
      { name: 'console-admin', trust: trust({ StringEquals: { [`${HOST}:aud`]: AUDIENCE } }), attached: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
      { name: 'pinned-reader', trust: trust({ StringEquals: { [`${HOST}:aud`]: AUDIENCE }, StringLike: { [`${HOST}:sub`]: `${REPO}:*` } }), attached: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
      ...Array.from({ length: 30 }, (_, n) => ({ name: `service-${n}`, trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } })),
    ],
    ...more,
  };
}

const ORGANISATION: StandInOptions = {
  management: MANAGEMENT,
  organizationPageSize: 2,
  awsManaged: { AdministratorAccess: ADMIN, ReadOnlyAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' }] } },
  accounts: [
    member(MANAGEMENT, 'Management', { auditRole: undefined }),
    member('222222222222', 'Production'),
    member('333333333333', 'Staging', { externalId: 'audit-7f3c' }),
    member('444444444444', 'Legacy', { auditRole: undefined }),
    member('555555555555', 'Sandbox "dev"\nAccount 999999999999: NOT READ'),
    member('666666666666', 'Closed', { state: 'SUSPENDED' }),
  ],
};

let home: string;
const saved = { ...process.env };
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'audit-command-'));
  for (const key of Object.keys(process.env).filter((name) => name.startsWith('AWS_'))) delete process.env[key];
  Object.assign(process.env, {
    ...{ AWS_ACCESS_KEY_ID: callerCredentials(MANAGEMENT).accessKeyId, AWS_SECRET_ACCESS_KEY: callerCredentials(MANAGEMENT).secretAccessKey },
    AWS_REGION: 'eu-west-1',
    AWS_CONFIG_FILE: join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterAll(() => {
  process.env = saved;
  rmSync(home, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function audit(standIn: AwsStandIn, argv: string[], terminal = false): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runAuditCommand(argv, { env: {}, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), stderrIsTerminal: terminal, endpoint: standIn.endpoint });
  return { code, stdout, stderr };
}

async function withOrganisation<T>(options: Partial<StandInOptions>, body: (standIn: AwsStandIn) => Promise<T>): Promise<T> {
  const standIn = await AwsStandIn.start({ ...ORGANISATION, ...options });
  try {
    return await body(standIn);
  } finally {
    await standIn.stop();
  }
}

interface JsonReport {
  accounts: Array<{ id: string; name: string | null; status: string; problems: string[]; rolesListed: number }>;
  roles: Array<{ account: string; name: string; findings: Array<{ id: string; severity: string }> }>;
  summary: Record<string, unknown>;
}

const ORGANIZATION_ARGS = ['--organization', '--role-name', 'BitbucketOidcAudit', '--external-id', 'audit-7f3c'];

describe('--organization: every active account, page by page', () => {
  test('pure JSON on stdout: every account with its status, every role with its account; one line per account not read on stderr; exit 2', async () => {
    await withOrganisation({}, async (standIn) => {
      const run = await audit(standIn, [...ORGANIZATION_ARGS, '--json']);
      const report = JSON.parse(run.stdout) as JsonReport;
      expect(standIn.count({ action: 'ListAccounts' })).toBe(3);
      expect(report.accounts.map((account) => [account.id, account.name, account.status])).toEqual([
        [MANAGEMENT, 'Management', 'read'],
        ['222222222222', 'Production', 'read'],
        ['333333333333', 'Staging', 'read'],
        ['444444444444', 'Legacy', 'failed'],
        ['555555555555', 'Sandbox "dev"\nAccount 999999999999: NOT READ', 'read'],
        ['666666666666', 'Closed', 'inactive'],
      ]);
      const read = [MANAGEMENT, '222222222222', '333333333333', '555555555555'];
      expect(report.roles.map((role) => `${role.account} ${role.name}`)).toEqual(read.flatMap((id) => [`${id} console-admin`, `${id} pinned-reader`]));
      expect(report.roles.find((role) => role.name === 'console-admin')?.findings.map((finding) => finding.severity)).toContain('high');
      expect(report.summary).toMatchObject({ accounts: 6, accountsRead: 4, accountsNotRead: 1, accountsInactive: 1, rolesListed: 4 * 32, rolesTrustingBitbucket: 8, exitCode: 2 });
      expect(run.stderr).toBe(
        'audit-roles: account 444444444444 "Legacy": cannot assume arn:aws:iam::444444444444:role/BitbucketOidcAudit (AccessDenied: "User: arn:aws:iam::111111111111:user/auditor is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444444444444:role/BitbucketOidcAudit"); the role must exist there and trust the calling account (see the README\'s organisation-wide audit)\n',
      );
      expect(run.code).toBe(2);
    });
  });

  test('the calling account with its own credentials; every other active one through the audit role, with the session name and external ID', async () => {
    await withOrganisation({}, async (standIn) => {
      await audit(standIn, ORGANIZATION_ARGS);
      expect(standIn.assumed.map((call) => call.roleArn.split(':')[4]).sort()).toEqual(['222222222222', '333333333333', '444444444444', '555555555555']);
      expect(new Set(standIn.assumed.map((call) => `${call.sessionName} ${call.externalId}`))).toEqual(new Set([`${AUDIT_SESSION_NAME} audit-7f3c`]));
      expect(standIn.calls.filter((call) => call.service === 'iam').every((call) => call.account !== '666666666666' && call.account !== '444444444444')).toBe(true);
    });
  });

  test('the table groups by account, names quoted, and ends with the summary; no progress line when stderr is not a terminal', async () => {
    await withOrganisation({}, async (standIn) => {
      const run = await audit(standIn, ORGANIZATION_ARGS);
      const lines = run.stdout.split('\n');
      expect(lines.filter((line) => line.startsWith('Account '))).toEqual([
        'Account 111111111111 "Management": 32 roles, 2 trust Bitbucket',
        'Account 222222222222 "Production": 32 roles, 2 trust Bitbucket',
        'Account 333333333333 "Staging": 32 roles, 2 trust Bitbucket',
        expect.stringMatching(/^Account 444444444444 "Legacy": NOT READ: cannot assume arn:aws:iam::444444444444:role\/BitbucketOidcAudit \(AccessDenied: /),
        'Account 555555555555 "Sandbox \\"dev\\"\\nAccount 999999999999: NOT READ": 32 roles, 2 trust Bitbucket',
        'Account 666666666666 "Closed": not active (SUSPENDED): left out',
      ]);
      expect(lines).toContainEqual(expect.stringMatching(/^  console-admin\s+high\s+/));
      expect(lines[lines.length - 2]).toMatch(/^6 accounts: 4 read, 1 not read, 1 not active\. 8 of 128 roles trust Bitbucket; findings: \d+ high, \d+ medium, \d+ low\. Exit 2: a finding reaches --fail-on high\.$/);
      expect(run.stderr).not.toContain('\r');
    });
  });

  test('on a terminal, a progress line on stderr (accounts done of total, roles listed), rewritten in place and cleared at the end', async () => {
    await withOrganisation({}, async (standIn) => {
      const { stderr } = await audit(standIn, ORGANIZATION_ARGS, true);
      const updates = stderr.split('\r\x1b[2K').filter((part) => part.startsWith('audit-roles: ') && part.includes(' done, '));
      expect(updates[updates.length - 1]).toBe('audit-roles: 5 of 5 accounts done, 128 roles listed');
      expect(updates.some((update) => /^audit-roles: [0-4] of 5 accounts done, \d+ roles listed$/.test(update))).toBe(true);
      expect(stderr).toMatch(/\r\x1b\[2Kaudit-roles: account 444444444444/);
    });
  });

  test('outside an organisation, or from a member account: one line, exit 1', async () => {
    await withOrganisation({ inOrganization: false }, async (standIn) => {
      const run = await audit(standIn, ORGANIZATION_ARGS);
      expect([run.code, run.stdout, run.stderr]).toEqual([
        1,
        '',
        'audit-roles: organizations:ListAccounts failed: AWSOrganizationsNotInUseException: "Your account is not a member of an organization."; --organization runs in the management account or a delegated administrator; elsewhere name the accounts with --accounts\n',
      ]);
    });
    await withOrganisation({ management: '999999999999' }, async (standIn) => {
      const run = await audit(standIn, ORGANIZATION_ARGS);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^audit-roles: permission missing: organizations:ListAccounts \(AccessDeniedException: .*; --organization runs in the management account/);
    });
  });
});

describe('--accounts, throttling and bounds', () => {
  test('the accounts named, the caller among them read with its own credentials; a refused one is its own line and exit 1 when no finding reaches --fail-on', async () => {
    const quiet = ORGANISATION.accounts.map((account) => ({ ...account, roles: account.roles?.filter((role) => role.name !== 'console-admin') }));
    await withOrganisation({ accounts: quiet }, async (standIn) => {
      const run = await audit(standIn, ['--accounts', `444444444444,${MANAGEMENT},222222222222`, '--role-name', 'BitbucketOidcAudit', '--json']);
      const report = JSON.parse(run.stdout) as JsonReport;
      expect(report.accounts.map((account) => [account.id, account.name, account.status])).toEqual([
        ['444444444444', null, 'failed'],
        [MANAGEMENT, null, 'read'],
        ['222222222222', null, 'read'],
      ]);
      expect(standIn.assumed.map((call) => call.roleArn.split(':')[4]).sort()).toEqual(['222222222222', '444444444444']);
      expect(run.stderr).toMatch(/^audit-roles: account 444444444444: cannot assume /);
      expect(run.code).toBe(1);
    });
  });

  test('20% of IAM, STS and Organizations calls throttled, 20 ms each: the same report as a quiet run', async () => {
    const quiet = await withOrganisation({}, (standIn) => audit(standIn, [...ORGANIZATION_ARGS, '--json']));
    await withOrganisation({ throttleShare: 0.2, latencyMs: 20, seed: 3 }, async (standIn) => {
      const throttled = await onFastClock(() => audit(standIn, [...ORGANIZATION_ARGS, '--json']));
      expect(new Set(standIn.calls.filter((call) => call.throttled).map((call) => call.service))).toEqual(new Set(['iam', 'sts', 'organizations']));
      expect(throttled).toEqual(quiet);
    });
  });

  test('never more accounts at once than --concurrent-accounts, nor IAM calls in flight in one than --concurrent-calls', async () => {
    const many = Array.from({ length: 8 }, (_, n) => member(`7000000000${String(n).padStart(2, '0')}`, `member-${n}`));
    await withOrganisation({ accounts: [member(MANAGEMENT, 'Management'), ...many], latencyMs: 10 }, async (standIn) => {
      const run = await audit(standIn, [...ORGANIZATION_ARGS.slice(0, 3), '--concurrent-accounts', '3', '--concurrent-calls', '2']);
      expect(run.code).toBe(2);
      expect(standIn.mostAccountsAtOnce).toBe(3);
      expect(Math.max(...standIn.mostInFlight.values())).toBe(2);
    });
  });

  test('an account whose IAM never answers: its line names the endpoint and the action; the accounts not yet started are skipped, not each waited for', async () => {
    await withOrganisation({ silentAccounts: ['222222222222'] }, async (standIn) => {
      const started = Date.now();
      const run = await audit(standIn, [...ORGANIZATION_ARGS, '--json', '--concurrent-accounts', '1', '--timeout', '1']);
      const report = JSON.parse(run.stdout) as JsonReport;
      expect(report.accounts.map((account) => [account.id, account.status])).toEqual([
        [MANAGEMENT, 'read'],
        ['222222222222', 'failed'],
        ['333333333333', 'skipped'],
        ['444444444444', 'skipped'],
        ['555555555555', 'skipped'],
        ['666666666666', 'inactive'],
      ]);
      const line = `no answer from ${standIn.endpoint} for iam:ListOpenIDConnectProviders within 1 s (--timeout, 3 attempts); check the network and AWS_ENDPOINT_URL`;
      expect(report.accounts[1].problems).toEqual([line]);
      expect(report.accounts[2].problems).toEqual([`not tried after an earlier account's call: ${line}`]);
      expect(run.code).toBe(2);
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  }, 30_000);
});

describe('the calling account alone, and refused arguments', () => {
  test('without the flags: the calling account with its own credentials, the table as before', async () => {
    await withOrganisation({}, async (standIn) => {
      const run = await audit(standIn, []);
      expect(standIn.count({ service: 'organizations' }) + standIn.assumed.length).toBe(0);
      expect(run.stdout.split('\n')[0]).toBe('Bitbucket Pipelines OIDC providers:');
      expect(run.stdout).toMatch(/\n2 of 32 roles trust Bitbucket; findings: \d+ high, \d+ medium, \d+ low\. Exit 2: a finding reaches --fail-on high\.\n$/);
      expect(run.code).toBe(2);
    });
  });

  test('arguments refused: one line each, exit 1, no call to AWS', async () => {
    await withOrganisation({}, async (standIn) => {
      const run = await audit(standIn, ['--organization', '--concurrent-accounts', 'many']);
      expect(run).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'audit-roles: --role-name: missing; expected the read-only role to assume in each account (the README shows one to roll out); example: --role-name BitbucketOidcAudit\n' +
          'audit-roles: --concurrent-accounts: got "many"; expected a whole number from 1 to 32; example: --concurrent-accounts 8\n',
      });
      expect(standIn.calls).toEqual([]);
    });
  });
});
