import { stringLike } from '../../lib/iam-evaluator/condition-operators';
import { ANY_STRING, form, LanguageTooLarge, PatternProduct, StringPattern, union } from '../../lib/iam-evaluator/string-language';
import { generator } from '../support/seeded';

/** Every string of `length` characters over `alphabet`, for brute force. */
function strings(alphabet: string, length: number): string[] {
  if (length === 0) return [''];
  return strings(alphabet, length - 1).flatMap((prefix) => [...alphabet].map((char) => prefix + char));
}

const like = (value: string): StringPattern => ({ kind: 'like', value });
/** Brute force, independent of the automata: IAM's StringLike through a regular expression, equality through ===. */
const matches = (pattern: StringPattern, value: string) =>
  pattern.kind === 'like' ? stringLike(pattern.value, value) : pattern.kind === 'equals' ? pattern.value === value : pattern.value.toLowerCase() === value.toLowerCase();

describe('PatternProduct against brute force over a small universe', () => {
  // Strings `{` + three to five of a, b, c + `}`: small enough to enumerate, shaped like a UUID in braces.
  const universe = form(['{', { chars: 'abc', min: 3, max: 5 }, '}']);
  const all = [3, 4, 5].flatMap((length) => strings('abc', length).map((middle) => `{${middle}}`));

  test('400 random pattern sets and Boolean predicates: a witness exactly when brute force finds one, the same combinations, the same counts', () => {
    const rng = generator(20261202);
    const pieces = ['a', 'b', 'c', '*', '?', '{', '}', 'ab', 'x'];
    for (let index = 0; index < 400; index++) {
      const patterns = Array.from({ length: 1 + Math.floor(rng.next() * 4) }, () => {
        const value = Array.from({ length: 1 + Math.floor(rng.next() * 5) }, () => rng.pick(pieces)).join('');
        return rng.next() < 0.8 ? like(value) : { kind: rng.pick(['equals', 'equals-ignore-case'] as const), value };
      });
      // A random Boolean formula: each pattern kept, negated or ignored, AND or OR over them.
      const signs = patterns.map(() => rng.pick([1, -1, 0]));
      const conjunction = rng.next() < 0.5;
      const admits = (found: readonly boolean[]) => {
        const terms = found.flatMap((match, at) => (signs[at] === 0 ? [] : [signs[at] === 1 ? match : !match]));
        return terms.length === 0 || (conjunction ? terms.every(Boolean) : terms.some(Boolean));
      };
      const product = new PatternProduct(universe, patterns);
      const brute = all.filter((value) => admits(patterns.map((pattern) => matches(pattern, value))));
      const witness = product.witness(admits);
      const shown = `case ${index}: ${JSON.stringify(patterns)} ${JSON.stringify(signs)} ${conjunction ? 'and' : 'or'}`;
      expect([shown, witness === undefined]).toEqual([shown, brute.length === 0]);
      if (witness !== undefined) expect([shown, brute.includes(witness)]).toEqual([shown, true]);
      const combinations = new Set(all.map((value) => patterns.map((pattern) => Number(matches(pattern, value))).join('')));
      expect([shown, new Set(product.matchCombinations().map((found) => found.map(Number).join('')))]).toEqual([shown, combinations]);
      // Prefixes of two characters (`{` and one letter) that some admitted string starts with.
      expect([shown, product.countPrefixes(2, admits)]).toEqual([shown, BigInt(new Set(brute.map((value) => value.slice(0, 2))).size)]);
    }
  });
});

describe('universes', () => {
  test('any string: a character no pattern names stands for all of them, and the witness holds', () => {
    const patterns = [like('arn:aws:s3:::*'), like('arn:aws:s3:::secret*')];
    const witness = new PatternProduct(ANY_STRING, patterns).witness(([bucket, secret]) => bucket && !secret);
    expect(witness).toBeDefined();
    expect([stringLike('arn:aws:s3:::*', witness ?? ''), stringLike('arn:aws:s3:::secret*', witness ?? '')]).toEqual([true, false]);
  });

  test('characters no pattern names: a Deny on every name spelled with named characters leaves the unnamed ones', () => {
    const names = form(['role/', { chars: { unnamed: true }, min: 1 }]);
    const denied = ['role/a*', 'role/b*', 'role/*x*', 'role/?'].map(like);
    const witness = new PatternProduct(names, denied).witness((found) => found.every((match) => !match));
    expect(witness).toMatch(/^role\/..+$/);
    expect(denied.some((pattern) => matches(pattern, witness ?? ''))).toBe(false);
  });

  test('IgnoreCase literals match every case', () => {
    const product = new PatternProduct(ANY_STRING, [{ kind: 'equals-ignore-case', value: 'Ab' }, { kind: 'equals', value: 'ab' }]);
    const witness = product.witness(([folded, exact]) => folded && !exact);
    expect(['AB', 'Ab', 'aB']).toContain(witness);
  });

  test('a union holds the strings of each', () => {
    const either = union([form(['x', { chars: '01', min: 1, max: 1 }]), form(['y'])]);
    const product = new PatternProduct(either, []);
    expect(product.countPrefixes(2, () => true)).toBe(2n);
    expect(new PatternProduct(either, [like('y')]).witness(([y]) => y)).toBe('y');
  });

  test('past the state budget it throws LanguageTooLarge, never guesses', () => {
    const patterns = Array.from({ length: 12 }, (_, index) => like(`*${'ab'[index % 2]}?${'ba'[index % 2]}*${index}*`));
    expect(() => new PatternProduct(ANY_STRING, patterns, 50)).toThrow(LanguageTooLarge);
  });
});
