import { WORKSPACE_SLUG, bitbucketWorkspaceAudience } from '../bitbucket/issuer';
import { parseEach, readList } from './list-values';
import { Parsed, parsed, problem } from '../problems/problem';
import { quoted } from '../problems/quoted';

const UUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const EXAMPLE_UUID = '{8a9b5c3e-1f2d-4e6a-9b7c-0d1e2f3a4b5c}';
const EXAMPLE_WORKSPACE_UUID = EXAMPLE_UUID.slice(1, -1);
/** Keeps the issuer URL within IAM's 255 characters for a provider URL. */
const MAX_WORKSPACE_LENGTH = 100;
const WHERE_UUIDS_ARE = 'Copy it from Repository settings > Pipelines > OpenID Connect';

/** A repository UUID or `*`, which trusts every repository of the workspace on purpose. */
export type RepositoryScope = '*' | readonly string[];

/** Returns the UUID lowercase and without braces, or undefined if it is not one. */
function bareUuid(text: string): string | undefined {
  const match = UUID.exec(text.trim());
  if (match === null) return undefined;
  const braced = text.trim().startsWith('{');
  if (braced !== text.trim().endsWith('}')) return undefined;
  return match[1].toLowerCase();
}

export function parseWorkspace(key: string, raw: unknown): Parsed<string> {
  const expected = `the workspace ID (slug) from bitbucket.org/<workspace>: lowercase letters, digits, - and _, at most ${MAX_WORKSPACE_LENGTH} characters`;
  const example = `${key}=acme-corp`;
  if (typeof raw !== 'string' || raw.trim() === '') return problem({ key, given: raw, expected, example });
  const text = raw.trim();
  if (WORKSPACE_SLUG.test(text) && text.length <= MAX_WORKSPACE_LENGTH) return parsed(text);
  if (bareUuid(text) !== undefined || text.startsWith('ari:')) {
    return problem({ key, given: raw, expected, example, hint: 'The workspace UUID belongs in audience; the issuer URL uses the slug' });
  }
  // Only a slug that would itself be valid is worth suggesting.
  const fromUrl = /bitbucket\.org\/(?:2\.0\/workspaces\/)?([A-Za-z0-9_-]{1,100})(?![A-Za-z0-9_-])/.exec(text);
  if (fromUrl !== null) {
    return problem({ key, given: raw, expected, example, hint: `Give only the slug: did you mean ${quoted(fromUrl[1].toLowerCase())}?` });
  }
  if (WORKSPACE_SLUG.test(text.toLowerCase()) && text.length <= MAX_WORKSPACE_LENGTH) {
    return problem({ key, given: raw, expected, example, hint: `Workspace IDs are lowercase: did you mean ${quoted(text.toLowerCase())}?` });
  }
  return problem({ key, given: raw, expected, example });
}

/** Accepts the full audience or the bare workspace UUID, braces and case as given. */
export function parseAudience(key: string, raw: unknown): Parsed<string> {
  const expected = 'ari:cloud:bitbucket::workspace/<workspace UUID>, or the bare workspace UUID';
  const example = `${key}=ari:cloud:bitbucket::workspace/${EXAMPLE_WORKSPACE_UUID}`;
  const hint = 'Copy it from Repository settings > Pipelines > OpenID Connect > Audience';
  if (typeof raw !== 'string') return problem({ key, given: raw, expected, example, hint });
  const text = raw.trim();
  const prefix = /^ari:cloud:bitbucket::workspace\//i;
  const uuid = bareUuid(text.replace(prefix, ''));
  if (uuid === undefined) return problem({ key, given: raw, expected, example, hint });
  return parsed(bitbucketWorkspaceAudience(uuid));
}

/** A UUID as Bitbucket writes it in token claims: lowercase, in braces. */
function parseClaimUuid(key: string, raw: string, what: string, example: string): Parsed<string> {
  const uuid = bareUuid(raw);
  if (uuid !== undefined) return parsed(`{${uuid}}`);
  const looksLikeSlug = /^[a-z0-9][a-z0-9._-]*$/i.test(raw);
  return problem({
    key,
    given: raw,
    expected: `a ${what} UUID (braces optional)`,
    example,
    hint: looksLikeSlug ? `A ${what} name or slug is not in the token. ${WHERE_UUIDS_ARE}` : WHERE_UUIDS_ARE,
  });
}

export function parseRepositories(key: string, raw: unknown): Parsed<RepositoryScope> {
  const example = `${key}=${EXAMPLE_UUID},{0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a} (or ${key}=* to trust every repository of the workspace)`;
  const list = readList(key, raw, example);
  if (!list.ok) return list;
  if (list.value.includes('*')) {
    if (list.value.length === 1) return parsed('*');
    return problem({ key, given: raw, expected: '* alone (every repository) or a list of repository UUIDs, not both', example });
  }
  return parseEach(key, list.value, (itemKey, item) => parseClaimUuid(itemKey, item, 'repository', example), (uuid) => uuid);
}

export function parseEnvironments(key: string, raw: unknown): Parsed<readonly string[]> {
  const example = `${key}=${EXAMPLE_UUID}`;
  const list = readList(key, raw, example);
  if (!list.ok) return list;
  return parseEach(key, list.value, (itemKey, item) => parseClaimUuid(itemKey, item, 'deployment environment', example), (uuid) => uuid);
}
