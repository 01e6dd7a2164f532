import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

const ROOT = join(__dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Every bin/, lib/ and test/ path the README names, as written (not inside a longer path or a URL). */
function namedPaths(text: string): string[] {
  const found = text.match(/(?<![\w./-])(?:bin|lib|test)\/[\w./-]*/g) ?? [];
  return [...new Set(found.map((path) => path.replace(/\.+$/, '')))];
}

describe('README.md', () => {
  test('every bin/, lib/ and test/ path it names exists (a module may be named without its .ts)', () => {
    const paths = namedPaths(readme);
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((path) => !existsSync(join(ROOT, path)) && !existsSync(join(ROOT, `${path}.ts`)))).toEqual([]);
  });

  test("shows --json output through npm run -s: without it npm's banner comes first on stdout", () => {
    const jsonCommands = readme.split('\n').filter((line) => /\bnpm run\b.*\s--json\b/.test(line));
    expect(jsonCommands.length).toBeGreaterThan(0);
    expect(jsonCommands.filter((line) => !/\bnpm run (-s|--silent) /.test(line))).toEqual([]);
  });

  test("states the runtime package.json's engines accept", () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('^22.12.0 || ^24.0.0');
    expect(readme).toContain('Node.js 22 (from 22.12) or 24');
  });
});
