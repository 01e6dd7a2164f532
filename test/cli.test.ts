import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { AUDIENCE, ENV_PROD, ISSUER_HOST, REPO_A, REPO_B } from './support/synth';
import { runProcess } from './support/processes';
import { offlineCdkEnv, toolAvailable } from './support/tools';

// Each CLI synth is a Node process of its own; on 2 cores three of them take a few seconds.
jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '..');
const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');
const work = mkdtempSync(join(tmpdir(), 'bitbucket-oidc-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outdir: string;
}

/** Runs `cdk synth` exactly as the README does, with its own output folder. */
async function cdkSynth(name: string, context: Record<string, string>): Promise<Run> {
  const outdir = join(work, name);
  const args = ['synth', '--quiet', '-o', outdir, ...Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
  return { ...(await runProcess(CDK, args, { cwd: ROOT, env: offlineCdkEnv(join(work, `${name}-home`)) })), outdir };
}

const GOOD = {
  workspace: 'acme-corp',
  audience: '8A9B5C3E-1F2D-4E6A-9B7C-0D1E2F3A4B5C',
  repositories: `${REPO_A},${REPO_B}`,
  environments: ENV_PROD,
  policies: 'ReadOnlyAccess,arn:aws:iam::123456789012:policy/DeployApp',
  sessionDuration: '2h',
  account: '123456789012',
  region: 'eu-west-1',
};
const WIDE = {
  workspace: 'acme_corp',
  audience: AUDIENCE,
  repositories: '*',
  cdkQualifier: 'none',
  providerArn: 'arn:aws:iam::123456789012:oidc-provider/api.bitbucket.org/2.0/workspaces/acme_corp/pipelines-config/identity/oidc',
};
const BAD = {
  workspace: 'https://bitbucket.org/acme-corp/',
  audience: 'acme-corp',
  repositories: 'my-service',
  sessionDuration: '3600',
  policies: 'team/DeployApp',
};

/** The README's quick-start synth, word for word, with only an output folder of its own added. */
async function readmeSynth(): Promise<Run> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const command = firstBlock.split('\n').find((line) => line.startsWith('npx cdk synth ')) ?? 'false';
  const outdir = join(work, 'readme');
  return { ...(await runProcess('bash', ['-c', `${command} -o ${outdir}`], { cwd: ROOT, env: offlineCdkEnv(join(work, 'readme-home')) })), outdir };
}

// The synths run at once: each is a separate CLI and app process.
const runs = Promise.all([cdkSynth('good', GOOD), cdkSynth('wide', WIDE), cdkSynth('bad', BAD), readmeSynth()]);

function templates(run: Run): string[] {
  return readdirSync(run.outdir).filter((file) => file.endsWith('.template.json')).map((file) => join(run.outdir, file));
}

describe('cdk synth through the real CLI', () => {
  test("the README's quick-start synth: the recommended Preview and Deploy roles, exit 0, no warning", async () => {
    const [, , , readme] = await runs;
    expect(readme.stderr).not.toMatch(/warning|error/i);
    expect(readme.code).toBe(0);
    const template = JSON.parse(readFileSync(templates(readme)[0], 'utf8')) as { Outputs: Record<string, unknown>; Resources: Record<string, { Type: string; Properties: { PolicyDocument?: unknown } }> };
    expect(Object.keys(template.Outputs).sort()).toEqual(['DeployRoleArn', 'PreviewRoleArn', 'ProviderArn']);
    const policies = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::IAM::Policy');
    const reach = Object.fromEntries(policies.map(([id, resource]) => [id.replace(/PipelineRole.*/, ''), JSON.stringify(resource.Properties.PolicyDocument).match(/cdk-hnb659fds-[a-z-]+-role/g)]));
    expect(reach).toEqual({ Preview: ['cdk-hnb659fds-lookup-role'], Deploy: ['cdk-hnb659fds-deploy-role', 'cdk-hnb659fds-file-publishing-role', 'cdk-hnb659fds-image-publishing-role', 'cdk-hnb659fds-lookup-role'] });
  });

  test('good context: exit 0, one template named after the workspace, in the account and region given', async () => {
    const [good] = await runs;
    expect(good.stderr).not.toMatch(/error/i);
    expect(good.code).toBe(0);
    expect(templates(good).map((file) => file.split('/').pop())).toEqual(['BitbucketOidc-acme-corp.template.json']);
    const manifest = JSON.parse(readFileSync(join(good.outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { environment?: string }> };
    expect(manifest.artifacts['BitbucketOidc-acme-corp'].environment).toBe('aws://123456789012/eu-west-1');
    const template = JSON.parse(readFileSync(templates(good)[0], 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const role = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::IAM::Role');
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain(`"${ISSUER_HOST}:sub":["${REPO_A}:${ENV_PROD}:*","${REPO_B}:${ENV_PROD}:*"]`);
  });

  test('workspace-wide trust synthesizes with a warning that says what it allows', async () => {
    const [, wide] = await runs;
    expect(wide.code).toBe(0);
    expect(wide.stdout + wide.stderr).toContain('This role trusts every repository of workspace acme_corp');
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
    expect(existsSync(bad.outdir) ? templates(bad) : []).toEqual([]);
  });
});

describe('cfn-lint', () => {
  const lint = toolAvailable('cfn-lint', 'install it with pip install cfn-lint') ? test : test.skip;

  lint('passes on every template the CLI synthesized', async () => {
    const [good, wide, , readme] = await runs;
    const files = [...templates(good), ...templates(wide), ...templates(readme)];
    expect(files).toHaveLength(3);
    const result = await runProcess('cfn-lint', ['--', ...files], { env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
