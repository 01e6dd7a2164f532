/**
 * npm run bench: how fast the project feels, measured, never asserted in a test.
 *
 * Each command runs once to warm up, then RUNS times (long ones fewer); the table gives
 * the median, the spread (min-max) and the target with a plain met/missed, and breaks the
 * slow parts down (type-check, each slow test file, each rehearsal phase) so that the next
 * regression shows where it came from. Results go to .bench/ (ignored) as JSON and Markdown.
 */
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, tmpdir, totalmem } from 'os';
import { join, resolve } from 'path';
import { ADMIN_CREDENTIALS, Emulator } from '../rehearsal/emulator';

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, '.bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BIN = join(ROOT, 'node_modules', '.bin');
const CDK = join(BIN, 'cdk');
const AUDIENCE = 'ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c';

interface Row {
  readonly measure: string;
  readonly value: string;
  readonly target: string;
  readonly verdict: 'met' | 'missed' | '';
}

const rows: Row[] = [];
const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' };

function runOnce(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { seconds: number; output: string } {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${output}`.slice(-3000));
  return { seconds, output };
}

interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function measure(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; runs?: number } = {}): Timing {
  runOnce(command, args, options);
  const times = Array.from({ length: options.runs ?? RUNS }, () => runOnce(command, args, options).seconds).sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

const show = (t: Timing) => `${t.median.toFixed(2)} s (${t.min.toFixed(2)}-${t.max.toFixed(2)})`;
const add = (measure: string, value: string, target = '', met?: boolean) => rows.push({ measure, value, target, verdict: met === undefined ? '' : met ? 'met' : 'missed' });

function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

/** The README's quick-start synth command and its context, as the e2e test reads them. */
function readmeSynth(): { command: string; context: Record<string, string> } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const command = (/```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '').split('\n').find((line) => line.startsWith('npx cdk synth ')) ?? '';
  const context = Object.fromEntries([...command.matchAll(/-c '?([^=\s]+)=([^'\s]+)'?/g)].map((match) => [match[1], match[2]]));
  return { command, context };
}

function precompile(): string {
  const dir = join(OUT, 'js');
  rmSync(dir, { recursive: true, force: true });
  runOnce(join(BIN, 'tsc'), ['-p', 'tsconfig.json', '--noEmit', 'false', '--incremental', 'false', '--outDir', dir]);
  return dir;
}

function benchSynth(js: string): void {
  const { command, context } = readmeSynth();
  const contextArgs = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const readme = measure('bash', ['-c', `${command} --quiet -o ${join(OUT, 'synth-readme')}`]);
  const compiled = measure(CDK, ['synth', '--quiet', '-o', join(OUT, 'synth-js'), '--app', `node ${join(js, 'bin', 'app.js')}`, ...contextArgs]);
  const bare = measure('node', [join(js, 'bin', 'app.js')], { env: { ...env, CDK_OUTDIR: join(OUT, 'synth-bare'), CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), ...context }) } });
  const version = measure(CDK, ['--version']);
  add("cdk synth as the README runs it (ts-node + swc, the recommended two roles)", show(readme), `<= 1.3 x precompiled (${(1.3 * compiled.median).toFixed(2)} s)`, readme.median <= 1.3 * compiled.median);
  add('  the same CLI on precompiled JavaScript (floor)', show(compiled));
  add('  the bare app process, no CLI', show(bare));
  add('  the CDK CLI starting and exiting (`cdk --version`: a 16 MB bundle)', show(version));
}

/** Per test file, from one jest run's own report: the files that take longest. */
function slowTestFiles(project: string): string {
  const report = join(OUT, `jest-${project}.json`);
  spawnSync(join(BIN, 'jest'), ['--selectProjects', project, '--silent', '--json', '--outputFile', report], { cwd: ROOT, env, encoding: 'utf8' });
  const results = (JSON.parse(readFileSync(report, 'utf8')) as { testResults: Array<{ name: string; startTime: number; endTime: number }> }).testResults;
  return results
    .map((result) => ({ file: result.name.replace(`${ROOT}/`, ''), seconds: (result.endTime - result.startTime) / 1000 }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 4)
    .map((result) => `${result.file} ${result.seconds.toFixed(2)} s`)
    .join(', ');
}

function benchTests(): void {
  const tsgo = measure(join(BIN, 'tsgo'), ['-p', 'tsconfig.json']);
  const tsc = measure(join(BIN, 'tsc'), ['-p', 'tsconfig.json'], { runs: 3 });
  const unit = measure(join(BIN, 'jest'), ['--selectProjects', 'unit', '--silent']);
  const e2e = measure(join(BIN, 'jest'), ['--selectProjects', 'e2e', '--silent'], { runs: 3 });
  add('type-check (`npm run typecheck`: tsgo)', show(tsgo));
  add('  the same with tsc 5.9, for reference', show(tsc));
  add('unit tests (`npm run test:unit`)', `${show(unit)}; slowest files: ${slowTestFiles('unit')}`);
  const inner = tsgo.median + unit.median;
  add('type-check + unit tests', `${inner.toFixed(2)} s`, '< 10 s', inner < 10);
  add('end-to-end tests (`npm run test:e2e`)', `${show(e2e)}; files: ${slowTestFiles('e2e')}`);
}

/** A rehearsal alone, once: its total and each phase's time, from its own output. */
function benchRehearsal(script: string, label: string, target?: number): void {
  const { output } = runOnce('npm', ['run', '--silent', script], { env: { ...env, REHEARSAL_BENCH: '1' } });
  const total = Number(/rehearsal: ([\d.]+) s/i.exec(output)?.[1]);
  const phases = [...output.matchAll(/^(\d+)\. .+\n(?:.*\n)*?\s+\(([\d.]+) s\)/gm)].map((match) => `${match[1]}: ${match[2]}`);
  add(label, `${total.toFixed(1)} s (phases ${phases.join(', ')} s)`, target === undefined ? '' : `< ${target} s`, target === undefined ? undefined : total < target);
  const fromArtifact = /deploy from the synth artifact: ([\d.]+) s/.exec(output)?.[1];
  const resynth = /deploy that synthesizes again: ([\d.]+) s/.exec(output)?.[1];
  if (fromArtifact !== undefined && resynth !== undefined) {
    add('  deploy step from the artifact / a deploy that synthesizes again', `${fromArtifact} s / ${resynth} s = ${(Number(fromArtifact) / Number(resynth)).toFixed(2)}`);
  }
}

function benchWholeTest(): void {
  const { seconds, output } = runOnce('npm', ['test']);
  const timings = [...output.matchAll(/│ (\S+)\s+│ ([\d,]+)\s+│/g)].map((match) => `${match[1]} ${(Number(match[2].replace(/,/g, '')) / 1000).toFixed(1)} s`);
  add('the whole `npm test` (type-check, then unit, e2e and both rehearsals at once)', `${seconds.toFixed(1)} s (side by side: ${timings.join(', ')})`, '< 60 s', seconds < 60);
}

function benchTemplates(js: string): void {
  let oneRole = 0;
  for (const count of [0, 1, 10, 50, 100]) {
    const base = { workspace: 'acme-corp', audience: AUDIENCE };
    const context: Record<string, unknown> =
      count === 0
        ? { ...base, repositories: '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}' }
        : { ...base, roles: Array.from({ length: count }, (_, n) => ({ id: `Team${n}`, repositories: [`{${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000}`], environments: ['{c0ffee00-1234-4abc-8def-0123456789ab}'] })) };
    const outdir = mkdtempSync(join(tmpdir(), 'bench-roles-'));
    const timing = measure('node', [join(js, 'bin', 'app.js')], { env: { ...env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), ...context }) }, runs: 3 });
    const file = readdirSync(outdir).find((name) => name.endsWith('.template.json')) as string;
    const template = JSON.parse(readFileSync(join(outdir, file), 'utf8')) as { Resources: Record<string, { Type: string }> };
    const types = Object.values(template.Resources).map((resource) => resource.Type);
    const assets = JSON.parse(readFileSync(join(outdir, file.replace('.template.json', '.assets.json')), 'utf8')) as { files: object; dockerImages: object };
    const assetCount = Object.keys(assets.files).length - 1 + Object.keys(assets.dockerImages).length;
    const label = count === 0 ? 'default (flat keys)' : `${count} role${count === 1 ? '' : 's'}`;
    const value = `${types.length} resources, ${Buffer.byteLength(JSON.stringify(template))} bytes minified, ${assetCount} assets; synth ${show(timing)}`;
    if (count === 0) {
      const expected = ['AWS::IAM::OIDCProvider', 'AWS::IAM::Policy', 'AWS::IAM::Role'];
      add(`template: ${label}`, value, 'provider, role, policy; no Lambda, no asset', JSON.stringify([...types].sort()) === JSON.stringify(expected) && assetCount === 0);
    } else if (count === 1) {
      oneRole = timing.median;
      add(`template: ${label}`, value);
    } else {
      add(`template: ${label}`, value, count === 100 ? `synth <= 2 x one role (${(2 * oneRole).toFixed(2)} s)` : '', count === 100 ? timing.median <= 2 * oneRole : undefined);
    }
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** npm run audit-roles on an emulated account of 2,000 roles, 20 of which trust Bitbucket. */
async function benchAudit(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-audit-'));
  const emulator = await Emulator.start(work);
  try {
    const iam = new IAMClient(emulator.client(ADMIN_CREDENTIALS));
    const host = 'api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
    const provider = (await iam.send(new CreateOpenIDConnectProviderCommand({ Url: `https://${host}`, ClientIDList: [AUDIENCE] }))).OpenIDConnectProviderArn ?? '';
    const bitbucket = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${host}:aud`]: AUDIENCE } } }] });
    const service = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const seedStarted = Date.now();
    for (let batch = 0; batch < 2000; batch += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, n) => batch + n).map((n) => iam.send(new CreateRoleCommand({ RoleName: `role-${n}`, AssumeRolePolicyDocument: n % 100 === 0 ? bitbucket : service }))));
    }
    const seeded = (Date.now() - seedStarted) / 1000;
    const auditEnv = { ...env, ...emulator.envWith(ADMIN_CREDENTIALS), PATH: process.env.PATH };
    const audit = () => spawnSync('npm', ['run', '--silent', 'audit-roles', '--', '--json'], { cwd: ROOT, env: auditEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const first = audit();
    const summary = (JSON.parse(first.stdout) as { summary: { rolesListed: number; rolesTrustingBitbucket: number } }).summary;
    const times = Array.from({ length: 3 }, () => {
      const started = Date.now();
      audit();
      return (Date.now() - started) / 1000;
    }).sort((a, b) => a - b);
    add(
      'npm run audit-roles on an emulated account of 2,000 roles',
      `${times[1].toFixed(2)} s (${times[0].toFixed(2)}-${times[2].toFixed(2)}); listed ${summary.rolesListed}, ${summary.rolesTrustingBitbucket} trust Bitbucket; seeding took ${seeded.toFixed(1)} s`,
    );
  } finally {
    emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  process.stdout.write(`benchmark on ${machine}, ${RUNS} runs after a warm-up\n`);
  const js = precompile();
  benchSynth(js);
  benchTests();
  benchTemplates(js);
  benchRehearsal('rehearse', 'rehearsal, single account (alone)', 90);
  benchRehearsal('rehearse:stackset', 'rehearsal, organisation rollout (alone)');
  benchWholeTest();
  await benchAudit();
  const markdown = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; median (min-max) of ${RUNS} runs after a warm-up unless said.`,
    '',
    '| measure | value | target | verdict |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.measure} | ${row.value} | ${row.target} | ${row.verdict} |`),
  ].join('\n');
  writeFileSync(join(OUT, 'results.json'), JSON.stringify({ machine, runs: RUNS, rows }, null, 2));
  writeFileSync(join(OUT, 'results.md'), `${markdown}\n`);
  process.stdout.write(`${markdown}\n\nwritten to .bench/results.json and .bench/results.md\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
