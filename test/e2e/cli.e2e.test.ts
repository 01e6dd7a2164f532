import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseOidcConfig, stackSetStackNameFor } from '../../lib/config/parse-oidc-config';
import { BitbucketOidcStackSetStack } from '../../lib/stacks/oidc-stackset-stack';
import { NODE_WARNING, runProcess } from '../support/processes';
import { AUDIENCE, BASE_CONTEXT, ENV_PROD, REPO_A, REPO_B, templateFromContext } from '../support/synth';
import { offlineCdkEnv, toolAvailable } from '../support/tools';

/**
 * The end-to-end paths as users run them: the CDK CLI on the README's command, on a
 * configuration that warns and on bad context; then one cfn-lint process over every
 * template kind this app makes. Everything else is tested in process.
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

/** Runs `cdk synth` with its own output folder and an environment without AWS credentials. */
async function cdkSynth(name: string, context: Record<string, string>): Promise<Run> {
  const outdir = join(work, name);
  const args = ['synth', '--quiet', '-o', outdir, ...Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
  return { ...(await runProcess(CDK, args, { cwd: ROOT, env: offlineCdkEnv(join(work, `${name}-home`)) })), outdir };
}

/** The README's quick-start synth, word for word, with only an output folder of its own added. */
async function readmeSynth(): Promise<Run> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const command = firstBlock.split('\n').find((line) => line.startsWith('npx cdk synth ')) ?? 'false';
  const outdir = join(work, 'readme');
  return { ...(await runProcess('bash', ['-c', `${command} -o ${outdir}`], { cwd: ROOT, env: offlineCdkEnv(join(work, 'readme-home')) })), outdir };
}

const WIDE = {
  workspace: 'acme_corp',
  audience: AUDIENCE,
  repositories: '*',
  providerArn: 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme_corp/pipelines-config/identity/oidc',
};
const BAD = {
  workspace: 'https://bitbucket.org/acme-corp/',
  audience: 'acme-corp',
  repositories: 'my-service',
  sessionDuration: '3600',
  policies: 'team/DeployApp',
};

// The synths run at once: each is a CLI process running the app.
const runs = Promise.all([readmeSynth(), cdkSynth('wide', WIDE), cdkSynth('bad', BAD)]);

function templates(run: Run): string[] {
  return existsSync(run.outdir) ? readdirSync(run.outdir).filter((file) => file.endsWith('.template.json')).map((file) => join(run.outdir, file)) : [];
}

describe('cdk synth through the real CLI', () => {
  test("the README's quick-start synth: the recommended Preview and Deploy roles, exit 0, no warning", async () => {
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

  test('a role that can deploy from every repository: exit 0, both warnings printed, the stack named after the workspace', async () => {
    const [, wide] = await runs;
    expect(wide.code).toBe(0);
    expect(wide.stdout + wide.stderr).toContain('Role PipelineRole (high, any-repository): its sub patterns ({*}:*) admit every repository of workspace acme_corp');
    expect(wide.stdout + wide.stderr).toContain('Role PipelineRole (medium, write-from-any-branch): ');
    expect(templates(wide).map((file) => file.split('/').pop())).toEqual(['BitbucketOidc-acme-corp.template.json']);
  });

  test('bad context: non-zero exit, one line per problem, no stack trace, no template', async () => {
    const [, , bad] = await runs;
    expect(bad.code).not.toBe(0);
    const lines = bad.stderr.split('\n');
    expect(lines).toContain('Invalid context (5 problems):');
    for (const key of ['workspace', 'audience', 'repositories', 'policies', 'sessionDuration']) {
      expect(lines.filter((line) => line.startsWith(`  ${key}: got `))).toHaveLength(1);
    }
    expect(bad.stderr).toContain('did you mean acme-corp?');
    expect(bad.stderr).not.toMatch(/^\s+at /m);
    expect(bad.stderr).not.toMatch(/Error:/);
    expect(templates(bad)).toEqual([]);
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
    cdkQualifier: 'team1',
    account: '123456789012',
    region: 'eu-west-1',
  };
  const rollout = { ...BASE_CONTEXT, stackSetOrganizationalUnits: 'ou-ab12-34cd56ef', stackSetRegion: 'eu-west-1', stackSetExcludedAccounts: '111122223333' };
  const config = parseOidcConfig(rollout);
  if (!config.ok || config.value.stackSet === undefined) throw new Error('rollout context');
  const app = new App({ builtinCloudFormationValidation: false });
  const stackSet = Template.fromStack(new BitbucketOidcStackSetStack(app, stackSetStackNameFor('acme-corp'), { config: { ...config.value, stackSet: config.value.stackSet } })).toJSON();
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
    stackset: stackSet,
    'stackset-member': JSON.parse(member.Properties.TemplateBody) as object,
  };
}

describe('cfn-lint', () => {
  const lint = toolAvailable('cfn-lint', 'pip install -r test/requirements.txt') ? test : test.skip;

  lint('one cfn-lint run passes on every template kind: the CLI synths and every other kind, StackSet and member template included', async () => {
    const [readme, wide] = await runs;
    const written = Object.entries(inProcessTemplates()).map(([name, template]) => {
      const file = join(work, `${name}.json`);
      writeFileSync(file, JSON.stringify(template));
      return file;
    });
    const files = [...templates(readme), ...templates(wide), ...written];
    expect(files).toHaveLength(7);
    const result = await runProcess('cfn-lint', ['--', ...files], { env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
