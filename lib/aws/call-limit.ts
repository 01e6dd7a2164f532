/**
 * At most `limit` tasks at once; the others wait their turn, first come first served.
 * Twenty lines rather than p-limit, whose current versions are ESM only, which the
 * project's CommonJS build and jest cannot load without extra configuration.
 */
export class CallLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((turn) => this.waiting.push(turn));
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next in line, or free it.
      const next = this.waiting.shift();
      if (next === undefined) this.running--;
      else next();
    }
  }
}
