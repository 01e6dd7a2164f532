/**
 * Runs `body` on a clock `speed` times faster than the wall's: jest's fake timers (Date
 * included), advanced from a real interval. The SDK's retry backoff and its adaptive rate
 * limiter then wait fake seconds, so a throttled run that takes a minute takes a couple of
 * seconds, with the very retry strategy the command uses. Sockets keep real time (their
 * timeouts are Node's own timers), so nothing here may rely on a socket timing out.
 */
export async function onFastClock<T>(body: () => Promise<T>, speed = 50): Promise<T> {
  const realSetInterval = setInterval;
  const realClearInterval = clearInterval;
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  const driver = realSetInterval(() => jest.advanceTimersByTime(speed), 1);
  try {
    return await body();
  } finally {
    realClearInterval(driver);
    jest.useRealTimers();
  }
}
