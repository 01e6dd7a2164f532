/**
 * The single-account rehearsal: the admin's deploys over the stack's life and the sample
 * pipeline's steps, run with the real CDK CLI, AWS CLI and AWS SDK credential chain
 * against a local moto_server.
 *
 *   npm run rehearse
 *
 * moto does not evaluate trust or permission policies: where the rehearsal says who may
 * do what, it decides it with this project's IAM evaluator on the policies read back from
 * IAM. test/rehearsal/moto_launcher.py models what moto leaves out (see the README).
 */
import { AttachRolePolicyCommand, CreateOpenIDConnectProviderCommand, CreatePolicyCommand, CreateRoleCommand, DeleteOpenIDConnectProviderCommand, DeleteRoleCommand, DetachRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'fs';
import { join } from 'path';
import { parseTokenClaims } from '../../lib/bitbucket/token-claims';
import { webIdentityRequest } from '../../lib/explain/explain-access';
import { evaluatePermissions } from '../../lib/iam-evaluator/evaluate-permissions';
import { evaluateTrustPolicy } from '../../lib/iam-evaluator/evaluate-trust-policy';
import { credentialSetup, linesBeforeAws, loadSamplePipeline, PipelineStep } from '../support/pipeline';
import { commitContext, prepareRepository } from './admin-repository';
import { AccountState, ProviderState, RoleState } from './aws-state';
import { ADMIN_ACCOUNT, ADMIN_CREDENTIALS, CDK, Checks, Credentials, Emulator, REGION, rehearse, ROOT, run, runAllowingFailure } from './emulator';

const WORKSPACE = 'acme-corp';
const WORKSPACE_UUID = '8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';
const AUDIENCE = `ari:cloud:bitbucket::workspace/${WORKSPACE_UUID}`;
const ISSUER_HOST = `api.bitbucket.org/2.0/workspaces/${WORKSPACE}/pipelines-config/identity/oidc`;
const REPO_APP = '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}';
const REPO_INFRA = '{0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a}';
const REPO_NEW = '{9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a}';
const ENV_PRODUCTION = '{c0ffee00-1234-4abc-8def-0123456789ab}';
const ENV_STAGING = '{5ca1ab1e-4321-4cba-9fed-ba9876543210}';
/** The UUID of each Bitbucket deployment environment, by the name steps give in `deployment:`. */
const ENVIRONMENT_UUIDS: Readonly<Record<string, string>> = { staging: ENV_STAGING, production: ENV_PRODUCTION };
const STACK = 'BitbucketOidc-acme-corp';
const ROLE_ARN = /^arn:aws:iam::123456789012:role\/[\w+=,.@-]+$/;
const PROVIDER_ARN = `arn:aws:iam::${ADMIN_ACCOUNT}:oidc-provider/${ISSUER_HOST}`;
const DEPLOY_APP_POLICY = `arn:aws:iam::${ADMIN_ACCOUNT}:policy/DeployApp`;

/** The admin's first context, with a typo in a policy ARN; the fix is the second. */
const MISTYPED_CONTEXT = { workspace: WORKSPACE, audience: WORKSPACE_UUID, repositories: [REPO_APP, REPO_INFRA], policies: ['ReadOnlyAccess', `${DEPLOY_APP_POLICY.slice(0, -1)}`] };
const FIRST_CONTEXT = { ...MISTYPED_CONTEXT, policies: ['ReadOnlyAccess', DEPLOY_APP_POLICY] };
/** The same role as an entry of roles: the entry without id is the original role. */
const ORIGINAL_ENTRY = { repositories: FIRST_CONTEXT.repositories, policies: FIRST_CONTEXT.policies };
const PREVIEW_ENTRY = { id: 'Preview', repositories: [REPO_APP, REPO_INFRA], cdkAccess: 'lookup' };
const DEPLOY_ENTRY = { id: 'Deploy', repositories: [REPO_APP], environments: [ENV_PRODUCTION] };
const FLAT_KEYS_GONE = { repositories: undefined, policies: undefined };

/**
 * A second workspace of the same account, set up the way the IAM console leaves it (path (a) of the
 * README's "Moving to this app"): a provider with the URL, one client ID and the one thumbprint the
 * console's "Get thumbprint" stored, and a role whose trust checks only aud, with AdministratorAccess.
 */
const CONSOLE_WORKSPACE = 'globex';
const CONSOLE_AUDIENCE = 'ari:cloud:bitbucket::workspace/5b6c7d8e-9f01-4a2b-8c3d-4e5f60718293';
const CONSOLE_HOST = `api.bitbucket.org/2.0/workspaces/${CONSOLE_WORKSPACE}/pipelines-config/identity/oidc`;
const CONSOLE_PROVIDER_ARN = `arn:aws:iam::${ADMIN_ACCOUNT}:oidc-provider/${CONSOLE_HOST}`;
const CONSOLE_THUMBPRINT = 'a031c46782e6e6c662c2c87c76da9aa62ccabd8e';
const CONSOLE_ROLE = 'globex-bitbucket-admin';
const CONSOLE_STACK = 'BitbucketOidc-globex';
const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** The app team's app (one CDK Stage per environment) and the stage accounts its cdk.json pins. */
const STAGE_APP = join(__dirname, 'stage-app');
const STAGE_ACCOUNTS = (JSON.parse(readFileSync(join(STAGE_APP, 'cdk.json'), 'utf8')) as { context: { accounts: { staging: string; production: string } } }).context.accounts;
/** What each stage account's administrator lets CloudFormation do there (`--cloudformation-execution-policies`): the app's queues. */
const APP_DEPLOYMENT_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }] };

/** Bitbucket's variables a step gets: the repository's, and the deployment environment's in steps with `deployment:`. */
interface BitbucketVariables {
  readonly repository: Readonly<Record<string, string | undefined>>;
  readonly deployments: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>;
}

/**
 * What a Bitbucket step holds: Bitbucket's own variables, the repository's and the deployment's
 * (which override the repository's, and exist only in steps with `deployment:`), and nothing of
 * the admin's environment: no region, no keys. Only the emulator's plumbing is added.
 */
function bitbucketStepEnv(emulator: Emulator, clone: string, step: PipelineStep, token: string, variables: BitbucketVariables): NodeJS.ProcessEnv {
  const environment = step.deployment === undefined ? {} : { BITBUCKET_DEPLOYMENT_ENVIRONMENT: step.deployment, BITBUCKET_DEPLOYMENT_ENVIRONMENT_UUID: ENVIRONMENT_UUIDS[step.deployment] };
  return {
    ...emulator.plumbing,
    CI: 'true',
    BITBUCKET_BUILD_NUMBER: '42',
    BITBUCKET_CLONE_DIR: clone,
    BITBUCKET_WORKSPACE: WORKSPACE,
    BITBUCKET_REPO_SLUG: 'payments-app',
    BITBUCKET_REPO_FULL_NAME: `${WORKSPACE}/payments-app`,
    BITBUCKET_REPO_UUID: REPO_APP,
    BITBUCKET_BRANCH: 'main',
    BITBUCKET_PIPELINE_UUID: PIPELINE_UUID,
    BITBUCKET_STEP_UUID: STEP_UUID,
    BITBUCKET_STEP_OIDC_TOKEN: token,
    ...environment,
    ...variables.repository,
    ...(step.deployment === undefined ? {} : variables.deployments[step.deployment]),
  };
}

/** Who the step's credential lines make it, as `aws sts get-caller-identity` says. */
async function stepCaller(step: PipelineStep, env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  return (JSON.parse(await run('bash', ['-c', stepScript([...credentialSetup(step), 'aws sts get-caller-identity --output json'])], { cwd, env }, 'stdout')) as { Arn: string }).Arn;
}

/** The step's script as Bitbucket runs it, in bash, less `npm ci`: the rehearsal's copy is installed already. */
function stepScript(lines: readonly string[]): string {
  return ['set -euo pipefail', ...lines.filter((line) => line.trim() !== 'npm ci')].join('\n');
}

const STEP_UUID = '{5e3c1a9b-7d2f-4e8a-9c6b-1a2b3c4d5e6f}';
const PIPELINE_UUID = '{7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d}';

/** A JWT-shaped token with Bitbucket's claims; moto checks no signature, so it is random. */
function fakeBitbucketToken(repository: string, environment: string | undefined): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const step = STEP_UUID;
  const claims = {
    iss: `https://${ISSUER_HOST}`,
    aud: AUDIENCE,
    sub: environment === undefined ? `${repository}:${step}` : `${repository}:${environment}:${step}`,
    iat: now,
    exp: now + 3600,
    workspaceUuid: `{${WORKSPACE_UUID}}`,
    repositoryUuid: repository,
    pipelineUuid: PIPELINE_UUID,
    stepUuid: step,
    ...(environment === undefined ? {} : { deploymentEnvironmentUuid: environment }),
    branchName: 'main',
  };
  return `${encode({ alg: 'RS256', typ: 'JWT', kid: 'rehearsal' })}.${encode(claims)}.${Buffer.from('not-a-signature').toString('base64url')}`;
}

/** Whether IAM would let this token assume the role, decided on the trust policy IAM holds. */
function admits(role: RoleState, token: string): boolean {
  const claims = parseTokenClaims(token);
  if (!claims.ok) throw new Error(claims.problems.join('; '));
  const request = webIdentityRequest({ claims: claims.value, target: { account: ADMIN_ACCOUNT, partition: 'aws', region: REGION } });
  return evaluateTrustPolicy(role.trust, request).admitted;
}

/** The same token shape from the console-made workspace's issuer. */
function consoleWorkspaceToken(repository: string, environment: string | undefined): string {
  const [header, claims, signature] = fakeBitbucketToken(repository, environment).split('.');
  const payload = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>;
  const changed = { ...payload, iss: `https://${CONSOLE_HOST}`, aud: CONSOLE_AUDIENCE, workspaceUuid: `{${CONSOLE_AUDIENCE.split('/')[1]}}` };
  return [header, Buffer.from(JSON.stringify(changed)).toString('base64url'), signature].join('.');
}

/** What npm run -s audit-roles -- --json prints, as far as the rehearsal reads it. */
interface AuditJson {
  readonly providers: ReadonlyArray<{ arn: string; trustedBy: string[]; adoptingContext: Record<string, string> | null }>;
  readonly roles: ReadonlyArray<{ name: string; findings: Array<{ id: string; severity: string }>; replacement?: unknown }>;
}

async function phases(checks: Checks, emulator: Emulator, work: string): Promise<void> {
  const repository = join(work, 'repository');
  const adminEnv = emulator.envWith(ADMIN_CREDENTIALS);
  const account = new AccountState(emulator, ADMIN_CREDENTIALS);
  const cdk = (...args: string[]) => run(CDK, [...args, '--require-approval', 'never'], { cwd: repository, env: adminEnv });
  const outputs = async () => (await account.stack(STACK))?.outputs ?? {};
  const roleOf = async (arn: string | undefined): Promise<RoleState> => {
    const role = arn === undefined ? undefined : await account.roleByArn(arn);
    if (role === undefined) throw new Error(`no role in IAM for ${JSON.stringify(arn)}`);
    return role;
  };
  let original: RoleState | undefined;
  let consoleProvider: ProviderState | undefined;
  let adopting: Record<string, string> | undefined;

  await checks.phase(`1. moto_server on 127.0.0.1:${emulator.port}; a first deploy that fails after creating the provider rolls back, and the corrected one succeeds as is`, async () => {
    await account.iam.send(new CreatePolicyCommand({ PolicyName: 'DeployApp', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] }) }));
    prepareRepository(repository, MISTYPED_CONTEXT);
    await run(CDK, ['bootstrap', `aws://${ADMIN_ACCOUNT}/${REGION}`], { cwd: repository, env: adminEnv });
    const failed = await runAllowingFailure(CDK, ['deploy', '--require-approval', 'never'], { cwd: repository, env: adminEnv });
    checks.check('the deploy with a mistyped policy ARN fails', failed.code !== 0, `exit ${failed.code}`);
    checks.equal('the stack rolled back', (await account.stack(STACK))?.status, 'ROLLBACK_COMPLETE');
    const events = await account.stackEvents(STACK);
    checks.check(
      'its events say which resource failed and why',
      events.some((line) => /^PipelineRole\w+ CREATE_FAILED: Policy .*DeployAp does not exist or is not attachable/.test(line)),
      events.join('\n'),
    );
    checks.check('the provider it had created was deleted by the rollback (RetainExceptOnCreate)', events.some((line) => /^Provider\w+ DELETE_COMPLETE$/.test(line)), events.join('\n'));
    checks.equal('no provider is left behind', (await account.providers()).map((provider) => provider.arn), []);
    commitContext(repository, FIRST_CONTEXT);
    await cdk('deploy');
    checks.equal('the corrected deploy succeeds with no clean-up by hand', (await account.stack(STACK))?.status, 'CREATE_COMPLETE');
  });

  await checks.phase('2. the team lead reads RoleArn and ProviderArn from the stack outputs', async () => {
    const { RoleArn, ProviderArn } = await outputs();
    checks.check('RoleArn is a role ARN in the account', ROLE_ARN.test(RoleArn ?? ''), `got ${JSON.stringify(RoleArn)}`);
    checks.equal('ProviderArn is the workspace provider', ProviderArn, PROVIDER_ARN);
  });

  await checks.phase('3. the real state through the IAM API', async () => {
    const { RoleArn, ProviderArn } = await outputs();
    const [provider] = await account.providers();
    checks.equal('provider URL and audience', [provider?.url, provider?.clientIds], [ISSUER_HOST, [AUDIENCE]]);
    original = await roleOf(RoleArn);
    checks.check('provider ARN is real before comparing it', (ProviderArn ?? '').startsWith('arn:aws:iam::'), String(ProviderArn));
    checks.equal('trust names that provider, for web identity, with the audience and both repositories', original.trust.Statement, [
      {
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${ISSUER_HOST}:aud`]: AUDIENCE }, StringLike: { [`${ISSUER_HOST}:sub`]: [`${REPO_APP}:*`, `${REPO_INFRA}:*`] } },
        Effect: 'Allow',
        Principal: { Federated: ProviderArn },
      },
    ]);
    checks.equal('session length is the default hour', original.maxSessionDuration, 3600);
    checks.equal('attached policies', [...original.attachedPolicyArns].sort(), [DEPLOY_APP_POLICY, 'arn:aws:iam::aws:policy/ReadOnlyAccess']);
    checks.equal('the only inline permission: assume the four bootstrap roles', Object.values(original.inlinePolicies), [
      {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Resource: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map((kind) => `arn:aws:iam::${ADMIN_ACCOUNT}:role/cdk-hnb659fds-${kind}-role-${ADMIN_ACCOUNT}-*`),
            Sid: 'AssumeCdkBootstrapRoles',
          },
        ],
        Version: '2012-10-17',
      },
    ]);
  });

  await checks.phase('4. day 2: from the flat keys to a roles list with two new roles; the original role is not replaced', async () => {
    const before = await roleOf((await outputs()).RoleArn);
    commitContext(repository, { ...FLAT_KEYS_GONE, roles: [PREVIEW_ENTRY, ORIGINAL_ENTRY, DEPLOY_ENTRY] });
    await cdk('deploy');
    const after = await account.role(before.name);
    checks.equal("the original role, read from IAM: same ARN and same unique ID (it was not deleted and created again)", [after?.arn, after?.id], [before.arn, before.id]);
    checks.equal('its trust and policies are untouched', [after?.trust, after?.attachedPolicyArns], [before.trust, before.attachedPolicyArns]);
    const now = await outputs();
    checks.equal('RoleArn still resolves to it', now.RoleArn, before.arn);
    checks.equal('outputs: the original, one per new role, and the provider', Object.keys(now).sort(), ['DeployRoleArn', 'PreviewRoleArn', 'ProviderArn', 'RoleArn']);
    for (const [output, subjects] of [
      ['DeployRoleArn', [`${REPO_APP}:${ENV_PRODUCTION}:*`]],
      ['PreviewRoleArn', [`${REPO_APP}:*`, `${REPO_INFRA}:*`]],
    ] as const) {
      const role = await roleOf(now[output]);
      checks.equal(`${output}: trusts the provider with its own sub patterns`, role.trust.Statement[0].Condition, {
        StringEquals: { [`${ISSUER_HOST}:aud`]: AUDIENCE },
        StringLike: { [`${ISSUER_HOST}:sub`]: subjects },
      });
    }
  });

  await checks.phase('5. who gets in, decided by the IAM evaluator on the trust and permissions read back from IAM (moto enforces neither)', async () => {
    const { PreviewRoleArn, DeployRoleArn } = await outputs();
    const [preview, deploy] = [await roleOf(PreviewRoleArn), await roleOf(DeployRoleArn)];
    const pullRequest = fakeBitbucketToken(REPO_APP, undefined);
    const production = fakeBitbucketToken(REPO_APP, ENV_PRODUCTION);
    checks.equal('a pull-request token (no environment): admitted by Preview, refused by Deploy', [admits(preview, pullRequest), admits(deploy, pullRequest)], [true, false]);
    checks.equal('a production token: admitted by Deploy', admits(deploy, production), true);
    const bootstrapRole = (kind: string) => `arn:aws:iam::${ADMIN_ACCOUNT}:role/cdk-hnb659fds-${kind}-role-${ADMIN_ACCOUNT}-${REGION}`;
    const mayAssume = async (role: RoleState, kind: string) => evaluatePermissions(await account.permissionDocuments(role), { action: 'sts:AssumeRole', resource: bootstrapRole(kind) }).allowed;
    checks.equal("Preview's permissions: the lookup role yes, the deploy and publishing roles no", [
      await mayAssume(preview, 'lookup'),
      await mayAssume(preview, 'deploy'),
      await mayAssume(preview, 'file-publishing'),
    ], [true, false, false]);
    checks.equal("Deploy's permissions: the deploy and file-publishing roles", [await mayAssume(deploy, 'deploy'), await mayAssume(deploy, 'file-publishing')], [true, true]);
  });

  const pipeline = loadSamplePipeline();
  const [testStep] = pipeline.pullRequests as [PipelineStep];
  const [synthStep, stagingStep, productionStep] = pipeline.main as [PipelineStep, PipelineStep, PipelineStep];
  await checks.phase("6. the sample pipeline's own steps, with only the step's OIDC token and Bitbucket's variables; a change merged to main updates the roles in place", async () => {
    const before = await outputs();
    const { PreviewRoleArn, DeployRoleArn } = before;
    const [preview, deploy] = [await roleOf(PreviewRoleArn), await roleOf(DeployRoleArn)];
    // This repository's own app is the OIDC stack alone: its production environment names it in CDK_STACKS.
    const variables: BitbucketVariables = { repository: { AWS_ROLE_ARN: PreviewRoleArn }, deployments: { production: { AWS_ROLE_ARN: DeployRoleArn, CDK_STACKS: 'BitbucketOidc-*' } } };
    const stepEnv = (step: PipelineStep, token: string) => bitbucketStepEnv(emulator, repository, step, token, variables);
    const callerOf = (step: PipelineStep, env: NodeJS.ProcessEnv) => stepCaller(step, env, repository);

    const pullRequestToken = fakeBitbucketToken(REPO_APP, undefined);
    const pullRequest = stepEnv(testStep, pullRequestToken);
    const fromOutside = Object.keys(pullRequest).filter((key) => key.startsWith('AWS_') && !(key in emulator.plumbing) && key !== 'AWS_ROLE_ARN');
    checks.equal("no static keys and no region reach the steps: the step's own lines set AWS_REGION and AWS_DEFAULT_REGION", fromOutside, []);
    checks.equal(
      'the pull-request step assumes Preview (the repository variable), which admits its token; the AWS CLI shows the build session',
      [await callerOf(testStep, pullRequest), pullRequest.AWS_ROLE_ARN, admits(preview, pullRequestToken)],
      [`arn:aws:sts::${ADMIN_ACCOUNT}:assumed-role/${preview.name}/bitbucket-payments-app-42`, PreviewRoleArn, true],
    );
    const afterTests = testStep.script.slice(testStep.script.indexOf('npm test') + 1);
    const diffed = await run('bash', ['-c', stepScript(afterTests)], { cwd: repository, env: pullRequest });
    checks.check('its synth and cdk diff --method=template run', /There were no differences|Number of stacks with differences: 0/.test(diffed), diffed.slice(-400));

    // A change merged to main: Preview serves one more repository, Deploy's sessions last 2 h.
    commitContext(repository, { roles: [{ ...PREVIEW_ENTRY, repositories: [REPO_APP, REPO_NEW] }, ORIGINAL_ENTRY, { ...DEPLOY_ENTRY, sessionDuration: '2h' }] });
    const mainToken = fakeBitbucketToken(REPO_APP, undefined);
    const main = stepEnv(synthStep, mainToken);
    checks.equal('the main synth step assumes Preview too, which admits its token', [main.AWS_ROLE_ARN, admits(preview, mainToken)], [PreviewRoleArn, true]);
    await run('bash', ['-c', stepScript(synthStep.script)], { cwd: repository, env: main });
    const assembly = readFileSync(join(repository, 'cdk.out', `${STACK}.template.json`), 'utf8');
    checks.check('it leaves the cloud assembly, with the change, for the artifact', assembly.includes(REPO_NEW), 'the change is not in cdk.out');

    const productionToken = fakeBitbucketToken(REPO_APP, ENV_PRODUCTION);
    const production = stepEnv(productionStep, productionToken);
    checks.equal(
      "the deploy step's deployment variable wins: it assumes Deploy, which admits its production token",
      [await callerOf(productionStep, production), admits(deploy, productionToken)],
      [`arn:aws:sts::${ADMIN_ACCOUNT}:assumed-role/${deploy.name}/bitbucket-payments-app-42`, true],
    );
    // The deploy step must not touch the app: break it, so a second synth would fail.
    writeFileSync(join(repository, 'bin', 'app.ts'), 'throw new Error("the deploy step synthesized again instead of using cdk.out");\n');
    const deployStarted = Date.now();
    const deployed = await run('bash', ['-c', stepScript(productionStep.script)], { cwd: repository, env: production });
    process.stdout.write(`    deploy from the synth artifact: ${((Date.now() - deployStarted) / 1000).toFixed(2)} s\n`);
    checks.check('it deploys the artifact with the web identity alone', /✅\s+BitbucketOidc-acme-corp/.test(deployed) && !deployed.includes('(no changes)'), deployed.slice(-500));
    const sessions = await emulator.roleSessions();
    const sessionsOf = (kind: string) =>
      new Set(sessions.filter((session) => session.roleArn === `arn:aws:iam::${ADMIN_ACCOUNT}:role/cdk-hnb659fds-${kind}-role-${ADMIN_ACCOUNT}-${REGION}`).map((session) => session.sessionName));
    checks.equal("the CLI went through the bootstrap roles (the pull request's diff the lookup role, the deploy the deploy role), in sessions named after the build", [
      sessionsOf('lookup').has('bitbucket-payments-app-42'),
      sessionsOf('deploy').has('bitbucket-payments-app-42'),
    ], [true, true]);
    const [previewAfter, deployAfter] = [await roleOf(PreviewRoleArn), await roleOf(DeployRoleArn)];
    checks.equal('the roles were updated in place: same ARNs, same unique IDs', [previewAfter.id, deployAfter.id, (await outputs()).PreviewRoleArn], [preview.id, deploy.id, PreviewRoleArn]);
    checks.equal('session length and repositories updated', [deployAfter.maxSessionDuration, (previewAfter.trust.Statement[0].Condition as Record<string, unknown>).StringLike], [
      7200,
      { [`${ISSUER_HOST}:sub`]: [`${REPO_APP}:*`, `${REPO_NEW}:*`] },
    ]);
    const again = await run('bash', ['-c', stepScript(productionStep.script)], { cwd: repository, env: production });
    checks.check('re-running the deploy step changes nothing: "(no changes)"', again.includes('(no changes)'), again.slice(-500));
    cpSync(join(ROOT, 'bin'), join(repository, 'bin'), { recursive: true });
    if (process.env.REHEARSAL_BENCH === '1') {
      // For npm run bench: the same deploy when the step synthesizes again.
      const started = Date.now();
      await run('bash', ['-c', stepScript([...linesBeforeAws(productionStep), 'npx cdk deploy --all --require-approval never'])], { cwd: repository, env: production });
      process.stdout.write(`    deploy that synthesizes again: ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
    }
  });

  await checks.phase('7. npm run audit-roles on the account as real accounts look: hand-made roles beside the ones this app made, and a second workspace set up in the IAM console', async () => {
    const trustOf = (federated: string, condition: Record<string, unknown>) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: federated }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }] });
    const aud = { [`${ISSUER_HOST}:aud`]: AUDIENCE };
    const github = (await account.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://token.actions.githubusercontent.com', ClientIDList: ['sts.amazonaws.com'] }))).OpenIDConnectProviderArn ?? '';
    const seeded: Array<[string, string, string | undefined]> = [
      ['console-bitbucket-admin', trustOf(PROVIDER_ARN, { StringEquals: aud }), 'arn:aws:iam::aws:policy/AdministratorAccess'],
      ['bitbucket-any-repo', trustOf(PROVIDER_ARN, { StringEquals: aud, StringLike: { [`${ISSUER_HOST}:sub`]: '{*}:*' } }), 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
      ['payments-admin', trustOf(PROVIDER_ARN, { StringEquals: aud, StringLike: { [`${ISSUER_HOST}:sub`]: `${REPO_APP}:*` } }), 'arn:aws:iam::aws:policy/AdministratorAccess'],
      ['github-deploy', trustOf(github, { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } }), 'arn:aws:iam::aws:policy/AdministratorAccess'],
      ['lambda-service', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }), undefined],
    ];
    // The second workspace, as the IAM console leaves it: Add provider (URL, Get thumbprint, audience), then a web identity role.
    await account.iam.send(new CreateOpenIDConnectProviderCommand({ Url: `https://${CONSOLE_HOST}`, ClientIDList: [CONSOLE_AUDIENCE], ThumbprintList: [CONSOLE_THUMBPRINT] }));
    seeded.push([CONSOLE_ROLE, trustOf(CONSOLE_PROVIDER_ARN, { StringEquals: { [`${CONSOLE_HOST}:aud`]: CONSOLE_AUDIENCE } }), ADMINISTRATOR_ACCESS]);
    for (const [name, trust, policy] of seeded) {
      await account.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
      if (policy !== undefined) await account.iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policy }));
    }
    consoleProvider = (await account.providers()).find((provider) => provider.arn === CONSOLE_PROVIDER_ARN);
    checks.equal('the console-made provider, read from IAM: its URL, one client ID, one thumbprint', [consoleProvider?.url, consoleProvider?.clientIds, consoleProvider?.thumbprints], [CONSOLE_HOST, [CONSOLE_AUDIENCE], [CONSOLE_THUMBPRINT]]);
    const audit = (...args: string[]) => runAllowingFailure('npm', ['run', '--silent', 'audit-roles', '--', ...args], { cwd: ROOT, env: adminEnv });
    const asJson = await audit('--json');
    const report = JSON.parse(asJson.stdout) as AuditJson;
    const severities = Object.fromEntries([...report.roles].sort((a, b) => (a.name < b.name ? -1 : 1)).map((role) => [role.name.replace(/^BitbucketOidc-acme-corp-(\w*?)PipelineRole.*$/, 'app:$1'), role.findings.map((finding) => `${finding.severity} ${finding.id}`)]));
    checks.equal('--json: every role that trusts the Bitbucket provider, none other, each with its findings', severities, {
      'app:Deploy': ['low long-session'],
      'app:': ['medium write-from-any-branch'],
      'app:Preview': [],
      'bitbucket-any-repo': ['high any-repository'],
      'console-bitbucket-admin': ['high any-repository', 'high write-from-any-branch', 'high deploys-into-any-trusting-account'],
      [CONSOLE_ROLE]: ['high any-repository', 'high write-from-any-branch', 'high deploys-into-any-trusting-account'],
      'payments-admin': ['high write-from-any-branch', 'high deploys-into-any-trusting-account'],
    });
    checks.equal('a high finding exits 2 (--fail-on high is the default)', asJson.code, 2);
    const adoption = report.providers.find((provider) => provider.arn === CONSOLE_PROVIDER_ARN);
    checks.equal("the console-made provider: the context that adopts it, and the one role that trusts it", [adoption?.adoptingContext, adoption?.trustedBy], [
      { workspace: CONSOLE_WORKSPACE, audience: CONSOLE_AUDIENCE, providerArn: CONSOLE_PROVIDER_ARN },
      [CONSOLE_ROLE],
    ]);
    adopting = adoption?.adoptingContext ?? undefined;
    const pinned = report.roles.find((role) => role.name === 'payments-admin')?.replacement;
    checks.equal('the replacement keeps the repository the trust names and pins an environment', pinned, {
      id: 'PaymentsAdmin',
      repositories: [REPO_APP],
      environments: ['<production environment UUID>'],
      cdkAccess: 'deploy',
    });
    for (const [name, , policy] of seeded.slice(0, 3)) {
      if (policy !== undefined) await account.iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: policy }));
      await account.iam.send(new DeleteRoleCommand({ RoleName: name }));
    }
    const table = await audit();
    checks.check(
      "with acme-corp's hand-made roles gone: the table for people, the flat-keys role medium, the console-made workspace's role still high, exit 2",
      table.code === 2 &&
        /BitbucketOidc-acme-corp-PipelineRole\S*\s+medium\s+write-from-any-branch: /.test(table.stdout) &&
        new RegExp(`${CONSOLE_ROLE}\\s+high\\s+any-repository: `).test(table.stdout) &&
        table.stdout.includes('4 of'),
      `exit ${table.code}: ${table.stdout.slice(-600)}`,
    );
    checks.check(
      'it prints the context that adopts the console-made provider, as -c flags',
      table.stdout.includes(`adopt it: -c workspace="${CONSOLE_WORKSPACE}" -c audience="${CONSOLE_AUDIENCE}" -c providerArn="${CONSOLE_PROVIDER_ARN}"`),
      table.stdout.slice(0, 1200),
    );
    await account.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: github }));
    const unreachable = await runAllowingFailure('npm', ['run', '--silent', 'audit-roles'], { cwd: ROOT, env: { ...adminEnv, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' } });
    checks.equal(
      'AWS out of reach: exit 1, one line, no stack trace',
      [unreachable.code, unreachable.stderr.trim().split('\n')],
      [1, ['audit-roles: cannot reach http://127.0.0.1:9 for sts:GetCallerIdentity (ECONNREFUSED); check the network and AWS_ENDPOINT_URL']],
    );
  });

  const stages = { staging: { account: STAGE_ACCOUNTS.staging }, production: { account: STAGE_ACCOUNTS.production } } as const;
  /** Each stage account's own view, as its administrator has it through the organisation's access role (moto creates no such role; a static-key caller's AssumeRole is not checked). */
  const stageState: Record<string, AccountState> = {};
  const stageCredentials: Record<string, Credentials> = {};
  const stageApp = join(work, 'stage-app');
  const deployRoleOf = (account: string) => `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-${REGION}`;
  const appStacks = async (state: AccountState) => (await state.stackNames()).filter((name) => name !== 'CDKToolkit');
  await checks.phase('8. day 2 to staging and production accounts: the original entry removed (only that role deleted), Preview and Deploy given targetAccounts in place, DeployStaging added; meanwhile both stage accounts bootstrapped with --trust <this account>', async () => {
    const before = await outputs();
    const [preview, deploy] = [await roleOf(before.PreviewRoleArn), await roleOf(before.DeployRoleArn)];
    const originalName = original?.name ?? '';
    const sts = new STSClient(emulator.client(ADMIN_CREDENTIALS));
    for (const [name, { account }] of Object.entries(stages)) {
      const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, RoleSessionName: 'stage-admin' }));
      const { AccessKeyId, SecretAccessKey, SessionToken } = assumed.Credentials ?? {};
      stageCredentials[name] = { accessKeyId: AccessKeyId ?? '', secretAccessKey: SecretAccessKey ?? '', sessionToken: SessionToken };
      stageState[name] = new AccountState(emulator, stageCredentials[name]);
      await stageState[name].iam.send(new CreatePolicyCommand({ PolicyName: 'AppDeployment', PolicyDocument: JSON.stringify(APP_DEPLOYMENT_POLICY) }));
    }
    const admin = join(work, 'stage-admin');
    mkdirSync(admin);
    // The README's advice for a move from one account: Deploy stays production's role (its id keeps its ARN).
    commitContext(repository, {
      roles: [
        { ...PREVIEW_ENTRY, repositories: [REPO_APP, REPO_NEW], targetAccounts: [ADMIN_ACCOUNT, stages.staging.account, stages.production.account] },
        { id: 'DeployStaging', repositories: [REPO_APP], environments: [ENV_STAGING], targetAccounts: [stages.staging.account] },
        { ...DEPLOY_ENTRY, sessionDuration: '2h', targetAccounts: [stages.production.account] },
      ],
    });
    // Independent of one another, as three administrators would run them: at once.
    await Promise.all([
      ...Object.entries(stages).map(async ([name, { account }]) => {
        const policy = `arn:aws:iam::${account}:policy/AppDeployment`;
        await run(CDK, ['bootstrap', `aws://${account}/${REGION}`, '--trust', ADMIN_ACCOUNT, '--cloudformation-execution-policies', policy], { cwd: admin, env: emulator.envWith(stageCredentials[name]) });
      }),
      cdk('deploy'),
    ]);
    checks.equal('the original role is gone from IAM', await account.role(originalName), undefined);
    const [previewAfter, deployAfter] = [await account.role(preview.name), await account.role(deploy.name)];
    checks.equal('Preview and Deploy were updated in place (same unique IDs)', [previewAfter?.id, deployAfter?.id], [preview.id, deploy.id]);
    checks.equal('the outputs follow', Object.keys(await outputs()).sort(), ['DeployRoleArn', 'DeployStagingRoleArn', 'PreviewRoleArn', 'ProviderArn']);
    checks.equal("the provider is untouched (beside the console-made workspace's)", (await account.providers()).map((provider) => provider.arn).sort(), [PROVIDER_ARN, CONSOLE_PROVIDER_ARN].sort());
  });

  await checks.phase('9. three accounts, each read through its own IAM: the stage accounts trust this one; each role reaches exactly its targetAccounts, each deploy role admits only its environment', async () => {
    for (const [name, { account }] of Object.entries(stages)) {
      const deployRole = await stageState[name].roleByArn(deployRoleOf(account));
      const principals = (deployRole?.trust.Statement ?? []).filter((statement) => [statement.Action].flat().includes('sts:AssumeRole')).map((statement) => statement.Principal);
      checks.equal(`${name} (${account}): its deploy role trusts its own account and, through --trust, this stack's`, principals, [{ AWS: account }, { AWS: [ADMIN_ACCOUNT] }]);
      const executionRole = await stageState[name].role(`cdk-hnb659fds-cfn-exec-role-${account}-${REGION}`);
      checks.equal(`${name}: CloudFormation's execution role has the account's AppDeployment policy only`, executionRole?.attachedPolicyArns, [`arn:aws:iam::${account}:policy/AppDeployment`]);
    }
    const now = await outputs();
    const [preview, deployStaging, deployProduction] = [await roleOf(now.PreviewRoleArn), await roleOf(now.DeployStagingRoleArn), await roleOf(now.DeployRoleArn)];
    const mayAssume = async (role: RoleState, target: string, kind: string) =>
      evaluatePermissions(await account.permissionDocuments(role), { action: 'sts:AssumeRole', resource: `arn:aws:iam::${target}:role/cdk-hnb659fds-${kind}-role-${target}-${REGION}` }).allowed;
    const reach = async (role: RoleState, kind: string) => [
      await mayAssume(role, ADMIN_ACCOUNT, kind),
      await mayAssume(role, stages.staging.account, kind),
      await mayAssume(role, stages.production.account, kind),
    ];
    checks.equal("by the IAM evaluator on the policies IAM holds: DeployStaging's deploy role is staging's only (this account, staging, production)", await reach(deployStaging, 'deploy'), [false, true, false]);
    checks.equal("Deploy's (production's) is production's only", await reach(deployProduction, 'deploy'), [false, false, true]);
    checks.equal('Preview reaches the lookup role of all three, and no deploy role', [await reach(preview, 'lookup'), await reach(preview, 'deploy')], [[true, true, true], [false, false, false]]);
    const [stagingToken, productionToken] = [fakeBitbucketToken(REPO_APP, ENV_STAGING), fakeBitbucketToken(REPO_APP, ENV_PRODUCTION)];
    checks.equal(
      'a staging token: admitted by DeployStaging, refused by Deploy; a production token the other way round',
      [admits(deployStaging, stagingToken), admits(deployProduction, stagingToken), admits(deployProduction, productionToken), admits(deployStaging, productionToken)],
      [true, false, true, false],
    );
  });

  await checks.phase("10. an app team's two-stage app through the sample pipeline: synth with Preview, staging lands in staging only, production (manual) in production only", async () => {
    const now = await outputs();
    cpSync(STAGE_APP, stageApp, { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(stageApp, 'node_modules'), 'dir');
    const variables: BitbucketVariables = {
      repository: { AWS_ROLE_ARN: now.PreviewRoleArn },
      deployments: { staging: { AWS_ROLE_ARN: now.DeployStagingRoleArn }, production: { AWS_ROLE_ARN: now.DeployRoleArn } },
    };
    const stepEnv = (step: PipelineStep, environment: string | undefined) => bitbucketStepEnv(emulator, stageApp, step, fakeBitbucketToken(REPO_APP, environment), variables);
    await run('bash', ['-c', stepScript(synthStep.script)], { cwd: stageApp, env: stepEnv(synthStep, undefined) });
    // The deploy steps must not synthesize again: break the app.
    writeFileSync(join(stageApp, 'app.ts'), 'throw new Error("a deploy step synthesized again instead of using cdk.out");\n');
    const before = { admin: await appStacks(account), staging: await appStacks(stageState.staging), production: await appStacks(stageState.production) };
    checks.equal('before: no app stack in any account', before, { admin: [STACK], staging: [], production: [] });

    const staging = stepEnv(stagingStep, ENV_STAGING);
    await run('bash', ['-c', stepScript(stagingStep.script)], { cwd: stageApp, env: staging });
    const queueAccount = async (state: AccountState, stack: string) => ((await state.stack(stack))?.outputs.QueueArn ?? '').split(':')[4];
    checks.equal("staging's stack, read through the staging account's own CloudFormation, its queue in that account; nothing elsewhere", [
      await appStacks(stageState.staging),
      await queueAccount(stageState.staging, 'Staging-Orders'),
      await appStacks(stageState.production),
      await appStacks(account),
    ], [['Staging-Orders'], stages.staging.account, [], [STACK]]);
    const sessions = await emulator.roleSessions();
    const namesOf = (roleArn: string) => [...new Set(sessions.filter((session) => session.roleArn === roleArn).map((session) => session.sessionName))];
    checks.equal(
      "the step's deployment variable won (its web identity is DeployStaging's), and the CDK CLI's hop into staging's deploy role is named after the build (CDK_ROLE_SESSION_NAME), as CloudTrail would show them",
      [namesOf(now.DeployStagingRoleArn), namesOf(deployRoleOf(stages.staging.account))],
      [['bitbucket-payments-app-42'], ['bitbucket-payments-app-42']],
    );

    const misused = await runAllowingFailure('bash', ['-c', stepScript(productionStep.script)], { cwd: stageApp, env: { ...staging, CDK_STACKS: 'Production/**' } });
    checks.check(
      "production's stacks with the staging step's credentials: the hop into production's deploy role is refused (modelled: moto alone would allow it)",
      misused.code !== 0 && `${misused.stdout}${misused.stderr}`.includes(`not authorized to perform: sts:AssumeRole on resource: ${deployRoleOf(stages.production.account)}`),
      `exit ${misused.code}: ${`${misused.stdout}${misused.stderr}`.slice(-600)}`,
    );
    checks.equal('and production still has no app stack', await appStacks(stageState.production), []);

    const stagingStack = await stageState.staging.stack('Staging-Orders');
    await run('bash', ['-c', stepScript(productionStep.script)], { cwd: stageApp, env: stepEnv(productionStep, ENV_PRODUCTION) });
    checks.equal("the production step (a production token, Deploy): production's stack in the production account, staging's untouched", [
      await appStacks(stageState.production),
      await queueAccount(stageState.production, 'Production-Orders'),
      await appStacks(stageState.staging),
      await stageState.staging.stack('Staging-Orders'),
      await appStacks(account),
    ], [['Production-Orders'], stages.production.account, ['Staging-Orders'], stagingStack, [STACK]]);
  });

  await checks.phase('11. destroying the stack keeps the provider', async () => {
    await run(CDK, ['destroy', '--force'], { cwd: repository, env: adminEnv });
    checks.equal('no pipeline role is left', (await account.roleNames()).filter((name) => name.startsWith(STACK)), []);
    checks.equal("the provider stays (RetainExceptOnCreate keeps it on deletion), beside the console-made workspace's", (await account.providers()).map((provider) => provider.arn).sort(), [PROVIDER_ARN, CONSOLE_PROVIDER_ARN].sort());
  });

  await checks.phase('12. path (a) for the console-made workspace: this app adopts its provider with the context the audit printed, team leads switch, the old role goes; the provider is never replaced', async () => {
    const consoleRepository = join(work, 'console-workspace-repository');
    // The audit's context committed to cdk.json, with the recommended layout.
    prepareRepository(consoleRepository, { ...adopting, roles: [PREVIEW_ENTRY, DEPLOY_ENTRY] });
    await run(CDK, ['deploy', '--require-approval', 'never'], { cwd: consoleRepository, env: adminEnv });
    const now = (await account.stack(CONSOLE_STACK))?.outputs ?? {};
    checks.equal("the stack adopts the provider: ProviderArn is the console-made one, and it made none", [now.ProviderArn, (await account.providers()).map((provider) => provider.arn).sort()], [
      CONSOLE_PROVIDER_ARN,
      [PROVIDER_ARN, CONSOLE_PROVIDER_ARN].sort(),
    ]);
    const [preview, deploy] = [await roleOf(now.PreviewRoleArn), await roleOf(now.DeployRoleArn)];
    checks.equal('the new roles trust that provider, with its audience and their own sub patterns', [preview.trust.Statement, deploy.trust.Statement].map((statements) => statements.map((statement) => [statement.Principal, statement.Condition])), [
      [[{ Federated: CONSOLE_PROVIDER_ARN }, { StringEquals: { [`${CONSOLE_HOST}:aud`]: CONSOLE_AUDIENCE }, StringLike: { [`${CONSOLE_HOST}:sub`]: [`${REPO_APP}:*`, `${REPO_INFRA}:*`] } }]],
      [[{ Federated: CONSOLE_PROVIDER_ARN }, { StringEquals: { [`${CONSOLE_HOST}:aud`]: CONSOLE_AUDIENCE }, StringLike: { [`${CONSOLE_HOST}:sub`]: [`${REPO_APP}:${ENV_PRODUCTION}:*`] } }]],
    ]);
    const old = await roleOf(`arn:aws:iam::${ADMIN_ACCOUNT}:role/${CONSOLE_ROLE}`);
    const [pullRequest, production] = [consoleWorkspaceToken(REPO_APP, undefined), consoleWorkspaceToken(REPO_APP, ENV_PRODUCTION)];
    checks.equal('until the team leads switch, the old role still admits their steps: nothing stops working', [admits(old, pullRequest), admits(old, production)], [true, true]);
    checks.equal("after the switch: Preview admits the pull request, Deploy admits production and refuses the pull request", [admits(preview, pullRequest), admits(deploy, production), admits(deploy, pullRequest)], [true, true, false]);
    await account.iam.send(new DetachRolePolicyCommand({ RoleName: CONSOLE_ROLE, PolicyArn: ADMINISTRATOR_ACCESS }));
    await account.iam.send(new DeleteRoleCommand({ RoleName: CONSOLE_ROLE }));
    checks.equal('the old role is deleted', await account.role(CONSOLE_ROLE), undefined);
    const after = await runAllowingFailure('npm', ['run', '--silent', 'audit-roles', '--', '--json'], { cwd: ROOT, env: adminEnv });
    const report = JSON.parse(after.stdout) as AuditJson;
    checks.equal('the audit then exits 0: the new roles have no finding above low', [after.code, report.roles.flatMap((role) => role.findings.filter((finding) => finding.severity !== 'low'))], [0, []]);
    checks.equal('it lists the provider as trusted by the new roles only', report.providers.find((provider) => provider.arn === CONSOLE_PROVIDER_ARN)?.trustedBy.sort(), [preview.name, deploy.name].sort());
    const provider = (await account.providers()).find((candidate) => candidate.arn === CONSOLE_PROVIDER_ARN);
    checks.check('the provider was never replaced: its creation date is read back from IAM', (consoleProvider?.createDate ?? '') !== '', JSON.stringify(consoleProvider));
    checks.equal('same ARN, creation date, client ID and thumbprint as the console left it', provider, consoleProvider);
    checks.notRehearsed('cdk import of the provider into the stack: moto 5.2.1 answers an IMPORT change set with HTTP 500 (the README gives the documented steps)');
  });
}

rehearse('rehearsal', phases);
