import { CdkBootstrapRoleKind } from '../constructs/cdk-bootstrap-roles';
import { PermissionReach, ReachDecision, ResourceScope } from '../iam-evaluator/evaluate-permissions';
import { effectOf, messageOf, statementName, statementsOf, strings } from '../iam-evaluator/policy-elements';
import { chosenByCaller } from '../iam-evaluator/request-context';
import { quoted } from '../problems/quoted';
import { AccountReach, accountsNamed, bootstrapReach, rolesNamed, rolesOtherThanCdkBootstrap, unnamedRoles } from './cdk-role-reach';
import { ADMIN_ROLE_NAMES, Capability, PRIVILEGE_CATALOGUE, UNNAMED_ACTION } from './privilege-catalogue';
import { RoleFacts } from './role-facts';
import { knownServices, writeActionsOf, WRITES_ONLY_WITH } from './write-actions';

/** How much a role may change in its account, as far as its policies tell. */
export interface PermissionLevel {
  /**
   * `admin`: a privilege-escalation capability of the catalogue; `deploy`: the CDK deploy
   * role; `writes`: it changes data or settings, the CDK assets, or assumes roles this audit
   * does not judge; `none`: it only reads.
   */
  readonly level: 'admin' | 'deploy' | 'writes' | 'none';
  /** Each capability held and what gives it, for the finding's line. */
  readonly because: readonly string[];
  /** The attached policy ARNs and inline policy names that give escalation or deploy rights: what CloudFormation's execution role replaces. */
  readonly grantedBy: readonly string[];
  /** What could not be evaluated, with why and how it was counted (toward access). */
  readonly unreadable: readonly string[];
  /** The accounts whose CDK bootstrap roles it may assume: `deploy` the deploy role, `lookup` the lookup role. */
  readonly bootstrapReach: BootstrapReach;
}

export type BootstrapReach = Readonly<Record<'deploy' | 'lookup', AccountReach>>;

/** The bootstrap role kinds each reach (and each catalogue entry on bootstrap roles) is about. */
const REACH_KINDS = {
  deploy: ['deploy'],
  publishing: ['file-publishing', 'image-publishing'],
  lookup: ['lookup'],
} as const satisfies Record<string, readonly CdkBootstrapRoleKind[]>;

const CALLER = chosenByCaller('the caller of the role', true);
/** How many write actions a finding names before it counts the rest. */
const WRITES_SHOWN = 3;

/**
 * Judges the role's permission policies (every attached policy's document, AWS managed ones
 * included, and its inline policies) against the privilege catalogue and then the write
 * actions, each question decided over every resource (and, for "every action", every
 * action no policy names), with every condition key left to the caller: a condition holds
 * unless no value could satisfy it, so `"*"` limited to a region is still everything.
 * Conservative where it cannot read: an attached policy without a document, or a document
 * that is not a list of statements with an Effect each, is taken to grant everything; a
 * statement it does not model counts as allowing (an Allow) or as not applying (a Deny);
 * anything else that stops the evaluation takes the role to grant everything. Permissions
 * boundaries, SCPs and session policies, which can only narrow this, are not evaluated.
 */
export function permissionLevel(role: Pick<RoleFacts, 'arn' | 'attachedPolicyArns' | 'permissionDocuments'>): PermissionLevel {
  const [partition, account] = /^arn:([^:]+):iam::(\d{12}):/.exec(role.arn)?.slice(1) ?? ['aws', '000000000000'];
  const { readable, unread, unreadable } = readDocuments(role);
  try {
    return judge(readable, unread, unreadable, partition, account);
  } catch (error) {
    // Erring toward exposure: what cannot be judged is taken to grant everything, and said.
    const all = [...new Set([...role.attachedPolicyArns, ...Object.keys(role.permissionDocuments)])];
    const everywhere: AccountReach = { accounts: [account], anyAccount: true };
    return {
      level: 'admin',
      because: [`every capability (the policies could not be evaluated: taken to grant everything) through ${all.map(shortName).join(', ') || 'its policies'}`],
      grantedBy: all,
      unreadable: [...new Set([...unreadable, `the permission policies could not be evaluated (${quoted(messageOf(error))}): taken to grant everything`])],
      bootstrapReach: { deploy: everywhere, lookup: everywhere },
    };
  }
}

/** The documents the evaluator can read, and the policies it cannot (taken to grant everything), with why. */
function readDocuments(role: Pick<RoleFacts, 'attachedPolicyArns' | 'permissionDocuments'>) {
  const unreadable: string[] = [];
  const readable: Record<string, unknown> = {};
  const unread: string[] = [];
  for (const arn of role.attachedPolicyArns.filter((candidate) => !(candidate in role.permissionDocuments))) {
    unread.push(arn);
    unreadable.push(`${arn}: its document could not be read (taken to grant everything)`);
  }
  for (const [name, document] of Object.entries(role.permissionDocuments)) {
    try {
      statementsOf(document).forEach((statement, index) => effectOf(statement, statementName(statement, index)));
      readable[name] = document;
    } catch (error) {
      unread.push(name);
      unreadable.push(`${name}: ${messageOf(error)} (taken to grant everything)`);
    }
  }
  return { readable, unread, unreadable };
}

interface Held {
  readonly id: string;
  readonly tier: Capability['tier'];
  readonly what: string;
  readonly policies: readonly string[];
  readonly example?: string;
}

function judge(readable: Record<string, unknown>, unread: readonly string[], unreadable: string[], partition: string, account: string): PermissionLevel {
  const reach = new PermissionReach(readable, { unlistedKeys: CALLER });
  const note = (decision: ReachDecision) => {
    for (const statement of decision.notModelled) {
      unreadable.push(`${statement.policy} ${statement.statement}: ${statement.parts.join('; ')} (${statement.effect === 'Allow' ? 'counted as allowing' : 'taken as not denying'})`);
    }
  };

  // The bootstrap roles of the role's own account and of every account its policies name, then of every other account.
  const named = accountsNamed(readable);
  const bootstrap = Object.fromEntries(
    Object.entries(REACH_KINDS).map(([group, kinds]) => {
      const decided = bootstrapReach(reach, kinds, partition, account, named);
      decided.decisions.filter((decision) => decision.allowed).forEach(note);
      // A policy that cannot be read is taken to grant everything: every account.
      return [group, unread.length === 0 ? decided : { reach: { accounts: [account, ...named.filter((other) => other !== account)], anyAccount: true }, decisions: decided.decisions }];
    }),
  ) as Record<keyof typeof REACH_KINDS, ReturnType<typeof bootstrapReach>>;

  const held: Held[] = [];
  for (const capability of PRIVILEGE_CATALOGUE) {
    const resources = capability.resources;
    const decisions =
      resources === 'cdk-deploy-role' || resources === 'cdk-publishing-roles'
        ? [someAllowed(bootstrap[resources === 'cdk-deploy-role' ? 'deploy' : 'publishing'].decisions)]
        : capability.actions.map((action) => {
            const scope = scopeOf(resources, partition, account);
            return action === UNNAMED_ACTION ? reach.onSomeUnnamedAction(scope) : reach.onSomeResource(action, scope);
          });
    if (unread.length === 0 && decisions.some((decision) => !decision.allowed)) continue;
    decisions.forEach(note);
    const example = capability.resources === 'any' ? undefined : decisions.find((decision) => decision.example !== undefined)?.example;
    held.push({ ...capability, policies: [...new Set([...decisions.flatMap((decision) => decision.allowedBy.map((statement) => statement.policy)), ...unread])], example });
  }
  if (!held.some((entry) => entry.tier === 'escalation')) {
    const written = writesHeld(readable, reach, note);
    if (written !== undefined) held.push(written);
  }

  const escalation = held.filter((entry) => entry.tier === 'escalation');
  const deciding = escalation.length > 0 ? escalation : held;
  const level = escalation.length > 0 ? 'admin' : held.some((entry) => entry.tier === 'deploy') ? 'deploy' : held.length > 0 ? 'writes' : 'none';
  return {
    level,
    because: deciding.map(({ id, what, policies, example }) => `${id} (${what}${example === undefined ? '' : `; for example ${quoted(example)}`}) through ${policies.map(shortName).join(', ')}`),
    grantedBy: [...new Set(deciding.filter((entry) => entry.tier !== 'writes').flatMap((entry) => entry.policies))],
    unreadable: [...new Set(unreadable)],
    bootstrapReach: { deploy: bootstrap.deploy.reach, lookup: bootstrap.lookup.reach },
  };
}

/** The first decision that allows (the bootstrap roles of some account), else the last. */
function someAllowed(decisions: readonly ReachDecision[]): ReachDecision {
  return decisions.find((decision) => decision.allowed) ?? decisions[decisions.length - 1];
}

function scopeOf(resources: Exclude<Capability['resources'], 'cdk-deploy-role' | 'cdk-publishing-roles'>, partition: string, account: string): ResourceScope {
  switch (resources) {
    case 'any':
      return {};
    case 'unnamed-role':
      return unnamedRoles(partition, account);
    case 'admin-roles':
      return rolesNamed(ADMIN_ROLE_NAMES, partition);
    case 'other-roles':
      return rolesOtherThanCdkBootstrap(partition);
  }
}

/**
 * The write actions the policies allow on some resource (write-actions.ts), over the
 * services their Allow statements can reach; an action of a service the data does not know
 * counts as a write unless its name is a read's (Get, List, Describe).
 */
function writesHeld(readable: Readonly<Record<string, unknown>>, reach: PermissionReach, note: (decision: ReachDecision) => void): Held | undefined {
  const services = new Set<string>();
  const unknown = new Set<string>();
  let everyService = false;
  for (const document of Object.values(readable)) {
    for (const statement of statementsOf(document)) {
      if (statement.Effect !== 'Allow') continue;
      if (!('Action' in statement)) {
        everyService = true;
        continue;
      }
      let patterns: string[];
      try {
        patterns = strings(statement.Action, 'Action');
      } catch {
        everyService = true;
        continue;
      }
      for (const pattern of patterns) {
        const [service, name] = pattern.toLowerCase().split(':');
        if (name === undefined || /[*?]/.test(service)) everyService = true;
        else if (knownServices().has(service)) services.add(service);
        else if (!/^(?:get|list|describe)/.test(name)) unknown.add(pattern.replace(/\*/g, '').replace(/\?/g, 'x'));
      }
    }
  }
  const reaches = new Map<string, PermissionReach>();
  const reachWith = (context: Readonly<Record<string, string>> | undefined) => {
    if (context === undefined) return reach;
    const key = JSON.stringify(context);
    let found = reaches.get(key);
    if (found === undefined) {
      found = new PermissionReach(readable, { context, unlistedKeys: CALLER });
      reaches.set(key, found);
    }
    return found;
  };
  const allowed: string[] = [];
  const policies = new Set<string>();
  const candidates = [...(everyService ? [...knownServices()] : [...services]).flatMap(writeActionsOf), ...unknown];
  for (const action of candidates) {
    const decision = reachWith(WRITES_ONLY_WITH[action]).onSomeResource(action);
    if (!decision.allowed) continue;
    note(decision);
    allowed.push(action);
    for (const statement of decision.allowedBy) policies.add(statement.policy);
  }
  if (allowed.length === 0) return undefined;
  // The ones a reader knows best first: deleting, overwriting, creating, changing.
  const rank = (action: string) => ['Delete', 'Put', 'Create', 'Update'].findIndex((verb) => action.split(':')[1]?.startsWith(verb));
  allowed.sort((a, b) => (rank(a) < 0 ? 9 : rank(a)) - (rank(b) < 0 ? 9 : rank(b)));
  const more = allowed.length > WRITES_SHOWN ? ` and ${allowed.length - WRITES_SHOWN} more` : '';
  return {
    id: 'writes data',
    tier: 'writes',
    what: `${allowed.slice(0, WRITES_SHOWN).join(', ')}${more}: actions AWS rates Write, Permissions management or Tagging`,
    policies: [...policies],
  };
}

/** An AWS managed policy by its name, anything else as it is keyed. */
function shortName(policy: string): string {
  return /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(policy)?.[1] ?? policy;
}
