import { spawn, SpawnOptions } from 'child_process';

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a process to its end without blocking the test worker, so several can run at once. */
export function runProcess(command: string, args: readonly string[], options: SpawnOptions & { stdin?: string } = {}): Promise<ProcessResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, [...args], { ...options, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin?.end(options.stdin ?? '');
  });
}
