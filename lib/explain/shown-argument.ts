import { quoted } from '../problems/quoted';

/**
 * What a command-line value looks like, for deciding whether a problem line may show it.
 * A user who pastes `--claims "$BITBUCKET_STEP_OIDC_TOKEN"` must not see the token in the
 * error, nor in a CI log that keeps the error.
 */
export type ArgumentShape = 'token' | 'json' | 'secret' | 'plain';

/** Longer than a path anyone types: shown only as a length. */
const MAX_PLAIN_LENGTH = 256;

/** A JWT or one of its parts: base64url JSON, which starts `eyJ` (the encoding of `{"`). */
const TOKEN = /^eyJ[A-Za-z0-9_-]{8}/;

const mixesCases = (text: string) => /[A-Z]/.test(text) && /[a-z]/.test(text) && /[0-9]/.test(text);

/**
 * How keys, app passwords and encoded secrets look, and file names rarely do: 32 or more
 * characters of base64 mixing upper case, lower case and digits (an AWS secret key has
 * slashes), or a run of 20 such characters between the separators paths use.
 */
function looksSecret(value: string): boolean {
  if (/^[A-Za-z0-9+/=_-]{32,}$/.test(value) && mixesCases(value)) return true;
  return value.split(/[/\\.\s_,:;@~()[\]{}-]+/).some((run) => run.length >= 20 && mixesCases(run));
}

export function argumentShape(value: string): ArgumentShape {
  const trimmed = value.trim();
  // `--eyJ…` is a token too: a paste lands where a flag was expected.
  if (TOKEN.test(trimmed.replace(/^-+/, ''))) return 'token';
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return 'json';
  if (Array.from(value).length > MAX_PLAIN_LENGTH || looksSecret(value)) return 'secret';
  return 'plain';
}

/** How a command-line flag appears: bare when it is an ordinary flag name, otherwise as any other value. */
export function shownFlag(flag: string): string {
  return /^--?[A-Za-z][\w-]{0,39}$/.test(flag) && argumentShape(flag) === 'plain' ? flag : shownArgument(flag);
}

/**
 * How a command-line value appears in a problem line: quoted and escaped when it looks like
 * a path or a word, otherwise only what it looks like. The rule errs toward hiding: a file
 * name that mixes case and digits over 20 characters is not shown either.
 */
export function shownArgument(value: string): string {
  switch (argumentShape(value)) {
    case 'token':
      return 'a value that looks like a token (not shown)';
    case 'json':
      return 'a value that looks like JSON (not shown)';
    case 'secret':
      return `a value of ${Array.from(value).length} characters that could be a secret (not shown)`;
    case 'plain':
      return quoted(value);
  }
}
