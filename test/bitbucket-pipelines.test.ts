import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { callsAws, linesBeforeAws, loadSamplePipeline, PipelineStep } from './support/pipeline';

const pipeline = loadSamplePipeline();
const allSteps: PipelineStep[] = [...pipeline.pullRequests, ...pipeline.main];
const awsSteps = allSteps.filter((step) => step.script.some(callsAws));

const CREDENTIAL_LINES: Array<[string, RegExp]> = [
  ['AWS_REGION', /^export AWS_REGION="\$\{AWS_REGION:-\$\{AWS_DEFAULT_REGION:-[a-z]{2}(-[a-z]+)+-\d\}\}"$/],
  ['AWS_DEFAULT_REGION', /^export AWS_DEFAULT_REGION="\$AWS_REGION"$/],
  ['AWS_ROLE_ARN', /^export AWS_ROLE_ARN="\$\{AWS_ROLE_ARN:\?.+\}"$/],
  ['AWS_WEB_IDENTITY_TOKEN_FILE', /^export AWS_WEB_IDENTITY_TOKEN_FILE="\$\(mktemp\)"$/],
  ['the token written to that file', /^echo "\$BITBUCKET_STEP_OIDC_TOKEN" > "\$AWS_WEB_IDENTITY_TOKEN_FILE"$/],
  ['AWS_ROLE_SESSION_NAME', /^export AWS_ROLE_SESSION_NAME=".*\$\{BITBUCKET_REPO_SLUG.*\}.*\$\{BITBUCKET_BUILD_NUMBER\}"$/],
];

describe('the sample bitbucket-pipelines.yml', () => {
  test('uses a current Node LTS image (an even major, 22 or newer)', () => {
    const major = Number(/^node:(\d+)/.exec(pipeline.image)?.[1]);
    expect(major >= 22 && major % 2 === 0).toBe(true);
  });

  test('has AWS steps in both pipelines: tests, synth and a lookup-only diff on pull requests; synth then deploy on main', () => {
    expect(pipeline.pullRequests.flatMap((step) => step.script.filter(callsAws))).toEqual(['npx cdk synth', 'npx cdk diff --method=template']);
    expect(pipeline.pullRequests[0].script).toContain('npm test');
    expect(pipeline.main.map((step) => step.script.filter(callsAws))).toEqual([
      ['npx cdk synth'],
      ['npx cdk deploy --app cdk.out --all --require-approval never'],
    ]);
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
      const script = ['set -eu', ...regionLines, 'echo "$AWS_REGION $AWS_DEFAULT_REGION"'].join('\n');
      const result = spawnSync('bash', ['-c', script], { env: { PATH: process.env.PATH, ...variables }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10_000 });
      return `${result.stdout}${result.stderr}`.trim();
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

  test('the main synth step passes cdk.out on, and the deploy step deploys that very assembly without synthesizing again', () => {
    const [synth, deploy] = pipeline.main;
    expect(synth.artifacts).toEqual(['cdk.out/**']);
    expect(deploy.script.filter((line) => /\bcdk\s+synth\b/.test(line))).toEqual([]);
    expect(deploy.script.filter((line) => /\bcdk\s+deploy\b/.test(line)).every((line) => /--app cdk\.out\b/.test(line))).toBe(true);
    expect(deploy.deployment).toBe('production');
  });

  test('steps cache npm downloads and install with npm ci; only the test step caches pip', () => {
    for (const step of allSteps) {
      expect(step.caches).toEqual(step.script.includes('npm test') ? ['npm-download', 'pip'] : ['npm-download']);
      expect(step.script[0]).toBe('npm ci');
    }
  });

  test('pull-request and synth steps assume the preview role (repository variable); only the production deployment assumes the deploy role', () => {
    const roleLine = (step: PipelineStep) => step.script.find((line) => line.startsWith('export AWS_ROLE_ARN=')) ?? '';
    for (const step of allSteps.filter((candidate) => candidate.script.some(callsAws))) {
      if (step.deployment === undefined) expect(roleLine(step)).toContain('the AWS_ROLE_ARN repository variable to the PreviewRoleArn output');
      else expect([step.deployment, roleLine(step)]).toEqual(['production', expect.stringContaining('the AWS_ROLE_ARN variable of the production deployment environment to the DeployRoleArn output')]);
    }
    expect(pipeline.main.filter((step) => step.script.some((line) => /\bcdk\s+deploy\b/.test(line))).map((step) => step.deployment)).toEqual(['production']);
  });

  test('the header tells a team lead which output goes into which variable, and why the deployment variable wins', () => {
    const header = pipeline.text.slice(0, pipeline.text.indexOf('image:'));
    expect(header).toMatch(/Repository settings > Repository variables:\n#\s+AWS_ROLE_ARN = the PreviewRoleArn output/);
    expect(header).toMatch(/Repository settings > Deployments > production > Variables:\n#\s+AWS_ROLE_ARN = the DeployRoleArn output/);
    expect(header).toContain('deployment variable precedence over a repository variable of the');
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
    expect(pipeline.text).toMatch(/#\s+arn:aws:iam::\d{12}:role\/\S+DeployPipelineRole/);
    expect(pipeline.text).toMatch(/#\s+services:\n\s+#\s+- docker/);
    expect(pipeline.text).toMatch(/# AWS_REGION is required/);
    const claimsLine = pipeline.text.split('\n').find((line) => line.includes('base64url'));
    expect(claimsLine).toContain('console.log(JSON.stringify({iss:c.iss,aud:c.aud,sub:c.sub');
    expect(claimsLine).not.toMatch(/console\.log\([^)]*BITBUCKET_STEP_OIDC_TOKEN/);
  });
});
