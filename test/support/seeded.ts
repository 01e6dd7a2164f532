/** mulberry32: small, seeded, the same sequence on every platform, so a random test's case can be replayed. */
export function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const some = <T>(items: readonly T[], most: number): T[] => Array.from({ length: 1 + Math.floor(next() * most) }, () => pick(items));
  return { next, pick, some };
}

export type Generator = ReturnType<typeof generator>;
