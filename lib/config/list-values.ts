import { Parsed, parsed, problem } from '../problems/problem';
import { quoted } from '../problems/quoted';

/**
 * Reads a list from CDK context. On the command line every value is a string, so a
 * list is comma-separated (`a,b`) or a JSON array (`["a","b"]`); in `cdk.json` it is a
 * native JSON array.
 */
export function readList(key: string, raw: unknown, example: string): Parsed<readonly string[]> {
  const items = toItems(raw);
  if (items === undefined || items.some((item) => typeof item !== 'string')) {
    return problem({ key, given: raw, expected: 'a comma-separated list or a JSON array of strings', example });
  }
  const trimmed = (items as string[]).map((item) => item.trim());
  if (trimmed.length === 0 || trimmed.every((item) => item === '')) {
    return problem({ key, given: raw, expected: 'at least one entry', example });
  }
  if (trimmed.some((item) => item === '')) {
    return problem({ key, given: raw, expected: 'no empty entries (check for a stray comma)', example });
  }
  return parsed(trimmed);
}

function toItems(raw: unknown): unknown[] | undefined {
  if (Array.isArray(raw)) return raw;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (text.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(text);
      return Array.isArray(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }
  return text === '' ? [] : text.split(',');
}

/**
 * Parses every item of a list, then refuses duplicates of the normalised values,
 * which would mean one entry was meant to be another.
 */
export function parseEach<T>(
  key: string,
  items: readonly string[],
  parseItem: (itemKey: string, item: string) => Parsed<T>,
  identity: (value: T) => string,
): Parsed<readonly T[]> {
  const problems: string[] = [];
  const values: T[] = [];
  const seen = new Map<string, string>();
  items.forEach((item, index) => {
    const itemKey = items.length > 1 ? `${key}[${index}]` : key;
    const result = parseItem(itemKey, item);
    if (!result.ok) {
      problems.push(...result.problems);
      return;
    }
    const id = identity(result.value);
    const first = seen.get(id);
    if (first !== undefined) {
      problems.push(
        `${itemKey}: got ${quoted(item)}; expected each entry once, but it repeats ${quoted(first)}; example: remove one of the two`,
      );
      return;
    }
    seen.set(id, item);
    values.push(result.value);
  });
  return problems.length > 0 ? { ok: false, problems } : parsed(values);
}
