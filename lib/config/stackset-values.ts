import { parseAccount, parseRegion } from './aws-values';
import { parseEach, readList } from './list-values';
import { Parsed, parsed, problem } from '../problems/problem';

/** How an organisation-wide rollout through a service-managed StackSet is run. */
export interface StackSetConfig {
  /** OU ids (`ou-…`) or the root id (`r-…`); accounts in them get the stack, now and when they join. */
  readonly organizationalUnits: readonly string[];
  /** The one region per account: the IAM provider is global to an account. */
  readonly region: string;
  readonly excludedAccounts: readonly string[];
  readonly failureTolerance: Tolerance;
  readonly maxConcurrent: Tolerance;
  /** SELF from the management account, DELEGATED_ADMIN from a delegated administrator. */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
}

export type Tolerance = { readonly count: number } | { readonly percentage: number };

const OU_OR_ROOT = /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;

export function parseOrganizationalUnits(key: string, raw: unknown): Parsed<readonly string[]> {
  const example = `${key}=ou-ab12-34cd56ef,ou-ab12-78gh90ij (or the root, r-ab12)`;
  const list = readList(key, raw, example);
  if (!list.ok) return list;
  return parseEach(
    key,
    list.value,
    (itemKey, item) => (OU_OR_ROOT.test(item) ? parsed(item) : problem({ key: itemKey, given: item, expected: 'an organizational unit id (ou-…) or the root id (r-…)', example })),
    (id) => id,
  );
}

/** Exactly one region: a second would try to create the account's one provider twice. */
export function parseStackSetRegion(key: string, raw: unknown): Parsed<string> {
  const list = readList(key, raw, `${key}=eu-west-1`);
  if (list.ok && list.value.length > 1) {
    return problem({
      key,
      given: raw,
      expected: 'exactly one region: an IAM OIDC provider is global to its account, so a second region would fail with "Provider already exists"',
      example: `${key}=eu-west-1`,
    });
  }
  return parseRegion(key, list.ok ? list.value[0] : raw);
}

export function parseExcludedAccounts(key: string, raw: unknown): Parsed<readonly string[]> {
  const list = readList(key, raw, `${key}=111122223333,444455556666`);
  if (!list.ok) return list;
  return parseEach(key, list.value, parseAccount, (account) => account);
}

/** A count (`2`) or a percentage (`10%`) of accounts. */
export function parseTolerance(key: string, raw: unknown, minimum: number): Parsed<Tolerance> {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const percentage = /^(\d{1,3})%$/.exec(text);
  if (percentage !== null && Number(percentage[1]) >= minimum && Number(percentage[1]) <= 100) return parsed({ percentage: Number(percentage[1]) });
  if (/^\d{1,4}$/.test(text) && Number(text) >= minimum) return parsed({ count: Number(text) });
  return problem({ key, given: raw, expected: `a number of accounts (at least ${minimum}) or a percentage up to 100%`, example: `${key}=${minimum === 0 ? '1' : '10%'}` });
}

export function parseCallAs(key: string, raw: unknown): Parsed<'SELF' | 'DELEGATED_ADMIN'> {
  if (raw === 'SELF' || raw === 'DELEGATED_ADMIN') return parsed(raw);
  return problem({ key, given: raw, expected: 'SELF (from the management account) or DELEGATED_ADMIN (from a delegated administrator account)', example: `${key}=DELEGATED_ADMIN` });
}
