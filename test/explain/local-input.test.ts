import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { readLocalFile } from '../../lib/explain/local-input';

describe('readLocalFile: a bounded read, and why it failed in words', () => {
  const dir = mkdtempSync(join(tmpdir(), 'explain-input-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a file within the bound: its text', () => {
    writeFileSync(join(dir, 'claims.json'), '{"sub":"x"}');
    expect(readLocalFile(join(dir, 'claims.json'), 1024)).toBe('{"sub":"x"}');
  });

  test('a file past the bound: refused, not read whole', () => {
    writeFileSync(join(dir, 'big.json'), 'x'.repeat(300_000));
    expect(readLocalFile(join(dir, 'big.json'), 100_000)).toEqual({ missing: false, reason: 'over 100000 bytes' });
  });

  test('a device that never ends is cut off at the bound', () => {
    expect(readLocalFile('/dev/zero', 4096)).toEqual({ missing: false, reason: 'over 4096 bytes' });
  });

  test.each([
    ['no such file', () => join(dir, 'absent.json'), { missing: true, reason: 'no such file' }],
    ['a name longer than a file name can be (a token pasted as a path)', () => 'eyJ'.repeat(200), { missing: true, reason: 'no such file (the name is too long for one)' }],
    ['a directory', () => { mkdirSync(join(dir, 'sub'), { recursive: true }); return join(dir, 'sub'); }, { missing: false, reason: 'a directory, not a file' }],
  ])('%s', (_what, path, expected) => {
    expect(readLocalFile(path(), 1024)).toEqual(expected);
  });
});
