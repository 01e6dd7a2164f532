/**
 * What every rehearsal shares: moto_server on 127.0.0.1 (through moto_launcher.py), an
 * environment isolated from this machine's AWS and CDK configuration and from every
 * real AWS endpoint, the commands it runs, and its checks.
 */
import { ChildProcess, spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer, Socket } from 'net';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { describeCommand, ProcessResult, runningCommands, runProcess, startProcess, stopAll, stopProcess } from '../support/processes';

export const ROOT = resolve(__dirname, '..', '..');
export const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');
export const REGION = 'eu-west-1';
/** moto's default account: the one static keys act in. */
export const ADMIN_ACCOUNT = '123456789012';

/** Milliseconds from a whole number of seconds in the environment, or the default; anything else stops the run with one line. */
function secondsFrom(name: string, fallback: number): number {
  const given = process.env[name];
  if (given === undefined || given === '') return fallback * 1000;
  const seconds = Number(given);
  if (!Number.isInteger(seconds) || seconds <= 0) {
    process.stderr.write(`${name}: got ${JSON.stringify(given.slice(0, 40))}; expected a whole number of seconds above 0, e.g. ${fallback}\n`);
    process.exit(2);
  }
  return seconds * 1000;
}

// Generous for a loaded 2-core machine: a rehearsal takes about a minute there, a deploy
// under 10 s, and moto listens about 2 s after its start on a quiet one.
/** One command (a CDK or AWS CLI run, a step script). */
const COMMAND_TIMEOUT_MS = secondsFrom('REHEARSAL_COMMAND_TIMEOUT_SECONDS', 180);
/** From starting the emulator to its port accepting connections. */
const START_TIMEOUT_MS = secondsFrom('REHEARSAL_START_TIMEOUT_SECONDS', 60);
/** The whole rehearsal. */
const DEADLINE_MS = secondsFrom('REHEARSAL_DEADLINE_SECONDS', 600);
/** What starts the emulator (`<launcher...> -H 127.0.0.1 -p PORT`): a stand-in only in the tests of these failure paths. */
const LAUNCHER = process.env.REHEARSAL_LAUNCHER;

/** Credentials as the SDK takes them; the static ones act in moto's default account. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export const ADMIN_CREDENTIALS: Credentials = { accessKeyId: 'AKIAREHEARSALADMIN00', secretAccessKey: 'rehearsal-admin-secret' };

/** Counts and prints checks; a rehearsal fails when any check does. */
export class Checks {
  private passed = 0;
  private failed = 0;
  private readonly started = Date.now();
  /** The phase under way, for a deadline's report. */
  current = 'the start, before the first phase';

  check(name: string, ok: boolean, detail: string): void {
    if (ok) this.passed++;
    else this.failed++;
    process.stdout.write(`    ${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: ${detail}`}\n`);
  }

  equal(name: string, actual: unknown, expected: unknown): void {
    this.check(name, JSON.stringify(actual) === JSON.stringify(expected), `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }

  /** Says what the emulator cannot show, so that a reader never takes silence for a pass. */
  notRehearsed(what: string): void {
    process.stdout.write(`    NOTE not rehearsed: ${what}\n`);
  }

  fail(message: string): void {
    this.failed++;
    process.stdout.write(`    FAIL ${message}\n`);
  }

  async phase(title: string, body: () => Promise<void> | void): Promise<void> {
    const started = Date.now();
    this.current = title;
    process.stdout.write(`${title}\n`);
    await body();
    process.stdout.write(`    (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }

  /** Prints the totals and sets the exit code. */
  finish(name: string): void {
    process.stdout.write(`${name}: ${((Date.now() - this.started) / 1000).toFixed(1)} s\n`);
    process.stdout.write(`${this.passed} passed, ${this.failed} failed\n`);
    process.exitCode = this.failed > 0 || this.passed === 0 ? 1 : 0;
  }
}

/**
 * Runs a command to its end; a non-zero exit throws with the end of its output (which
 * never holds a token: scripts name it only as a variable). Returns stdout, or stdout and
 * stderr together where the CDK CLI reports on stderr.
 */
export async function run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }, stream: 'stdout' | 'both' = 'both'): Promise<string> {
  const result = await runAllowingFailure(command, args, options);
  const output = `${result.stdout}${result.stderr}`;
  if (result.code !== 0) {
    throw new Error(`${describeCommand(command, args)} exited ${result.code ?? 'on a signal'}:\n${output.split('\n').slice(-25).join('\n')}`);
  }
  return stream === 'stdout' ? result.stdout : output;
}

/** Runs a command in a process group of its own; one that outlives its deadline is stopped, with its children, and throws. */
export function runAllowingFailure(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<ProcessResult> {
  return runProcess(command, args, { ...options, timeoutMs: COMMAND_TIMEOUT_MS });
}

/** Why the rehearsal cannot run here, or undefined when it can. */
export function toolMissing(): string | undefined {
  const tools = [['aws', "pip install -r test/requirements.txt (the AWS CLI v1 honours AWS_ENDPOINT_URL; Debian's awscli 2.9 does not)"]];
  if (LAUNCHER === undefined) tools.unshift(['python3', 'install Python 3']);
  for (const [tool, hint] of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { timeout: 30_000 }).status !== 0) return `${tool} is not on PATH: ${hint}`;
  }
  if (LAUNCHER === undefined && spawnSync('python3', ['-c', 'import moto.server'], { timeout: 60_000 }).status !== 0) return 'moto is not installed: pip install -r test/requirements.txt';
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

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1');
  });
}

/** The last lines a process wrote, indented under the line that reports it. */
function tail(text: string): string {
  const lines = text.trimEnd().split('\n').slice(-20);
  return lines.join('') === '' ? ' (empty)' : lines.map((line) => `\n    | ${line}`).join('');
}

/** The process environment without AWS, CDK or Bitbucket variables of this machine. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('CDK_') && !key.startsWith('BITBUCKET_')) env[key] = value;
  }
  return env;
}

export class Emulator {
  readonly endpoint: string;
  /**
   * What a process of the rehearsal needs to reach the emulator and nothing real, and no
   * more: a pipeline step's environment is this, Bitbucket's variables and the
   * repository's. The machine's PATH stands for the image's tools.
   */
  readonly plumbing: NodeJS.ProcessEnv;
  /** For the CDK CLI, the AWS CLI and npm as the admin runs them: the region, no credentials yet. */
  readonly env: NodeJS.ProcessEnv;
  private errors = '';

  private constructor(
    readonly port: number,
    private readonly process: ChildProcess,
    work: string,
  ) {
    this.endpoint = `http://127.0.0.1:${port}`;
    const home = join(work, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(work, 'empty-aws-config'), '');
    this.plumbing = {
      PATH: globalThis.process.env.PATH,
      // This machine's AWS profiles, CDK settings and caches stay out.
      HOME: home,
      CDK_HOME: home,
      AWS_CONFIG_FILE: join(work, 'empty-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'empty-aws-config'),
      // Every AWS call goes to the emulator, none to AWS or to an instance metadata endpoint.
      AWS_ENDPOINT_URL: this.endpoint,
      // moto reads a TemplateURL path-style only when it names localhost.
      AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: `http://localhost:${port}`,
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DISABLE_VERSION_CHECK: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
    };
    this.env = {
      ...cleanEnv(),
      ...this.plumbing,
      AWS_CLI_AUTO_PROMPT: 'off',
      AWS_PAGER: '',
      PYTHONWARNINGS: 'ignore',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
    };
    this.process.stderr?.on('data', (chunk: Buffer) => (this.errors = `${this.errors}${chunk.toString()}`.slice(-6000)));
  }

  /**
   * Starts moto_server through the launcher on a free port of 127.0.0.1 and waits until it
   * listens. If the launcher cannot start, exits first, or does not listen in time, it is
   * stopped with its whole process group and this throws, with the launcher's stderr.
   */
  static async start(work: string): Promise<Emulator> {
    const port = await freePort();
    const [command, ...launcherArgs] = LAUNCHER === undefined ? ['python3', join(__dirname, 'moto_launcher.py')] : [LAUNCHER];
    const child = startProcess(command, [...launcherArgs, '-H', '127.0.0.1', '-p', String(port)], {
      env: { ...cleanEnv(), MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
      service: true,
    });
    const emulator = new Emulator(port, child, work);
    try {
      await emulator.listening(command);
      return emulator;
    } catch (error) {
      await emulator.stop();
      throw error;
    }
  }

  private async listening(command: string): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let ended: string | undefined;
    this.process.once('error', (error) => (ended = `cannot start ${command}: ${error.message}`));
    this.process.once('close', (code, signal) => (ended ??= `the emulator's launcher exited (${code ?? signal}) before listening on 127.0.0.1:${this.port}; its stderr:${tail(this.errors)}`));
    while (ended === undefined && Date.now() < deadline) {
      if (await accepts(this.port)) return;
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(ended ?? `moto_server did not listen on 127.0.0.1:${this.port} within ${START_TIMEOUT_MS / 1000} s; stopped it; its stderr:${tail(this.errors)}`);
  }

  /** The environment of a caller with these credentials. */
  envWith(credentials: Credentials): NodeJS.ProcessEnv {
    return {
      ...this.env,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: credentials.sessionToken }),
    };
  }

  /** What an SDK client needs to talk to the emulator as this caller; a call it does not answer fails within a minute. */
  client(credentials: Credentials): { endpoint: string; region: string; credentials: Credentials; requestHandler: { connectionTimeout: number; requestTimeout: number } } {
    return { endpoint: this.endpoint, region: REGION, credentials, requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 } };
  }

  /**
   * Every role session STS handed out: the role and the session name. It stands in for the
   * target account's CloudTrail AssumeRole events, which moto does not keep; read from
   * moto's own state (`/moto-api/data.json`, STS only: the launcher adds the filter), never
   * printed (it holds the session keys).
   */
  async roleSessions(): Promise<Array<{ roleArn: string; sessionName: string }>> {
    const response = await fetch(`${this.endpoint}/moto-api/data.json?service=sts`, { signal: AbortSignal.timeout(60_000) });
    const state = (await response.json()) as { sts?: { AssumedRole?: Array<{ role_arn: string; session_name: string }> } };
    return (state.sts?.AssumedRole ?? []).map((session) => ({ roleArn: session.role_arn, sessionName: session.session_name }));
  }

  /** The emulator's Python tracebacks, for a failed run's report. */
  tracebacks(): string {
    return this.errors.includes('Traceback') ? this.errors : '';
  }

  /** Stops the launcher and everything it started. */
  stop(): Promise<void> {
    return stopProcess(this.process);
  }
}

/**
 * Runs a rehearsal: skips it with a message when a tool is missing (fails under CI=true),
 * gives it its own folder and emulator, reports any error and the emulator's tracebacks
 * as a failure, always stops the emulator and every process it started, and exits with the
 * checks' verdict. Past its deadline it says which phase and command it was waiting for,
 * stops everything and exits 1.
 */
export function rehearse(name: string, phases: (checks: Checks, emulator: Emulator, work: string) => Promise<void>): void {
  const checks = new Checks();
  let work: string | undefined;
  const end = (code: number): never => {
    stopAll();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('exit', stopAll);
  // Kept installed (not once): a second signal while stopping must not kill this process before its children.
  process.on('SIGINT', () => end(130));
  process.on('SIGTERM', () => end(143));
  const deadline = setTimeout(() => {
    const waiting = runningCommands();
    checks.fail(`the ${name} did not finish within ${DEADLINE_MS / 1000} s; it was in phase ${JSON.stringify(checks.current)}, waiting for ${waiting.length === 0 ? 'an AWS API call in process (no command running)' : waiting.map((command) => JSON.stringify(command)).join(' and ')}; stopped the emulator and every command`);
    checks.finish(name);
    end(1);
  }, DEADLINE_MS);
  const body = async (): Promise<void> => {
    const missing = toolMissing();
    if (missing !== undefined) {
      if (process.env.CI === 'true') throw new Error(`${missing} (required under CI=true)`);
      process.stdout.write(`SKIPPED the ${name}: ${missing}\n`);
      end(0);
    }
    work = mkdtempSync(join(tmpdir(), 'bitbucket-oidc-rehearsal-'));
    let emulator: Emulator | undefined;
    try {
      emulator = await Emulator.start(work);
      await phases(checks, emulator, work);
    } catch (error) {
      checks.fail(error instanceof Error ? error.message : String(error));
      const tracebacks = emulator?.tracebacks();
      if (tracebacks) process.stdout.write(`moto_server errors:\n${tracebacks}\n`);
    } finally {
      await emulator?.stop();
    }
  };
  body()
    .catch((error: unknown) => checks.fail(error instanceof Error ? error.message : String(error)))
    .finally(() => {
      clearTimeout(deadline);
      checks.finish(name);
      end(process.exitCode === 0 ? 0 : 1);
    });
}
