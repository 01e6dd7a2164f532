/**
 * What every rehearsal shares: moto_server on 127.0.0.1 (through moto_launcher.py), an
 * environment isolated from this machine's AWS and CDK configuration and from every
 * real AWS endpoint, the commands it runs, and its checks.
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer, Socket } from 'net';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

export const ROOT = resolve(__dirname, '..', '..');
export const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');
export const REGION = 'eu-west-1';
/** moto's default account: the one static keys act in. */
export const ADMIN_ACCOUNT = '123456789012';
const COMMAND_TIMEOUT_MS = 120_000;

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
export function run(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }, stream: 'stdout' | 'both' = 'both'): string {
  const result = runAllowingFailure(command, args, options);
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${output.split('\n').slice(-25).join('\n')}`);
  }
  return stream === 'stdout' ? result.stdout : output;
}

export function runAllowingFailure(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): SpawnSyncReturns<string> {
  return spawnSync(command, args, { ...options, encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
}

/** Why the rehearsal cannot run here, or undefined when it can. */
export function toolMissing(): string | undefined {
  for (const [tool, hint] of [
    ['python3', 'install Python 3'],
    ['aws', "pip install -r test/requirements.txt (the AWS CLI v1 honours AWS_ENDPOINT_URL; Debian's awscli 2.9 does not)"],
  ]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not on PATH: ${hint}`;
  }
  if (spawnSync('python3', ['-c', 'import moto.server']).status !== 0) return 'moto is not installed: pip install -r test/requirements.txt';
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

async function waitForPort(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((done) => {
      const socket = new Socket();
      socket.once('connect', () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`moto_server did not listen on 127.0.0.1:${port} in time`);
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
  /** For the CDK CLI, the AWS CLI and step scripts: no credentials yet. */
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
    this.env = {
      ...cleanEnv(),
      HOME: home,
      CDK_HOME: home,
      AWS_CONFIG_FILE: join(work, 'empty-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'empty-aws-config'),
      AWS_ENDPOINT_URL: this.endpoint,
      // moto reads a TemplateURL path-style only when it names localhost.
      AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: `http://localhost:${port}`,
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DISABLE_VERSION_CHECK: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      AWS_CLI_AUTO_PROMPT: 'off',
      AWS_PAGER: '',
      PYTHONWARNINGS: 'ignore',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      // The SDK's notice that it will need Node 22 from 2027 (see the README) would repeat in every process.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    this.process.stderr?.on('data', (chunk: Buffer) => (this.errors = `${this.errors}${chunk.toString()}`.slice(-6000)));
  }

  /** Starts moto_server through the launcher on a free port of 127.0.0.1. */
  static async start(work: string): Promise<Emulator> {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const port = await freePort();
    const child = spawn('python3', [join(__dirname, 'moto_launcher.py'), '-H', '127.0.0.1', '-p', String(port)], {
      env: { ...cleanEnv(), MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const emulator = new Emulator(port, child, work);
    process.once('SIGINT', () => (emulator.stop(), process.exit(130)));
    await waitForPort(port, Date.now() + 20_000);
    return emulator;
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

  /** What an SDK client needs to talk to the emulator as this caller. */
  client(credentials: Credentials): { endpoint: string; region: string; credentials: Credentials } {
    return { endpoint: this.endpoint, region: REGION, credentials };
  }

  /** The emulator's Python tracebacks, for a failed run's report. */
  tracebacks(): string {
    return this.errors.includes('Traceback') ? this.errors : '';
  }

  stop(): void {
    if (this.process.pid !== undefined && this.process.exitCode === null) process.kill(this.process.pid, 'SIGTERM');
  }
}

/**
 * Runs a rehearsal: skips it with a message when a tool is missing (fails under CI=true),
 * gives it its own folder and emulator, reports any error and the emulator's tracebacks
 * as a failure, always stops the emulator, and sets the exit code from the checks.
 */
export function rehearse(name: string, phases: (checks: Checks, emulator: Emulator, work: string) => Promise<void>): void {
  const checks = new Checks();
  const body = async (): Promise<void> => {
    const missing = toolMissing();
    if (missing !== undefined) {
      if (process.env.CI === 'true') throw new Error(`${missing} (required under CI=true)`);
      process.stdout.write(`SKIPPED the ${name}: ${missing}\n`);
      return;
    }
    const work = mkdtempSync(join(tmpdir(), 'bitbucket-oidc-rehearsal-'));
    let emulator: Emulator | undefined;
    try {
      emulator = await Emulator.start(work);
      await phases(checks, emulator, work);
    } catch (error) {
      checks.fail(error instanceof Error ? error.message : String(error));
      const tracebacks = emulator?.tracebacks();
      if (tracebacks) process.stdout.write(`moto_server errors:\n${tracebacks}\n`);
    } finally {
      emulator?.stop();
      rmSync(work, { recursive: true, force: true });
    }
  };
  body()
    .catch((error: unknown) => checks.fail(error instanceof Error ? error.message : String(error)))
    .finally(() => checks.finish(name));
}
