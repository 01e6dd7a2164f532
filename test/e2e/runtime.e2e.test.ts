import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { NODE_WARNING, runProcess } from '../support/processes';

/**
 * On the runtime this project supports (CI runs Node 24), its commands print no runtime
 * warning: the AWS SDK's NodeVersionSupportWarning, a DeprecationWarning (punycode, …), an
 * ExperimentalWarning. No variable hides one. The README's synth is checked in cli.e2e.
 */
jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '..', '..');
const home = mkdtempSync(join(tmpdir(), 'bitbucket-oidc-runtime-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

test('npm run -s audit-roles with AWS out of reach: exit 1, its one line on stderr, no warning before it', async () => {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: 'AKIAUNREACHABLE00000',
    AWS_SECRET_ACCESS_KEY: 'unreachable-secret',
    AWS_REGION: 'eu-west-1',
    // Port 9 on the loopback: nothing listens there, so the first call is refused at once.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_MAX_ATTEMPTS: '1',
  };
  const run = await runProcess('npm', ['run', '-s', 'audit-roles'], { cwd: ROOT, env });
  expect(`${run.stdout}${run.stderr}`).not.toMatch(NODE_WARNING);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^audit-roles: cannot reach http:\/\/127\.0\.0\.1:9 /)]);
});
