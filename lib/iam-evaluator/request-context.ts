/**
 * The condition keys of a request as IAM sees them. A key is concrete (a value, or absent),
 * or chosen by the caller: a value the caller picks for each request (its source address,
 * its session name, the region of the endpoint it calls, the moment it calls). A security
 * question ("can some caller get in?") leaves those open: a condition on such a key holds
 * for the question unless no value the caller could send satisfies it.
 */
export interface ChosenByCaller {
  readonly chosenByCaller: true;
  /** Whether the caller can also leave the key out of the request. */
  readonly mayBeAbsent: boolean;
  /** For people: whose choice it is and why. */
  readonly because: string;
}

/** A key's value: a string, or chosen by the caller. */
export type ContextValue = string | ChosenByCaller;

/** Condition keys of a request and their values; absent keys are missing (undefined or not listed). */
export type RequestContext = Readonly<Record<string, ContextValue | undefined>>;

export function chosenByCaller(because: string, mayBeAbsent = false): ChosenByCaller {
  return { chosenByCaller: true, mayBeAbsent, because };
}

export function isChosenByCaller(value: ContextValue | undefined): value is ChosenByCaller {
  return typeof value === 'object';
}

/**
 * The value of a key, compared without case as IAM compares key names; a key the context
 * does not list is `unlisted` (absent unless the question leaves every other key open).
 */
export function contextValue(context: RequestContext, key: string, unlisted?: ChosenByCaller): ContextValue | undefined {
  const entry = Object.entries(context).find(([name]) => name.toLowerCase() === key.toLowerCase());
  return entry === undefined ? unlisted : entry[1];
}
