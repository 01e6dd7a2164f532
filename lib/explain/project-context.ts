import { Parsed, parsed } from '../problems/problem';
import { quoted } from '../problems/quoted';

/** Why a file could not be read. */
export interface ReadFailure {
  /** The file does not exist (cdk.json and cdk.context.json may be absent). */
  readonly missing: boolean;
  /** In words: `no such file`, `a directory`, `over 4194304 bytes`. */
  readonly reason: string;
}

/** A file's text, or why there is none. */
export type FileText = string | ReadFailure;

/** Reads a file by path, at most `maxBytes` of it. */
export type ReadFile = (path: string, maxBytes: number) => FileText;

/** Far above any cdk.json or cdk.context.json of this app, far below what would exhaust memory. */
export const CONTEXT_FILE_MAX_BYTES = 4 * 1024 * 1024;

type JsonObject = Record<string, unknown>;

/**
 * The context the CDK CLI gives the app: cdk.json's `context`, then cdk.context.json,
 * then `-c`, later ones winning. A file that is not a JSON object, or a `context` that is
 * not one, is a problem naming the file: the deploy would fail on it too, and a verdict on
 * a context nobody can deploy would mislead.
 */
export function projectContext(readFile: ReadFile, commandLine: Readonly<Record<string, string>>): Parsed<JsonObject> {
  const cdkJson = jsonObjectFile('cdk.json', readFile, '{"app": "...", "context": {"workspace": "acme-corp"}}');
  const contextFile = jsonObjectFile('cdk.context.json', readFile, '{"workspace": "acme-corp"}');
  const problems = [...(cdkJson.ok ? [] : cdkJson.problems), ...(contextFile.ok ? [] : contextFile.problems)];
  const context = cdkJson.ok ? cdkJson.value.context : undefined;
  if (context !== undefined && !isObject(context)) {
    problems.push(`cdk.json: context: got ${quoted(context)}; expected an object of context keys and values; example: "context": {"workspace": "acme-corp"}`);
  }
  if (problems.length > 0 || !cdkJson.ok || !contextFile.ok) return { ok: false, problems };
  return parsed({ ...(context as JsonObject | undefined), ...contextFile.value, ...commandLine });
}

function jsonObjectFile(path: string, readFile: ReadFile, example: string): Parsed<JsonObject> {
  const text = readFile(path, CONTEXT_FILE_MAX_BYTES);
  if (typeof text !== 'string') return text.missing ? parsed({}) : { ok: false, problems: [`${path}: cannot read it: ${text.reason}`] };
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    return { ok: false, problems: [`${path}: not valid JSON${where(text, error)}; expected a JSON object; example: ${example}`] };
  }
  return isObject(value) ? parsed(value) : { ok: false, problems: [`${path}: got ${quoted(value)}; expected a JSON object; example: ${example}`] };
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Where JSON.parse stopped, as line and column. Its message also quotes the text around
 * that point, which is not shown: the file is the user's, but the line stays predictable.
 */
function where(text: string, error: unknown): string {
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (position === undefined) return '';
  const before = text.slice(0, Number(position)).split('\n');
  return ` (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}
