/**
 * Sets of strings as IAM's string conditions and resource patterns describe them, decided
 * exactly. A question "is there a value, of this shape, that these patterns let through?"
 * is the non-emptiness of a regular language: each pattern (StringLike's `*` and `?`, or a
 * literal for StringEquals, case-folded for IgnoreCase) is a small automaton whose states
 * are the sets of pattern positions reached (tracked as a bit mask, so the product is
 * deterministic); the shape of the values (a universe: any string, or a fixed form such as
 * a Bitbucket `sub`) is another automaton. Their product is explored over the characters
 * the patterns and the universe name, plus one symbol standing for every character none of
 * them names, which all behave alike against the patterns. A predicate over "which
 * patterns match" then says which strings are in: any Boolean combination of patterns
 * (Allow statements, StringNotLike exclusions, Deny statements subtracting) is decided on
 * the same product. The product is finite, so every question terminates; past a state
 * budget it throws `LanguageTooLarge`, which callers turn into a conservative verdict.
 */

export type PatternKind = 'like' | 'equals' | 'equals-ignore-case';

export interface StringPattern {
  /** `like`: `*` any run, `?` one character; `equals`: the value itself; `equals-ignore-case`: the value, compared lower-cased. */
  readonly kind: PatternKind;
  readonly value: string;
}

/**
 * One move of a universe: on the characters listed, on any character but the `except`
 * ones (a character no pattern names included), or only on `unnamed` characters, those no
 * pattern names (a name no policy can have singled out).
 */
export interface UniverseMove {
  readonly on: string | { readonly except: string } | { readonly unnamed: true };
  readonly to: number;
}

/** The shape of the values asked about: an automaton over characters (deterministic where `countPrefixes` is used). */
export interface Universe {
  readonly start: number;
  readonly states: ReadonlyArray<{ readonly accepting: boolean; readonly moves: readonly UniverseMove[] }>;
}

/** Every string. */
export const ANY_STRING: Universe = { start: 0, states: [{ accepting: true, moves: [{ on: { except: '' }, to: 0 }] }] };

/** The strings of any of the universes. */
export function union(universes: readonly Universe[]): Universe {
  const states: Array<Universe['states'][number]> = [{ accepting: false, moves: [] }];
  const starts: Array<Universe['states'][number]> = [];
  for (const universe of universes) {
    const offset = states.length;
    const shifted = universe.states.map((state) => ({ accepting: state.accepting, moves: state.moves.map((move) => ({ on: move.on, to: move.to + offset })) }));
    states.push(...shifted);
    starts.push(shifted[universe.start]);
  }
  states[0] = { accepting: starts.some((state) => state.accepting), moves: starts.flatMap((state) => state.moves) };
  return { start: 0, states };
}

/**
 * A universe of strings made of parts in order: a literal, or from `min` to `max` characters
 * of `chars` (`max` undefined: no limit), as a move takes them.
 */
export type FormPart = string | { readonly chars: UniverseMove['on']; readonly min: number; readonly max?: number };

export function form(parts: readonly FormPart[]): Universe {
  const states: Array<{ accepting: boolean; moves: UniverseMove[]; skipTo?: number }> = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      for (const char of part) states.push({ accepting: false, moves: [{ on: char, to: states.length + 1 }] });
      continue;
    }
    const { chars, min, max } = part;
    // Being in the i-th state of the part means i characters of it are read; from min on, the next part may start.
    const count = max ?? min + 1;
    const first = states.length;
    for (let index = 0; index < count; index++) {
      const loops = max === undefined && index === count - 1;
      states.push({ accepting: false, moves: [{ on: chars, to: loops ? states.length : states.length + 1 }], ...(index >= min ? { skipTo: first + count } : {}) });
    }
  }
  states.push({ accepting: true, moves: [] });
  // Each skip copies what the next part's entry does (already closed: it comes later), so the universe is a
  // choice automaton (not deterministic: only countPrefixes needs that).
  for (let index = states.length - 1; index >= 0; index--) {
    const state = states[index];
    if (state.skipTo === undefined) continue;
    const next = states[state.skipTo];
    states[index] = { accepting: state.accepting || next.accepting, moves: [...state.moves, ...next.moves] };
  }
  return { start: 0, states: states.map(({ accepting, moves }) => ({ accepting, moves })) };
}

/** Thrown when a question's product exceeds the state budget: the caller cannot decide it. */
export class LanguageTooLarge extends Error {}

const OTHER = '\u0000';
const DEFAULT_BUDGET = 200_000;

/**
 * One pattern as a lazily built deterministic automaton: a state is the set of pattern
 * positions reached (a bit mask, `*` closing over the empty run), numbered as first met.
 */
class PatternAutomaton {
  private readonly masks: bigint[] = [];
  private readonly numbers = new Map<bigint, number>();
  private readonly moves: Array<Map<string, number>> = [];
  private readonly stars: bigint;
  private readonly chars: readonly string[];
  private readonly wild: boolean;
  private readonly fold: boolean;
  private readonly accepts = new Map<string, bigint>();
  readonly start: number;

  constructor(pattern: StringPattern) {
    this.chars = [...pattern.value];
    this.wild = pattern.kind === 'like';
    this.fold = pattern.kind === 'equals-ignore-case';
    let stars = 0n;
    this.chars.forEach((char, index) => {
      if (this.wild && char === '*') stars |= 1n << BigInt(index);
    });
    this.stars = stars;
    this.start = this.number(this.closure(1n));
  }

  /** What the pattern does with `symbol`, as text: two symbols with the same signature lead everywhere alike. */
  signature(symbol: string): string {
    return this.accepting(symbol).toString(36);
  }

  /** Whether state `state` has read a string the pattern matches whole. */
  matches(state: number): boolean {
    return ((this.masks[state] >> BigInt(this.chars.length)) & 1n) === 1n;
  }

  next(state: number, symbol: string): number {
    const known = this.moves[state].get(symbol);
    if (known !== undefined) return known;
    const mask = this.masks[state];
    const next = mask === 0n ? state : this.number(this.closure(((mask & this.accepting(symbol)) << 1n) | (mask & this.stars)));
    this.moves[state].set(symbol, next);
    return next;
  }

  private number(mask: bigint): number {
    let id = this.numbers.get(mask);
    if (id === undefined) {
      id = this.masks.length;
      this.masks.push(mask);
      this.numbers.set(mask, id);
      this.moves.push(new Map());
    }
    return id;
  }

  private closure(mask: bigint): bigint {
    let current = mask;
    for (;;) {
      const next = current | ((current & this.stars) << 1n);
      if (next === current) return current;
      current = next;
    }
  }

  /** The positions whose character takes `symbol` (`?` any; a literal its own, case-folded for IgnoreCase; `*` none: it loops). */
  private accepting(symbol: string): bigint {
    let mask = this.accepts.get(symbol);
    if (mask === undefined) {
      mask = 0n;
      for (let index = 0; index < this.chars.length; index++) {
        const char = this.chars[index];
        const takes =
          (this.wild && char === '?') ||
          (symbol !== OTHER && !(this.wild && char === '*') && (this.fold ? char.toLowerCase() === symbol.toLowerCase() : char === symbol));
        if (takes) mask |= 1n << BigInt(index);
      }
      this.accepts.set(symbol, mask);
    }
    return mask;
  }
}

interface Node {
  readonly universe: number;
  /** Each pattern's automaton state. */
  readonly states: readonly number[];
  readonly accepting: boolean;
  /** For each pattern, whether the string read so far matches it whole. */
  readonly matches: readonly boolean[];
  /** Successors, each once, with one character leading there and how many characters do. */
  readonly edges: Array<{ readonly to: number; readonly symbol: string; weight: number }>;
}

/**
 * The product of a universe and some patterns, explored whole once, so that many
 * predicates over the same patterns are answered without exploring again.
 */
export class PatternProduct {
  private readonly nodes: Node[] = [];
  private readonly automata: PatternAutomaton[];
  private readonly representative: string;
  private incoming?: Map<number, number[]>;

  constructor(universe: Universe, patterns: readonly StringPattern[], budget = DEFAULT_BUDGET) {
    this.automata = patterns.map((pattern) => new PatternAutomaton(pattern));
    const named = new Set<string>();
    for (const pattern of patterns) {
      for (const char of pattern.value) {
        named.add(char);
        if (pattern.kind === 'equals-ignore-case') {
          // Case variants may be one character each way or not (`ß` → `SS`): only single characters are symbols.
          for (const variant of [char.toLowerCase(), char.toUpperCase()]) if ([...variant].length === 1) named.add(variant);
        }
      }
    }
    for (const state of universe.states) for (const move of state.moves) if (typeof move.on === 'string') for (const char of move.on) named.add(char);
    named.delete(OTHER);
    this.representative = [...'xzqjkvwy0123456789_abcdefghilmnoprstu'].find((char) => !named.has(char)) ?? '\u2603';
    const alphabet = [...named];

    const index = new Map<string, number>();
    const visit = (universeState: number, states: readonly number[]): number => {
      const key = `${universeState}|${states.join(',')}`;
      const known = index.get(key);
      if (known !== undefined) return known;
      if (this.nodes.length >= budget) throw new LanguageTooLarge(`more than ${budget} states`);
      const id = this.nodes.length;
      index.set(key, id);
      this.nodes.push({
        universe: universeState,
        states,
        accepting: universe.states[universeState].accepting,
        matches: states.map((state, at) => this.automata[at].matches(state)),
        edges: [],
      });
      return id;
    };
    const start = visit(universe.start, this.automata.map((automaton) => automaton.start));
    // Characters every pattern treats alike lead to the same state: one of each class is enough, counted for all.
    const classes = new Map<UniverseMove, Array<{ symbol: string; weight: number }>>();
    const classesOf = (move: UniverseMove) => {
      let found = classes.get(move);
      if (found === undefined) {
        const on = move.on;
        const symbols = typeof on === 'string' ? [...new Set(on)] : 'unnamed' in on ? [OTHER] : [...alphabet.filter((char) => !on.except.includes(char)), OTHER];
        const bySignature = new Map<string, { symbol: string; weight: number }>();
        for (const symbol of symbols) {
          const signature = this.automata.map((automaton) => automaton.signature(symbol)).join(',');
          const known = bySignature.get(signature);
          const weight = symbol === OTHER ? Infinity : 1;
          if (known === undefined) bySignature.set(signature, { symbol, weight });
          else known.weight += weight;
        }
        found = [...bySignature.values()];
        classes.set(move, found);
      }
      return found;
    };
    for (let next = start; next < this.nodes.length; next++) {
      const node = this.nodes[next];
      const targets = new Map<number, Node['edges'][number]>();
      for (const move of universe.states[node.universe].moves) {
        for (const { symbol, weight } of classesOf(move)) {
          const to = visit(
            move.to,
            node.states.map((state, at) => this.automata[at].next(state, symbol)),
          );
          const edge = targets.get(to);
          if (edge === undefined) targets.set(to, { to, symbol, weight });
          else edge.weight += weight;
        }
      }
      node.edges.push(...targets.values());
    }
  }

  /** How many states the product has (for the budget and for people). */
  get size(): number {
    return this.nodes.length;
  }

  /** The shortest string of the universe whose pattern matches satisfy `admits`, or undefined when there is none. */
  witness(admits: (matches: readonly boolean[]) => boolean): string | undefined {
    const parent = new Map<number, { from: number; symbol: string }>();
    const queue = [0];
    const seen = new Set([0]);
    for (let at = 0; at < queue.length; at++) {
      const id = queue[at];
      const node = this.nodes[id];
      if (node.accepting && admits(node.matches)) {
        const symbols: string[] = [];
        for (let back = id; back !== 0; back = parent.get(back)?.from ?? 0) symbols.unshift(this.shown(parent.get(back)?.symbol ?? ''));
        return symbols.join('');
      }
      for (const edge of node.edges) {
        if (seen.has(edge.to)) continue;
        seen.add(edge.to);
        parent.set(edge.to, { from: id, symbol: edge.symbol });
        queue.push(edge.to);
      }
    }
    return undefined;
  }

  /** Every combination of pattern matches some string of the universe has. */
  matchCombinations(): boolean[][] {
    const seen = new Map<string, boolean[]>();
    for (const node of this.nodes) if (node.accepting) seen.set(node.matches.map(Number).join(''), [...node.matches]);
    return [...seen.values()];
  }

  /**
   * How many strings of exactly `length` characters start some string of the universe that
   * `admits` takes (each prefix leads to one state: the product is deterministic). Only for
   * universes that name their characters: a move on characters no pattern names has no count.
   */
  countPrefixes(length: number, admits: (matches: readonly boolean[]) => boolean): bigint {
    const live = this.liveNodes(admits);
    let layer = new Map<number, bigint>([[0, 1n]]);
    for (let step = 0; step < length; step++) {
      const next = new Map<number, bigint>();
      for (const [id, count] of layer) {
        for (const edge of this.nodes[id].edges) {
          if (!Number.isFinite(edge.weight)) throw new Error('countPrefixes needs a universe that names every character');
          next.set(edge.to, (next.get(edge.to) ?? 0n) + count * BigInt(edge.weight));
        }
      }
      layer = next;
    }
    let total = 0n;
    for (const [id, count] of layer) if (live.has(id)) total += count;
    return total;
  }

  /** The states from which some string taken by `admits` can still be completed. */
  private liveNodes(admits: (matches: readonly boolean[]) => boolean): Set<number> {
    const incoming = this.incoming ?? new Map<number, number[]>();
    if (this.incoming === undefined) this.nodes.forEach((node, id) =>
      node.edges.forEach((edge) => {
        const from = incoming.get(edge.to);
        if (from === undefined) incoming.set(edge.to, [id]);
        else from.push(id);
      }),
    );
    this.incoming = incoming;
    const live = new Set<number>();
    const queue: number[] = [];
    this.nodes.forEach((node, id) => {
      if (node.accepting && admits(node.matches)) {
        live.add(id);
        queue.push(id);
      }
    });
    for (let at = 0; at < queue.length; at++) {
      for (const from of incoming.get(queue[at]) ?? []) {
        if (!live.has(from)) {
          live.add(from);
          queue.push(from);
        }
      }
    }
    return live;
  }

  private shown(symbol: string): string {
    return symbol === OTHER ? this.representative : symbol;
  }
}
