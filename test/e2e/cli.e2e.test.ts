import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseOidcConfig } from '../../lib/config/parse-oidc-config';
import { addWorkspaceStack } from '../../lib/stacks/workspace-stack';
import { NODE_WARNING, runProcess } from '../support/processes';
import { lookupRoles, repositoryUuid, rolesOfMemberSize, ROLLOUT } from '../support/limits';
import { AUDIENCE, BASE_CONTEXT, ENV_PROD, REPO_A, REPO_B, templateFromContext } from '../support/synth';
import { offlineCdkEnv, toolAvailable } from '../support/tools';

/**
 * The end-to-end paths as users run them: the CDK CLI on the README's command, at and past
 * every limit and on bad context; then one cfn-lint process over every template kind this
 * app makes. The CLI runs are batched (each costs about 2 s): one run proves many
 * refusals at once. Everything else is tested in process.
 */
jest.setTimeout(90_000);

const ROOT = resolve(__dirname, '..', '..');
const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');
const work = mkdtempSync(join(tmpdir(), 'bitbucket-oidc-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outdir: string;
}

/** A HOME of its own, with `~/.cdk.json` holding `userContext`: the CLI passes its context to the app like cdk.json's. */
function home(name: string, userContext: Record<string, unknown>): NodeJS.ProcessEnv {
  const dir = join(work, `${name}-home`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '.cdk.json'), JSON.stringify({ context: userContext }));
  return offlineCdkEnv(dir);
}

/** Runs `cdk synth` with its own output folder and an environment without AWS credentials. */
async function cdkSynth(name: string, context: Record<string, string>, userContext: Record<string, unknown> = {}): Promise<Run> {
  const outdir = join(work, name);
  const args = ['synth', '--quiet', '-o', outdir, ...Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
  return { ...(await runProcess(CDK, args, { cwd: ROOT, env: home(name, userContext)})), outdir };
}

/** CDK's own context as the CLI keeps it in a user's files: its settings, lookup results, a feature flag. */
const CDK_USER_CONTEXT = {
  'acknowledged-issue-numbers': [34892],
  'cli-telemetry': false,
  'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a', 'eu-west-1b'],
  'ssm:account=123456789012:parameterName=/platform/vpc-id:region=eu-west-1': 'vpc-0123',
  'aws-cdk:enableDiffNoFail': true,
  '@aws-cdk/core:newStyleStackSynthesis': true,
};

/** The README's quick-start synth, word for word, with only an output folder of its own added. */
async function readmeSynth(): Promise<Run> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const command = firstBlock.split('\n').find((line) => line.startsWith('npx cdk synth ')) ?? 'false';
  const outdir = join(work, 'readme');
  return { ...(await runProcess('bash', ['-c', `${command} -o ${outdir}`], { cwd: ROOT, env: home('readme', CDK_USER_CONTEXT)})), outdir };
}

const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme_corp/pipelines-config/identity/oidc';
/** 199 roles, CloudFormation's 200 outputs with ProviderArn: the last one trusts the whole workspace and can deploy. */
const AT_OUTPUT_LIMIT = {
  workspace: 'acme_corp',
  audience: AUDIENCE,
  providerArn: PROVIDER,
  roles: JSON.stringify([...lookupRoles(198), { id: 'Wide', repositories: '*' }]),
};
const MANY = Array.from({ length: 120 }, (_, n) => repositoryUuid(1000 + n));
/**
 * Everything at once: unknown keys, bad values, refusals IAM would make at deploy, roles
 * given beside the flat keys, and 200 entries (201 outputs) with bad ones among them.
 */
const BAD = {
  workspace: 'acme-corp',
  audience: 'acme-corp',
  boundary: 'PipelineBoundary',
  sourceIpRanges: '203.0.113.0/24',
  deploymentEnvironments: ENV_PROD,
  cdkQualifier: 'true',
  account: '111122223333',
  region: 'cn-north-1',
  // Another workspace's provider, in another account and partition; thumbprints beside it, one of them with openssl's colons.
  providerArn: 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/other/pipelines-config/identity/oidc',
  thumbprints: `a031c46782e6e6c662c2c87c76da9aa62ccabd8e,${'a0:31:c4:67:82:e6:e6:c6:62:c2:c8:7c:76:da:9a:a6:2c:ca:bd:8e'}`,
  repositories: 'my-service',
  sessionDuration: '3600',
  policies: 'team/DeployApp',
  roleName: 'r'.repeat(10_000),
  // What -c "environments=$(cat environments.json)" passes: the CLI keeps the first line only.
  environments: `[\n  "${ENV_PROD}"\n]`,
  roles: JSON.stringify([
    { ...lookupRoles(1)[0], roleName: 'bitbucket-deploy' },
    { id: 'Other', repositories: [REPO_B], roleName: 'Bitbucket-Deploy' },
    { id: 'Big', repositories: MANY, policies: Array.from({ length: 21 }, (_, n) => `arn:aws:iam::123456789012:policy/P${n}`), sessionDuration: '5m' },
    { id: 'Typo', repositories: [REPO_B], envs: [ENV_PROD] },
    ...lookupRoles(200).slice(4),
  ]),
};
/** 250 roles that can deploy, and the provider: 501 resources. */
const PAST_RESOURCE_LIMIT = {
  workspace: 'acme-corp',
  audience: AUDIENCE,
  roles: JSON.stringify(lookupRoles(250).map((role) => ({ ...role, cdkAccess: 'deploy', environments: [ENV_PROD] }))),
};
/** A rollout whose member template is one byte over CloudFormation's 51,200 for a StackSet. */
const PAST_STACKSET_LIMIT = { workspace: 'acme-corp', audience: AUDIENCE, roles: JSON.stringify(rolesOfMemberSize(51_201)), ...ROLLOUT };

// The synths run at once: each is a CLI process running the app.
const runs = Promise.all([
  readmeSynth(),
  cdkSynth('at-output-limit', AT_OUTPUT_LIMIT),
  // envs comes from ~/.cdk.json: the app judges the user's own context files too.
  cdkSynth('bad', BAD, { envs: ENV_PROD }),
  cdkSynth('past-resource-limit', PAST_RESOURCE_LIMIT),
  cdkSynth('past-stackset-limit', PAST_STACKSET_LIMIT),
]);

function templates(run: Run): string[] {
  return existsSync(run.outdir) ? readdirSync(run.outdir).filter((file) => file.endsWith('.template.json')).map((file) => join(run.outdir, file)) : [];
}

/** A refused synth as a user sees it: exit 1, the problem lines and nothing else, no stack trace, no template. */
function refusal(run: Run): string[] {
  expect(run.code).toBe(1);
  expect(templates(run)).toEqual([]);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/Error:/);
  const lines = run.stderr.split('\n');
  const header = lines.findIndex((line) => /^Invalid context \(\d+ problems?\):$/.test(line));
  expect(header).toBeGreaterThanOrEqual(0);
  const problems = lines.slice(header + 1).filter((line) => line.startsWith('  ')).map((line) => line.slice(2));
  expect(lines[header]).toBe(`Invalid context (${problems.length} problem${problems.length === 1 ? '' : 's'}):`);
  for (const line of problems) expect(line.length).toBeLessThan(500);
  return problems;
}

describe('cdk synth through the real CLI', () => {
  test("the README's quick-start synth, with CDK's own context in ~/.cdk.json: the recommended Preview and Deploy roles, exit 0, no warning", async () => {
    const [readme] = await runs;
    expect(readme.stderr).not.toMatch(/warning|error/i);
    // Under CI=true the CLI prints on stdout, the app's output included: no runtime warning there either.
    expect(readme.stdout).not.toMatch(NODE_WARNING);
    expect(readme.code).toBe(0);
    const template = JSON.parse(readFileSync(templates(readme)[0], 'utf8')) as { Outputs: Record<string, unknown>; Resources: Record<string, { Type: string; Properties: { PolicyDocument?: unknown } }> };
    expect(Object.keys(template.Outputs).sort()).toEqual(['DeployRoleArn', 'PreviewRoleArn', 'ProviderArn']);
    const policies = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::IAM::Policy');
    const reach = Object.fromEntries(policies.map(([id, resource]) => [id.replace(/PipelineRole.*/, ''), JSON.stringify(resource.Properties.PolicyDocument).match(/cdk-hnb659fds-[a-z-]+-role/g)]));
    expect(reach).toEqual({ Preview: ['cdk-hnb659fds-lookup-role'], Deploy: ['cdk-hnb659fds-deploy-role', 'cdk-hnb659fds-file-publishing-role', 'cdk-hnb659fds-image-publishing-role', 'cdk-hnb659fds-lookup-role'] });
  });

  test('199 roles, exactly 200 outputs: exit 0, the stack named after the workspace, and the wide role warned about', async () => {
    const [, atLimit] = await runs;
    expect(atLimit.code).toBe(0);
    expect(templates(atLimit).map((file) => file.split('/').pop())).toEqual(['BitbucketOidc-acme-corp.template.json']);
    const template = JSON.parse(readFileSync(templates(atLimit)[0], 'utf8')) as { Outputs: Record<string, unknown> };
    expect(Object.keys(template.Outputs)).toHaveLength(200);
    expect(atLimit.stdout + atLimit.stderr).toContain('Role WidePipelineRole (high, any-repository): its sub conditions ("{*}:*") admit repositories it does not name (every repository UUID; for example');
    expect(atLimit.stdout + atLimit.stderr).toContain('Role WidePipelineRole (medium, write-from-any-branch): ');
  });

  test('bad context of every kind, a key from ~/.cdk.json among it: one line per problem, all at once', async () => {
    const [, , bad] = await runs;
    const lines = refusal(bad);
    const keys = lines.map((line) => line.split(': ')[0]);
    // Unknown keys come first, in the order the CLI merges its context sources.
    expect(keys.slice(0, 4).sort()).toEqual(['boundary', 'deploymentEnvironments', 'envs', 'sourceIpRanges']);
    expect(keys.slice(4)).toEqual([
      'audience',
      'providerArn',
      'thumbprints',
      'thumbprints[1]',
      'cdkQualifier',
      'roles',
      'repositories',
      'environments',
      'policies',
      'sessionDuration',
      'roleName',
      'roles[1].roleName',
      'roles[2].sessionDuration',
      'roles[2]',
      'roles[2].policies',
      'roles[3].envs',
      'roles',
    ]);
    const line = (key: string) => lines.find((text) => text.startsWith(`${key}: `)) ?? '';
    expect(line('boundary')).toContain('here likely permissionsBoundary');
    expect(line('envs')).toContain('here likely environments');
    expect(line('providerArn')).toContain('expected a provider of workspace "acme-corp", account "111122223333" (pinned by account), partition "aws-cn" (of region), not of workspace "other", account "123456789012", partition "aws"');
    expect(line('thumbprints')).toContain('expected no thumbprints with providerArn: the stack does not manage a provider it adopts');
    expect(line('thumbprints[1]')).toContain('Drop the colons openssl prints between the bytes');
    expect(line('cdkQualifier')).toMatch(/^cdkQualifier: got "true"; /);
    expect(line('roles')).toContain('expected either roles or the flat role keys, not both');
    expect(line('environments')).toMatch(/^environments: got "\["; .*The CDK CLI keeps only the first line of a -c value/);
    expect(line('roleName')).toContain('… (10002 characters)');
    expect(line('roles[1].roleName')).toContain('roles[0] has it already, and IAM compares role names without case');
    expect(line('roles[2]')).toMatch(/^roles\[2\]: the trust policy would be \d+ characters/);
    expect(lines[lines.length - 1]).toMatch(/^roles: 200 roles make 201 outputs \(a RoleArn each and ProviderArn\), over CloudFormation's limit of 200 per stack, so at most 199 roles fit one stack: /);
  });

  test("501 resources: the resources limit as a roles line, not aws-cdk-lib's own error", async () => {
    const [, , , pastResources] = await runs;
    const lines = refusal(pastResources);
    expect(lines.map((line) => line.split(' (')[0])).toEqual(['roles: 250 roles make 251 outputs', 'roles: 250 roles make 501 resources']);
    expect(pastResources.stderr).not.toContain('is greater than allowed maximum');
  });

  test("a StackSet's member template one byte past 51,200: the roles line, and no template of its own left behind", async () => {
    const [, , , , pastStackSet] = await runs;
    const [line] = refusal(pastStackSet);
    expect(line).toMatch(/^roles: 33 roles make a member template of 51201 bytes, over CloudFormation's 51200 for a StackSet's template/);
    expect(existsSync(pastStackSet.outdir) ? readdirSync(pastStackSet.outdir) : []).toEqual([]);
  });
});

/** Every other template kind, synthesized in process: cfn-lint reads them beside the CLI's. */
function inProcessTemplates(): Record<string, object> {
  const everyOption = {
    ...BASE_CONTEXT,
    repositories: `${REPO_A},${REPO_B}`,
    environments: ENV_PROD,
    policies: 'ReadOnlyAccess,arn:aws:iam::123456789012:policy/DeployApp',
    sessionDuration: '2h',
    roleName: 'bitbucket-deploy',
    permissionsBoundary: 'PowerUserAccess',
    allowedIpRanges: '203.0.113.0/25,2001:db8::/32',
    thumbprints: 'A031C46782E6E6C662C2C87C76DA9AA62CCABD8E,6938fd4d98bab03faadb97b34396831e3780aea1',
    cdkQualifier: 'team1',
    account: '123456789012',
    region: 'eu-west-1',
  };
  const rollout = { ...BASE_CONTEXT, stackSetOrganizationalUnits: 'ou-ab12-34cd56ef', stackSetRegion: 'eu-west-1', stackSetExcludedAccounts: '111122223333' };
  const config = parseOidcConfig(rollout);
  if (!config.ok || config.value.stackSet === undefined) throw new Error('rollout context');
  const stack = addWorkspaceStack(new App({ builtinCloudFormationValidation: false }), config.value);
  if (!stack.ok) throw new Error(stack.problems.join('\n'));
  const stackSet = Template.fromStack(stack.value).toJSON();
  const [member] = Object.values(stackSet.Resources as Record<string, { Properties: { TemplateBody: string } }>);
  return {
    'flat-default': templateFromContext(BASE_CONTEXT).toJSON(),
    'flat-every-option': templateFromContext(everyOption).toJSON(),
    'roles-imported-provider': templateFromContext({
      ...BASE_CONTEXT,
      repositories: undefined,
      providerArn: 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc',
      roles: [{ repositories: [REPO_A], cdkAccess: 'none', policies: ['ReadOnlyAccess'] }, { id: 'Preview', repositories: [REPO_B], cdkAccess: 'lookup' }],
    }).toJSON(),
    'workspace-wide-imported': templateFromContext({ workspace: 'acme_corp', audience: AUDIENCE, repositories: '*', providerArn: PROVIDER }).toJSON(),
    stackset: stackSet,
    'stackset-member': JSON.parse(member.Properties.TemplateBody) as object,
  };
}

describe('cfn-lint', () => {
  const lint = toolAvailable('cfn-lint', 'pip install -r test/requirements.txt') ? test : test.skip;

  // The 199-role template is left out: cfn-lint takes 12 s over it, and its kinds of role are all here.
  lint("one cfn-lint run passes on every template kind: the README's synth and every other kind, StackSet and member template included", async () => {
    const [readme] = await runs;
    const written = Object.entries(inProcessTemplates()).map(([name, template]) => {
      const file = join(work, `${name}.json`);
      writeFileSync(file, JSON.stringify(template));
      return file;
    });
    const files = [...templates(readme), ...written];
    expect(files).toHaveLength(7);
    const result = await runProcess('cfn-lint', ['--', ...files], { env: { ...process.env, PYTHONWARNINGS: 'ignore' }});
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
