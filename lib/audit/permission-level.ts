import { cdkBootstrapRoleName } from '../constructs/cdk-bootstrap-roles';
import { evaluatePermissions, PermissionDecision } from '../iam-evaluator/evaluate-permissions';
import { messageOf, statementsOf, strings } from '../iam-evaluator/policy-elements';
import { chosenByCaller } from '../iam-evaluator/request-context';
import { Capability, PRIVILEGE_CATALOGUE } from './privilege-catalogue';
import { RoleFacts } from './role-facts';

/** How much a role may change in its account, as far as its policies tell. */
export interface PermissionLevel {
  /** `admin`: a privilege-escalation capability of the catalogue; `deploy`: the CDK deploy role; `none`: neither. */
  readonly level: 'admin' | 'deploy' | 'none';
  /** Each capability held and what gives it, for the finding's line. */
  readonly because: readonly string[];
  /** The attached policy ARNs and inline policy names that give it that level. */
  readonly grantedBy: readonly string[];
  /** What could not be evaluated, with why and how it was counted (toward access). */
  readonly unreadable: readonly string[];
}

const DEFAULT_QUALIFIER = 'hnb659fds';
const UNNAMED = 'bitbucket-oidc-audit-unnamed';

/**
 * Judges the role's permission policies (every attached policy's document, AWS managed ones
 * included, and its inline policies) against the privilege catalogue, with every condition
 * key left to the caller: a condition holds unless no value could satisfy it, so `"*"`
 * limited to a region is still everything. Conservative where it cannot read: an attached
 * policy without a document, or a document that is not a list of statements, is taken to
 * grant every capability; a statement it does not model counts as allowing (an Allow) or
 * as not applying (a Deny). Permissions boundaries, SCPs and session policies, which can
 * only narrow this, are not evaluated.
 */
export function permissionLevel(role: RoleFacts): PermissionLevel {
  const [partition, account] = /^arn:([^:]+):iam::(\d{12}):/.exec(role.arn)?.slice(1) ?? ['aws', '000000000000'];
  const unreadable: string[] = [];
  const readable: Record<string, unknown> = {};
  const unread: string[] = [];
  for (const arn of role.attachedPolicyArns.filter((candidate) => !(candidate in role.permissionDocuments))) {
    unread.push(arn);
    unreadable.push(`${arn}: its document could not be read (taken to grant everything)`);
  }
  for (const [name, document] of Object.entries(role.permissionDocuments)) {
    try {
      statementsOf(document);
      readable[name] = document;
    } catch (error) {
      unread.push(name);
      unreadable.push(`${name}: ${messageOf(error)} (taken to grant everything)`);
    }
  }

  const unnamed = `arn:${partition}:iam::${account}:role/${UNNAMED}`;
  const named = namedResources(readable, role.arn, unnamed);
  const resourcesFor = (capability: Capability): string[] =>
    capability.resources === 'named' ? named : capability.resources === 'unnamed' ? [unnamed] : cdkDeployRoleProbes(readable, partition, account);
  const ask = (action: string, resource: string): PermissionDecision =>
    evaluatePermissions(readable, { action, resource, unlistedKeys: chosenByCaller('the caller of the role', true) });

  const held: Array<{ capability: Capability; policies: string[] }> = [];
  for (const capability of PRIVILEGE_CATALOGUE) {
    const grants = capability.actions.map((action) => resourcesFor(capability).map((resource) => ask(action, resource)).find((decision) => decision.allowed));
    const policies = [...new Set([...grants.flatMap((decision) => decision?.allowedBy.map((statement) => statement.policy) ?? []), ...unread])];
    if (unread.length === 0 && grants.some((decision) => decision === undefined)) continue;
    held.push({ capability, policies });
    for (const decision of grants) {
      for (const statement of decision?.notModelled ?? []) {
        unreadable.push(`${statement.policy} ${statement.statement}: ${statement.parts.join('; ')} (${statement.effect === 'Allow' ? 'counted as allowing' : 'taken as not denying'})`);
      }
    }
  }
  const escalation = held.filter((entry) => entry.capability.tier === 'escalation');
  const deciding = escalation.length > 0 ? escalation : held;
  return {
    level: escalation.length > 0 ? 'admin' : held.length > 0 ? 'deploy' : 'none',
    because: deciding.map(({ capability, policies }) => `${capability.id} (${capability.what}) through ${policies.map(shortName).join(', ')}`),
    grantedBy: [...new Set(deciding.flatMap((entry) => entry.policies))],
    unreadable: [...new Set(unreadable)],
  };
}

/** An AWS managed policy by its name, anything else as it is keyed. */
function shortName(policy: string): string {
  return /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(policy)?.[1] ?? policy;
}

/**
 * Resources to ask about: an instance of every resource pattern the policies write, the
 * role itself (`iam:PutRolePolicy` on itself is enough), and one resource no policy names.
 */
function namedResources(documents: Readonly<Record<string, unknown>>, roleArn: string, unnamed: string): string[] {
  const written = Object.values(documents).flatMap((document) =>
    statementsOf(document).flatMap((statement) => {
      try {
        return strings(statement.Resource ?? [], 'Resource');
      } catch {
        return [];
      }
    }),
  );
  const instances = written.map((pattern) => pattern.replace(/\*/g, UNNAMED).replace(/\?/g, 'x'));
  return [...new Set([roleArn, ...instances, unnamed])];
}

/**
 * Concrete deploy-role ARNs to ask about: each deploy-role name the policies mention, its
 * wildcards filled in, and the default qualifier's role in us-east-1.
 */
function cdkDeployRoleProbes(documents: Readonly<Record<string, unknown>>, partition: string, account: string): string[] {
  const mentioned = [...JSON.stringify(documents).matchAll(/cdk-[A-Za-z0-9_-]{1,10}-deploy-role-[^"/]*/g)].map((match) => match[0].replace(/[*?]/g, 'x'));
  const names = [cdkBootstrapRoleName(DEFAULT_QUALIFIER, 'deploy', account, 'us-east-1'), ...mentioned];
  return [...new Set(names)].map((name) => `arn:${partition}:iam::${account}:role/${name}`);
}
