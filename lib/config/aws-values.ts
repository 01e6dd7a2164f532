import { isIPv4, isIPv6 } from 'net';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { bitbucketIssuerHost, workspaceOfIssuer } from '../bitbucket/issuer';
import { parseEach, readList } from './list-values';
import { Parsed, parsed, problem } from '../problems/problem';
import { quoted } from '../problems/quoted';

const PARTITION = '(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)';
const POLICY_NAME = '[A-Za-z0-9+=,.@_-]{1,128}';
/** The paths under which AWS publishes its managed policies. */
const AWS_MANAGED_PATHS = ['job-function', 'service-role', 'aws-service-role'];
const POLICY_ARN = new RegExp(`^arn:${PARTITION}:iam::(aws|\\d{12}):policy/((?:[A-Za-z0-9+=,.@_-]+/)*)(${POLICY_NAME})$`);
const AWS_MANAGED_NAME = new RegExp(`^(?:(${AWS_MANAGED_PATHS.join('|')})/)?${POLICY_NAME}$`);
const PROVIDER_ARN = new RegExp(`^arn:${PARTITION}:iam::(\\d{12}):oidc-provider/(.+)$`);

/**
 * A managed policy: an AWS managed one by name (its ARN is built in the deploy
 * partition) or any policy by its full ARN.
 */
export type ManagedPolicyRef = { readonly awsManagedName: string } | { readonly arn: string };

/** Seconds IAM allows for a role's maximum session. */
export const MIN_SESSION_SECONDS = 3600;
export const MAX_SESSION_SECONDS = 43200;

/** The CDK bootstrap qualifier `cdk bootstrap` uses unless told otherwise. */
export const DEFAULT_CDK_QUALIFIER = 'hnb659fds';

export function parseManagedPolicy(key: string, raw: unknown): Parsed<ManagedPolicyRef> {
  const expected = `an AWS managed policy name (optionally under ${AWS_MANAGED_PATHS.join('/, ')}/) or a policy ARN`;
  const example = `${key}=ReadOnlyAccess or ${key}=arn:aws:iam::123456789012:policy/DeployApp`;
  if (typeof raw !== 'string') return problem({ key, given: raw, expected, example });
  const text = raw.trim();
  const arn = POLICY_ARN.exec(text);
  if (arn !== null) {
    const [, , account, path, name] = arn;
    // An AWS managed policy by ARN is the same policy in every partition: build it in the deploy partition.
    return account === 'aws' ? parsed({ awsManagedName: `${path}${name}` }) : parsed({ arn: text });
  }
  if (AWS_MANAGED_NAME.test(text)) return parsed({ awsManagedName: text });
  if (text.startsWith('arn:')) {
    return problem({ key, given: raw, expected: 'a policy ARN: arn:<partition>:iam::<aws or account id>:policy/<path/><name>', example });
  }
  const hint = /^[A-Za-z0-9_-]+\//.test(text)
    ? `AWS managed policies live only under ${AWS_MANAGED_PATHS.join('/, ')}/; give a customer managed policy by its full ARN`
    : undefined;
  return problem({ key, given: raw, expected, example, hint });
}

export function parseManagedPolicies(key: string, raw: unknown): Parsed<readonly ManagedPolicyRef[]> {
  const example = `${key}=ReadOnlyAccess,arn:aws:iam::123456789012:policy/DeployApp`;
  const list = readList(key, raw, example);
  if (!list.ok) return list;
  return parseEach(key, list.value, parseManagedPolicy, (ref) => ('arn' in ref ? ref.arn : ref.awsManagedName));
}

/** Reads `1h`..`12h`, `90m`, `2h30m`, `5400s` or ISO 8601 `PT2H`; returns seconds. */
export function parseSessionDuration(key: string, raw: unknown): Parsed<number> {
  const expected = 'a duration from 1h to 12h, in hours, minutes or ISO 8601';
  const example = `${key}=2h (or 90m, or PT2H)`;
  if (typeof raw === 'number' || (typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw))) {
    return problem({ key, given: raw, expected, example, hint: 'A bare number has no unit: write 1h, 90m or 3600s' });
  }
  if (typeof raw !== 'string') return problem({ key, given: raw, expected, example });
  const text = raw.trim();
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/i.exec(text) ?? /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/i.exec(text);
  if (match === null || text === '' || /^PT$/i.test(text)) return problem({ key, given: raw, expected, example });
  const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  const total = hours * 3600 + minutes * 60 + seconds;
  if (total < MIN_SESSION_SECONDS || total > MAX_SESSION_SECONDS) {
    return problem({ key, given: raw, expected: `${expected} (IAM allows 3600 to 43200 seconds; this is ${total})`, example });
  }
  return parsed(total);
}

/** What is known of where the stack deploys: its account and partition, when pinned. */
export interface StackPlace {
  readonly account?: string;
  readonly partition?: string;
}

/**
 * An existing IAM OIDC provider, which must be the one for this workspace's issuer and,
 * where the stack's place is known, in its account and partition: a role can trust
 * only a provider of its own account. Every aspect that differs is named on one line.
 */
export function parseProviderArn(key: string, raw: unknown, workspace: string | undefined, place: StackPlace = {}): Parsed<string> {
  const expected = "the ARN of this workspace's IAM OIDC provider: arn:<partition>:iam::<account>:oidc-provider/<its issuer without https://>";
  const example = `${key}=arn:${place.partition ?? 'aws'}:iam::${place.account ?? '123456789012'}:oidc-provider/${bitbucketIssuerHost(workspace ?? 'acme-corp')}`;
  const hint = 'Find it in the IAM console under Identity providers, or in what npm run audit-roles prints';
  if (typeof raw !== 'string') return problem({ key, given: raw, expected, example, hint });
  const text = raw.trim();
  const match = PROVIDER_ARN.exec(text);
  if (match === null) return problem({ key, given: raw, expected, example, hint });
  const [, partition, account, issuer] = match;
  const ofWorkspace = workspaceOfIssuer(issuer);
  if (ofWorkspace === undefined) {
    return problem({ key, given: raw, expected, example, hint: 'That provider is not a Bitbucket Pipelines provider' });
  }
  const aspects = [
    { name: 'workspace', wanted: workspace, got: ofWorkspace, where: '' },
    { name: 'account', wanted: place.account, got: account, where: ' (pinned by account)' },
    { name: 'partition', wanted: place.partition, got: partition, where: ' (of region)' },
  ].filter((aspect): aspect is typeof aspect & { wanted: string } => aspect.wanted !== undefined);
  const differing = aspects.filter((aspect) => aspect.wanted !== aspect.got);
  if (differing.length === 0) return parsed(text);
  return problem({
    key,
    given: raw,
    // A role can trust only its own workspace's provider, in its own account and partition.
    expected: `a provider of ${aspects.map((aspect) => `${aspect.name} ${quoted(aspect.wanted)}${aspect.where}`).join(', ')}, not of ${differing.map((aspect) => `${aspect.name} ${quoted(aspect.got)}`).join(', ')}`,
    example,
  });
}

/** IAM keeps at most this many server certificate thumbprints per provider. */
export const MAX_THUMBPRINTS = 5;
/** Recognisably a placeholder: a real CA's thumbprint in an example would read as the one to use. */
const thumbprintExample = (key: string) => `${key}=0123456789abcdef0123456789abcdef01234567 (as aws iam get-open-id-connect-provider lists them)`;

/**
 * Server certificate thumbprints for the provider: 1 to 5 hex SHA-1 fingerprints of 40
 * characters, lower-cased, each once (compared without case). An empty list is refused:
 * it would be synthesized as an empty ThumbprintList, where leaving the key out lets IAM
 * fetch one itself.
 */
export function parseThumbprints(key: string, raw: unknown): Parsed<readonly string[]> {
  if ((Array.isArray(raw) && raw.length === 0) || (typeof raw === 'string' && /^\s*(\[\s*\])?\s*$/.test(raw))) {
    return problem({
      key,
      given: raw,
      expected: 'at least one thumbprint: an empty list would set an empty ThumbprintList',
      example: thumbprintExample(key),
      hint: 'Leave thumbprints out and IAM fetches the thumbprint itself',
    });
  }
  const list = readList(key, raw, thumbprintExample(key));
  if (!list.ok) return list;
  if (list.value.length > MAX_THUMBPRINTS) {
    return problem({ key, given: raw, expected: `at most ${MAX_THUMBPRINTS} thumbprints, as IAM keeps per provider (this list has ${list.value.length})`, example: thumbprintExample(key) });
  }
  return parseEach(key, list.value, parseThumbprint, (thumbprint) => thumbprint);
}

function parseThumbprint(key: string, item: string): Parsed<string> {
  if (/^[0-9a-f]{40}$/i.test(item)) return parsed(item.toLowerCase());
  const expected = 'a thumbprint: the hex SHA-1 fingerprint of the certificate, 40 characters 0-9 and a-f';
  const hint = /^[0-9a-f]{2}(:[0-9a-f]{2}){19}$/i.test(item)
    ? 'Drop the colons openssl prints between the bytes'
    : /^[0-9a-f]{64}$/i.test(item) || /^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/i.test(item)
      ? 'That is a SHA-256 fingerprint; IAM takes the SHA-1 one (openssl x509 -fingerprint -sha1)'
      : undefined;
  return problem({ key, given: item, expected, example: thumbprintExample(key.replace(/\[\d+\]$/, '')), hint });
}

/** The partition of a region aws-cdk-lib knows; undefined for one it does not (a new region, say). */
export function partitionOf(region: string): string | undefined {
  return RegionInfo.get(region).partition;
}

/** Words that read as a yes or no: a qualifier spelt like one is a mistake, not a qualifier. */
const BOOLEAN_WORDS = /^(true|false|yes|no|on|off|none|null|undefined)$/i;

/**
 * The CDK bootstrap qualifier, or false when the roles must not get CDK access: only
 * `false` and `none` say so; `true` (which the default already is) and the like are
 * refused rather than taken as a qualifier named `true`.
 */
export function parseCdkQualifier(key: string, raw: unknown): Parsed<string | false> {
  if (raw === undefined) return parsed(DEFAULT_CDK_QUALIFIER);
  if (raw === false || raw === 'false' || raw === 'none') return parsed(false);
  const expected = `the qualifier of \`cdk bootstrap\` (1 to 10 letters, digits, - or _), or false/none to leave out CDK access`;
  const example = `${key}=${DEFAULT_CDK_QUALIFIER} (the default), or ${key}=none`;
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  if (raw === true || (text !== undefined && BOOLEAN_WORDS.test(text))) {
    return problem({ key, given: raw, expected, example, hint: 'Leave cdkQualifier out for the default qualifier; write exactly false or none to turn CDK access off' });
  }
  // The pattern of the bootstrap template's own Qualifier parameter.
  if (text !== undefined && /^[A-Za-z0-9_-]{1,10}$/.test(text)) return parsed(text);
  return problem({ key, given: raw, expected, example });
}

const CDK_ACCESS = ['deploy', 'lookup', 'none'] as const;

/** How far a role reaches into the CDK bootstrap roles. */
export function parseCdkAccess(key: string, raw: unknown): Parsed<(typeof CDK_ACCESS)[number]> {
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
  const found = CDK_ACCESS.find((access) => access === text);
  if (found !== undefined) return parsed(found);
  return problem({
    key,
    given: raw,
    expected: 'deploy (the four bootstrap roles: cdk deploy), lookup (only the lookup role: cdk synth with lookups, cdk diff --method=template) or none',
    example: `${key}=lookup`,
  });
}

export function parseRoleName(key: string, raw: unknown): Parsed<string> {
  if (typeof raw === 'string' && /^[A-Za-z0-9+=,.@_-]{1,64}$/.test(raw.trim())) return parsed(raw.trim());
  return problem({ key, given: raw, expected: 'an IAM role name: 1 to 64 letters, digits or +=,.@_-', example: `${key}=bitbucket-pipelines-deploy` });
}

export function parseAccount(key: string, raw: unknown): Parsed<string> {
  const text = typeof raw === 'number' ? String(raw).padStart(12, '0') : raw;
  if (typeof text === 'string' && /^\d{12}$/.test(text.trim())) return parsed(text.trim());
  return problem({ key, given: raw, expected: 'a 12-digit AWS account ID', example: `${key}=123456789012` });
}

/**
 * The accounts whose CDK bootstrap roles a role may assume: 12-digit IDs, each once. `*`
 * is refused on its own line: it would reach every account that trusts this one.
 */
export function parseTargetAccounts(key: string, raw: unknown): Parsed<readonly string[]> {
  const example = `${key}=111111111111,222222222222`;
  const expected = "at least one 12-digit AWS account ID: leave the key out for the stack's own account";
  if ((Array.isArray(raw) && raw.length === 0) || (typeof raw === 'string' && /^\s*(\[\s*\])?\s*$/.test(raw))) return problem({ key, given: raw, expected, example });
  const list = readList(key, raw, example);
  if (!list.ok) return list;
  return parseEach(
    key,
    list.value,
    (itemKey, item) =>
      item === '*'
        ? problem({ key: itemKey, given: item, expected: 'a 12-digit AWS account ID, not a wildcard: * would reach the bootstrap roles of every account that trusts this one', example })
        : /^\d{12}$/.test(item)
          ? parsed(item)
          : problem({ key: itemKey, given: item, expected: 'a 12-digit AWS account ID', example }),
    (account) => account,
  );
}

export function parseRegion(key: string, raw: unknown): Parsed<string> {
  if (typeof raw === 'string' && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(raw.trim())) return parsed(raw.trim());
  return problem({ key, given: raw, expected: 'an AWS region code', example: `${key}=eu-west-1` });
}

/** Source addresses for `aws:SourceIp`: CIDRs or single addresses, IPv4 or IPv6. */
export function parseIpRanges(key: string, raw: unknown): Parsed<readonly string[]> {
  const example = `${key}=203.0.113.0/25,2001:db8::/32`;
  const list = readList(key, raw, example);
  if (!list.ok) return list;
  return parseEach(
    key,
    list.value,
    (itemKey, item) => {
      const [network, prefix, extra] = item.split('/');
      const bits = isIPv4(network) ? 32 : isIPv6(network) ? 128 : 0;
      const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
      if (bits === 0 || !prefixOk || extra !== undefined) {
        return problem({ key: itemKey, given: item, expected: 'an IPv4 or IPv6 CIDR, or a single address', example });
      }
      return parsed(item);
    },
    (range) => range.toLowerCase(),
  );
}
