/**
 * Reads what the rehearsals check straight from the emulated AWS APIs, through the AWS
 * SDK: in process, so hundreds of reads cost milliseconds, not a CLI start each.
 */
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, paginateListStacks } from '@aws-sdk/client-cloudformation';
import {
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import { Credentials, Emulator } from './emulator';

export interface RoleState {
  readonly name: string;
  readonly arn: string;
  /** IAM's unique ID: a role deleted and created again under the same name gets a new one. */
  readonly id: string;
  readonly maxSessionDuration: number;
  readonly trust: { Statement: Array<Record<string, unknown>> };
  readonly attachedPolicyArns: readonly string[];
  readonly inlinePolicies: Readonly<Record<string, unknown>>;
}

export interface ProviderState {
  readonly arn: string;
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
  readonly createDate: string;
}

export interface StackState {
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
}

/** IAM returns policy documents URL-encoded. */
function policyDocument(encoded: string | undefined): { Statement: Array<Record<string, unknown>> } {
  return JSON.parse(decodeURIComponent(encoded ?? '%7B%7D')) as { Statement: Array<Record<string, unknown>> };
}

/** One account's view, through its own credentials. */
export class AccountState {
  readonly iam: IAMClient;
  readonly cloudformation: CloudFormationClient;

  constructor(emulator: Emulator, credentials: Credentials) {
    this.iam = new IAMClient(emulator.client(credentials));
    this.cloudformation = new CloudFormationClient(emulator.client(credentials));
  }

  async role(name: string): Promise<RoleState | undefined> {
    const found = await this.iam.send(new GetRoleCommand({ RoleName: name })).catch((error: { name?: string }) => {
      if (error.name === 'NoSuchEntityException' || error.name === 'NoSuchEntity') return undefined;
      throw error;
    });
    if (found?.Role === undefined) return undefined;
    const attached = await this.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
    const inlineNames = (await this.iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames ?? [];
    const inline: Record<string, unknown> = {};
    for (const policyName of inlineNames) {
      const policy = await this.iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName }));
      inline[policyName] = policyDocument(policy.PolicyDocument);
    }
    return {
      name,
      arn: found.Role.Arn ?? '',
      id: found.Role.RoleId ?? '',
      maxSessionDuration: found.Role.MaxSessionDuration ?? 0,
      trust: policyDocument(found.Role.AssumeRolePolicyDocument),
      attachedPolicyArns: (attached.AttachedPolicies ?? []).map((policy) => policy.PolicyArn ?? ''),
      inlinePolicies: inline,
    };
  }

  /** Every permission policy of the role, inline and attached, by name: what IAM evaluates for its calls. */
  async permissionDocuments(role: RoleState): Promise<Record<string, unknown>> {
    const documents: Record<string, unknown> = { ...role.inlinePolicies };
    for (const arn of role.attachedPolicyArns) {
      const policy = await this.iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      const version = await this.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId }));
      documents[arn] = policyDocument(version.PolicyVersion?.Document);
    }
    return documents;
  }

  /** The role an ARN names (generated names end the ARN). */
  roleByArn(arn: string): Promise<RoleState | undefined> {
    return this.role(arn.split('/').pop() ?? '');
  }

  async roleNames(): Promise<string[]> {
    const names: string[] = [];
    for await (const page of paginateListRoles({ client: this.iam }, {})) names.push(...(page.Roles ?? []).map((role) => role.RoleName ?? ''));
    return names;
  }

  /** Every OIDC provider; a provider deleted and created again at the same URL keeps its ARN but gets a new creation date. */
  async providers(): Promise<ProviderState[]> {
    const listed = (await this.iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? [];
    return Promise.all(
      listed.map(async ({ Arn }) => {
        const provider = await this.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: Arn }));
        return {
          arn: Arn ?? '',
          url: provider.Url ?? '',
          clientIds: provider.ClientIDList ?? [],
          thumbprints: provider.ThumbprintList ?? [],
          createDate: provider.CreateDate?.toISOString() ?? '',
        };
      }),
    );
  }

  async stack(name: string): Promise<StackState | undefined> {
    const described = await this.cloudformation.send(new DescribeStacksCommand({ StackName: name })).catch((error: { message?: string }) => {
      if (error.message?.includes('does not exist')) return undefined;
      throw error;
    });
    const stack = described?.Stacks?.[0];
    if (stack === undefined) return undefined;
    return {
      status: stack.StackStatus ?? '',
      outputs: Object.fromEntries((stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? ''])),
    };
  }

  /** The names of the account's stacks that exist (not deleted), sorted. */
  async stackNames(): Promise<string[]> {
    const names: string[] = [];
    for await (const page of paginateListStacks({ client: this.cloudformation }, {})) {
      names.push(...(page.StackSummaries ?? []).filter((stack) => stack.StackStatus !== 'DELETE_COMPLETE').map((stack) => stack.StackName ?? ''));
    }
    return names.sort();
  }

  /** The stack's events, oldest first, as `<logical id> <status>: <reason>`. */
  async stackEvents(name: string): Promise<string[]> {
    const events = (await this.cloudformation.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents ?? [];
    return events.reverse().map((event) => `${event.LogicalResourceId} ${event.ResourceStatus}${event.ResourceStatusReason ? `: ${event.ResourceStatusReason}` : ''}`);
  }
}
