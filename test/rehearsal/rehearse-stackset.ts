/**
 * The organisation rollout rehearsal: the StackSet stack deployed with the real CDK CLI
 * from the management account (and from a delegated administrator) to an emulated AWS
 * Organization, each member account then read through its own IAM and CloudFormation.
 *
 *   npm run rehearse:stackset
 *
 * moto 5.2.1 has no CloudFormation model for AWS::CloudFormation::StackSet and no
 * AutoDeployment, OperationPreferences or CallAs: test/rehearsal/moto_launcher.py models
 * them as CloudFormation documents them (see the README: what is rehearsed, what is modelled).
 */
import { DescribeStackSetCommand, ListStackInstancesCommand, ListStacksCommand, StackInstanceSummary } from '@aws-sdk/client-cloudformation';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  EnableAWSServiceAccessCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { join } from 'path';
import { DeployedRole, rolesAsDeployed } from '../support/synth';
import { commitContext, prepareRepository } from './admin-repository';
import { AccountState, RoleState } from './aws-state';
import { ADMIN_ACCOUNT, ADMIN_CREDENTIALS, CDK, Checks, Credentials, Emulator, REGION, rehearse, run, runAllowingFailure } from './emulator';

const WORKSPACE_UUID = '8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';
const AUDIENCE = `ari:cloud:bitbucket::workspace/${WORKSPACE_UUID}`;
const REPO = '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}';
const ENV_PRODUCTION = '{c0ffee00-1234-4abc-8def-0123456789ab}';
const STACKSETS = 'member.org.stacksets.cloudformation.amazonaws.com';
const issuerHost = (workspace: string) => `api.bitbucket.org/2.0/workspaces/${workspace}/pipelines-config/identity/oidc`;
const ROLES = [
  { id: 'Preview', repositories: [REPO], cdkAccess: 'lookup' },
  { id: 'Deploy', repositories: [REPO], environments: [ENV_PRODUCTION] },
];
const OPS_ROLE = { id: 'Ops', repositories: [REPO], cdkAccess: 'none', policies: ['ReadOnlyAccess'] };

interface Member {
  readonly label: string;
  readonly id: string;
  readonly state: AccountState;
}

async function phases(checks: Checks, emulator: Emulator, work: string): Promise<void> {
  const organizations = new OrganizationsClient(emulator.client(ADMIN_CREDENTIALS));
  const sts = new STSClient(emulator.client(ADMIN_CREDENTIALS));
  const management = new AccountState(emulator, ADMIN_CREDENTIALS);
  /** A member account's own view, as the management account's OrganizationAccountAccessRole gives it. */
  const credentialsFor = async (account: string): Promise<Credentials> => {
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, RoleSessionName: 'rehearsal' }));
    const { AccessKeyId, SecretAccessKey, SessionToken } = assumed.Credentials ?? {};
    return { accessKeyId: AccessKeyId ?? '', secretAccessKey: SecretAccessKey ?? '', sessionToken: SessionToken };
  };
  const createAccount = async (name: string, parent: string): Promise<Member> => {
    const created = await organizations.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
    const id = created.CreateAccountStatus?.AccountId ?? '';
    const root = await rootId();
    if (parent !== root) await organizations.send(new MoveAccountCommand({ AccountId: id, SourceParentId: root, DestinationParentId: parent }));
    return { label: `${id} ${name}`, id, state: new AccountState(emulator, await credentialsFor(id)) };
  };
  const rootId = async () => (await organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
  const instances = async (name: string, state = management): Promise<StackInstanceSummary[]> =>
    (await state.cloudformation.send(new ListStackInstancesCommand({ StackSetName: name }))).Summaries ?? [];

  let root = '';
  const ous: Record<string, string> = {};
  const members: Record<string, Member> = {};
  const repository = join(work, 'management-repository');
  const adminEnv = emulator.envWith(ADMIN_CREDENTIALS);
  const cdk = (dir: string, env: NodeJS.ProcessEnv, ...args: string[]) => run(CDK, [...args, '--require-approval', 'never'], { cwd: dir, env });
  const context = (workspace: string, roles: object[], extra: Record<string, unknown>) => ({ workspace, audience: WORKSPACE_UUID, roles, stackSetRegion: REGION, ...extra });

  await checks.phase(`1. moto_server on 127.0.0.1:${emulator.port}; an organisation: two OUs (one nested below Workloads), five member accounts`, async () => {
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    root = await rootId();
    ous.workloads = (await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Workloads' }))).OrganizationalUnit?.Id ?? '';
    ous.payments = (await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: ous.workloads, Name: 'Payments' }))).OrganizationalUnit?.Id ?? '';
    ous.sandbox = (await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Sandbox' }))).OrganizationalUnit?.Id ?? '';
    members.dev = await createAccount('workloads-dev', ous.workloads);
    members.payments = await createAccount('payments-prod', ous.payments);
    members.sandbox = await createAccount('sandbox', ous.sandbox);
    members.excluded = await createAccount('sandbox-excluded', ous.sandbox);
    members.legacy = await createAccount('legacy', ous.sandbox);
    // legacy already has a provider for the workspace, made by hand, and a role that trusts it.
    const legacyProvider = await members.legacy.state.iam.send(new CreateOpenIDConnectProviderCommand({ Url: `https://${issuerHost('acme-corp')}`, ClientIDList: [AUDIENCE] }));
    await members.legacy.state.iam.send(new CreateRoleCommand({
      RoleName: 'hand-made-deploy',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: legacyProvider.OpenIDConnectProviderArn }, Action: 'sts:AssumeRoleWithWebIdentity' }] }),
    }));
    // Trusted access, as the README says it must be (the console's "Activate trusted access" does the same).
    await organizations.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: STACKSETS }));
    checks.equal('the organisation', Object.keys(members).length, 5);
    prepareRepository(repository, context('acme-corp', ROLES, {
      stackSetOrganizationalUnits: [ous.workloads, ous.sandbox],
      stackSetExcludedAccounts: [members.excluded.id],
      stackSetFailureTolerance: '0',
    }));
    await run(CDK, ['bootstrap', `aws://${ADMIN_ACCOUNT}/${REGION}`], { cwd: repository, env: adminEnv });
  });

  const targets = () => [members.dev, members.payments, members.sandbox];
  // The roles each member account should hold: the single-account template's, resolved in that account.
  const expectedRoles = (account: string, roles: object[]) => rolesAsDeployed({ workspace: 'acme-corp', audience: WORKSPACE_UUID, roles }, account, REGION);

  await checks.phase('2. a rollout beyond its failure tolerance (0, one account has a hand-made provider) fails as a whole and rolls back', async () => {
    const failed = await runAllowingFailure(CDK, ['deploy', '--require-approval', 'never'], { cwd: repository, env: adminEnv });
    const events = await management.stackEvents('BitbucketOidcStackSet-acme-corp');
    checks.check(
      'cdk deploy fails, the StackSet resource saying which account failed and why',
      failed.code !== 0 && events.some((line) => line.includes('failed beyond its failure tolerance') && line.includes(`${members.legacy.id}: `) && line.includes('already exists')),
      events.join('\n'),
    );
    checks.equal('the StackSet stack rolled back', (await management.stack('BitbucketOidcStackSet-acme-corp'))?.status, 'ROLLBACK_COMPLETE');
    checks.notRehearsed('the order in which CloudFormation visits accounts is not documented: the emulator takes the OUs as listed, so the accounts before legacy completed first');
    for (const member of targets()) {
      const providers = (await member.state.providers()).map((provider) => provider.url);
      const roles = (await member.state.roleNames()).filter((name) => name.includes('PipelineRole'));
      checks.equal(`${member.label}: its instance was deleted (no role), its provider kept by the deletion policy`, [roles, providers], [[], [issuerHost('acme-corp')]]);
    }
    // The README's remedy before a retry: delete what the failed rollout left (the retry recreates them at the same ARN).
    for (const member of targets()) {
      for (const provider of await member.state.providers()) await member.state.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: provider.arn }));
    }
    commitContext(repository, { stackSetFailureTolerance: '1' });
  });

  await checks.phase('3. cdk deploy of the StackSet stack from the management account (failure tolerance 1)', async () => {
    await cdk(repository, adminEnv, 'deploy');
    checks.equal('the StackSet stack is deployed', (await management.stack('BitbucketOidcStackSet-acme-corp'))?.status, 'CREATE_COMPLETE');
    const byAccount = Object.fromEntries((await instances('BitbucketOidc-acme-corp')).map((instance) => [instance.Account, instance]));
    for (const member of targets()) {
      checks.equal(`${member.label}: its stack instance is CURRENT`, byAccount[member.id]?.Status, 'CURRENT');
    }
    const legacy = byAccount[members.legacy.id];
    checks.check(
      `${members.legacy.label}: its instance fails with "already exists" (a hand-made provider), within the tolerance`,
      legacy?.Status === 'OUTDATED' && /Provider with url https:\/\/api\.bitbucket\.org\/.* already exists/.test(legacy.StatusReason ?? ''),
      JSON.stringify(legacy),
    );
    checks.equal(`${members.excluded.label} (stackSetExcludedAccounts) and ${ADMIN_ACCOUNT} management: no instance`, [byAccount[members.excluded.id], byAccount[ADMIN_ACCOUNT]], [undefined, undefined]);
    checks.notRehearsed('time: the emulator deploys the accounts of a batch one after another, and at once; MaxConcurrent only decides how many may fail before the rest is cancelled');
  });

  const originalIds: Record<string, Record<string, string>> = {};
  await checks.phase('4. each member account, read through its own IAM and CloudFormation APIs', async () => {
    for (const member of targets()) {
      const roles = await checkMember(checks, member, expectedRoles(member.id, ROLES));
      originalIds[member.id] = Object.fromEntries(Object.entries(roles).map(([output, role]) => [output, role.id]));
    }
    for (const member of [members.excluded, { label: `${ADMIN_ACCOUNT} management`, id: ADMIN_ACCOUNT, state: management }]) {
      const providers = await member.state.providers();
      const roles = (await member.state.roleNames()).filter((name) => name.includes('PipelineRole'));
      checks.equal(`${member.label}: no provider and no pipeline role`, [providers.map((provider) => provider.url), roles], [[], []]);
    }
  });

  await checks.phase('5. an update (a role added to roles) reaches every target account; the existing roles keep their ARNs', async () => {
    commitContext(repository, { roles: [...ROLES, OPS_ROLE] });
    await cdk(repository, adminEnv, 'deploy');
    checks.notRehearsed("a member stack whose update fails: its rollback is not modelled, and the launcher answers with an error if it happens");
    for (const member of targets()) {
      const roles = await checkMember(checks, member, expectedRoles(member.id, [...ROLES, OPS_ROLE]));
      const kept = Object.fromEntries(Object.keys(originalIds[member.id]).map((output) => [output, roles[output]?.id]));
      checks.equal(`${member.label}: PreviewRoleArn and DeployRoleArn are the same roles (same unique IDs)`, kept, originalIds[member.id]);
    }
  });

  await checks.phase("6. the README's remedy for the account with a hand-made provider: delete it, retry its instance", async () => {
    const [handMade] = await members.legacy.state.providers();
    await members.legacy.state.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: handMade.arn }));
    await run('aws', [
      'cloudformation', 'update-stack-instances', '--stack-set-name', 'BitbucketOidc-acme-corp',
      '--deployment-targets', `OrganizationalUnitIds=${ous.sandbox},Accounts=${members.legacy.id},AccountFilterType=INTERSECTION`,
      '--regions', REGION, '--output', 'json',
    ], { cwd: repository, env: adminEnv });
    const legacy = (await instances('BitbucketOidc-acme-corp')).find((instance) => instance.Account === members.legacy.id);
    checks.equal(`${members.legacy.label}: its instance is now CURRENT`, legacy?.Status, 'CURRENT');
    await checkMember(checks, members.legacy, expectedRoles(members.legacy.id, [...ROLES, OPS_ROLE]));
    const [provider] = await members.legacy.state.providers();
    const handMadeRole = await members.legacy.state.role('hand-made-deploy');
    checks.equal(`${members.legacy.label}: the provider is back at the same ARN, so the hand-made role that trusts it works again`, [provider?.arn, handMadeRole?.trust.Statement[0].Principal], [handMade.arn, { Federated: handMade.arn }]);
  });

  await checks.phase('7. AutoDeployment: an account that joins a target OU later gets the provider and the roles', async () => {
    const newcomer = await createAccount('joins-later', root);
    checks.equal(`${newcomer.label}: no provider while it sits at the root`, (await newcomer.state.providers()).length, 0);
    await organizations.send(new MoveAccountCommand({ AccountId: newcomer.id, SourceParentId: root, DestinationParentId: ous.sandbox }));
    members.newcomer = newcomer;
    await checkMember(checks, newcomer, expectedRoles(newcomer.id, [...ROLES, OPS_ROLE]));
  });

  await checks.phase('8. a delegated administrator deploys to the whole organisation with stackSetCallAs=DELEGATED_ADMIN', async () => {
    const delegate = members.dev;
    const delegateEnv = emulator.envWith(await credentialsFor(delegate.id));
    const labs = join(work, 'delegate-repository');
    // The whole organisation, from the root: every member account, never the management account.
    prepareRepository(labs, context('acme-labs', ROLES, { stackSetOrganizationalUnits: [root], stackSetCallAs: 'DELEGATED_ADMIN' }));
    await run(CDK, ['bootstrap', `aws://${delegate.id}/${REGION}`], { cwd: labs, env: delegateEnv });
    const refused = await runAllowingFailure(CDK, ['deploy', '--require-approval', 'never'], { cwd: labs, env: delegateEnv });
    checks.check(
      `${delegate.label}, not yet registered: refused`,
      refused.code !== 0 && (await delegate.state.stackEvents('BitbucketOidcStackSet-acme-labs')).some((line) => line.includes(`is not registered as a delegated administrator for ${STACKSETS}`)),
      `${refused.stdout}${refused.stderr}`.slice(-600),
    );
    await organizations.send(new RegisterDelegatedAdministratorCommand({ AccountId: delegate.id, ServicePrincipal: STACKSETS }));
    await cdk(labs, delegateEnv, 'deploy');
    const labsInstances = await instances('BitbucketOidc-acme-labs', delegate.state);
    const everyMember = Object.values(members).map((member) => member.id).sort();
    checks.equal(
      `${delegate.label}, registered: its StackSet, aimed at the root, reaches every member account (itself included), each CURRENT`,
      labsInstances.map((instance) => `${instance.Account} ${instance.Status}`).sort(),
      everyMember.map((id) => `${id} CURRENT`),
    );
    const managementProviders = (await management.providers()).map((provider) => provider.url);
    checks.equal(`${ADMIN_ACCOUNT} management, in the root too: no instance, no provider`, [labsInstances.some((instance) => instance.Account === ADMIN_ACCOUNT), managementProviders], [false, []]);
    const labsProviders = (await members.sandbox.state.providers()).map((provider) => provider.url);
    checks.equal(`${members.sandbox.label}: now holds both workspaces' providers`, labsProviders.sort(), [issuerHost('acme-corp'), issuerHost('acme-labs')]);
  });

  await checks.phase('9. deleting the StackSet stack removes every instance and keeps the provider in each account', async () => {
    await run(CDK, ['destroy', '--force'], { cwd: repository, env: adminEnv });
    const stackSet = await management.cloudformation.send(new DescribeStackSetCommand({ StackSetName: 'BitbucketOidc-acme-corp' })).catch((error: { name?: string }) => error.name);
    checks.equal('the StackSet is gone', stackSet, 'StackSetNotFoundException');
    for (const member of [...targets(), members.legacy, members.newcomer]) {
      const stacks = await member.state.cloudformation.send(new ListStacksCommand({ StackStatusFilter: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] }));
      const instanceStacks = (stacks.StackSummaries ?? []).filter((summary) => summary.StackName?.startsWith('StackSet-BitbucketOidc-acme-corp-'));
      const roles = (await member.state.roleNames()).filter((name) => name.startsWith('StackSet-BitbucketOidc-acme-corp-'));
      const providers = (await member.state.providers()).map((provider) => provider.url).filter((url) => url === issuerHost('acme-corp'));
      checks.equal(`${member.label}: no instance stack, no pipeline role, the provider kept`, [instanceStacks.length, roles, providers], [0, [], [issuerHost('acme-corp')]]);
    }
  });
}

/** One line per check of a member account: provider, each role's trust and permissions, its stack's outputs. */
async function checkMember(checks: Checks, member: Member, expected: Record<string, DeployedRole>): Promise<Record<string, RoleState>> {
  const providers = await member.state.providers();
  checks.equal(`${member.label}: provider for the workspace URL with the audience`, providers.map((provider) => [provider.url, provider.clientIds]), [[issuerHost('acme-corp'), [AUDIENCE]]]);
  const stacks = (await member.state.cloudformation.send(new ListStacksCommand({ StackStatusFilter: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] }))).StackSummaries ?? [];
  const stack = stacks.find((summary) => summary.StackName?.startsWith('StackSet-BitbucketOidc-acme-corp-'));
  const outputs = stack?.StackName === undefined ? {} : ((await member.state.stack(stack.StackName))?.outputs ?? {});
  const roles: Record<string, RoleState> = {};
  for (const [output, { trust, inlinePolicies, managedPolicyArns }] of Object.entries(expected)) {
    const role = outputs[output] === undefined ? undefined : await member.state.roleByArn(outputs[output]);
    checks.check(`${member.label}: its stack's ${output} is a role of the account`, role !== undefined && role.arn === outputs[output], JSON.stringify(outputs));
    if (role === undefined) continue;
    roles[output] = role;
    checks.equal(`${member.label}: ${output} trusts as the single-account template does`, role.trust, trust);
    checks.equal(`${member.label}: ${output} has its permissions`, [Object.values(role.inlinePolicies), role.attachedPolicyArns], [inlinePolicies, managedPolicyArns]);
  }
  return roles;
}

rehearse('StackSet rehearsal', phases);
