import { IAMClient } from '@aws-sdk/client-iam';
import { createServer as createTcpServer, Socket } from 'net';
import { readFileSync } from 'fs';
import { join } from 'path';
import { CallSettings, iamClient } from '../../lib/aws/aws-clients';
import { CallLimit } from '../../lib/aws/call-limit';
import { AccountReadError } from '../../lib/aws/call-failure';
import { AUDIT_ACTIONS, readBitbucketTrust } from '../../lib/aws/iam-account';
import { ManagedPolicyDocuments } from '../../lib/aws/policy-documents';
import { AwsStandIn, callerCredentials, StandInAccount, StandInOptions } from '../support/aws-stand-in';
import { onFastClock } from '../support/fast-clock';

/** The reader against the stand-in IAM endpoint, through the same client the command builds. */
const ACCOUNT = '123456789012';
const HOST = 'api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const trust = (federated: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: federated }, Action: 'sts:AssumeRoleWithWebIdentity' }] });
const LAMBDA = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const LIST_BUCKET = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] };
const READ_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 'iam:List*'], Resource: '*' }] };

const settings = (standIn: AwsStandIn, more: Partial<CallSettings> = {}): CallSettings => ({ region: 'us-east-1', timeoutSeconds: 10, maxAttempts: 10, endpoint: standIn.endpoint, ...more });
const clients: IAMClient[] = [];
afterEach(() => clients.splice(0).forEach((made) => made.destroy()));
/** The client the command builds for one account, destroyed after each test. */
const clientFor = (sdkSettings: CallSettings, account = ACCOUNT, calls = 4): IAMClient => {
  const made = iamClient(sdkSettings, callerCredentials(account), new CallLimit(calls));
  clients.push(made);
  return made;
};
const client = (standIn: AwsStandIn, more: Partial<CallSettings> = {}, calls = 4) => clientFor(settings(standIn, more), ACCOUNT, calls);

const account = (more: Partial<StandInAccount> = {}): StandInAccount => ({
  id: ACCOUNT,
  providers: [{ host: HOST, clientIds: ['aud-1'] }],
  roles: [
    { name: 'bitbucket', trust: trust(PROVIDER), attached: [`arn:aws:iam::${ACCOUNT}:policy/Deploy`, 'arn:aws:iam::aws:policy/ReadOnlyAccess'], inline: { Inline: LIST_BUCKET } },
    { name: 'lambda', trust: LAMBDA },
  ],
  policies: { Deploy: LIST_BUCKET },
  ...more,
});

async function withStandIn<T>(options: Partial<StandInOptions>, body: (standIn: AwsStandIn) => Promise<T>): Promise<T> {
  const standIn = await AwsStandIn.start({ management: ACCOUNT, accounts: [account()], awsManaged: { ReadOnlyAccess: READ_ONLY }, ...options });
  try {
    return await body(standIn);
  } finally {
    await standIn.stop();
  }
}

describe('reading the account: every failure is one line naming the action', () => {
  test('a missing permission names the action AWS refused, with what it said quoted', async () => {
    await withStandIn({ accounts: [account({ deniedActions: ['ListRoles'] })] }, async (standIn) => {
      const read = readBitbucketTrust(client(standIn));
      await expect(read).rejects.toThrow(AccountReadError);
      await expect(read).rejects.toThrow(
        /^permission missing: iam:ListRoles \(AccessDenied: "User: arn:aws:sts::123456789012:assumed-role\/audit\/x is not authorized to perform: iam:ListRoles on resource: \*"\); the README lists/,
      );
    });
  });

  test('an endpoint nobody listens on: cannot reach it, with the action', async () => {
    const standIn = await AwsStandIn.start({ management: ACCOUNT, accounts: [] });
    const endpoint = standIn.endpoint;
    await standIn.stop();
    const silent = clientFor({ region: 'us-east-1', timeoutSeconds: 10, maxAttempts: 10, endpoint });
    await expect(readBitbucketTrust(silent)).rejects.toThrow(new RegExp(`^cannot reach ${endpoint} for iam:ListOpenIDConnectProviders \\(ECONNREFUSED, 3 attempts\\)`));
  });

  test('an endpoint that takes the connection and never answers: past the timeout, one line naming it and the action, after 3 attempts', async () => {
    const sockets: Socket[] = [];
    const server = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const started = Date.now();
      const silent = clientFor({ region: 'us-east-1', timeoutSeconds: 0.3, maxAttempts: 10, endpoint });
      await expect(readBitbucketTrust(silent, { timeoutSeconds: 0.3 })).rejects.toThrow(
        new RegExp(`^no answer from ${endpoint} for iam:ListOpenIDConnectProviders within 0.3 s \\(--timeout, 3 attempts\\); check the network`),
      );
      expect(sockets.length).toBe(3);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      server.close();
    }
  });

  test('no Bitbucket provider: no role is listed at all', async () => {
    await withStandIn({ accounts: [account({ providers: [{ host: 'token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'] }] })] }, async (standIn) => {
      expect(await readBitbucketTrust(client(standIn))).toEqual({ providers: [], roles: [], rolesListed: 0 });
      expect(standIn.calls.map((call) => call.action)).toEqual(['ListOpenIDConnectProviders']);
    });
  });
});

describe('the documents of every policy, AWS managed ones included', () => {
  test("a whole account read: only the README policy's actions, only the Bitbucket role read further, every document by ARN or inline name", async () => {
    await withStandIn({}, async (standIn) => {
      const read = await readBitbucketTrust(client(standIn));
      expect(read.rolesListed).toBe(2);
      expect(read.roles.map(({ role }) => [role.name, role.attachedPolicyArns, role.permissionDocuments, role.unreadablePolicies])).toEqual([
        [
          'bitbucket',
          [`arn:aws:iam::${ACCOUNT}:policy/Deploy`, 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
          { Inline: LIST_BUCKET, [`arn:aws:iam::${ACCOUNT}:policy/Deploy`]: LIST_BUCKET, 'arn:aws:iam::aws:policy/ReadOnlyAccess': READ_ONLY },
          {},
        ],
      ]);
      expect([...new Set(standIn.calls.map((call) => `iam:${call.action}`))].sort()).toEqual([...AUDIT_ACTIONS].sort());
      const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
      const policy = /The least-privilege policy it needs in each account:\n\n```json\n([\s\S]*?)```/.exec(readme)?.[1] ?? '{}';
      const statement = (JSON.parse(policy) as { Statement: Array<{ Action: string[] }> }).Statement[0];
      expect([...statement.Action].sort()).toEqual([...AUDIT_ACTIONS].sort());
    });
  });

  test("the README's audit role for member accounts: exactly those actions, trusting only the audit account (or one of its roles), the external ID when given", () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const template = JSON.parse(/```json\n(\{\n  "AWSTemplateFormatVersion"[\s\S]*?)```/.exec(readme)?.[1] ?? '{}') as {
      Resources: { AuditRole: { Properties: { RoleName: string; AssumeRolePolicyDocument: { Statement: unknown[] }; Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: string }> } }> } } };
    };
    const role = template.Resources.AuditRole.Properties;
    expect(role.RoleName).toBe('BitbucketOidcAudit');
    expect(role.Policies.flatMap((policy) => policy.PolicyDocument.Statement.map((statement) => [[...statement.Action].sort(), statement.Resource]))).toEqual([[[...AUDIT_ACTIONS].sort(), '*']]);
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::If': ['HasPrincipal', { Ref: 'AuditPrincipalArn' }, { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AuditAccountId}:root' }] } },
        Action: 'sts:AssumeRole',
        Condition: { 'Fn::If': ['HasExternalId', { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } }, { Ref: 'AWS::NoValue' }] },
      },
    ]);
  });

  test('an AWS managed policy attached to many roles in many accounts is read once per run', async () => {
    const roles = Array.from({ length: 5 }, (_, n) => ({ name: `bitbucket-${n}`, trust: trust(PROVIDER), attached: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }));
    const other = '210987654321';
    const otherRoles = roles.map((role) => ({ ...role, trust: trust(`arn:aws:iam::${other}:oidc-provider/${HOST}`) }));
    await withStandIn({ accounts: [account({ roles }), { ...account({ roles: otherRoles }), id: other }] }, async (standIn) => {
      const policies = new ManagedPolicyDocuments();
      const reads = await Promise.all([ACCOUNT, other].map((id) => readBitbucketTrust(clientFor(settings(standIn), id), { policies })));
      expect(reads.flatMap((read) => read.roles.map(({ role }) => role.permissionDocuments['arn:aws:iam::aws:policy/ReadOnlyAccess']))).toEqual(Array(10).fill(READ_ONLY));
      expect([standIn.count({ action: 'GetPolicy' }), standIn.count({ action: 'GetPolicyVersion' })]).toEqual([1, 1]);
    });
  });

  test('a policy whose read AWS refuses is left out of the documents and named on the role; the others are read', async () => {
    const denied = `arn:aws:iam::${ACCOUNT}:policy/Deploy`;
    await withStandIn({ accounts: [account({ deniedPolicies: [denied] })] }, async (standIn) => {
      const [{ role }] = (await readBitbucketTrust(client(standIn))).roles;
      expect(role.attachedPolicyArns).toContain(denied);
      expect(Object.keys(role.permissionDocuments)).toEqual(['Inline', 'arn:aws:iam::aws:policy/ReadOnlyAccess']);
      expect(role.unreadablePolicies).toEqual({ [denied]: expect.stringMatching(/^iam:GetPolicy refused: AccessDenied: "User: .* is not authorized to perform: iam:GetPolicy/) });
    });
  });

  test('every role is listed and asked, page by page, and IAM calls in flight never pass the bound', async () => {
    const roles = Array.from({ length: 2500 }, (_, n) => (n % 100 === 7 ? { name: `bitbucket-${n}`, trust: trust(PROVIDER), inline: { Inline: LIST_BUCKET } } : { name: `service-${n}`, trust: LAMBDA }));
    await withStandIn({ accounts: [account({ roles })], latencyMs: 20 }, async (standIn) => {
      const listed: number[] = [];
      const read = await readBitbucketTrust(client(standIn, {}, 3), { onRolesListed: (count) => listed.push(count) });
      expect(listed).toEqual([1000, 2000, 2500]);
      expect(read.roles.map(({ role }) => role.name)).toEqual(Array.from({ length: 25 }, (_, n) => `bitbucket-${n * 100 + 7}`));
      expect(standIn.mostInFlight.get(ACCOUNT)).toBe(3);
    });
  });
});

describe('under throttling, nothing lost and nothing counted twice', () => {
  const roles = Array.from({ length: 120 }, (_, n) =>
    n % 8 === 0
      ? { name: `bitbucket-${n}`, trust: trust(PROVIDER), attached: ['arn:aws:iam::aws:policy/ReadOnlyAccess', `arn:aws:iam::${ACCOUNT}:policy/Deploy`], inline: { Inline: LIST_BUCKET } }
      : { name: `service-${n}`, trust: LAMBDA },
  );

  test("30% of calls answered with IAM's Throttling error, and latency: the same read as without", async () => {
    const quiet = await withStandIn({ accounts: [account({ roles })] }, (standIn) => readBitbucketTrust(client(standIn, {}, 8)));
    expect(quiet.roles).toHaveLength(15);
    await withStandIn({ accounts: [account({ roles })], throttleShare: 0.3, latencyMs: 20, seed: 7 }, async (standIn) => {
      const throttled = await onFastClock(() => readBitbucketTrust(client(standIn, {}, 8)));
      expect(standIn.count({ throttled: true })).toBeGreaterThan(15);
      expect(throttled).toEqual(quiet);
    });
  });

  test('with the SDK default of 3 attempts a run at 50% throttling fails, with one line: what the 10 attempts are for', async () => {
    // 75 calls: all would get through in three attempts with a chance of 0.875^75, about 5e-5.
    await withStandIn({ accounts: [account({ roles })], throttleShare: 0.5, seed: 7 }, (standIn) =>
      onFastClock(async () => {
        try {
          await expect(readBitbucketTrust(client(standIn, { maxAttempts: 3 }, 8))).rejects.toThrow(/^iam:\w+ still throttled after 3 attempts: Throttling: "Rate exceeded"; try again later/);
        } finally {
          // Stopped on the fast clock, so no answer still in flight lands on real timers.
          await standIn.stop();
        }
      }),
    );
  });
});
