/**
 * Every process a test or a rehearsal starts. Each gets a process group of its own (the
 * CDK CLI, npx and step scripts start grandchildren), a deadline, and is stopped group and
 * all when it passes its deadline, when its leader exits, and when this process exits, so
 * that no run waits on a child forever or leaves one behind. A script that owns its process
 * (a rehearsal) also calls `stopAll` when it exits.
 */
import { ChildProcess, spawn, StdioOptions } from 'child_process';

export interface ProcessResult {
  /** The exit code; null when a signal ended the process. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the process's standard input, which is then closed. @default '' */
  readonly stdin?: string;
  /** How long the process may run before it is stopped and the run rejected. @default 50_000 */
  readonly timeoutMs?: number;
}

export interface StartOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** @default 'pipe' */
  readonly stdio?: StdioOptions;
  /** A service the run talks to (the emulator) rather than a command it waits for: left out of `runningCommands`. @default false */
  readonly service?: boolean;
}

/** Below jest's test timeouts, so that a process is stopped before the test that waits for it gives up. */
const DEFAULT_TIMEOUT_MS = 50_000;
/** How long a group has between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** Running process groups (the leader's pid is the group's id), with what each is, for reports. */
const groups = new Map<number, { readonly command: string; readonly service: boolean }>();

/** A command as a report names it: on one line, cut. */
export function describeCommand(command: string, args: readonly string[]): string {
  const line = [command, ...args].join(' ').replace(/\s*\n\s*/g, '; ');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing of the group is left.
  }
}

/**
 * SIGTERM to the whole group, so that each member can stop what it started in turn (a
 * rehearsal stops its emulator); SIGKILL to whatever is left after the grace period.
 */
async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (signalGroup(pgid, 0) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
  signalGroup(pgid, 'SIGKILL');
  groups.delete(pgid);
}

/** Stops every group still running, at once (SIGKILL): for exit paths, where nothing can wait. */
export function stopAll(): void {
  for (const pgid of groups.keys()) signalGroup(pgid, 'SIGKILL');
  groups.clear();
}

/** What is running now, one line each: what a deadline's report says it was waiting for. */
export function runningCommands(): string[] {
  return [...groups.values()].filter((group) => !group.service).map((group) => group.command);
}

/**
 * Starts a process as the leader of a process group of its own. When the leader exits, what
 * is left of its group is stopped too: a child left running would hold the output pipes open.
 * An 'error' event (the command cannot be started) is the caller's to handle.
 */
export function startProcess(command: string, args: readonly string[], options: StartOptions = {}): ChildProcess {
  const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: options.stdio ?? 'pipe', detached: true });
  const pgid = child.pid;
  if (pgid !== undefined) {
    groups.set(pgid, { command: describeCommand(command, args), service: options.service ?? false });
    child.once('exit', () => void stopGroup(pgid, STOP_GRACE_MS));
  }
  return child;
}

/** Stops a process started here and its whole group, and waits until they are gone (at most twice the grace period). */
export async function stopProcess(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  if (child.pid === undefined) return;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((done) => child.once('exit', () => done()));
  await stopGroup(child.pid, graceMs);
  await Promise.race([exited, new Promise((done) => setTimeout(done, graceMs))]);
}

/**
 * Runs a process to its end without blocking the event loop, so that several can run at
 * once and a deadline can fire. Rejects when it cannot be started, and when it outlives its
 * deadline (then stopped, group and all), so a hang is never taken for an ordinary failure.
 */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((done, fail) => {
    const child = startProcess(command, args, { cwd: options.cwd, env: options.env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      void stopProcess(child);
    }, timeoutMs);
    child.on('error', (error) => (clearTimeout(timer), fail(new Error(`cannot start ${command}: ${error.message}`))));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (!timedOut) return done({ code, stdout, stderr });
      const tail = `${stdout}${stderr}`.split('\n').slice(-15).join('\n');
      fail(new Error(`${describeCommand(command, args)} did not finish within ${timeoutMs / 1000} s: stopped it and its child processes. Its last output:\n${tail}`));
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.stdin ?? '');
  });
}

/** A line Node prints for a process warning: `(node:123) [DEP0040] DeprecationWarning: …`, `(node:123) Warning: NodeVersionSupportWarning: …`. */
export const NODE_WARNING = /^\(node:\d+\) (\[\w+\] )?\w*Warning\b/m;
