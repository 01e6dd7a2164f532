import { IAMClient } from '@aws-sdk/client-iam';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { readFileSync } from 'fs';
import { join } from 'path';
import { AccountReadError, AUDIT_ACTIONS, readBitbucketTrust } from '../../lib/aws/iam-account';

/**
 * The reader against a stand-in IAM endpoint on 127.0.0.1 that answers in IAM's own
 * Query-protocol XML, so the real SDK parses real error responses.
 */
const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const ok = (action: string, result: string) => `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`;
const denied = (action: string) =>
  `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: iam:${action} on resource: *</Message></Error><RequestId>r</RequestId></ErrorResponse>`;

function standIn(answer: (action: string) => { status: number; body: string }): Promise<Server> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const reply = answer(new URLSearchParams(body).get('Action') ?? '');
      response.writeHead(reply.status, { 'content-type': 'text/xml' }).end(reply.body);
    });
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

const client = (port: number) =>
  new IAMClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' }, maxAttempts: 1 });

describe('reading the account: every failure is one line naming the IAM action', () => {
  test('a missing permission names the action AWS refused', async () => {
    const server = await standIn((action) => {
      if (action === 'ListOpenIDConnectProviders') return { status: 200, body: ok(action, `<OpenIDConnectProviderList><member><Arn>${PROVIDER}</Arn></member></OpenIDConnectProviderList>`) };
      if (action === 'GetOpenIDConnectProvider') return { status: 200, body: ok(action, '<ClientIDList><member>aud</member></ClientIDList><Url>x</Url>') };
      return { status: 403, body: denied(action) };
    });
    try {
      const read = readBitbucketTrust(client((server.address() as AddressInfo).port));
      await expect(read).rejects.toThrow(AccountReadError);
      await expect(read).rejects.toThrow(
        /^permission missing: iam:ListRoles \(AccessDenied: User: arn:aws:iam::123456789012:user\/auditor is not authorized to perform: iam:ListRoles on resource: \*\); the README lists/,
      );
    } finally {
      server.close();
    }
  });

  test('an endpoint nobody answers: cannot reach, with the action', async () => {
    const server = await standIn(() => ({ status: 200, body: '' }));
    const port = (server.address() as AddressInfo).port;
    await new Promise((done) => server.close(done));
    await expect(readBitbucketTrust(client(port))).rejects.toThrow(/^cannot reach .* for iam:ListOpenIDConnectProviders \(ECONNREFUSED\)/);
  });

  test('no Bitbucket provider: no role is listed at all', async () => {
    const actions: string[] = [];
    const server = await standIn((action) => {
      actions.push(action);
      return { status: 200, body: ok(action, '<OpenIDConnectProviderList><member><Arn>arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com</Arn></member></OpenIDConnectProviderList>') };
    });
    try {
      expect(await readBitbucketTrust(client((server.address() as AddressInfo).port))).toEqual({ providers: [], roles: [], rolesListed: 0 });
      expect(actions).toEqual(['ListOpenIDConnectProviders']);
    } finally {
      server.close();
    }
  });
});

describe('the audit only lists and gets, and the README names exactly what it calls', () => {
  const HOST = 'api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
  const trust = (federated: string) => encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: federated }, Action: 'sts:AssumeRoleWithWebIdentity' }] }));
  const role = (name: string, document: string) =>
    `<member><RoleName>${name}</RoleName><Arn>arn:aws:iam::123456789012:role/${name}</Arn><RoleId>AROA${name.toUpperCase()}</RoleId><Path>/</Path><CreateDate>2026-01-01T00:00:00Z</CreateDate><MaxSessionDuration>3600</MaxSessionDuration><AssumeRolePolicyDocument>${document}</AssumeRolePolicyDocument></member>`;
  const inline = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] }));
  const answers: Record<string, string> = {
    ListOpenIDConnectProviders: `<OpenIDConnectProviderList><member><Arn>${PROVIDER}</Arn></member></OpenIDConnectProviderList>`,
    GetOpenIDConnectProvider: `<ClientIDList><member>aud-1</member></ClientIDList><Url>${HOST}</Url>`,
    ListRoles: `<IsTruncated>false</IsTruncated><Roles>${role('bitbucket', trust(PROVIDER))}${role('lambda', encodeURIComponent('{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'))}</Roles>`,
    ListAttachedRolePolicies: '<IsTruncated>false</IsTruncated><AttachedPolicies><member><PolicyName>Deploy</PolicyName><PolicyArn>arn:aws:iam::123456789012:policy/Deploy</PolicyArn></member><member><PolicyName>ReadOnlyAccess</PolicyName><PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn></member></AttachedPolicies>',
    ListRolePolicies: '<IsTruncated>false</IsTruncated><PolicyNames><member>Inline</member></PolicyNames>',
    GetRolePolicy: `<RoleName>bitbucket</RoleName><PolicyName>Inline</PolicyName><PolicyDocument>${inline}</PolicyDocument>`,
    GetPolicy: '<Policy><PolicyName>Deploy</PolicyName><Arn>arn:aws:iam::123456789012:policy/Deploy</Arn><DefaultVersionId>v2</DefaultVersionId></Policy>',
    GetPolicyVersion: `<PolicyVersion><Document>${inline}</Document><VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>`,
  };

  test('a whole account read: only the README policy\'s actions, and only the Bitbucket role read further', async () => {
    const calls: string[] = [];
    const server = await standIn((action) => {
      calls.push(action);
      return action in answers ? { status: 200, body: ok(action, answers[action]) } : { status: 403, body: denied(action) };
    });
    try {
      const account = await readBitbucketTrust(client((server.address() as AddressInfo).port));
      expect(account.rolesListed).toBe(2);
      expect(account.roles.map(({ role: facts }) => [facts.name, facts.attachedPolicyArns, Object.keys(facts.permissionDocuments)])).toEqual([
        ['bitbucket', ['arn:aws:iam::123456789012:policy/Deploy', 'arn:aws:iam::aws:policy/ReadOnlyAccess'], ['Inline', 'arn:aws:iam::123456789012:policy/Deploy']],
      ]);
      expect([...new Set(calls.map((action) => `iam:${action}`))].sort()).toEqual([...AUDIT_ACTIONS].sort());
      const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
      const policy = /The least-privilege policy it needs:\n\n```json\n([\s\S]*?)```/.exec(readme)?.[1] ?? '{}';
      const statement = (JSON.parse(policy) as { Statement: Array<{ Action: string[] }> }).Statement[0];
      expect([...statement.Action].sort()).toEqual([...AUDIT_ACTIONS].sort());
    } finally {
      server.close();
    }
  });
});
