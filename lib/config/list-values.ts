import { Parsed, parsed, problem } from '../problems/problem';
import { quoted } from '../problems/quoted';

/** Why a JSON value from `-c` can arrive cut, and what to do about it. */
function firstLineOnly(key: string): string {
  return `The CDK CLI keeps only the first line of a -c value: put ${key} in cdk.json's context, or pass it on one line (-c "${key}=$(jq -c . ${key}.json)")`;
}

/**
 * Parses JSON given as a string (on the command line every value is one). A value that
 * opens an array or object and never closes it is most likely the first line of a
 * multi-line value, which is all the CDK CLI passes on: the line says so.
 */
export function readJson(key: string, raw: string, expected: string, example: string): Parsed<unknown> {
  try {
    return parsed(JSON.parse(raw) as unknown);
  } catch {
    return problem({ key, given: raw, expected, example, hint: isUnclosedJson(raw) ? firstLineOnly(key) : undefined });
  }
}

/** Whether `text` starts a JSON array or object that its end leaves open (brackets inside strings not counted). */
export function isUnclosedJson(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[') && !trimmed.startsWith('{')) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < trimmed.length; i++) {
    const char = trimmed[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') depth++;
    else if (char === ']' || char === '}') depth--;
  }
  return inString || depth > 0;
}

/**
 * Reads a list from CDK context. On the command line every value is a string, so a
 * list is comma-separated (`a,b`) or a JSON array (`["a","b"]`); in `cdk.json` it is a
 * native JSON array.
 */
export function readList(key: string, raw: unknown, example: string): Parsed<readonly string[]> {
  const expected = 'a comma-separated list or a JSON array of strings';
  const items = typeof raw === 'string' && raw.trim().startsWith('[') ? readJson(key, raw, expected, example) : parsed(toItems(raw));
  if (!items.ok) return items;
  if (!Array.isArray(items.value) || items.value.some((item) => typeof item !== 'string')) {
    return problem({ key, given: raw, expected, example });
  }
  const trimmed = (items.value as string[]).map((item) => item.trim());
  if (trimmed.length === 0 || trimmed.every((item) => item === '')) {
    return problem({ key, given: raw, expected: 'at least one entry', example });
  }
  if (trimmed.some((item) => item === '')) {
    return problem({ key, given: raw, expected: 'no empty entries (check for a stray comma)', example });
  }
  return parsed(trimmed);
}

/** A native array as is, a comma-separated string split; anything else is no list. */
function toItems(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
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
