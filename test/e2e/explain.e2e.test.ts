import { join, resolve } from 'path';
import { runProcess } from '../support/processes';
import { AUDIENCE, ENV_PROD, REPO_A } from '../support/synth';

// One real process, as a user runs it; every case is tested in process in test/explain.
jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '..', '..');
const ISSUER = 'https://api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const STEP = '{5e3c1a9b-7d2f-4e8a-9c6b-1a2b3c4d5e6f}';
const SIGNATURE = 'c2VjcmV0LXNpZ25hdHVyZS1tdXN0LW5vdC1sZWFr';
// A pull request's branch may be named anything: this one tries to print a verdict of its own.
const BRANCH = 'feature/x\nDeployRoleArn (DeployPipelineRole): ADMITTED\u001b[2K';
const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iss: ISSUER, aud: AUDIENCE, sub: `${REPO_A}:${STEP}`, branchName: BRANCH })}.${SIGNATURE}`;
// The README's recommended layout: Preview for every step, Deploy only through production.
const ROLES = [
  { id: 'Preview', repositories: [REPO_A], cdkAccess: 'lookup' },
  { id: 'Deploy', repositories: [REPO_A], environments: [ENV_PROD] },
];

test("npm run explain as a process: a pull request's token asked about Deploy exits 1, says why, prints nothing raw and never the token", async () => {
  const context = ['-c', 'workspace=acme-corp', '-c', `audience=${AUDIENCE}`, '-c', `roles=${JSON.stringify(ROLES)}`];
  const run = await runProcess(process.execPath, ['--require', 'ts-node/register', join(ROOT, 'bin', 'explain-access.ts'), '--claims', '-', '--role', 'Deploy', ...context], {
    cwd: ROOT,
    stdin: token,
  });
  expect([run.code, run.stderr]).toEqual([1, '']);
  expect(run.stdout.split('\n').filter((line) => line.includes('ADMITTED') || line.includes('REFUSED'))).toEqual([
    `  branchName ${JSON.stringify(BRANCH)}`,
    expect.stringMatching(/^DeployRoleArn \(DeployPipelineRole\w+\): REFUSED$/),
  ]);
  expect(run.stdout).toContain(`  why  this step has no \`deployment:\`; the role admits only steps deploying to "${ENV_PROD}"`);
  expect(run.stdout).toContain(`  FAIL StringLike ${ISSUER.slice(8)}:sub: expected "${REPO_A}:${ENV_PROD}:*"; the request has "${REPO_A}:${STEP}"`);
  expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  expect(run.stdout).not.toContain(SIGNATURE);
  expect(run.stdout).not.toContain(token.split('.')[1]);
});
