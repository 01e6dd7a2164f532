import { Parsed, parsed } from '../problems/problem';

/** The claims of a Bitbucket Pipelines step token that IAM checks. */
export interface TokenClaims {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string;
  /** Bitbucket's own claims, shown to help read `sub`; IAM cannot check them. */
  readonly repositoryUuid?: string;
  readonly deploymentEnvironmentUuid?: string;
  readonly branchName?: string;
}

/**
 * Reads token claims from pasted JSON or from a token (`header.payload.signature`),
 * decoding only the payload: the signature is neither needed nor checked. Problems
 * never quote the input, which may be a live token.
 */
export function parseTokenClaims(text: string): Parsed<TokenClaims> {
  const trimmed = text.trim();
  if (trimmed === '') return refuse('the input is empty; expected a JSON object of claims or a token');
  let payload: unknown;
  if (trimmed.startsWith('{')) {
    payload = parseJson(trimmed);
    if (payload === undefined) return refuse('the claims are not valid JSON');
  } else {
    const parts = trimmed.split('.');
    if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
      return refuse('expected a JSON object of claims or a token of three base64url parts separated by dots');
    }
    payload = parseJson(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (payload === undefined) return refuse("the token's payload is not base64url-encoded JSON");
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return refuse('the claims must be a JSON object');
  const claims = payload as Record<string, unknown>;
  const problems: string[] = [];
  const iss = claims.iss;
  if (typeof iss !== 'string' || !/^https:\/\/[^\s]+$/.test(iss)) problems.push('claims: iss must be the https:// issuer URL');
  let aud = claims.aud;
  if (Array.isArray(aud) && aud.length === 1) aud = aud[0];
  if (Array.isArray(aud)) problems.push('claims: aud holds several audiences; give the claims of a step that asks for one audience');
  else if (typeof aud !== 'string') problems.push('claims: aud must be a string');
  if (typeof claims.sub !== 'string') problems.push('claims: sub must be a string');
  if (problems.length > 0) return { ok: false, problems };
  const optional = (key: string) => (typeof claims[key] === 'string' ? (claims[key] as string) : undefined);
  return parsed({
    iss: iss as string,
    aud: aud as string,
    sub: claims.sub as string,
    repositoryUuid: optional('repositoryUuid'),
    deploymentEnvironmentUuid: optional('deploymentEnvironmentUuid') ?? optional('deploymentEnvironment'),
    branchName: optional('branchName'),
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function refuse(message: string): Parsed<never> {
  return { ok: false, problems: [`claims: ${message}`] };
}
