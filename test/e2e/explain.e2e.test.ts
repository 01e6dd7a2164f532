import { join, resolve } from 'path';
import { runProcess } from '../support/processes';
import { AUDIENCE, ENV_PROD, REPO_A, REPO_B } from '../support/synth';

// One real process, as a user runs it; every case is tested in process in test/explain.
jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '..', '..');
const ISSUER = 'https://api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
const STEP = '{5e3c1a9b-7d2f-4e8a-9c6b-1a2b3c4d5e6f}';
const SIGNATURE = 'c2VjcmV0LXNpZ25hdHVyZS1tdXN0LW5vdC1sZWFr';
const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iss: ISSUER, aud: AUDIENCE, sub: `${REPO_B}:${STEP}` })}.${SIGNATURE}`;

test('npm run explain as a process: a refused token read from stdin exits 1, says why, and never prints the token', async () => {
  const context = ['-c', 'workspace=acme-corp', '-c', `audience=${AUDIENCE}`, '-c', `repositories=${REPO_A}`, '-c', `environments=${ENV_PROD}`];
  const run = await runProcess(process.execPath, ['--require', 'ts-node/register', join(ROOT, 'bin', 'explain-access.ts'), '--claims', '-', ...context], { cwd: ROOT, stdin: token });
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/^RoleArn \(PipelineRole\w+\): REFUSED$/m);
  expect(run.stdout).toContain(`  FAIL StringLike ${ISSUER.slice(8)}:sub: expected "${REPO_A}:${ENV_PROD}:*"; the request has "${REPO_B}:${STEP}"`);
  expect(`${run.stdout}${run.stderr}`).not.toContain(SIGNATURE);
  expect(`${run.stdout}${run.stderr}`).not.toContain(token.split('.')[1]);
  expect(run.stderr).toBe('');
});
