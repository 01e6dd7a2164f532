import { quoted } from '../problems/quoted';
import { endpointOf } from './aws-clients';

/**
 * Why an account (or the run) could not be read, in one line for people: the action, and
 * what AWS said. `unreachable` means no answer came at all: every account would fail alike.
 */
export class AccountReadError extends Error {
  constructor(
    message: string,
    readonly unreachable = false,
  ) {
    super(message);
  }
}

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

const sdkError = (error: unknown): SdkError => (typeof error === 'object' && error !== null ? error : {}) as SdkError;

/** The error's name and first line as AWS said them, the name bare when it is one, the message quoted. */
export function whatAwsSaid(error: unknown): string {
  const failure = sdkError(error);
  const name = failure.name ?? 'Error';
  const message = (failure.message ?? String(error)).split('\n')[0];
  return `${/^[A-Za-z][\w.]{0,80}$/.test(name) ? name : quoted(name)}: ${quoted(message, 300)}`;
}

/** Whether AWS refused the call for its caller's permissions. */
export function isAccessDenied(error: unknown): boolean {
  const failure = sdkError(error);
  return ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'].includes(failure.name ?? '') || failure.$metadata?.httpStatusCode === 403;
}

/** Whether the entity asked about does not exist (any more). */
export function isNoSuchEntity(error: unknown): boolean {
  return ['NoSuchEntity', 'NoSuchEntityException'].includes(sdkError(error).name ?? '');
}

const NETWORK_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'];

/** One line naming the action and what went wrong; never a stack trace. */
export function describeFailure(action: string, error: unknown, settings: { readonly timeoutSeconds: number }): AccountReadError {
  if (error instanceof AccountReadError) return error;
  const failure = sdkError(error);
  const said = whatAwsSaid(error);
  const attempts = failure.$metadata?.attempts;
  const tried = attempts === undefined || attempts <= 1 ? '' : `, ${attempts} attempts`;
  if (failure.name === 'CredentialsProviderError') {
    return new AccountReadError(`no AWS credentials found (the SDK's default chain: environment, profile, SSO, web identity): ${said}`);
  }
  if (['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException', 'UnrecognizedClientException'].includes(failure.name ?? '')) {
    return new AccountReadError(`AWS refused the credentials while calling ${action}: ${said}`);
  }
  if (isAccessDenied(error)) {
    return new AccountReadError(`permission missing: ${action} (${said}); the README lists the permissions the audit needs`);
  }
  const endpoint = endpointOf(error) ?? process.env.AWS_ENDPOINT_URL ?? 'AWS';
  const timedOut = failure.name === 'TimeoutError';
  const network = NETWORK_CODES.find((code) => failure.code === code || (failure.message ?? '').includes(code));
  if (timedOut) {
    return new AccountReadError(`no answer from ${endpoint} for ${action} within ${settings.timeoutSeconds} s (--timeout${tried}); check the network and AWS_ENDPOINT_URL`, true);
  }
  if (network !== undefined) {
    return new AccountReadError(`cannot reach ${endpoint} for ${action} (${network}${tried}); check the network and AWS_ENDPOINT_URL`, true);
  }
  const status = failure.$metadata?.httpStatusCode;
  if (status === 429 || status === 503 || /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/.test(failure.name ?? '')) {
    return new AccountReadError(`${action} still throttled${tried === '' ? '' : ` after ${attempts} attempts`}: ${said}; try again later, or lower --concurrent-accounts and --concurrent-calls`);
  }
  return new AccountReadError(`${action} failed: ${said}`);
}
