/**
 * A stand-in for IAM, STS and Organizations on 127.0.0.1, answering in each service's own
 * wire format (IAM's and STS's Query XML, Organizations' JSON 1.1), so the real AWS SDK
 * parses real responses and real errors. It models an organisation: accounts with
 * providers, roles and policies; the audit role each one lets the caller assume; IAM's
 * throttling answer for a share of calls; and latency on every call. It counts every call
 * and the most calls it had in flight per account, which the tests and the benchmark read.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';

export interface StandInRole {
  readonly name: string;
  readonly trust: unknown;
  readonly maxSessionDuration?: number;
  /** Policy ARNs: `arn:aws:iam::aws:policy/<name>` (AWS managed) or the account's own. */
  readonly attached?: readonly string[];
  readonly inline?: Readonly<Record<string, unknown>>;
}

export interface StandInAccount {
  readonly id: string;
  readonly name?: string;
  /** Organizations' State. @default ACTIVE */
  readonly state?: string;
  readonly providers?: ReadonlyArray<{ readonly host: string; readonly clientIds: readonly string[] }>;
  readonly roles?: readonly StandInRole[];
  /** Customer managed policies by name (their ARN is `arn:aws:iam::<id>:policy/<name>`). */
  readonly policies?: Readonly<Record<string, unknown>>;
  /** The role the caller may assume here; any other is refused as AWS refuses it. */
  readonly auditRole?: string;
  /** The ExternalId the audit role's trust requires. */
  readonly externalId?: string;
  /** IAM actions (`ListRoles`) refused to every caller in this account. */
  readonly deniedActions?: readonly string[];
  /** Policy ARNs whose GetPolicy is refused. */
  readonly deniedPolicies?: readonly string[];
}

export interface StandInOptions {
  /** The caller's account: its static credentials act there; it is the organisation's management account. */
  readonly management: string;
  readonly accounts: readonly StandInAccount[];
  /** AWS managed policies by name. */
  readonly awsManaged?: Readonly<Record<string, unknown>>;
  /** Milliseconds before every answer. @default 0 */
  readonly latencyMs?: number;
  /** The share of calls (0-1) answered with the service's throttling error instead. @default 0 */
  readonly throttleShare?: number;
  /** Seed of the throttling draws, so a run can be repeated. @default 1 */
  readonly seed?: number;
  /** Accounts per ListAccounts page (Organizations' own maximum is 20). @default 20 */
  readonly organizationPageSize?: number;
  /** Accounts whose IAM calls are taken and never answered, as a black-holed endpoint does. @default none */
  readonly silentAccounts?: readonly string[];
  /** Whether the caller's account belongs to an organisation. @default true */
  readonly inOrganization?: boolean;
  /**
   * Throttle as IAM does under load: each account's calls draw from a bucket of `burst`
   * tokens refilled at `perSecond`; a call that finds it empty gets the throttling error.
   * @default no such limit
   */
  readonly accountRate?: { readonly perSecond: number; readonly burst: number };
}

export interface StandInCall {
  readonly service: string;
  readonly action: string;
  /** The account the call acted in (its credentials'). */
  readonly account: string;
  readonly throttled: boolean;
}

const NS: Record<string, string> = { iam: 'https://iam.amazonaws.com/doc/2010-05-08/', sts: 'https://sts.amazonaws.com/doc/2011-06-15/' };
const xml = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The static keys of an account's caller; assumed sessions get `ASIA<account>`. */
export const callerCredentials = (account: string) => ({ accessKeyId: `AKIA${account}`, secretAccessKey: 'stand-in-secret' });

type Answer = { status: number; body: string; json?: boolean };

export class AwsStandIn {
  readonly calls: StandInCall[] = [];
  /** The most IAM calls in flight at once, per account. */
  readonly mostInFlight = new Map<string, number>();
  /** The most accounts with IAM calls in flight at once. */
  mostAccountsAtOnce = 0;
  /** Each AssumeRole's RoleArn, session name and ExternalId as the caller sent them. */
  readonly assumed: Array<{ roleArn: string; sessionName: string; externalId?: string }> = [];
  private readonly inFlight = new Map<string, number>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly accounts: Map<string, StandInAccount>;
  private readonly random: () => number;

  private constructor(
    private readonly server: Server,
    private readonly options: StandInOptions,
  ) {
    this.accounts = new Map(options.accounts.map((account) => [account.id, account]));
    this.random = seeded(options.seed ?? 1);
  }

  static async start(options: StandInOptions): Promise<AwsStandIn> {
    let standIn: AwsStandIn | undefined;
    const server = createServer((request, response) => void standIn?.handle(request, response));
    standIn = new AwsStandIn(server, options);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return standIn;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Calls of one service and action, or all. */
  count(filter: Partial<StandInCall> = {}): number {
    return this.calls.filter((call) => Object.entries(filter).every(([key, value]) => call[key as keyof StandInCall] === value)).length;
  }

  stop(): Promise<void> {
    return new Promise((done) => {
      this.server.closeAllConnections();
      this.server.close(() => done());
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    const scope = /Credential=(\w+)\/\d+\/[\w-]+\/([\w-]+)\//.exec(request.headers.authorization ?? '');
    const key = scope?.[1] ?? '';
    const service = scope?.[2] ?? '';
    const account = key.slice(4, 16);
    const params = service === 'organizations' ? new URLSearchParams() : new URLSearchParams(body);
    const action = service === 'organizations' ? String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '' : params.get('Action') ?? '';
    if (service === 'iam' && this.options.silentAccounts?.includes(account)) return;
    const throttled = this.random() < (this.options.throttleShare ?? 0) || this.overRate(account);
    this.calls.push({ service, action, account, throttled });
    const flying = (this.inFlight.get(account) ?? 0) + (service === 'iam' ? 1 : 0);
    this.inFlight.set(account, flying);
    this.mostInFlight.set(account, Math.max(this.mostInFlight.get(account) ?? 0, flying));
    this.mostAccountsAtOnce = Math.max(this.mostAccountsAtOnce, [...this.inFlight.values()].filter((count) => count > 0).length);
    try {
      if ((this.options.latencyMs ?? 0) > 0) await new Promise((done) => setTimeout(done, this.options.latencyMs));
      const answer = throttled ? throttling(service) : this.answer(service, action, params, body, key, account);
      response.writeHead(answer.status, { 'content-type': answer.json ? 'application/x-amz-json-1.1' : 'text/xml' }).end(answer.body);
    } finally {
      this.inFlight.set(account, (this.inFlight.get(account) ?? 1) - (service === 'iam' ? 1 : 0));
    }
  }

  private overRate(account: string): boolean {
    const rate = this.options.accountRate;
    if (rate === undefined) return false;
    const now = Date.now();
    const bucket = this.buckets.get(account) ?? { tokens: rate.burst, at: now };
    bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * rate.perSecond);
    bucket.at = now;
    this.buckets.set(account, bucket);
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  }

  private answer(service: string, action: string, params: URLSearchParams, body: string, key: string, account: string): Answer {
    if (service === 'sts') return this.sts(action, params, key, account);
    if (service === 'organizations') return this.organizations(action, body, account);
    if (service === 'iam') return this.iam(action, params, account);
    return { status: 400, body: `unknown service ${service}` };
  }

  private sts(action: string, params: URLSearchParams, key: string, account: string): Answer {
    if (action === 'GetCallerIdentity') {
      const arn = key.startsWith('ASIA') ? `arn:aws:sts::${account}:assumed-role/${this.accounts.get(account)?.auditRole ?? 'role'}/session` : `arn:aws:iam::${account}:user/auditor`;
      return ok('sts', action, `<Arn>${arn}</Arn><UserId>AIDA</UserId><Account>${account}</Account>`);
    }
    if (action === 'AssumeRole') {
      const roleArn = params.get('RoleArn') ?? '';
      const externalId = params.get('ExternalId') ?? undefined;
      this.assumed.push({ roleArn, sessionName: params.get('RoleSessionName') ?? '', ...(externalId === undefined ? {} : { externalId }) });
      const [, target, name] = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn) ?? [];
      const into = this.accounts.get(target ?? '');
      // A trust without an ExternalId condition ignores one sent.
      if (into === undefined || into.auditRole !== name || (into.externalId !== undefined && into.externalId !== externalId)) {
        return error('sts', 403, 'AccessDenied', `User: arn:aws:iam::${account}:user/auditor is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
      }
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      return ok(
        'sts',
        action,
        `<Credentials><AccessKeyId>ASIA${target}</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
          `<AssumedRoleUser><Arn>arn:aws:sts::${target}:assumed-role/${name}/x</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>`,
      );
    }
    return error('sts', 400, 'InvalidAction', action);
  }

  private organizations(action: string, body: string, account: string): Answer {
    if (action !== 'ListAccounts') return { status: 400, json: true, body: JSON.stringify({ __type: 'InvalidInputException', Message: action }) };
    if (this.options.inOrganization === false) {
      return { status: 400, json: true, body: JSON.stringify({ __type: 'AWSOrganizationsNotInUseException', Message: 'Your account is not a member of an organization.' }) };
    }
    if (account !== this.options.management) {
      return { status: 400, json: true, body: JSON.stringify({ __type: 'AccessDeniedException', Message: 'You don\'t have permissions to access this resource.' }) };
    }
    const size = this.options.organizationPageSize ?? 20;
    const start = Number((JSON.parse(body || '{}') as { NextToken?: string }).NextToken ?? 0);
    const page = this.options.accounts.slice(start, start + size);
    const more = start + size < this.options.accounts.length;
    return {
      status: 200,
      json: true,
      body: JSON.stringify({
        Accounts: page.map((member) => ({ Id: member.id, Arn: `arn:aws:organizations::${this.options.management}:account/o-x/${member.id}`, Name: member.name, Email: `${member.id}@example.com`, State: member.state ?? 'ACTIVE' })),
        ...(more ? { NextToken: String(start + size) } : {}),
      }),
    };
  }

  private iam(action: string, params: URLSearchParams, account: string): Answer {
    const here = this.accounts.get(account);
    if (here === undefined) return error('iam', 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    if (here.deniedActions?.includes(action)) {
      return error('iam', 403, 'AccessDenied', `User: arn:aws:sts::${account}:assumed-role/audit/x is not authorized to perform: iam:${action} on resource: *`);
    }
    const providerArn = (host: string) => `arn:aws:iam::${account}:oidc-provider/${host}`;
    const roleNamed = (name: string | null) => here.roles?.find((role) => role.name === name);
    switch (action) {
      case 'ListOpenIDConnectProviders':
        return ok('iam', action, `<OpenIDConnectProviderList>${(here.providers ?? []).map((provider) => `<member><Arn>${xml(providerArn(provider.host))}</Arn></member>`).join('')}</OpenIDConnectProviderList>`);
      case 'GetOpenIDConnectProvider': {
        const provider = here.providers?.find((candidate) => providerArn(candidate.host) === params.get('OpenIDConnectProviderArn'));
        if (provider === undefined) return error('iam', 404, 'NoSuchEntity', 'OpenIDConnect Provider not found');
        return ok('iam', action, `<ClientIDList>${provider.clientIds.map((id) => `<member>${xml(id)}</member>`).join('')}</ClientIDList><Url>${xml(provider.host)}</Url>`);
      }
      case 'ListRoles': {
        const roles = here.roles ?? [];
        const start = Number(params.get('Marker') ?? 0);
        const size = Number(params.get('MaxItems') ?? 100);
        const page = roles.slice(start, start + size);
        const more = start + size < roles.length;
        const members = page.map(
          (role) =>
            `<member><RoleName>${xml(role.name)}</RoleName><Arn>arn:aws:iam::${account}:role/${xml(role.name)}</Arn><RoleId>AROA${account}</RoleId><Path>/</Path>` +
            `<CreateDate>2026-01-01T00:00:00Z</CreateDate><MaxSessionDuration>${role.maxSessionDuration ?? 3600}</MaxSessionDuration>` +
            `<AssumeRolePolicyDocument>${encodeURIComponent(JSON.stringify(role.trust))}</AssumeRolePolicyDocument></member>`,
        );
        return ok('iam', action, `<IsTruncated>${more}</IsTruncated>${more ? `<Marker>${start + size}</Marker>` : ''}<Roles>${members.join('')}</Roles>`);
      }
      case 'ListAttachedRolePolicies': {
        const role = roleNamed(params.get('RoleName'));
        if (role === undefined) return error('iam', 404, 'NoSuchEntity', `The role with name ${params.get('RoleName')} cannot be found.`);
        const members = (role.attached ?? []).map((arn) => `<member><PolicyName>${xml(arn.split('/').pop() ?? '')}</PolicyName><PolicyArn>${xml(arn)}</PolicyArn></member>`);
        return ok('iam', action, `<IsTruncated>false</IsTruncated><AttachedPolicies>${members.join('')}</AttachedPolicies>`);
      }
      case 'ListRolePolicies': {
        const role = roleNamed(params.get('RoleName'));
        if (role === undefined) return error('iam', 404, 'NoSuchEntity', `The role with name ${params.get('RoleName')} cannot be found.`);
        return ok('iam', action, `<IsTruncated>false</IsTruncated><PolicyNames>${Object.keys(role.inline ?? {}).map((name) => `<member>${xml(name)}</member>`).join('')}</PolicyNames>`);
      }
      case 'GetRolePolicy': {
        const document = roleNamed(params.get('RoleName'))?.inline?.[params.get('PolicyName') ?? ''];
        if (document === undefined) return error('iam', 404, 'NoSuchEntity', 'The role policy cannot be found.');
        return ok('iam', action, `<RoleName>${xml(params.get('RoleName') ?? '')}</RoleName><PolicyName>${xml(params.get('PolicyName') ?? '')}</PolicyName><PolicyDocument>${encodeURIComponent(JSON.stringify(document))}</PolicyDocument>`);
      }
      case 'GetPolicy': {
        const arn = params.get('PolicyArn') ?? '';
        if (here.deniedPolicies?.includes(arn)) {
          return error('iam', 403, 'AccessDenied', `User: arn:aws:sts::${account}:assumed-role/audit/x is not authorized to perform: iam:GetPolicy on resource: policy ${arn}`);
        }
        if (this.policy(arn, account) === undefined) return error('iam', 404, 'NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
        return ok('iam', action, `<Policy><PolicyName>${xml(arn.split('/').pop() ?? '')}</PolicyName><Arn>${xml(arn)}</Arn><DefaultVersionId>v3</DefaultVersionId></Policy>`);
      }
      case 'GetPolicyVersion': {
        const arn = params.get('PolicyArn') ?? '';
        const document = this.policy(arn, account);
        if (document === undefined || params.get('VersionId') !== 'v3') return error('iam', 404, 'NoSuchEntity', `Policy ${arn} version ${params.get('VersionId')} does not exist.`);
        return ok('iam', action, `<PolicyVersion><Document>${encodeURIComponent(JSON.stringify(document))}</Document><VersionId>v3</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>`);
      }
      default:
        return error('iam', 400, 'InvalidAction', `Could not find operation ${action}`);
    }
  }

  private policy(arn: string, account: string): unknown {
    const managed = /^arn:aws:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
    if (managed !== undefined) return this.options.awsManaged?.[managed];
    const own = new RegExp(`^arn:aws:iam::${account}:policy/(.+)$`).exec(arn)?.[1];
    return own === undefined ? undefined : this.accounts.get(account)?.policies?.[own];
  }
}

function ok(service: string, action: string, result: string): Answer {
  return { status: 200, body: `<${action}Response xmlns="${NS[service]}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>` };
}

function error(service: string, status: number, code: string, message: string): Answer {
  return { status, body: `<ErrorResponse xmlns="${NS[service]}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>r</RequestId></ErrorResponse>` };
}

/** Each service's own answer when it throttles: IAM's and STS's `Throttling: Rate exceeded`, Organizations' TooManyRequestsException. */
function throttling(service: string): Answer {
  if (service === 'organizations') {
    return { status: 400, json: true, body: JSON.stringify({ __type: 'TooManyRequestsException', Message: 'AWS Organizations can\'t complete your request because another request is already in progress. Try again later.' }) };
  }
  return error(service, 400, 'Throttling', 'Rate exceeded');
}

/** mulberry32: a small seeded generator, so a throttled run can be repeated. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
