import { quoted } from './quoted';

/**
 * The result of reading one configuration value: the normalised value, or the
 * problems found in it. Parsers collect problems instead of throwing so that a
 * user sees every mistake in one run.
 */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] };

export function parsed<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

/** What a problem line says: the key, the value given, what was expected and an example. */
export interface ProblemParts {
  readonly key: string;
  /** The raw value; `undefined` means the key is missing. */
  readonly given: unknown;
  readonly expected: string;
  readonly example: string;
  /** A pointer to the likely mistake or where to find the right value. */
  readonly hint?: string;
}

export function problem(parts: ProblemParts): Parsed<never> {
  return { ok: false, problems: [formatProblem(parts)] };
}

export function formatProblem({ key, given, expected, example, hint }: ProblemParts): string {
  const got = given === undefined ? 'missing' : `got ${quoted(given)}`;
  const line = `${key}: ${got}; expected ${expected}; example: ${example}`;
  return hint === undefined ? line : `${line}. ${hint}`;
}

/** Collects the problems of several results, in order. */
export function problemsOf(results: readonly Parsed<unknown>[]): readonly string[] {
  return results.flatMap((r) => (r.ok ? [] : r.problems));
}
