import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { runProcess } from '../support/processes';
import { toolAvailable } from '../support/tools';

/**
 * No run hangs: a process that outlives its deadline is stopped with its whole group, and
 * each rehearsal, whatever its emulator does on start, exits non-zero in bounded time and
 * leaves nothing running. Stand-in launchers take moto_launcher.py's place
 * (REHEARSAL_LAUNCHER); each writes its own process ids to $STAND_IN_PIDS. Every run here has
 * a deadline of its own (runProcess's timeoutMs), so a hang fails the test instead of blocking it.
 */
jest.setTimeout(90_000);

const ROOT = resolve(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'bitbucket-oidc-no-hang-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Whether a process is still there (a zombie, waiting for its parent to reap it, counts as gone). */
function alive(pid: number): boolean {
  const stat = join('/proc', String(pid), 'stat');
  if (!existsSync(stat)) return false;
  const state = readFileSync(stat, 'utf8').replace(/^.*\) /s, '')[0];
  return state !== 'Z';
}

/** Processes whose environment points at this endpoint: whatever a rehearsal started against it. */
function processesUsing(endpoint: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return alive(Number(pid)) && readFileSync(join('/proc', pid, 'environ'), 'utf8').split('\0').includes(`AWS_ENDPOINT_URL=${endpoint}`);
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    })
    .map(Number);
}

function standIn(name: string, text: string): string {
  const file = join(work, name);
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

/** The stand-ins' own process ids (and, for the listening one, its port), as they recorded them. */
function recorded(pidFile: string): { pids: number[]; ports: number[] } {
  const lines = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim().split('\n') : [];
  return { pids: lines.map((line) => Number(line.split(' ')[0])), ports: lines.map((line) => Number(line.split(' ')[1])).filter((port) => port > 0) };
}

const EXITS_EARLY = standIn('exits-early.sh', '#!/usr/bin/env bash\necho "stand-in launcher: refusing to start ($*)" >&2\nexit 3\n');
// Takes 45 s before it would listen; a grandchild (the sleep) holds its group alive meanwhile.
const LISTENS_LATE = standIn(
  'listens-late.sh',
  '#!/usr/bin/env bash\necho "$$" >> "$STAND_IN_PIDS"\nsleep 45 &\necho "$!" >> "$STAND_IN_PIDS"\nwait\nexec python3 -m http.server --bind 127.0.0.1 "${@: -1}"\n',
);
// Listens at once, answers the rehearsal's first in-process call (IAM CreatePolicy) and nothing else: the CDK CLI then waits.
const NEVER_ANSWERS = standIn(
  'never-answers.js',
  `#!/usr/bin/env node
const port = Number(process.argv[process.argv.indexOf('-p') + 1]);
require('fs').appendFileSync(process.env.STAND_IN_PIDS, process.pid + ' ' + port + '\\n');
require('http').createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    if (!body.includes('Action=CreatePolicy')) return;
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end('<CreatePolicyResponse><CreatePolicyResult><Policy><PolicyName>DeployApp</PolicyName></Policy></CreatePolicyResult></CreatePolicyResponse>');
  });
}).listen(port, '127.0.0.1');
`,
);

/** `npm run -s <script>` with a stand-in launcher; it must end within a minute, or the test fails. */
async function rehearsal(script: string, name: string, launcher: string, settings: Record<string, string> = {}) {
  const pidFile = join(work, `${name}.pids`);
  const env: NodeJS.ProcessEnv = { ...process.env, REHEARSAL_LAUNCHER: launcher, STAND_IN_PIDS: pidFile, ...settings };
  const result = await runProcess('npm', ['run', '-s', script], { cwd: ROOT, env, timeoutMs: 60_000 });
  return { ...result, ...recorded(pidFile) };
}

describe('runProcess', () => {
  test('a process past its deadline is stopped with its children, and the run rejects saying so', async () => {
    const pidFile = join(work, 'deadline.pids');
    const run = runProcess('bash', ['-c', `sleep 120 & echo "$!" > ${pidFile}; wait`], { timeoutMs: 1_000 });
    await expect(run).rejects.toThrow(/^bash -c sleep 120 .* did not finish within 1 s: stopped it and its child processes/);
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  test('what a process leaves running when it exits is stopped, so its output pipes close and the run ends', async () => {
    const result = await runProcess('bash', ['-c', 'sleep 120 & echo "$!"'], { timeoutMs: 10_000 });
    expect(result.code).toBe(0);
    expect(alive(Number(result.stdout.trim()))).toBe(false);
  });

  test('a command that cannot be started rejects with one line', async () => {
    await expect(runProcess(join(work, 'no-such-command'), [])).rejects.toThrow(/^cannot start .*no-such-command: spawn .*ENOENT$/);
  });
});

describe('a rehearsal whose emulator fails to start, or never answers, ends non-zero in bounded time and leaves nothing running', () => {
  const rehearsals = toolAvailable('aws', 'pip install -r test/requirements.txt') ? test : test.skip;
  // Started together on first use, each awaited by its own test, so that one hang fails only its own test.
  let started: Record<'exitsEarly' | 'exitsEarlyStackset' | 'cannotStart' | 'listensLate' | 'neverAnswers', ReturnType<typeof rehearsal>> | undefined;
  const runs = () => {
    started ??= {
      exitsEarly: rehearsal('rehearse', 'exits-early', EXITS_EARLY),
      exitsEarlyStackset: rehearsal('rehearse:stackset', 'exits-early-stackset', EXITS_EARLY),
      cannotStart: rehearsal('rehearse', 'cannot-start', join(work, 'no-such-launcher')),
      listensLate: rehearsal('rehearse', 'listens-late', LISTENS_LATE, { REHEARSAL_START_TIMEOUT_SECONDS: '3' }),
      neverAnswers: rehearsal('rehearse', 'never-answers', NEVER_ANSWERS, { REHEARSAL_DEADLINE_SECONDS: '25' }),
    };
    for (const run of Object.values(started)) run.catch(() => undefined); // each test reports its own rejection
    return started;
  };

  rehearsals('the launcher exits early: FAIL with its exit code and stderr, exit 1, in both rehearsals', async () => {
    for (const run of [await runs().exitsEarly, await runs().exitsEarlyStackset]) {
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/FAIL the emulator's launcher exited \(3\) before listening on 127\.0\.0\.1:\d+; its stderr:\n {4}\| stand-in launcher: refusing to start \(-H 127\.0\.0\.1 -p \d+\)\n/);
      expect(run.stdout).toMatch(/^0 passed, 1 failed$/m);
    }
  });

  rehearsals('the launcher cannot be started: FAIL in one line, exit 1', async () => {
    const run = await runs().cannotStart;
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL cannot start \S*no-such-launcher: spawn \S*no-such-launcher ENOENT\n/);
  });

  rehearsals('the emulator would listen only after 45 s: FAIL at the start timeout, exit 1, the launcher and its child stopped', async () => {
    const run = await runs().listensLate;
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL moto_server did not listen on 127\.0\.0\.1:\d+ within 3 s; stopped it/);
    expect(run.pids).toHaveLength(2);
    expect(run.pids.filter(alive)).toEqual([]);
  });

  rehearsals('the emulator never answers: past the deadline it names the phase and the command it waited for, exits 1, and stops the emulator and the CDK CLI', async () => {
    const run = await runs().neverAnswers;
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL the rehearsal did not finish within 25 s; it was in phase "1\. moto_server on 127\.0\.0\.1:\d+; [^"]*", waiting for "\S+\/node_modules\/\.bin\/cdk bootstrap aws:\/\/123456789012\/eu-west-1"; stopped the emulator and every command\n/);
    expect(run.stdout).toMatch(/^0 passed, 1 failed$/m);
    expect(run.pids.filter(alive)).toEqual([]);
    expect(run.ports).toHaveLength(1);
    expect(processesUsing(`http://127.0.0.1:${run.ports[0]}`)).toEqual([]);
  });
});
