/**
 * npm run bench: how fast the project feels, measured, never asserted in a test.
 *
 * Each command runs once to warm up, then RUNS times (long ones fewer); commands compared
 * with each other run in turn (A B C A B C …) so that a burst of load on the shared machine
 * falls on all of them. The table gives the median, the spread (min-max) and the target
 * with a plain met/missed, and breaks the slow parts down (type-check, each slow test file,
 * each rehearsal phase) so that the next regression shows where it came from. Every
 * command has a deadline; a command that fails or outlives it fails its line (and the
 * bench's exit code), not the lines after it. Results go to .bench/ (ignored) as JSON and
 * Markdown, with the machine's load average before and after.
 */
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, loadavg, tmpdir, totalmem } from 'os';
import { join, resolve } from 'path';
import { ADMIN_CREDENTIALS, cleanEnv, Emulator } from '../rehearsal/emulator';
import { AwsStandIn, callerCredentials, StandInAccount, StandInOptions } from '../support/aws-stand-in';
import { describeCommand, runProcess } from '../support/processes';
import { writeStrippableCopy } from './strippable-copy';

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
  readonly verdict: 'met' | 'missed' | 'failed' | '';
}

const rows: Row[] = [];
const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' };

interface CommandOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** @default 300_000 (the whole `npm test` and the organisation audit get more) */
  readonly timeoutMs?: number;
  /** The exit code that means it worked. @default 0 */
  readonly exitCode?: number;
}

interface Command {
  readonly command: string;
  readonly args: readonly string[];
  readonly options?: CommandOptions;
}

/** Runs a command to its end, in a process group of its own with a deadline; any other exit code than the expected one throws. */
async function runOnce(command: string, args: readonly string[], options: CommandOptions = {}): Promise<{ seconds: number; stdout: string; output: string }> {
  const started = process.hrtime.bigint();
  const result = await runProcess(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? env, timeoutMs: options.timeoutMs ?? 300_000 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const output = `${result.stdout}${result.stderr}`;
  const expected = options.exitCode ?? 0;
  if (result.code !== expected) {
    const last = (result.stderr.trim() || result.stdout.trim()).split('\n').pop() ?? '';
    throw new Error(`${describeCommand(command, args)} exited ${result.code ?? 'on a signal'}, expected ${expected}; its last line: ${last}\n${output.slice(-3000)}`);
  }
  return { seconds, stdout: result.stdout, output };
}

interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function timing(seconds: readonly number[]): Timing {
  const sorted = [...seconds].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
}

async function measure(command: string, args: readonly string[], options: CommandOptions & { runs?: number } = {}): Promise<Timing> {
  await runOnce(command, args, options);
  const times: number[] = [];
  for (let run = 0; run < (options.runs ?? RUNS); run += 1) times.push((await runOnce(command, args, options)).seconds);
  return timing(times);
}

/** Each command once to warm up, then RUNS rounds of all of them in turn: their ratios hold up under load that comes and goes. */
async function measureInTurn<Name extends string>(commands: Record<Name, Command>): Promise<Record<Name, Timing>> {
  const names = Object.keys(commands) as Name[];
  const times = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (const name of names) await runOnce(commands[name].command, commands[name].args, commands[name].options);
  for (let run = 0; run < RUNS; run += 1) {
    for (const name of names) times[name].push((await runOnce(commands[name].command, commands[name].args, commands[name].options)).seconds);
  }
  return Object.fromEntries(names.map((name) => [name, timing(times[name])])) as Record<Name, Timing>;
}

const show = (t: Timing) => `${t.median.toFixed(2)} s (${t.min.toFixed(2)}-${t.max.toFixed(2)})`;
const add = (measure: string, value: string, target = '', met?: boolean) => rows.push({ measure, value, target, verdict: met === undefined ? '' : met ? 'met' : 'missed' });
const times = (ratio: number) => `${ratio.toFixed(2)} ×`;

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

/** The precompiled floor's app: tsc's CommonJS output of the same sources, in .bench/js (node_modules resolve from there). */
async function precompile(): Promise<string> {
  const dir = join(OUT, 'js');
  rmSync(dir, { recursive: true, force: true });
  await runOnce(join(BIN, 'tsc'), ['-p', 'tsconfig.json', '--noEmit', 'false', '--incremental', 'false', '--outDir', dir]);
  return dir;
}

/**
 * The README's `npx cdk synth …` three ways, in turn: as it is (cdk.json's app: ts-node with
 * swc), with `--app` on Node's own type stripping (a copy of the sources rewritten as it
 * needs them, see strippable-copy.ts), and the floor: `--app` on tsc's JavaScript of the same
 * sources. The same app processes without the CLI show what each runtime adds by itself.
 */
async function benchSynth(js: string): Promise<void> {
  const { command, context } = readmeSynth();
  const strip = writeStrippableCopy(ROOT, join(OUT, 'strip'));
  // Node 22 before 22.18 strips types only when asked; 24 does by default.
  const stripNode = process.features.typescript === false ? ['--experimental-strip-types'] : [];
  const app = { js: `node ${join(js, 'bin', 'app.js')}`, strip: `node ${[...stripNode, strip.app].join(' ')}` };
  const synth = (out: string, appCommand?: string): Command => ({ command: 'bash', args: ['-c', `${command} --quiet -o ${join(OUT, out)}${appCommand === undefined ? '' : ` --app '${appCommand}'`}`] });
  const cli = await measureInTurn({ floor: synth('synth-js', app.js), tsNode: synth('synth-readme'), strip: synth('synth-strip', app.strip) });
  const templates = ['synth-js', 'synth-readme', 'synth-strip'].map((out) => readFileSync(join(OUT, out, readdirSync(join(OUT, out)).find((name) => name.endsWith('.template.json')) ?? ''), 'utf8'));
  if (new Set(templates).size !== 1) throw new Error('the three synths wrote different templates: the comparison would not be of the same app');
  const bareEnv = (out: string) => ({ env: { ...env, CDK_OUTDIR: join(OUT, out), CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), ...context }) } });
  const bare = await measureInTurn({
    floor: { command: 'node', args: [join(js, 'bin', 'app.js')], options: bareEnv('bare-js') },
    tsNode: { command: 'node', args: ['--require', 'ts-node/register', 'bin/app.ts'], options: bareEnv('bare-ts-node') },
    strip: { command: 'node', args: [...stripNode, strip.app], options: bareEnv('bare-strip') },
  });
  const version = await measureInTurn({ direct: { command: CDK, args: ['--version'] }, npx: { command: 'npx', args: ['cdk', '--version'] } });
  const ratio = cli.tsNode.median / cli.floor.median;
  add('`npx cdk synth` as the README runs it (cdk.json\'s app: ts-node + swc, the recommended two roles)', `${show(cli.tsNode)} = ${times(ratio)} the floor`, `<= 1.1 × the floor (${(1.1 * cli.floor.median).toFixed(2)} s)`, ratio <= 1.1);
  add(
    `  the same on Node's type stripping (\`--app 'node bin/app.ts'\`; the copy it needs rewrites ${strip.specifiers} import paths, ${strip.typeOnlyNames} type-only names and ${strip.requires} \`require\`s in ${strip.files} files)`,
    `${show(cli.strip)} = ${times(cli.strip.median / cli.floor.median)} the floor`,
  );
  add('  floor: the same command with `--app` on tsc\'s JavaScript of the same sources (same template)', show(cli.floor));
  add('  the bare app process, no CLI: JavaScript / ts-node + swc / type stripping', `${show(bare.floor)} / ${show(bare.tsNode)} / ${show(bare.strip)}`);
  add('  the CDK CLI starting and exiting (`cdk --version`: a 16 MB bundle) / through npx', `${show(version.direct)} / ${show(version.npx)}`);
}

/** Per test file, from one jest run's own report: the files that take longest. */
async function slowTestFiles(project: string): Promise<string> {
  const report = join(OUT, `jest-${project}.json`);
  await runOnce(join(BIN, 'jest'), ['--selectProjects', project, '--silent', '--json', '--outputFile', report]);
  const results = (JSON.parse(readFileSync(report, 'utf8')) as { testResults: Array<{ name: string; startTime: number; endTime: number }> }).testResults;
  return results
    .map((result) => ({ file: result.name.replace(`${ROOT}/`, ''), seconds: (result.endTime - result.startTime) / 1000 }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 4)
    .map((result) => `${result.file} ${result.seconds.toFixed(2)} s`)
    .join(', ');
}

async function benchTests(): Promise<void> {
  const tsgo = await measure(join(BIN, 'tsgo'), ['-p', 'tsconfig.json']);
  const tsc = await measure(join(BIN, 'tsc'), ['-p', 'tsconfig.json'], { runs: 3 });
  const unit = await measure(join(BIN, 'jest'), ['--selectProjects', 'unit', '--silent']);
  const e2e = await measure(join(BIN, 'jest'), ['--selectProjects', 'e2e', '--silent'], { runs: 3 });
  add('type-check (`npm run typecheck`: tsgo)', show(tsgo));
  add('  the same with tsc 5.9, for reference', show(tsc));
  add('unit tests (`npm run test:unit`)', `${show(unit)}; slowest files: ${await slowTestFiles('unit')}`);
  const inner = tsgo.median + unit.median;
  add('type-check + unit tests', `${inner.toFixed(2)} s`, '< 10 s', inner < 10);
  add('end-to-end tests (`npm run test:e2e`)', `${show(e2e)}; files: ${await slowTestFiles('e2e')}`);
}

/** A rehearsal alone, once: its total and each phase's time, from its own output. */
async function benchRehearsal(script: string, label: string, target?: number): Promise<void> {
  const { output } = await runOnce('npm', ['run', '--silent', script], { env: { ...env, REHEARSAL_BENCH: '1' } });
  const total = Number(/rehearsal: ([\d.]+) s/i.exec(output)?.[1]);
  const phases = [...output.matchAll(/^(\d+)\. .+\n(?:.*\n)*?\s+\(([\d.]+) s\)/gm)].map((match) => `${match[1]}: ${match[2]}`);
  add(label, `${total.toFixed(1)} s (phases ${phases.join(', ')} s)`, target === undefined ? '' : `< ${target} s`, target === undefined ? undefined : total < target);
  const fromArtifact = /deploy from the synth artifact: ([\d.]+) s/.exec(output)?.[1];
  const resynth = /deploy that synthesizes again: ([\d.]+) s/.exec(output)?.[1];
  if (fromArtifact !== undefined && resynth !== undefined) {
    add('  deploy step from the artifact / a deploy that synthesizes again', `${fromArtifact} s / ${resynth} s = ${(Number(fromArtifact) / Number(resynth)).toFixed(2)}`);
  }
}

/** Once (about a minute and a half of both cores): the README's test command, rehearsals included. */
async function benchWholeTest(): Promise<void> {
  const { seconds, output } = await runOnce('npm', ['test'], { timeoutMs: 600_000 });
  const timings = [...output.matchAll(/│ (\S+)\s+│ ([\d,]+)\s+│/g)].map((match) => `${match[1]} ${(Number(match[2].replace(/,/g, '')) / 1000).toFixed(1)} s`);
  add('the whole `npm test` (type-check, then unit, e2e and both rehearsals at once), once', `${seconds.toFixed(1)} s (side by side: ${timings.join(', ')})`, '<= 90 s on 2 cores', seconds <= 90);
}

async function benchTemplates(js: string): Promise<void> {
  let oneRole = 0;
  for (const count of [0, 1, 10, 50, 100]) {
    const base = { workspace: 'acme-corp', audience: AUDIENCE };
    const context: Record<string, unknown> =
      count === 0
        ? { ...base, repositories: '{3f1c2b4a-5d6e-4f70-8192-a3b4c5d6e7f8}' }
        : { ...base, roles: Array.from({ length: count }, (_, n) => ({ id: `Team${n}`, repositories: [`{${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000}`], environments: ['{c0ffee00-1234-4abc-8def-0123456789ab}'] })) };
    const outdir = mkdtempSync(join(tmpdir(), 'bench-roles-'));
    const synthTime = await measure('node', [join(js, 'bin', 'app.js')], { env: { ...env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), ...context }) }, runs: 3 });
    const file = readdirSync(outdir).find((name) => name.endsWith('.template.json')) as string;
    const template = JSON.parse(readFileSync(join(outdir, file), 'utf8')) as { Resources: Record<string, { Type: string }> };
    const types = Object.values(template.Resources).map((resource) => resource.Type);
    const assets = JSON.parse(readFileSync(join(outdir, file.replace('.template.json', '.assets.json')), 'utf8')) as { files: object; dockerImages: object };
    const assetCount = Object.keys(assets.files).length - 1 + Object.keys(assets.dockerImages).length;
    const label = count === 0 ? 'default (flat keys)' : `${count} role${count === 1 ? '' : 's'}`;
    const value = `${types.length} resources, ${Buffer.byteLength(JSON.stringify(template))} bytes minified, ${assetCount} assets; synth ${show(synthTime)}`;
    if (count === 0) {
      const expected = ['AWS::IAM::OIDCProvider', 'AWS::IAM::Policy', 'AWS::IAM::Role'];
      add(`template: ${label}`, value, 'provider, role, policy; no Lambda, no asset', JSON.stringify([...types].sort()) === JSON.stringify(expected) && assetCount === 0);
    } else if (count === 1) {
      oneRole = synthTime.median;
      add(`template: ${label}`, value);
    } else {
      add(`template: ${label}`, value, count === 100 ? `synth <= 2 x one role (${(2 * oneRole).toFixed(2)} s)` : '', count === 100 ? synthTime.median <= 2 * oneRole : undefined);
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
    // Exit code 2: the twenty roles that trust the provider on `aud` alone are high findings; any other code fails the line.
    const audit = () => runOnce('npm', ['run', '--silent', 'audit-roles', '--', '--json'], { env: auditEnv, exitCode: 2 });
    const summary = (JSON.parse((await audit()).stdout) as { summary: { rolesListed: number; rolesTrustingBitbucket: number } }).summary;
    const auditTimes: number[] = [];
    for (let run = 0; run < 3; run += 1) auditTimes.push((await audit()).seconds);
    add(
      'npm run audit-roles on an emulated account of 2,000 roles',
      `${show(timing(auditTimes))}; listed ${summary.rolesListed}, ${summary.rolesTrustingBitbucket} trust Bitbucket; seeding took ${seeded.toFixed(1)} s`,
    );
  } finally {
    emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The emulated organisation: `accounts` accounts of `rolesPerAccount` roles, `bitbucketPerAccount` of each trusting Bitbucket. */
function emulatedOrganisation(accounts: number, rolesPerAccount: number, bitbucketPerAccount = 5): StandInOptions {
  const host = 'api.bitbucket.org/2.0/workspaces/acme-corp/pipelines-config/identity/oidc';
  const management = '100000000000';
  const member = (n: number): StandInAccount => {
    const id = String(100000000000 + n);
    const trust = (condition: Record<string, unknown>) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${id}:oidc-provider/${host}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${host}:aud`]: AUDIENCE }, ...condition } }],
    });
    const pinned = (repository: string) => ({ StringLike: { [`${host}:sub`]: `{${repository}-5d6e-4f70-8192-a3b4c5d6e7f8}:*` } });
    const deploy = `arn:aws:iam::${id}:policy/Deploy`;
    const kinds = [
      { name: 'console-admin', trust: trust({}), attached: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
      { name: 'payments-deploy', trust: trust(pinned('3f1c2b4a')), attached: [deploy, 'arn:aws:iam::aws:policy/ReadOnlyAccess'] },
      { name: 'web-preview', trust: trust(pinned('0f8e7d6c')), attached: ['arn:aws:iam::aws:policy/ReadOnlyAccess'], inline: { Logs: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] } } },
      { name: 'data-sync', trust: trust(pinned('5e3c1a2b')), attached: [deploy], inline: { Bucket: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }] } } },
      { name: 'legacy-any-repo', trust: trust({ StringLike: { [`${host}:sub`]: '{*}:*' } }), attached: ['arn:aws:iam::aws:policy/PowerUserAccess'] },
    ];
    const bitbucket = Array.from({ length: bitbucketPerAccount }, (_, k) => ({ ...kinds[k % kinds.length], name: `${kinds[k % kinds.length].name}-${k}` }));
    const service = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    // The Bitbucket roles spread through the listing, as they are in a real account.
    const step = Math.floor(rolesPerAccount / bitbucket.length);
    const roles = Array.from({ length: rolesPerAccount }, (_, r) => (r % step === 0 && r / step < bitbucket.length ? bitbucket[r / step] : { name: `service-role-${r}`, trust: service }));
    return {
      id,
      name: `account ${n}`,
      auditRole: 'BitbucketOidcAudit',
      providers: [{ host, clientIds: [AUDIENCE] }],
      roles,
      policies: { Deploy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${id}:role/cdk-hnb659fds-deploy-role-${id}-eu-west-1` }] } },
    };
  };
  const document = (action: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
  return {
    management,
    accounts: Array.from({ length: accounts }, (_, n) => member(n)),
    awsManaged: { AdministratorAccess: document('*'), ReadOnlyAccess: document('s3:Get*'), PowerUserAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }] } },
  };
}

interface OrganisationRun {
  readonly seconds: number;
  readonly calls: number;
  readonly throttled: number;
  readonly report: { roles: unknown[]; summary: { rolesListed: number; rolesTrustingBitbucket: number; accountsRead: number; exitCode: number } };
}

/** npm run audit-roles --organization against the stand-in organisation, as a process with a deadline. */
async function auditOrganisation(options: StandInOptions, flags: readonly string[]): Promise<OrganisationRun> {
  const standIn = await AwsStandIn.start(options);
  const work = mkdtempSync(join(tmpdir(), 'bench-organisation-'));
  writeFileSync(join(work, 'empty'), '');
  try {
    const credentials = callerCredentials(options.management);
    const processEnv = {
      ...cleanEnv(),
      AWS_ENDPOINT_URL: standIn.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'eu-west-1',
      AWS_CONFIG_FILE: join(work, 'empty'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'empty'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    // Exit code 2: high findings (the console-admin and any-repository roles of every account).
    const args = ['run', '--silent', 'audit-roles', '--', '--organization', '--role-name', 'BitbucketOidcAudit', '--json', ...flags];
    const { seconds, stdout } = await runOnce('npm', args, { env: processEnv, timeoutMs: 600_000, exitCode: 2 });
    return { seconds, calls: standIn.calls.length, throttled: standIn.count({ throttled: true }), report: JSON.parse(stdout) as OrganisationRun['report'] };
  } finally {
    await standIn.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * npm run audit-roles --organization on an emulated organisation of 20 accounts of 500
 * roles (five of each trusting Bitbucket) behind 20 ms a call: quiet, with 10% of calls
 * throttled, and throttled as IAM throttles (a rate per account); the wall time, the calls
 * made and the serial sum of their latencies, and whether the findings are those of the
 * quiet run. BENCH_AUDIT_GRID=1 also tries other concurrencies (how the defaults were chosen).
 */
async function benchOrganisationAudit(): Promise<void> {
  const [accounts, roles, latencyMs] = [20, 500, 20];
  const organisation = { ...emulatedOrganisation(accounts, roles), latencyMs };
  const describe = (run: OrganisationRun) =>
    `${run.seconds.toFixed(1)} s; ${run.calls} calls (${run.throttled} throttled), serial sum of latencies ${((run.calls * latencyMs) / 1000).toFixed(1)} s; ` +
    `${run.report.summary.accountsRead} accounts read, ${run.report.summary.rolesListed} roles listed, ${run.report.summary.rolesTrustingBitbucket} trust Bitbucket`;
  const quiet = await auditOrganisation(organisation, []);
  const same = (run: OrganisationRun) => JSON.stringify(run.report.roles) === JSON.stringify(quiet.report.roles);
  const compared = (run: OrganisationRun) => `${describe(run)}; findings ${same(run) ? 'identical to' : 'DIFFERENT from'} the quiet run's`;
  const random = { throttleShare: 0.1, seed: 11 };
  const iamLike = { accountRate: { perSecond: 10, burst: 5 } };
  add(`audit-roles --organization, ${accounts} accounts x ${roles} roles (5 trust Bitbucket), ${latencyMs} ms a call, defaults`, describe(quiet));
  const throttled = await auditOrganisation({ ...organisation, ...random }, []);
  add('  the same, 10% of calls throttled', compared(throttled), 'findings identical', same(throttled));
  const rated = await auditOrganisation({ ...organisation, ...iamLike }, []);
  add('  the same, throttled past 10 calls a second per account (burst 5)', compared(rated), 'findings identical', same(rated));
  const heavy = { ...emulatedOrganisation(1, roles, 60), latencyMs, ...iamLike };
  const heavyRun = await auditOrganisation(heavy, []);
  add(`  one account of ${roles} roles, 60 trusting Bitbucket, throttled past 10 calls a second`, describe(heavyRun));
  if (process.env.BENCH_AUDIT_GRID !== '1') return;
  const grid: Array<[string, StandInOptions, number, number]> = [
    ...[1, 2, 4, 8, 16].map((n): [string, StandInOptions, number, number] => ['10% throttled', { ...organisation, ...random }, n, 4]),
    ...[1, 2, 8].map((n): [string, StandInOptions, number, number] => ['10% throttled', { ...organisation, ...random }, 8, n]),
    ...[1, 2, 4, 8].map((n): [string, StandInOptions, number, number] => ['one account, 60 Bitbucket roles, 10 calls/s', heavy, 1, n]),
  ];
  for (const [model, options, concurrentAccounts, concurrentCalls] of grid) {
    const run = await auditOrganisation(options, ['--concurrent-accounts', String(concurrentAccounts), '--concurrent-calls', String(concurrentCalls)]);
    add(`  grid: ${model}, --concurrent-accounts ${concurrentAccounts} --concurrent-calls ${concurrentCalls}`, describe(run));
  }
}

async function main(): Promise<void> {
  // npm run bench -- audit-organization (or any of these names) runs only those measures.
  const measures: Record<string, (js: () => Promise<string>) => Promise<void>> = {
    synth: async (js) => benchSynth(await js()),
    tests: () => benchTests(),
    templates: async (js) => benchTemplates(await js()),
    rehearsals: async () => {
      await benchRehearsal('rehearse', 'rehearsal, single account (alone)', 90);
      await benchRehearsal('rehearse:stackset', 'rehearsal, organisation rollout (alone)');
    },
    'npm-test': () => benchWholeTest(),
    audit: () => benchAudit(),
    'audit-organization': () => benchOrganisationAudit(),
  };
  const chosen = process.argv.slice(2);
  const unknown = chosen.filter((name) => !(name in measures));
  if (unknown.length > 0) throw new Error(`unknown measure ${unknown.join(', ')}; choose from ${Object.keys(measures).join(', ')}`);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const load = () => loadavg().map((average) => average.toFixed(2)).join(' ');
  const loadBefore = load();
  process.stdout.write(`benchmark on ${machine}, ${RUNS} runs after a warm-up; load average ${loadBefore}\n`);
  let compiled: Promise<string> | undefined;
  const js = () => (compiled ??= precompile());
  for (const [name, run] of Object.entries(measures)) {
    if (chosen.length > 0 && !chosen.includes(name)) continue;
    try {
      await run(js);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${name} failed: ${message}\n`);
      const reason = message.split('\n')[0];
      rows.push({ measure: `${name} (\`npm run bench -- ${name}\`)`, value: `failed: ${reason.length > 300 ? `${reason.slice(0, 299)}…` : reason}`, target: '', verdict: 'failed' });
      process.exitCode = 1;
    }
  }
  const markdown = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; median (min-max) of ${RUNS} runs after a warm-up unless said; load average (1, 5, 15 min) ${loadBefore} before, ${load()} after.`,
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
