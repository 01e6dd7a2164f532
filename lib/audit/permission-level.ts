import { cdkBootstrapRoleName } from '../constructs/cdk-bootstrap-roles';
import { evaluatePermissions } from '../iam-evaluator/evaluate-permissions';
import { RoleFacts } from './role-facts';

/** How much a role may change in its account, as far as its policies tell. */
export interface PermissionLevel {
  /** `admin` can change IAM itself; `deploy` can deploy (PowerUserAccess, the CDK deploy role); `none` neither. */
  readonly level: 'admin' | 'deploy' | 'none';
  /** What gives it that level, for the finding's line. */
  readonly because: readonly string[];
  /** The attached policy ARNs and inline policy names that give it that level. */
  readonly grantedBy: readonly string[];
  /** Documents the evaluator could not read, with why. */
  readonly unreadable: readonly string[];
}

const ADMIN_MANAGED = ['AdministratorAccess', 'IAMFullAccess'];
const DEPLOY_MANAGED = ['PowerUserAccess'];
const DEFAULT_QUALIFIER = 'hnb659fds';

function awsManagedName(arn: string): string | undefined {
  return /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

/**
 * AWS managed policies are judged by name (AdministratorAccess, IAMFullAccess,
 * PowerUserAccess); inline and customer managed policies by asking the IAM evaluator
 * whether they allow changing IAM (`iam:AttachRolePolicy`) or assuming a CDK deploy role.
 */
export function permissionLevel(role: RoleFacts): PermissionLevel {
  const managed = (names: readonly string[]) => role.attachedPolicyArns.filter((arn) => names.includes(awsManagedName(arn) ?? ''));
  const admin = managed(ADMIN_MANAGED);
  const deploy = managed(DEPLOY_MANAGED);
  const [partition, account] = /^arn:([^:]+):iam::(\d{12}):/.exec(role.arn)?.slice(1) ?? ['aws', '000000000000'];
  const unreadable: string[] = [];
  const allows = (action: string, resource: string): string[] =>
    Object.entries(role.permissionDocuments).flatMap(([name, document]) => {
      try {
        return evaluatePermissions({ [name]: document }, { action, resource }).allowed ? [name] : [];
      } catch (error) {
        unreadable.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
        return [];
      }
    });
  const iamChangers = allows('iam:AttachRolePolicy', `arn:${partition}:iam::${account}:role/any-role`);
  const deployRoles = cdkDeployRoleProbes(role, partition, account).flatMap((arn) => allows('sts:AssumeRole', arn));
  const level = admin.length > 0 || iamChangers.length > 0 ? 'admin' : deploy.length > 0 || deployRoles.length > 0 ? 'deploy' : 'none';
  const deployRoleGrants = [...new Set(deployRoles)];
  const because = [
    ...admin.map(awsManagedName),
    ...iamChangers.map((name) => `${name} (allows iam:AttachRolePolicy)`),
    ...deploy.map(awsManagedName),
    ...deployRoleGrants.map((name) => `${name} (may assume the CDK deploy role)`),
  ].filter((reason): reason is string => reason !== undefined);
  return { level, because, grantedBy: [...new Set([...admin, ...iamChangers, ...deploy, ...deployRoleGrants])], unreadable: [...new Set(unreadable)] };
}

/**
 * Concrete deploy-role ARNs to ask about: each deploy-role name the policies mention, its
 * wildcards filled in, and the default qualifier's role in us-east-1.
 */
function cdkDeployRoleProbes(role: RoleFacts, partition: string, account: string): string[] {
  const mentioned = [...JSON.stringify(role.permissionDocuments).matchAll(/cdk-[A-Za-z0-9_-]{1,10}-deploy-role-[^"/]*/g)].map((match) => match[0].replace(/[*?]/g, 'x'));
  const names = [cdkBootstrapRoleName(DEFAULT_QUALIFIER, 'deploy', account, 'us-east-1'), ...mentioned];
  return [...new Set(names)].map((name) => `arn:${partition}:iam::${account}:role/${name}`);
}
