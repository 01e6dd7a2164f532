/**
 * Resolves the few CloudFormation intrinsics these templates use (Ref to pseudo
 * parameters and resources, Fn::Join, Fn::GetAtt Arn) to concrete strings, as
 * CloudFormation would in a known account.
 */
export interface DeployTarget {
  readonly account: string;
  readonly partition: string;
  readonly region: string;
  /** Physical IDs of resources by logical ID, for `Ref`. */
  readonly refs?: Readonly<Record<string, string>>;
}

export function resolveIntrinsics(value: unknown, target: DeployTarget): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, target));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && keys[0] === 'Ref') return resolveRef(String(object.Ref), target);
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolveIntrinsics(part, target)).join(separator);
  }
  return Object.fromEntries(keys.map((key) => [key, resolveIntrinsics(object[key], target)]));
}

function resolveRef(name: string, target: DeployTarget): string {
  const pseudo: Record<string, string> = {
    'AWS::AccountId': target.account,
    'AWS::Partition': target.partition,
    'AWS::Region': target.region,
  };
  const resolved = pseudo[name] ?? target.refs?.[name];
  if (resolved === undefined) throw new Error(`cannot resolve Ref ${name}`);
  return resolved;
}
