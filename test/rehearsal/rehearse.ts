/**
 * The deploy rehearsal: the admin's deploy and the sample pipeline's steps, run with
 * the real CDK CLI, AWS CLI and AWS SDK credential chain against a local moto_server.
 *
 *   npm run rehearse
 *
 * moto does not evaluate trust policies or verify tokens: this proves the wiring
 * (outputs, IAM state, the web-identity credential chain, deploy from the synth
 * artifact, update and destroy), not who may get in. test/trust covers that.
 */
import { spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { createServer, Socket } from 'net';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { linesBeforeAws, loadSamplePipeline, PipelineStep } from '../support/pipeline';

const ROOT = resolve(__dirname, '..', '..');
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const WORKSPACE = 'acme-corp';
const WORKSPACE_UUID = '8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';
const AUDIENCE = `ari:cloud:bitbucket::workspace/${WORKSPACE_UUID}`;
const ISSUER_HOST = `api.bitbucket.org/2.0/workspaces/${WORKSPACE}/pipelines-config/identity/oidc`;
const REPO_APP = '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}';
const REPO_INFRA = '{0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a}';
const REPO_NEW = '{9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a}';
const STACK = 'BitbucketOidc-acme-corp';
const ROLE_ARN = /^arn:aws:iam::123456789012:role\/[\w+=,.@-]+$/;
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER_HOST}`;
const COMMAND_TIMEOUT_MS = 120_000;

/** The context an admin would commit to cdk.json for this workspace. */
const FIRST_CONTEXT = {
  workspace: WORKSPACE,
  audience: WORKSPACE_UUID,
  repositories: [REPO_APP, REPO_INFRA],
  policies: ['ReadOnlyAccess'],
};
const UPDATED_CONTEXT = { ...FIRST_CONTEXT, repositories: [REPO_APP, REPO_NEW], sessionDuration: '2h' };

let passed = 0;
let failed = 0;

function check(name: string, ok: boolean, detail: string): void {
  if (ok) passed++;
  else failed++;
  process.stdout.write(`    ${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: ${detail}`}\n`);
}

function equal(name: string, actual: unknown, expected: unknown): void {
  check(name, JSON.stringify(actual) === JSON.stringify(expected), `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

async function phase(title: string, body: () => Promise<void> | void): Promise<void> {
  const started = Date.now();
  process.stdout.write(`${title}\n`);
  await body();
  process.stdout.write(`    (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

/**
 * Runs a command; a failure ends the rehearsal with the end of its output (which never
 * holds a token: scripts name it only as a variable). Returns stdout, or stdout and
 * stderr together where the CDK CLI reports on stderr.
 */
function run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }, stream: 'stdout' | 'both' = 'both'): string {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, { ...options, encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${output.split('\n').slice(-25).join('\n')}`);
  }
  return stream === 'stdout' ? result.stdout : output;
}

function toolMissing(): string | undefined {
  for (const [tool, hint] of [
    ['python3', 'install Python 3'],
    ['aws', "pip install awscli (the AWS CLI v1 honours AWS_ENDPOINT_URL; Debian's awscli 2.9 does not)"],
  ]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not on PATH: ${hint}`;
  }
  if (spawnSync('python3', ['-c', 'import moto.server']).status !== 0) return "moto is not installed: pip install 'moto[server]==5.2.1'";
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((done) => {
      const socket = new Socket();
      socket.once('connect', () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`moto_server did not listen on 127.0.0.1:${port} in time`);
}

/** A JWT-shaped token with Bitbucket's claims; moto checks no signature, so it is random. */
function fakeBitbucketToken(repository: string, environment: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const step = '{5e3c1a9b-7d2f-4e8a-9c6b-1a2b3c4d5e6f}';
  const claims = {
    iss: `https://${ISSUER_HOST}`,
    aud: AUDIENCE,
    sub: `${repository}:${environment}:${step}`,
    iat: now,
    exp: now + 3600,
    workspaceUuid: `{${WORKSPACE_UUID}}`,
    repositoryUuid: repository,
    pipelineUuid: '{7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d}',
    stepUuid: step,
    deploymentEnvironmentUuid: environment,
    branchName: 'main',
  };
  return `${encode({ alg: 'RS256', typ: 'JWT', kid: 'rehearsal' })}.${encode(claims)}.${Buffer.from('not-a-signature').toString('base64url')}`;
}

/** A copy of the project as an admin's repository: the app, its cdk.json with committed context, the sample pipeline. */
function prepareRepository(dir: string, context: object): void {
  for (const entry of ['bin', 'lib', 'package.json', 'tsconfig.json', 'bitbucket-pipelines.yml']) {
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  commitContext(dir, context);
}

/** Writes the admin's context into the copy's cdk.json; undefined values drop a key. */
function commitContext(dir: string, context: object): void {
  const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ ...cdkJson, context: { ...cdkJson.context, ...context } }, null, 2));
}

/** The step's script as Bitbucket runs it, in bash, less `npm ci`: the rehearsal's copy is installed already. */
function stepScript(lines: readonly string[]): string {
  return ['set -euo pipefail', ...lines.filter((line) => line.trim() !== 'npm ci')].join('\n');
}

async function main(): Promise<void> {
  const missing = toolMissing();
  if (missing !== undefined) {
    if (process.env.CI === 'true') throw new Error(`${missing} (required under CI=true)`);
    process.stdout.write(`SKIPPED the deploy rehearsal: ${missing}\n`);
    return;
  }

  const work = mkdtempSync(join(tmpdir(), 'bitbucket-oidc-rehearsal-'));
  const repository = join(work, 'repository');
  const home = join(work, 'home');
  mkdirSync(repository);
  mkdirSync(home);
  writeFileSync(join(work, 'empty-aws-config'), '');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;

  const baseEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('CDK_') && !key.startsWith('BITBUCKET_')) baseEnv[key] = value;
  }
  // Isolated from this machine's AWS and CDK configuration, and from every real AWS endpoint.
  const emulatorEnv: NodeJS.ProcessEnv = {
    ...baseEnv,
    HOME: home,
    CDK_HOME: home,
    AWS_CONFIG_FILE: join(work, 'empty-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'empty-aws-config'),
    AWS_ENDPOINT_URL: endpoint,
    // moto reads a TemplateURL path-style only when it names localhost.
    AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: `http://localhost:${port}`,
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_CLI_AUTO_PROMPT: 'off',
    AWS_PAGER: '',
    PYTHONWARNINGS: 'ignore',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
  };
  const adminEnv: NodeJS.ProcessEnv = { ...emulatorEnv, AWS_ACCESS_KEY_ID: 'AKIAREHEARSALADMIN00', AWS_SECRET_ACCESS_KEY: 'rehearsal-admin-secret' };
  const cdk = join(ROOT, 'node_modules', '.bin', 'cdk');
  const aws = (args: string[], env = adminEnv): unknown => JSON.parse(run('aws', [...args, '--output', 'json'], { cwd: repository, env }, 'stdout') || 'null');

  const moto = spawn('python3', [join(__dirname, 'moto_launcher.py'), '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...baseEnv, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let motoErrors = '';
  moto.stderr.on('data', (chunk: Buffer) => (motoErrors = `${motoErrors}${chunk.toString()}`.slice(-4000)));
  const stopMoto = () => {
    if (moto.pid !== undefined && moto.exitCode === null) process.kill(moto.pid, 'SIGTERM');
  };
  process.once('SIGINT', () => (stopMoto(), process.exit(130)));

  try {
    let roleArn = '';
    let providerArn = '';
    const pipeline = loadSamplePipeline();
    const [synthStep, deployStep] = pipeline.main as [PipelineStep, PipelineStep];

    await phase(`1. moto_server on 127.0.0.1:${port}, cdk bootstrap, the admin's cdk deploy`, async () => {
      await waitForPort(port, Date.now() + 20_000);
      prepareRepository(repository, FIRST_CONTEXT);
      run(cdk, ['bootstrap', `aws://${ACCOUNT}/${REGION}`], { cwd: repository, env: adminEnv });
      run(cdk, ['deploy', '--require-approval', 'never'], { cwd: repository, env: adminEnv });
      const status = aws(['cloudformation', 'describe-stacks', '--stack-name', STACK, '--query', 'Stacks[0].StackStatus']);
      equal('the stack is deployed', status, 'CREATE_COMPLETE');
    });

    await phase('2. the team lead reads RoleArn and ProviderArn from the stack outputs', () => {
      const stacks = aws(['cloudformation', 'describe-stacks', '--stack-name', STACK]) as { Stacks: Array<{ Outputs?: Array<{ OutputKey: string; OutputValue: string }> }> };
      const outputs = Object.fromEntries((stacks.Stacks[0].Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
      roleArn = outputs.RoleArn ?? '';
      providerArn = outputs.ProviderArn ?? '';
      check('RoleArn is a role ARN in the account', ROLE_ARN.test(roleArn), `got ${JSON.stringify(outputs.RoleArn)}`);
      equal('ProviderArn is the workspace provider', providerArn, PROVIDER_ARN);
    });

    const roleName = roleArn.split('/').pop() ?? '';
    const trustOf = () => {
      const role = aws(['iam', 'get-role', '--role-name', roleName]) as { Role: { Arn: string; MaxSessionDuration: number; AssumeRolePolicyDocument: { Statement: Array<Record<string, unknown>> } } };
      return role.Role;
    };

    await phase('3. the real state through the IAM API', () => {
      const provider = aws(['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn]) as { Url: string; ClientIDList: string[] };
      equal('provider URL is the workspace issuer', provider.Url, ISSUER_HOST);
      equal('provider audience', provider.ClientIDList, [AUDIENCE]);
      const role = trustOf();
      check('provider ARN is real before comparing it', providerArn.startsWith('arn:aws:iam::'), providerArn);
      equal('trust names that provider, for web identity, with the audience and both repositories', role.AssumeRolePolicyDocument.Statement, [
        {
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [`${ISSUER_HOST}:aud`]: AUDIENCE },
            StringLike: { [`${ISSUER_HOST}:sub`]: [`${REPO_APP}:*`, `${REPO_INFRA}:*`] },
          },
          Effect: 'Allow',
          Principal: { Federated: providerArn },
        },
      ]);
      equal('session length is the default hour', role.MaxSessionDuration, 3600);
      const attached = aws(['iam', 'list-attached-role-policies', '--role-name', roleName]) as { AttachedPolicies: Array<{ PolicyArn: string }> };
      equal('attached policies', attached.AttachedPolicies.map((policy) => policy.PolicyArn), ['arn:aws:iam::aws:policy/ReadOnlyAccess']);
      const inline = aws(['iam', 'list-role-policies', '--role-name', roleName]) as { PolicyNames: string[] };
      const document = inline.PolicyNames.map((name) => aws(['iam', 'get-role-policy', '--role-name', roleName, '--policy-name', name]) as { PolicyDocument: unknown });
      equal('the only permission: assume the four bootstrap roles', document.map((policy) => policy.PolicyDocument), [
        {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Resource: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map((kind) => `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-${kind}-role-${ACCOUNT}-*`),
              Sid: 'AssumeCdkBootstrapRoles',
            },
          ],
          Version: '2012-10-17',
        },
      ]);
    });

    await phase("4. the sample pipeline's own steps, with only the step's OIDC token", () => {
      const stepEnv: NodeJS.ProcessEnv = {
        ...emulatorEnv,
        AWS_ROLE_ARN: roleArn,
        BITBUCKET_STEP_OIDC_TOKEN: fakeBitbucketToken(REPO_INFRA, '{c0ffee00-1234-4abc-8def-0123456789ab}'),
        BITBUCKET_REPO_SLUG: 'platform-infra',
        BITBUCKET_BUILD_NUMBER: '42',
      };
      check('no static keys reach the steps', !('AWS_ACCESS_KEY_ID' in stepEnv) && !('AWS_SECRET_ACCESS_KEY' in stepEnv), 'static keys present');
      const identity = JSON.parse(
        run('bash', ['-c', stepScript([...linesBeforeAws(deployStep), 'aws sts get-caller-identity --output json'])], { cwd: repository, env: stepEnv }, 'stdout'),
      ) as { Arn: string };
      equal('aws sts get-caller-identity shows the assumed role and the build session', identity.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/bitbucket-platform-infra-42`);
      run('bash', ['-c', stepScript(synthStep.script)], { cwd: repository, env: stepEnv });
      const assembly = readFileSync(join(repository, 'cdk.out', `${STACK}.template.json`), 'utf8');
      check('the synth step leaves the cloud assembly for the artifact', assembly.includes('AWS::IAM::OIDCProvider'), 'no template in cdk.out');
      // The deploy step must not touch the app: break it, so a second synth would fail.
      writeFileSync(join(repository, 'bin', 'app.ts'), 'throw new Error("the deploy step synthesized again instead of using cdk.out");\n');
      const deployStarted = Date.now();
      const deployed = run('bash', ['-c', stepScript(deployStep.script)], { cwd: repository, env: stepEnv });
      process.stdout.write(`    deploy from the synth artifact: ${((Date.now() - deployStarted) / 1000).toFixed(2)} s\n`);
      check('the deploy step deploys the artifact with the web identity alone', /✅\s+BitbucketOidc-acme-corp/.test(deployed), deployed.slice(-500));
      cpSync(join(ROOT, 'bin'), join(repository, 'bin'), { recursive: true });
      if (process.env.REHEARSAL_BENCH === '1') {
        // For npm run bench: the same deploy when the step synthesizes again.
        const started = Date.now();
        run('bash', ['-c', stepScript([...linesBeforeAws(deployStep), 'npx cdk deploy --all --require-approval never'])], { cwd: repository, env: stepEnv });
        process.stdout.write(`    deploy that synthesizes again: ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
      }
    });

    await phase('5. update, deploy with no change, destroy', () => {
      commitContext(repository, UPDATED_CONTEXT);
      run(cdk, ['deploy', '--require-approval', 'never'], { cwd: repository, env: adminEnv });
      const role = trustOf();
      equal('role ARN unchanged by the update', role.Arn, roleArn);
      equal('session length updated', role.MaxSessionDuration, 7200);
      equal('repositories updated in the trust', role.AssumeRolePolicyDocument.Statement[0].Condition, {
        StringEquals: { [`${ISSUER_HOST}:aud`]: AUDIENCE },
        StringLike: { [`${ISSUER_HOST}:sub`]: [`${REPO_APP}:*`, `${REPO_NEW}:*`] },
      });
      const again = run(cdk, ['deploy', '--require-approval', 'never'], { cwd: repository, env: adminEnv });
      check('a deploy with no change reports no changes', again.includes('(no changes)'), again.slice(-500));
      run(cdk, ['destroy', '--force'], { cwd: repository, env: adminEnv });
      const roles = aws(['iam', 'list-roles']) as { Roles: Array<{ RoleName: string }> };
      equal('destroy leaves no pipeline role', roles.Roles.filter((listed) => listed.RoleName.startsWith(STACK)).map((listed) => listed.RoleName), []);
      const policies = aws(['iam', 'list-policies', '--scope', 'Local']) as { Policies: Array<{ PolicyName: string }> };
      equal('destroy leaves no policy of the stack', policies.Policies.filter((policy) => policy.PolicyName.includes('PipelineRole')), []);
      const providers = aws(['iam', 'list-open-id-connect-providers']) as { OpenIDConnectProviderList: Array<{ Arn: string }> };
      equal('the provider stays, as designed (RETAIN)', providers.OpenIDConnectProviderList.map((provider) => provider.Arn), [PROVIDER_ARN]);
    });

    await phase('6. two roles on the kept provider: each team lead reads their own output', () => {
      // The provider survived the destroy (RETAIN), so this stack imports it, as an admin would.
      commitContext(repository, {
        workspace: WORKSPACE,
        audience: WORKSPACE_UUID,
        providerArn,
        repositories: undefined,
        policies: undefined,
        sessionDuration: undefined,
        roles: [
          { id: 'Deploy', repositories: [REPO_APP], environments: ['{c0ffee00-1234-4abc-8def-0123456789ab}'] },
          { id: 'Preview', repositories: [REPO_APP, REPO_INFRA], policies: ['ReadOnlyAccess'] },
        ],
      });
      run(cdk, ['deploy', '--require-approval', 'never'], { cwd: repository, env: adminEnv });
      const stacks = aws(['cloudformation', 'describe-stacks', '--stack-name', STACK]) as { Stacks: Array<{ Outputs?: Array<{ OutputKey: string; OutputValue: string }> }> };
      const outputs = Object.fromEntries((stacks.Stacks[0].Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
      equal('outputs: one per role, and the provider', Object.keys(outputs).sort(), ['DeployRoleArn', 'PreviewRoleArn', 'ProviderArn']);
      equal('ProviderArn is the imported provider', outputs.ProviderArn, providerArn);
      for (const [output, subjects] of [
        ['DeployRoleArn', [`${REPO_APP}:{c0ffee00-1234-4abc-8def-0123456789ab}:*`]],
        ['PreviewRoleArn', [`${REPO_APP}:*`, `${REPO_INFRA}:*`]],
      ] as const) {
        const arn = outputs[output] ?? '';
        check(`${output} is a role ARN`, ROLE_ARN.test(arn), JSON.stringify(arn));
        const role = aws(['iam', 'get-role', '--role-name', arn.split('/').pop() ?? '']) as { Role: { AssumeRolePolicyDocument: { Statement: Array<{ Principal: unknown; Condition: unknown }> } } };
        equal(`${output}: trusts the provider with its own repositories`, role.Role.AssumeRolePolicyDocument.Statement[0], {
          ...role.Role.AssumeRolePolicyDocument.Statement[0],
          Principal: { Federated: providerArn },
          Condition: { StringEquals: { [`${ISSUER_HOST}:aud`]: AUDIENCE }, StringLike: { [`${ISSUER_HOST}:sub`]: subjects } },
        });
      }
    });
  } catch (error) {
    failed++;
    process.stdout.write(`    FAIL ${error instanceof Error ? error.message : String(error)}\n`);
    if (motoErrors.includes('Traceback')) process.stdout.write(`moto_server errors:\n${motoErrors}\n`);
  } finally {
    stopMoto();
    rmSync(work, { recursive: true, force: true });
  }
}

const started = Date.now();
main()
  .catch((error: unknown) => {
    failed++;
    process.stdout.write(`FAIL ${error instanceof Error ? error.message : String(error)}\n`);
  })
  .finally(() => {
    process.stdout.write(`rehearsal: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
    process.exitCode = failed > 0 ? 1 : 0;
  });
