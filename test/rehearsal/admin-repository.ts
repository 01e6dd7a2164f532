/** The admin's repository in a rehearsal: a copy of this project whose cdk.json carries the committed context. */
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'fs';
import { join } from 'path';
import { ROOT } from './emulator';

/** Copies the app, its cdk.json with `context` committed, and the sample pipeline into `dir`. */
export function prepareRepository(dir: string, context: object): void {
  mkdirSync(dir, { recursive: true });
  for (const entry of ['bin', 'lib', 'package.json', '.npmrc', 'tsconfig.json', 'bitbucket-pipelines.yml']) {
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  commitContext(dir, context);
}

/** Changes the admin's context in the copy's cdk.json, as a commit would; undefined values drop a key. */
export function commitContext(dir: string, context: object): void {
  const committed = existsSync(join(dir, 'cdk.json')) ? join(dir, 'cdk.json') : join(ROOT, 'cdk.json');
  const cdkJson = JSON.parse(readFileSync(committed, 'utf8')) as { context: Record<string, unknown> };
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ ...cdkJson, context: { ...cdkJson.context, ...context } }, null, 2));
}
