/**
 * How any value from a user, a token or AWS reaches a terminal: on one line, quoted as
 * JSON quotes it, with every character that could move the cursor, recolour the screen
 * or reorder the text escaped, and cut when long. A value printed raw could forge lines
 * (a branch name holding a newline and `ADMITTED`) or hide itself behind escape codes.
 */

/** The most characters of a value shown; enough to recognise it, short enough for one line. */
export const MAX_SHOWN = 120;

/**
 * What JSON.stringify leaves as is but a terminal acts on: DEL and the C1 controls, the
 * line and paragraph separators, and the bidirectional controls that reorder text.
 */
const TERMINAL_ACTIVE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** `value` quoted and escaped on one line, cut to `max` characters (an ellipsis and the full length then say so). */
export function quoted(value: unknown, max = MAX_SHOWN): string {
  const json = typeof value === 'function' || typeof value === 'symbol' ? undefined : JSON.stringify(value);
  const text = (json ?? String(value)).replace(TERMINAL_ACTIVE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const characters = Array.from(text);
  return characters.length > max ? `${characters.slice(0, max).join('')}… (${characters.length} characters)` : text;
}

/**
 * A context key as a problem line names it: as written when it is a plain key (letters,
 * digits and `_.:@/-`, at most 64 characters), otherwise `quoted` like any other value,
 * since an unknown key is as much the user's text as its value.
 */
export function shownKey(key: string): string {
  const shown = quoted(key, 64);
  return /^"[\w.:@/-]{1,64}"$/.test(shown) ? shown.slice(1, -1) : shown;
}
