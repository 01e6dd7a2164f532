import { IAMClient, IAMClientConfig } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { CallLimit } from './call-limit';

/** How every call the audit makes to IAM, STS and Organizations waits and retries. */
export interface CallSettings {
  /** The region for STS (IAM and Organizations are global; their endpoints follow from the partition). */
  readonly region: string;
  /**
   * Seconds one attempt may wait for a connection, and for the next byte of an answer;
   * an attempt gets at most six times this in all.
   * @default 10
   */
  readonly timeoutSeconds: number;
  /**
   * Attempts per call when AWS answers that it is throttling or failing (Throttling,
   * ThrottlingException, TooManyRequestsException, 429, 5xx). A call that gets no answer at
   * all (a timeout, a refused or reset connection) gets {@link NO_ANSWER_ATTEMPTS}.
   * @default 10, or AWS_MAX_ATTEMPTS when set
   */
  readonly maxAttempts: number;
  /**
   * One endpoint for every service, as `AWS_ENDPOINT_URL` gives it (which the SDK also
   * honours by itself); for tests that pass settings rather than an environment.
   * @default the SDK's own resolution
   */
  readonly endpoint?: string;
}

/** Enough for sustained throttling: 0.3^10 ≈ 6e-6, the chance a call at 30% throttling still fails. */
export const DEFAULT_MAX_ATTEMPTS = 10;
/** The SDK's default attempts: an endpoint that does not answer rarely answers the fourth time. */
export const NO_ANSWER_ATTEMPTS = 3;

type RetryStrategyParts = Parameters<AdaptiveRetryStrategy['refreshRetryTokenForRetry']>;

/**
 * The SDK's adaptive retry mode (client-side rate limiting that slows down after each
 * throttling answer, exponential backoff with jitter, a retry budget) with `maxAttempts`
 * for answers, but only {@link NO_ANSWER_ATTEMPTS} for calls that got no HTTP answer at
 * all: waiting ten timeouts for a silent endpoint would look like a hang.
 */
class AuditRetryStrategy {
  readonly mode = 'adaptive';
  private readonly adaptive: AdaptiveRetryStrategy;

  constructor(maxAttempts: number) {
    this.adaptive = new AdaptiveRetryStrategy(async () => maxAttempts);
  }

  acquireInitialRetryToken(scope: string): ReturnType<AdaptiveRetryStrategy['acquireInitialRetryToken']> {
    return this.adaptive.acquireInitialRetryToken(scope);
  }

  refreshRetryTokenForRetry(token: RetryStrategyParts[0], errorInfo: RetryStrategyParts[1]): ReturnType<AdaptiveRetryStrategy['refreshRetryTokenForRetry']> {
    const unanswered = (errorInfo.error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode === undefined;
    if (errorInfo.errorType === 'TRANSIENT' && unanswered && token.getRetryCount() + 1 >= NO_ANSWER_ATTEMPTS) {
      return Promise.reject(new Error('no retry for a call that got no answer'));
    }
    return this.adaptive.refreshRetryTokenForRetry(token, errorInfo);
  }

  recordSuccess(token: RetryStrategyParts[0]): void {
    this.adaptive.recordSuccess(token);
  }
}

/** The endpoint each failed call was sent to, for its one line. */
const endpoints = new WeakMap<object, string>();

/** Where a failed call was sent (`https://iam.amazonaws.com`), when it got as far as an endpoint. */
export function endpointOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? endpoints.get(error) : undefined;
}

type Credentials = IAMClientConfig['credentials'];

interface SdkClient {
  readonly middlewareStack: IAMClient['middlewareStack'];
}

function configFor(settings: CallSettings, credentials: Credentials) {
  const timeout = settings.timeoutSeconds * 1000;
  return {
    region: settings.region,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
    retryStrategy: new AuditRetryStrategy(settings.maxAttempts),
    requestHandler: { connectionTimeout: timeout, socketTimeout: timeout, requestTimeout: 6 * timeout, throwOnRequestTimeout: true },
  };
}

/** Remembers the endpoint of every failed call: the build step sees the resolved request and wraps the retries. */
function recordingEndpoints<T extends SdkClient>(client: T): T {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const request = args.request as { protocol?: string; hostname?: string; port?: number; path?: string };
        if (typeof error === 'object' && error !== null && request.hostname !== undefined) {
          endpoints.set(error, `${request.protocol ?? 'https:'}//${request.hostname}${request.port === undefined ? '' : `:${request.port}`}`);
        }
        throw error;
      }
    },
    { step: 'build', name: 'auditEndpointOfFailure' },
  );
  return client;
}

/** An IAM client whose calls wait for a free slot of `limit` before they start (retries included). */
export function iamClient(settings: CallSettings, credentials: Credentials, limit: CallLimit): IAMClient {
  const client = recordingEndpoints(new IAMClient(configFor(settings, credentials)));
  client.middlewareStack.add(
    (next, context) => (args) =>
      limit.run(() => {
        // A call whose account read has already failed (its send's abortSignal) never starts: its retry token would wait on real timers.
        const signal = context.__smithy_context?.abortSignal as { aborted?: boolean } | undefined;
        return signal?.aborted === true ? Promise.reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })) : next(args);
      }),
    { step: 'initialize', name: 'auditCallLimit' },
  );
  return client;
}

export function stsClient(settings: CallSettings, credentials: Credentials): STSClient {
  return recordingEndpoints(new STSClient(configFor(settings, credentials)));
}

export function organizationsClient(settings: CallSettings): OrganizationsClient {
  return recordingEndpoints(new OrganizationsClient(configFor(settings, undefined)));
}

/**
 * The region the SDK's default chain gives (environment, profile), or `us-east-1`: IAM is
 * global within a partition, and the commercial partition's endpoints serve without one.
 */
export async function configuredRegion(): Promise<string> {
  const probe = new STSClient({});
  try {
    return await probe.config.region();
  } catch {
    return 'us-east-1';
  } finally {
    probe.destroy();
  }
}

/** AWS_MAX_ATTEMPTS as the SDK reads it, when set to a positive whole number; else the audit's default. */
export function maxAttemptsFrom(env: NodeJS.ProcessEnv): number {
  const value = Number(env.AWS_MAX_ATTEMPTS);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_MAX_ATTEMPTS;
}
