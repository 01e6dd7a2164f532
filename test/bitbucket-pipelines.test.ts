import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { callsAws, deployLines, linesBeforeAws, loadSamplePipeline, PipelineStep } from './support/pipeline';

const pipeline = loadSamplePipeline();
const allSteps: PipelineStep[] = [...pipeline.pullRequests, ...pipeline.main];
const awsSteps = allSteps.filter((step) => step.script.some(callsAws));
const [synthStep, stagingStep, productionStep] = pipeline.main;

/** Runs script lines in bash with only these variables (and PATH), in `cwd`; returns what they print. */
function bash(lines: readonly string[], variables: Record<string, string>, cwd?: string): string {
  const result = spawnSync('bash', ['-c', ['set -eu', ...lines].join('\n')], { cwd, env: { PATH: process.env.PATH, ...variables }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10_000 });
  return `${result.stdout}${result.stderr}`.trim();
}

const CREDENTIAL_LINES: Array<[string, RegExp]> = [
  ['AWS_REGION', /^export AWS_REGION="\$\{AWS_REGION:-\$\{AWS_DEFAULT_REGION:-[a-z]{2}(-[a-z]+)+-\d\}\}"$/],
  ['AWS_DEFAULT_REGION', /^export AWS_DEFAULT_REGION="\$AWS_REGION"$/],
  ['AWS_ROLE_ARN', /^export AWS_ROLE_ARN="\$\{AWS_ROLE_ARN:\?.+\}"$/],
  ['AWS_WEB_IDENTITY_TOKEN_FILE', /^export AWS_WEB_IDENTITY_TOKEN_FILE="\$\(mktemp\)"$/],
  ['the token written to that file', /^echo "\$BITBUCKET_STEP_OIDC_TOKEN" > "\$AWS_WEB_IDENTITY_TOKEN_FILE"$/],
  ['AWS_ROLE_SESSION_NAME', /^export AWS_ROLE_SESSION_NAME=".*\$\{BITBUCKET_REPO_SLUG.*\}.*\$\{BITBUCKET_BUILD_NUMBER\}"$/],
  ['CDK_ROLE_SESSION_NAME', /^export CDK_ROLE_SESSION_NAME=/],
];

describe('the sample bitbucket-pipelines.yml', () => {
  test('uses a current Node LTS image (an even major, 22 or newer)', () => {
    const major = Number(/^node:(\d+)/.exec(pipeline.image)?.[1]);
    expect(major >= 22 && major % 2 === 0).toBe(true);
  });

  test('has AWS steps in both pipelines: tests, synth and a lookup-only diff on pull requests; synth, staging, production on main', () => {
    expect(pipeline.pullRequests.flatMap((step) => step.script.filter(callsAws))).toEqual(['npx cdk synth', 'npx cdk diff --method=template']);
    expect(pipeline.pullRequests[0].script).toContain('npm test');
    expect(pipeline.main.map((step) => [step.deployment, step.script.filter(callsAws).length])).toEqual([
      [undefined, 1],
      ['staging', 1],
      ['production', 1],
    ]);
    expect(synthStep.script.filter(callsAws)).toEqual(['npx cdk synth']);
  });

  test('staging deploys on every merge to main; production waits for someone to run it (trigger: manual)', () => {
    expect([synthStep.trigger, stagingStep.trigger, productionStep.trigger]).toEqual([undefined, undefined, 'manual']);
    // Bitbucket runs a pipeline's steps in order: production comes after staging succeeded.
    expect(pipeline.main.map((step) => step.deployment)).toEqual([undefined, 'staging', 'production']);
  });

  test.each(awsSteps.map((step) => [step.name, step]))('"%s" names both hops after the build: the web-identity session and the CDK CLI\'s hop into the bootstrap roles', (_name, step) => {
    const sessionLines = linesBeforeAws(step).filter((line) => /^export (AWS|CDK)_ROLE_SESSION_NAME=/.test(line));
    const names = bash([...sessionLines, 'echo "$AWS_ROLE_SESSION_NAME $CDK_ROLE_SESSION_NAME"'], { BITBUCKET_REPO_SLUG: 'a-repository-slug-that-is-much-longer-than-forty-characters', BITBUCKET_BUILD_NUMBER: '123456' }).split(' ');
    expect(names).toHaveLength(2);
    expect(names[1]).toBe(names[0]);
    // IAM's RoleSessionName: at most 64 characters of [\w+=,.@-].
    expect(names[0]).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(names[0]).toContain('a-repository-slug');
    expect(names[0]).toMatch(/-123456$/);
  });

  test.each(awsSteps.map((step) => [step.name, step]))('"%s" has oidc: true', (_name, step) => {
    expect(step.oidc).toBe(true);
  });

  test.each(awsSteps.map((step) => [step.name, step]))('"%s" sets every credential variable before its first AWS call', (_name, step) => {
    const setup = linesBeforeAws(step);
    const missing = CREDENTIAL_LINES.filter(([, pattern]) => !setup.some((line) => pattern.test(line))).map(([what]) => what);
    expect(missing).toEqual([]);
    // The file the token is written to is the one the SDK is told to read, and it is written after being named.
    const named = setup.findIndex((line) => line.startsWith('export AWS_WEB_IDENTITY_TOKEN_FILE='));
    const written = setup.findIndex((line) => line.includes('> "$AWS_WEB_IDENTITY_TOKEN_FILE"'));
    expect(named).toBeGreaterThanOrEqual(0);
    expect(written).toBeGreaterThan(named);
  });

  // AWS CLI v1 and Atlassian's pipes read AWS_DEFAULT_REGION; the SDKs and the CDK CLI read AWS_REGION.
  test.each(awsSteps.map((step) => [step.name, step]))('"%s" exports AWS_REGION and AWS_DEFAULT_REGION, the same region, before its first AWS call', (_name, step) => {
    const regionLines = linesBeforeAws(step).filter((line) => /^export AWS_(DEFAULT_)?REGION=/.test(line));
    const regionsAfter = (variables: Record<string, string>) => {
      return bash([...regionLines, 'echo "$AWS_REGION $AWS_DEFAULT_REGION"'], variables);
    };
    expect([
      regionsAfter({}),
      regionsAfter({ AWS_REGION: 'us-east-1' }),
      regionsAfter({ AWS_DEFAULT_REGION: 'ap-south-1' }),
      regionsAfter({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'ap-south-1' }),
    ]).toEqual(['eu-west-1 eu-west-1', 'us-east-1 us-east-1', 'ap-south-1 ap-south-1', 'us-east-1 us-east-1']);
  });

  test.each(allSteps.map((step) => [step.name, step]))('"%s" never prints the token', (_name, step) => {
    const touchesToken = step.script.filter((line) => line.includes('BITBUCKET_STEP_OIDC_TOKEN') || line.includes('AWS_WEB_IDENTITY_TOKEN_FILE'));
    const leaks = touchesToken.filter(
      (line) => !/^echo "\$BITBUCKET_STEP_OIDC_TOKEN" > "\$AWS_WEB_IDENTITY_TOKEN_FILE"$/.test(line) && !/^export AWS_WEB_IDENTITY_TOKEN_FILE=/.test(line),
    );
    expect(leaks).toEqual([]);
    expect(step.script.filter((line) => /^(set\s+-[a-z]*x|env|printenv)\b/.test(line.trim()))).toEqual([]);
  });

  test('the main synth step passes cdk.out on, and each deploy step deploys that very assembly without synthesizing again', () => {
    expect(synthStep.artifacts).toEqual(['cdk.out/**']);
    for (const deploy of [stagingStep, productionStep]) {
      expect(deploy.script.filter((line) => /\bcdk\s+synth\b/.test(line))).toEqual([]);
      expect(deployLines(deploy)).toHaveLength(1);
      expect(deployLines(deploy).every((line) => /--app cdk\.out\b/.test(line) && !/--all\b/.test(line))).toBe(true);
    }
  });

  describe.each([
    ['staging', 'Staging'],
    ['production', 'Production'],
  ])('the %s step', (environment, stage) => {
    const step = pipeline.main.find((candidate) => candidate.deployment === environment) as PipelineStep;
    /** The arguments the step's deploy line hands the CDK CLI, run in a folder where a glob of the pattern would match files. */
    const cliArguments = (variables: Record<string, string>): string[] => {
      const folder = mkdtempSync(join(tmpdir(), 'pipeline-pattern-'));
      try {
        for (const name of ['Staging', 'Production']) {
          mkdirSync(join(folder, name));
          writeFileSync(join(folder, name, 'file'), '');
        }
        return bash(['npx() { printf "%s\\n" "$@"; }', ...deployLines(step)], variables, folder).split('\n');
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    };

    test(`deploys only the ${stage} stage's stacks, the pattern reaching the CDK CLI unexpanded by the shell`, () => {
      expect(cliArguments({})).toEqual(['cdk', 'deploy', '--app', 'cdk.out', `${stage}/**`, '--require-approval', 'never']);
    });

    test('an app laid out otherwise names its stacks in the environment variable CDK_STACKS, also unexpanded', () => {
      expect(cliArguments({ CDK_STACKS: 'BitbucketOidc-*' })).toEqual(['cdk', 'deploy', '--app', 'cdk.out', 'BitbucketOidc-*', '--require-approval', 'never']);
    });
  });

  test('steps cache npm downloads and install with npm ci; only the test step caches pip', () => {
    for (const step of allSteps) {
      expect(step.caches).toEqual(step.script.includes('npm test') ? ['npm-download', 'pip'] : ['npm-download']);
      expect(step.script[0]).toBe('npm ci');
    }
  });

  test('pull-request and synth steps assume the preview role (repository variable); each deployment assumes its own deploy role', () => {
    const roleLine = (step: PipelineStep) => step.script.find((line) => line.startsWith('export AWS_ROLE_ARN=')) ?? '';
    const expected: Record<string, string> = {
      staging: 'the AWS_ROLE_ARN variable of the staging deployment environment to the DeployStagingRoleArn output',
      production: 'the AWS_ROLE_ARN variable of the production deployment environment to the DeployProductionRoleArn output',
    };
    for (const step of awsSteps) {
      if (step.deployment === undefined) expect(roleLine(step)).toContain('the AWS_ROLE_ARN repository variable to the PreviewRoleArn output');
      else expect(roleLine(step)).toContain(expected[step.deployment]);
    }
    // A pull request never gets a deployment variable, so never a deploy role, and never deploys.
    expect(pipeline.pullRequests.map((step) => step.deployment)).toEqual([undefined]);
    expect(pipeline.pullRequests.flatMap(deployLines)).toEqual([]);
    expect(allSteps.filter((step) => deployLines(step).length > 0).map((step) => step.deployment)).toEqual(['staging', 'production']);
  });

  test('the header tells a team lead which output goes into which variable, why the deployment variable wins, and how one account uses the file', () => {
    const header = pipeline.text.slice(0, pipeline.text.indexOf('image:'));
    expect(header).toMatch(/Repository settings > Repository variables:\n#\s+AWS_ROLE_ARN = the PreviewRoleArn output/);
    expect(header).toMatch(/Repository settings > Deployments > Staging > Variables:\n#\s+AWS_ROLE_ARN = the DeployStagingRoleArn output/);
    expect(header).toMatch(/Repository settings > Deployments > Production > Variables:\n#\s+AWS_ROLE_ARN = the DeployProductionRoleArn output/);
    expect(header).toContain('deployment variable precedence over a repository variable of the');
    expect(header).toMatch(/One AWS account for both stages\? The same file: your admin leaves out targetAccounts/);
    expect(header).toMatch(/This repository's\n# own app is the OIDC stack alone, at the top level: both its environments set CDK_STACKS to\n# BitbucketOidc-\*/);
  });

  test("the test step installs this project's Python test tools in a venv from the pinned requirements, before npm test", () => {
    const [testStep] = pipeline.pullRequests;
    const install = [
      'apt-get update -qq && apt-get install -y -qq python3-venv > /dev/null',
      'python3 -m venv /tmp/test-tools',
      '/tmp/test-tools/bin/pip install --quiet -r test/requirements.txt',
      'export PATH="/tmp/test-tools/bin:$PATH"',
    ];
    const start = testStep.script.indexOf(install[0]);
    expect(testStep.script.slice(start, start + install.length + 1)).toEqual([...install, 'npm test']);
    expect(pipeline.text).toMatch(/App teams copying this file: drop the\n\s+# next four lines and the pip cache/);
  });

  test('the requirements pin every tool exactly, to the versions the README names', () => {
    const requirements = readFileSync(join(__dirname, 'requirements.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(requirements.every((line) => /^[a-z-]+(\[[a-z]+\])?==\d+\.\d+\.\d+$/.test(line))).toBe(true);
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const named = (tool: string) => new RegExp(`${tool} (\\d+\\.\\d+\\.\\d+)`).exec(readme)?.[1];
    expect(requirements).toEqual([`cfn-lint==${named('cfn-lint')}`, `moto[server]==${named('moto')}`, `awscli==${named('AWS CLI')}`]);
  });

  test('comments show the role ARN form, the docker service for image assets, and how to see claims without the token', () => {
    expect(pipeline.text).toMatch(/#\s+arn:aws:iam::\d{12}:role\/\S+PreviewPipelineRole/);
    expect(pipeline.text).toMatch(/#\s+arn:aws:iam::\d{12}:role\/\S+DeployStagingPipelineRole/);
    expect(pipeline.text).toMatch(/#\s+arn:aws:iam::\d{12}:role\/\S+DeployProductionPipelineRole/);
    expect(pipeline.text).toMatch(/#\s+services:\n\s+#\s+- docker/);
    expect(pipeline.text).toMatch(/# AWS_REGION is required/);
    const claimsLine = pipeline.text.split('\n').find((line) => line.includes('base64url'));
    expect(claimsLine).toContain('console.log(JSON.stringify({iss:c.iss,aud:c.aud,sub:c.sub');
    expect(claimsLine).not.toMatch(/console\.log\([^)]*BITBUCKET_STEP_OIDC_TOKEN/);
  });
});
