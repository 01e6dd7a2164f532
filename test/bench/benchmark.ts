/**
 * npm run bench: how fast the app feels, measured, never asserted in a test.
 *
 * Each command runs once to warm up, then RUNS times; the table gives the median, the
 * spread (min-max) and the target with a plain met/missed. Results go to .bench/
 * (ignored) as JSON and Markdown.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, tmpdir, totalmem } from 'os';
import { join, resolve } from 'path';

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, '.bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');
const EXAMPLE = {
  workspace: 'acme-corp',
  audience: 'ari:cloud:bitbucket::workspace/8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c',
  repositories: '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}',
};
const contextArgs = Object.entries(EXAMPLE).flatMap(([key, value]) => ['-c', `${key}=${value}`]);

interface Row {
  readonly measure: string;
  readonly value: string;
  readonly target: string;
  readonly verdict: 'met' | 'missed' | '';
}

const rows: Row[] = [];
const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' };

function timeOnce(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`.slice(-3000));
  return seconds;
}

interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function measure(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; runs?: number } = {}): Timing {
  timeOnce(command, args, options);
  const times = Array.from({ length: options.runs ?? RUNS }, () => timeOnce(command, args, options)).sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

const show = (t: Timing) => `${t.median.toFixed(2)} s (${t.min.toFixed(2)}-${t.max.toFixed(2)})`;
const add = (measure: string, value: string, target = '', met?: boolean) =>
  rows.push({ measure, value, target, verdict: met === undefined ? '' : met ? 'met' : 'missed' });

function precompile(): string {
  const dir = join(OUT, 'js');
  rmSync(dir, { recursive: true, force: true });
  timeOnce(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--noEmit', 'false', '--outDir', dir]);
  return dir;
}

function benchSynth(js: string): void {
  const readme = measure(CDK, ['synth', '--quiet', '-o', join(OUT, 'synth-readme'), ...contextArgs]);
  const compiled = measure(CDK, ['synth', '--quiet', '-o', join(OUT, 'synth-js'), '--app', `node ${join(js, 'bin', 'app.js')}`, ...contextArgs]);
  const bare = measure('node', [join(js, 'bin', 'app.js')], {
    env: { ...env, CDK_OUTDIR: join(OUT, 'synth-bare'), CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), ...EXAMPLE }) },
  });
  add('cdk synth as the README runs it (ts-node + swc)', show(readme), `<= 1.3 x precompiled (${(1.3 * compiled.median).toFixed(2)} s)`, readme.median <= 1.3 * compiled.median);
  add('  the same CLI on precompiled JavaScript (floor)', show(compiled));
  add('  the bare app process, no CLI', show(bare));
}

function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

function benchTests(): void {
  const typecheck = measure(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { runs: 3 });
  const jest = measure(join(ROOT, 'node_modules', '.bin', 'jest'), ['--silent'], { runs: 3 });
  add('type-check (tsc)', show(typecheck));
  add('unit tests (jest)', show(jest));
  const total = typecheck.median + jest.median;
  add('unit tests with type-check', `${total.toFixed(2)} s`, '< 10 s', total < 10);
}

function benchRehearsal(): void {
  const result = spawnSync('npm', ['run', '--silent', 'rehearse'], { cwd: ROOT, env: { ...env, REHEARSAL_BENCH: '1' }, encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`rehearsal failed:\n${output.slice(-3000)}`);
  const total = Number(/rehearsal: ([\d.]+) s/.exec(output)?.[1]);
  const phases = [...output.matchAll(/^(\d)\. (.+)\n(?:.*\n)*?\s+\(([\d.]+) s\)/gm)].map((match) => [match[1], match[3]]);
  add('rehearsal', `${total.toFixed(1)} s (${phases.map(([phase, seconds]) => `${phase}: ${seconds} s`).join(', ')})`, '< 90 s', total < 90);
  const fromArtifact = Number(/deploy from the synth artifact: ([\d.]+) s/.exec(output)?.[1]);
  const resynth = Number(/deploy that synthesizes again: ([\d.]+) s/.exec(output)?.[1]);
  add('rehearsal deploy from the artifact / a deploy that synthesizes again', `${fromArtifact.toFixed(2)} s / ${resynth.toFixed(2)} s = ${(fromArtifact / resynth).toFixed(2)}`);
}

function benchTemplates(js: string): void {
  let oneRole = 0;
  for (const count of [0, 1, 10, 50, 100]) {
    const context: Record<string, unknown> =
      count === 0
        ? EXAMPLE
        : {
            workspace: EXAMPLE.workspace,
            audience: EXAMPLE.audience,
            roles: Array.from({ length: count }, (_, n) => ({ id: `Team${n}`, repositories: [`{${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000}`] })),
          };
    const outdir = mkdtempSync(join(tmpdir(), 'bench-roles-'));
    const timing = measure('node', [join(js, 'bin', 'app.js')], { env: { ...env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), ...context }) }, runs: 3 });
    const file = readdirSync(outdir).find((name) => name.endsWith('.template.json')) as string;
    const text = readFileSync(join(outdir, file), 'utf8');
    const template = JSON.parse(text) as { Resources: Record<string, { Type: string }> };
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

function main(): void {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  process.stdout.write(`benchmark on ${machine}, ${RUNS} runs after a warm-up\n`);
  const js = precompile();
  benchSynth(js);
  benchTests();
  benchTemplates(js);
  benchRehearsal();
  const markdown = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; median (min-max) of ${RUNS} runs after a warm-up.`,
    '',
    '| measure | value | target | verdict |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.measure} | ${row.value} | ${row.target} | ${row.verdict} |`),
  ].join('\n');
  writeFileSync(join(OUT, 'results.json'), JSON.stringify({ machine, runs: RUNS, rows }, null, 2));
  writeFileSync(join(OUT, 'results.md'), `${markdown}\n`);
  process.stdout.write(`${markdown}\n\nwritten to .bench/results.json and .bench/results.md\n`);
}

main();
